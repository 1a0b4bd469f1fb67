"""Text hygiene for Vietnamese names: NFC storage and a diacritics-free search key."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_name(value: str) -> str:
    """NFC, single spaces, no leading/trailing blanks."""
    return " ".join(nfc(value).split())


def fold(value: str) -> str:
    """'Nguyễn Thị Đào' -> 'nguyen thi dao': what search compares."""
    decomposed = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
