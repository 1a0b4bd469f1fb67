"""Text hygiene for Vietnamese names: NFC storage and a diacritics-free search key."""

from __future__ import annotations

import re
import unicodedata

#: Line breaks in every spelling (Word's manual line break is a vertical tab) -> "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
#: Control characters other than "\n" and "\t" (NUL included), lone surrogates, non-characters.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_text(value: str) -> str:
    """What we store (and render) of a free text: NFC, line breaks as "\\n", no other control
    character (NUL included)."""
    return nfc(_CONTROLS.sub("", _LINE_BREAKS.sub("\n", value)))


def clean_name(value: str) -> str:
    """NFC, single spaces, no leading/trailing blanks."""
    return " ".join(nfc(value).split())


def fold(value: str) -> str:
    """'Nguyễn Thị Đào' -> 'nguyen thi dao': what search compares."""
    decomposed = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
