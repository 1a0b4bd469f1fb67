"""Every download's file name: the Vietnamese name (RFC 6266 `filename*=UTF-8''…`) with an ASCII
fallback for old clients in which "đ" becomes "d" (a slug of the folded name, never one that drops Đ).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

#: Characters no file system or browser keeps in a file name (and controls).
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def ascii_fold(text: str) -> str:
    """'Đảng ủy Khối' -> 'Dang uy Khoi': tones and marks dropped, đ/Đ (and Ð, U+00D0) -> d/D."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()


def download_filename(*parts: str, extension: str) -> str:
    """'Báo cáo - Đảng ủy Khối các cơ quan tỉnh.pdf': the non-empty parts, NFC, without characters a
    file name cannot hold."""
    cleaned = [" ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", str(p))).split()) for p in parts]
    stem = " - ".join(p for p in cleaned if p) or "tep"
    return f"{stem[:180]}.{extension}"


def ascii_filename(filename: str) -> str:
    """'bao-cao-dang-uy-khoi-cac-co-quan-tinh.pdf' for 'Báo cáo - Đảng ủy Khối các cơ quan tỉnh.pdf'."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_fold(stem).lower()).strip("-") or "tep"
    return f"{slug}.{extension}" if extension else slug


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """`attachment; filename="bao-cao-dang-uy.pdf"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o…` (RFC 6266)."""
    kind = "attachment" if attachment else "inline"
    fallback = ascii_filename(filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attach(response: HttpResponse | FileResponse, filename: str) -> HttpResponse | FileResponse:
    """Set the response's Content-Disposition to download it as `filename` (see content_disposition)."""
    response["Content-Disposition"] = content_disposition(filename)
    return response
