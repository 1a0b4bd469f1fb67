"""English beside Vietnamese: the language switch, and the committed English catalog (.po and .mo)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PASSWORD = "mat-khau-thu-123"
CATALOG = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
#: Strings whose English is spelled the same as the Vietnamese source.
SAME_IN_ENGLISH = {"English"}


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware leaves the last request's language active in this thread: do not leak English."""
    yield
    translation.deactivate()


def switch(client, language: str, next_url: str):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def test_the_tree_page_in_english_and_back_in_vietnamese(world, client):
    client.force_login(world.users.sec_a)
    tree = reverse("organizations:tree")

    page = client.get(tree).content.decode()
    assert '<html lang="vi">' in page
    assert "Các tổ chức đảng trong phạm vi của tôi" in page
    # the switch posts to set_language and comes back to this very page
    assert f'action="{reverse("set_language")}"' in page
    assert f'name="next" value="{tree}"' in page
    assert 'name="language" value="en" lang="en" title="English"' in page
    assert 'name="language" value="vi" lang="vi" title="Tiếng Việt" aria-pressed="true"' in page

    switch(client, "en", tree)
    page = client.get(tree).content.decode()
    assert '<html lang="en">' in page
    assert 'value="en" lang="en" title="English" aria-pressed="true"' in page
    assert "Party organizations within my scope" in page
    for nav in ("Units", "Reports", "Progress", "Notifications", "Change password", "Log out",
                "My party cells", "Directive 03"):
        assert nav in page, nav
    assert "3 party members" in page  # a blocktranslate plural with its count
    assert 'placeholder="Search by unit name"' in page
    for vietnamese in ("Các tổ chức đảng trong phạm vi của tôi", "Đăng xuất", "Thông báo", "Đổi mật khẩu"):
        assert vietnamese not in page, vietnamese
    assert "Chi bộ ấp Hòn Quéo" in page  # data stays as entered

    switch(client, "vi", tree)
    page = client.get(tree).content.decode()
    assert '<html lang="vi">' in page
    assert "Các tổ chức đảng trong phạm vi của tôi" in page
    assert "Đăng xuất" in page and "3 đảng viên" in page
    assert "Party organizations within my scope" not in page and "Log out" not in page


def test_the_login_page_in_english_through_the_switch(db, client):
    login = reverse("login")
    page = client.get(login).content.decode()
    assert '<html lang="vi">' in page and "Đăng nhập" in page
    assert f'action="{reverse("set_language")}"' in page  # visible to anonymous users too
    assert f'name="next" value="{login}"' in page

    switch(client, "en", login)
    page = client.get(login).content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Username" in page and "Password" in page
    assert "Đăng nhập" not in page

    switch(client, "vi", login)
    assert "Đăng nhập" in client.get(login).content.decode()


def test_a_model_label_and_a_message_in_english(world):
    from organizations.models import Level, Member

    with translation.override("en"):
        assert str(Member._meta.verbose_name) == "party member"
        assert str(Level.CELL.label) == "Party cell"
        assert translation.gettext("Thao tác không hợp lệ.") == "Invalid action."
    with translation.override("vi"):
        assert str(Level.CELL.label) == "Chi bộ"


# -- The catalog -------------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: flags, msgctxt, msgid, msgid_plural and msgstr (a list, one per form)."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and entry["msgid"] is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "obsolete": False, "msgctxt": None, "msgid": None, "msgid_plural": None,
                     "msgstr": {}}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif m := re.match(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line):
            name, index, value = m.groups()
            if name == "msgstr":
                field = ("msgstr", int(index or 0))
                entry["msgstr"][field[1]] = _unquote(value)
            else:
                field = (name, None)
                entry[name] = _unquote(value)
        else:
            assert line.startswith('"'), f"{path}: unexpected line {line!r}"
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
    return entries


def _po_messages() -> list[dict]:
    return [e for e in parse_po(CATALOG / "django.po") if e["msgid"] and not e["obsolete"]]


def test_every_english_entry_is_translated():
    entries = _po_messages()
    assert len(entries) > 500
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries in the English catalog: {fuzzy}"
    untranslated = [e["msgid"] for e in entries
                    if not e["msgstr"] or any(not s.strip() for s in e["msgstr"].values())]
    assert not untranslated, f"untranslated entries in the English catalog: {untranslated}"
    plurals = [e for e in entries if e["msgid_plural"] is not None]
    assert plurals and all(sorted(e["msgstr"]) == [0, 1] for e in plurals)
    copied = [e["msgid"] for e in entries
              if e["msgstr"][0] == e["msgid"] and e["msgid"] not in SAME_IN_ENGLISH]
    assert not copied, f"entries left in Vietnamese: {copied}"
    assert "#, fuzzy" not in (CATALOG / "django.po").read_text(encoding="utf-8")


def test_no_source_string_is_written_with_escapes_gettext_cannot_match():
    """xgettext keeps a Python "\\u201c" as those six characters, so such a message is never translated:
    write the quotation marks themselves."""
    escaped = [e["msgid"] for e in _po_messages() if re.search(r"\\[uUxN]", e["msgid"])]
    assert not escaped, escaped


def test_a_refusal_with_quotation_marks_in_english(world):
    from django.core.exceptions import ValidationError

    from pledges import services
    from pledges.models import MonthlyReview

    review = MonthlyReview.objects.create(cell=world.a, year=2026, month=4, state=MonthlyReview.State.ACCEPTED)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.review_save(review=review, data={}, entries=[], expected_version=review.version,
                             by=world.users.sec_a)
    assert refused.value.messages == ["The minutes are “Accepted”, so they cannot be edited or submitted again."]


def test_the_placeholders_are_kept():
    placeholder = re.compile(r"%(?:\([A-Za-z_]\w*\))?[sdif%]")
    for e in _po_messages():
        sources = [e["msgid"]] + ([e["msgid_plural"]] * (len(e["msgstr"]) - 1) if e["msgid_plural"] else [])
        for source, text in zip(sources, (e["msgstr"][i] for i in sorted(e["msgstr"])), strict=True):
            assert sorted(placeholder.findall(text)) == sorted(placeholder.findall(source)), (source, text)


def test_the_committed_mo_matches_the_po():
    """The .mo in the repository is compiled from the current .po (fresh machines may lack gettext)."""
    with (CATALOG / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    compiled: dict = {}
    for key, text in catalog.items():
        if key == "":
            continue  # the header
        if isinstance(key, tuple):
            compiled.setdefault(key[0], {})[key[1]] = text
        else:
            compiled[key] = {0: text}
    expected = {}
    for e in _po_messages():
        key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
        expected[key] = e["msgstr"]
    assert set(compiled) == set(expected), (
        "locale/en/LC_MESSAGES/django.mo is out of date: run manage.py compilemessages -l en --ignore=.venv; "
        f"missing from .mo: {sorted(set(expected) - set(compiled))[:5]}, "
        f"only in .mo: {sorted(set(compiled) - set(expected))[:5]}"
    )
    stale = [key for key in expected if compiled[key] != expected[key]]
    assert not stale, f"translations changed in the .po but not compiled: {stale[:5]}"


def test_the_browser_language_does_not_switch_the_interface(world, client):
    client.force_login(world.users.board)
    page = client.get("/units/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page and "Các tổ chức đảng trong phạm vi của tôi" in page
