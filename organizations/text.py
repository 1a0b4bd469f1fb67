"""The one home of text rules: cleaning what users type or paste, search folding, Vietnamese order.

- `clean_text`: every free-text input (forms, imports, admin, model fields) passes it.
- `fold`: what search compares (no diacritics, no case, Đ/Ð -> d).
- `sort_key` / `vi_sorted` / `COLLATION`: Vietnamese alphabetical order (ICU's Vietnamese rules),
  the same in Python, on SQLite (a registered collation) and on PostgreSQL (ICU collation).
- `undrawable`: the characters the document font cannot draw (read from the fonts the document
  stylesheet embeds), for a warning at save.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

from django.db.models import BinaryField, CharField, F, Func

T = TypeVar("T")

#: Word writes list bullets as private-use code points of its Symbol/Wingdings fonts: outside Word
#: they are empty boxes. Each becomes a real character that the document font draws.
WORD_SYMBOLS = {
    "\uf0b7": "•",  # Symbol: bullet
    "\uf0a7": "•",  # Wingdings: small square bullet
    "\uf06e": "•",  # Wingdings: black square
    "\uf06c": "•",  # Wingdings: black circle
    "\uf0a8": "•",  # Wingdings: square
    "\uf076": "•",  # Wingdings: four diamonds
    "\uf075": "•",  # Wingdings: diamond
    "\uf0d8": "‣",  # Wingdings: arrowhead bullet
    "\uf0e0": "‣",  # Wingdings: arrow
    "\uf0e8": "‣",  # Wingdings: arrow
    "\uf0f0": "‣",  # Wingdings: arrow
    "\uf0fc": "✓",  # Wingdings: check mark (kept a check mark; warned about if the font lacks it)
    "\uf0fe": "✓",  # Wingdings: checked box
    "\uf02d": "–",  # Symbol: dash bullet
    "\uf0be": "—",  # Symbol: horizontal bar
}
_WORD_SYMBOLS_RE = re.compile("[" + "".join(WORD_SYMBOLS) + "]")
#: Line breaks in every spelling (Word's manual line break is a vertical tab) -> "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
#: Control characters (except "\n" and "\t"), NUL included, lone surrogates, non-characters, BOM.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff]")
_NEEDS_WORK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufeff\ufffe\uffff"
    + "".join(WORD_SYMBOLS) + "]"
)


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_text(value: str) -> str:
    """What we store of a free text: NFC, line breaks as "\\n", no other control character (NUL
    included), Word's private-use bullets as real characters. Blanks are kept as typed."""
    if _NEEDS_WORK.search(value):
        value = _WORD_SYMBOLS_RE.sub(lambda m: WORD_SYMBOLS[m.group()], value)
        value = _LINE_BREAKS.sub("\n", value)
        value = _CONTROLS.sub("", value)
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def clean_line(value: str) -> str:
    """Clean text for a one-line field: line breaks and tabs become spaces (other blanks as typed)."""
    value = clean_text(value)
    return value.replace("\n", " ").replace("\t", " ") if "\n" in value or "\t" in value else value


def clean_name(value: str) -> str:
    """A name: clean text on one line, single spaces, no leading/trailing blanks."""
    return " ".join(clean_text(value).split())


#: Letters that look like "Đ" and that some keyboards produce (Ð U+00D0 Icelandic eth, ð, Ɖ U+0189).
_D_LIKE = str.maketrans({"Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ɖ": "D", "ɖ": "d"})


def fold(value: str) -> str:
    """'Nguyễn Thị Đào' -> 'nguyen thi dao': what search compares."""
    decomposed = unicodedata.normalize("NFD", clean_text(value).translate(_D_LIKE))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


# -- Vietnamese order ------------------------------------------------------------------------------
#: The Vietnamese collation, by one name on both databases: PostgreSQL's ICU collation (Debian's
#: PostgreSQL is built with ICU), and on SQLite a collation registered on every connection from
#: `sort_key` (the same ICU rules, through PyICU).
COLLATION = "vi-VN-x-icu"
#: The SQL function that folds like `fold` (created by a migration on PostgreSQL, registered on SQLite).
FOLD_FUNCTION = "chithi_fold"
#: SQLite only: the function giving `sort_key` of a value (what vi_order sorts by there).
SORT_KEY_FUNCTION = "chithi_sort_key"


@lru_cache(maxsize=1)
def _collator():
    import icu  # PyICU (pyicu-wheels): ICU's Vietnamese rules, the same as PostgreSQL's ICU collation

    collator = icu.Collator.createInstance(icu.Locale("vi_VN"))
    return collator


def sort_key(value: str | None) -> bytes:
    """The key of Vietnamese alphabetical order: a ă â b c d đ e ê … o ô ơ … u ư, tones after the
    letters, case-insensitive first (a tie of letters is broken by tone, then case)."""
    return _collator().getSortKey(nfc(value or ""))


def vi_sorted(items: Iterable[T], key: Callable[[T], str | None] | None = None, reverse: bool = False) -> list[T]:
    """`items` in Vietnamese alphabetical order of key(item) (the item itself by default)."""
    if key is None:
        return sorted(items, key=sort_key, reverse=reverse)  # type: ignore[arg-type]
    return sorted(items, key=lambda item: sort_key(key(item)), reverse=reverse)


class ViOrder(Func):
    """PostgreSQL: `field COLLATE "vi-VN-x-icu"`. SQLite: ORDER BY the ICU sort key, computed once per row
    by a registered function (a collation callback runs on every comparison: 8 times slower on 90,000
    names, bench in the commit)."""

    function = SORT_KEY_FUNCTION
    output_field = BinaryField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f'{sql} COLLATE "{COLLATION}"', params


def vi_order(field: str, *, descending: bool = False):
    """An order_by() term: `field` in Vietnamese alphabetical order, in the database."""
    term = ViOrder(F(field))
    return term.desc() if descending else term.asc()


def folded(field: str):
    """`field` folded in the database, like `fold` (for searches over columns without a search key)."""
    return Func(F(field), function=FOLD_FUNCTION, output_field=CharField())


@lru_cache(maxsize=65_536)
def _cached_key(value: str) -> bytes:
    return sort_key(value)


def _sqlite_collate(a: str, b: str) -> int:
    """SQLite calls this once per comparison of an ORDER BY: the keys of recent names are kept."""
    ka, kb = _cached_key(a), _cached_key(b)
    return (ka > kb) - (ka < kb)


def _sqlite_fold(value):
    return None if value is None else fold(str(value))


def _sqlite_sort_key(value):
    return None if value is None else sort_key(str(value))


def register_sqlite(sender, connection, **kwargs) -> None:
    """connection_created: give every SQLite connection the Vietnamese collation and the fold function."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_collation(COLLATION, _sqlite_collate)
    connection.connection.create_function(FOLD_FUNCTION, 1, _sqlite_fold, deterministic=True)
    connection.connection.create_function(SORT_KEY_FUNCTION, 1, _sqlite_sort_key, deterministic=True)


#: The PostgreSQL twin of `fold` (a migration creates it): Đ-like letters to D, NFD, combining marks
#: dropped, lower case, blanks collapsed.
POSTGRES_FOLD_SQL = rf"""
CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(lower(regexp_replace(
    normalize(translate(value, 'ĐđÐðƉɖ', 'DdDdDd'), NFD), '[\u0300-\u036f]', '', 'g')), '\s+', ' ', 'g'))
$$;
"""


# -- what the document font draws ------------------------------------------------------------------
_FONT_URL = re.compile(r"""url\(\s*["']?app:/static/([^"')]+\.(?:ttf|otf))["']?\s*\)""")
DOCUMENT_STYLESHEET = "documents/document.css"


@lru_cache(maxsize=1)
def document_font_codepoints() -> frozenset[int]:
    """Code points every font embedded by the document stylesheet draws (regular, bold, italic…)."""
    from django.contrib.staticfiles import finders
    from fontTools.ttLib import TTFont

    css_path = finders.find(DOCUMENT_STYLESHEET)
    if not css_path:
        return frozenset()
    with open(css_path, encoding="utf-8") as css:
        fonts = _FONT_URL.findall(css.read())
    common: set[int] | None = None
    for relative in fonts:
        path = finders.find(relative)
        if not path:
            continue
        with TTFont(path, lazy=True) as font:
            points = set(font.getBestCmap())
        common = points if common is None else common & points
    return frozenset(common or ())


def undrawable(text: str) -> list[str]:
    """The distinct characters of `text` (in order of appearance) that the document font cannot draw;
    line breaks, tabs and spaces are not drawn and never listed."""
    points = document_font_codepoints()
    if not points:
        return []
    seen: dict[str, None] = {}
    for ch in text:
        if ch not in seen and ord(ch) not in points and not ch.isspace():
            seen[ch] = None
    return list(seen)


def undrawable_warning(*texts: str) -> str | None:
    """A Vietnamese warning naming the characters of `texts` the document font cannot draw, or None.
    The text is saved all the same: the warning only says how it will look in the PDF."""
    from django.utils.translation import gettext as _

    found = undrawable("".join(texts))
    if not found:
        return None
    shown = ", ".join(f"“{ch}” (U+{ord(ch):04X})" for ch in found[:10])
    return _(
        "Đã lưu. Lưu ý: phông chữ của văn bản không có %(chars)s; trong tệp PDF các ký tự này sẽ hiện bằng "
        "phông khác hoặc thành ô trống. Nên thay bằng chữ hoặc ký hiệu thông dụng (ví dụ “từ … trở lên” "
        "thay cho “≥”, “•” hoặc “-” thay cho dấu đầu dòng)."
    ) % {"chars": shown}
