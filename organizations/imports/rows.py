"""Step 2a: the header matched to the columns, each row checked and normalized."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directive03.formats import short_date
from directive03.spreadsheets import FORMULA_PREFIXES

from ..models import Level, Organization
from ..text import clean_name, fold
from .common import (
    CARD_RE,
    COLUMNS,
    DATE_RE,
    DISPLAY_CHARS,
    ENUMS,
    HEADERS,
    MIN_JOIN_AGE,
    PARTY_FOUNDED,
    YES_NO_LABELS,
    ImportFileError,
)

# -- checking rows -------------------------------------------------------------------------

def _quoted(names: list[str]) -> str:
    return ", ".join(f"“{n}”" for n in names)


def _match_header(header: list) -> dict[str, int]:
    expected = {fold(c.header): c for c in COLUMNS}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for i, value in enumerate(header):
        text = "" if value is None else " ".join(str(value).split())
        if not text:
            continue
        column = expected.get(fold(text).rstrip(" *:"))
        if column is None:
            unknown.append(text[:50])
        elif column.key in positions:
            repeated.append(column.header)
        else:
            positions[column.key] = i
    missing = [c.header for c in COLUMNS if c.key not in positions and c.in_every_file]
    if missing or unknown or repeated:
        parts = [_("Các cột của tệp không đúng mẫu.")]
        if missing:
            parts.append(_("Thiếu cột: %(names)s.") % {"names": _quoted(missing)})
        if unknown:
            parts.append(_("Cột không đúng tên: %(names)s.") % {"names": _quoted(unknown)})
        if repeated:
            parts.append(_("Cột bị lặp: %(names)s.") % {"names": _quoted(repeated)})
        parts.append(_("Dòng tiêu đề phải gồm các cột: %(names)s (hãy dùng tệp mẫu).") % {"names": _quoted(HEADERS)})
        raise ImportFileError(" ".join(parts))
    return positions


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return short_date(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_name(str(value))
    return text if len(text) <= DISPLAY_CHARS else text[: DISPLAY_CHARS - 1] + "…"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO_LABELS[value]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_name(str(value))


class _Invalid(Exception):
    """A value that cannot be used; the message is for the user."""


@dataclass
class _Context:
    org: Organization
    cells_by_key: dict[str, Organization | None]  # folded name -> cell (None when two cells share it)
    today: dt.date
    cells_by_id: dict[int, Organization] = field(default_factory=dict)


def _parse_card(text: str, raw, ctx: _Context, values: dict) -> str:
    if not CARD_RE.match(text):
        raise _Invalid(_("Số thẻ chỉ gồm chữ số, chữ cái không dấu và các dấu . / -"))
    return text


def _parse_name(text: str, raw, ctx: _Context, values: dict) -> str:
    return clean_name(text)


def _enum_parser(key: str):
    labels = ENUMS[key]
    by_folded = {fold(label): code for code, label in labels.items()}

    def parse(text: str, raw, ctx: _Context, values: dict):
        found = by_folded.get(fold(text))
        if found is None:
            choices = " / ".join(f"“{label}”" for label in labels.values())
            raise _Invalid(_("Giá trị “%(value)s” không hợp lệ; chỉ nhận %(choices)s.") % {
                "value": text, "choices": choices})
        return found
    return parse


def _parse_year(text: str, raw, ctx: _Context, values: dict) -> int:
    latest = ctx.today.year - MIN_JOIN_AGE
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= latest:
        raise _Invalid(_("Năm sinh “%(value)s” không hợp lệ; ghi 4 chữ số, từ 1900 đến %(latest)s.") % {
            "value": text, "latest": latest})
    return int(text)


def _date(text: str, raw) -> dt.date:
    """A date cell: a real date (Excel) or dd/mm/yyyy text."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    match = DATE_RE.match(text)
    if not match:
        raise _Invalid(_("Ngày “%(value)s” không đúng dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 19/05/2010.")
                       % {"value": text})
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Invalid(_("Ngày “%(value)s” không có trên lịch.") % {"value": text}) from None


def _parse_joined(text: str, raw, ctx: _Context, values: dict) -> dt.date:
    value = _date(text, raw)
    shown = short_date(value)
    if value > ctx.today:
        raise _Invalid(_("Ngày vào Đảng %(date)s ở sau ngày hôm nay.") % {"date": shown})
    if value < PARTY_FOUNDED:
        raise _Invalid(_("Ngày vào Đảng %(date)s trước ngày thành lập Đảng (03/02/1930).") % {"date": shown})
    birth_year = values.get("birth_year")
    if birth_year and value.year < birth_year + MIN_JOIN_AGE:
        raise _Invalid(
            _("Ngày vào Đảng %(date)s quá sớm so với năm sinh %(year)s (phải từ năm %(min)s trở đi).")
            % {"date": shown, "year": birth_year, "min": birth_year + MIN_JOIN_AGE})
    return value


def _parse_since(text: str, raw, ctx: _Context, values: dict) -> dt.date | None:
    """Sinh hoạt tại chi bộ từ ngày: optional (empty: today for a new member, unchanged otherwise)."""
    if not text and not isinstance(raw, dt.date):
        return None
    value = _date(text, raw)
    shown = value.strftime("%d/%m/%Y")
    if value > ctx.today:
        raise _Invalid(_("Ngày sinh hoạt tại chi bộ %(date)s ở sau ngày hôm nay.") % {"date": shown})
    joined = values.get("joined_on")
    if joined and value < joined:
        raise _Invalid(_("Ngày sinh hoạt tại chi bộ %(date)s trước ngày vào Đảng %(joined)s.")
                       % {"date": shown, "joined": joined.strftime("%d/%m/%Y")})
    cell = ctx.cells_by_id.get(values.get("cell"))
    if cell is not None and value < cell.valid_from:
        raise _Invalid(_("Ngày sinh hoạt tại chi bộ %(date)s trước ngày %(cell)s bắt đầu hoạt động (%(start)s).")
                       % {"date": shown, "cell": cell.name, "start": cell.valid_from.strftime("%d/%m/%Y")})
    return value


def _parse_cell(text: str, raw, ctx: _Context, values: dict) -> int:
    org = ctx.org
    if org.level == Level.CELL:
        if text and fold(text) != fold(org.name):
            raise _Invalid(_("“%(value)s” không phải chi bộ đang nhập (%(cell)s); để trống hoặc ghi đúng tên chi bộ.")
                           % {"value": text, "cell": org.name})
        return org.pk
    if not text:
        raise _Invalid(_("Chưa ghi chi bộ: phải là một chi bộ trực thuộc %(org)s.") % {"org": org.name})
    key = fold(text)
    if key not in ctx.cells_by_key:
        names = ", ".join(c.name for c in ctx.cells_by_key.values() if c) or _("(chưa có chi bộ nào)")
        raise _Invalid(_("Không có chi bộ “%(value)s” trong %(org)s. Các chi bộ: %(names)s.")
                       % {"value": text, "org": org.name, "names": names})
    cell = ctx.cells_by_key[key]
    if cell is None:
        raise _Invalid(_("Có nhiều chi bộ tên “%(value)s”; không xác định được chi bộ.") % {"value": text})
    return cell.pk


#: In column order, so that the birth year is known when the join date is checked.
PARSERS = {
    "card_number": _parse_card, "full_name": _parse_name, "gender": _enum_parser("gender"),
    "birth_year": _parse_year, "joined_on": _parse_joined, "status": _enum_parser("status"),
    "position": _enum_parser("position"), "is_key_cadre": _enum_parser("is_key_cadre"), "cell": _parse_cell,
    "since": _parse_since,
}
OPTIONAL = {"cell", "since"}  # required for a commune; the cell parser says so


def _check_row(raw: dict, formulas: set[str], ctx: _Context) -> tuple[dict | None, list[tuple[str, str]]]:
    """One row to normalized values (stored as JSON), or the (column, message) errors found in it."""
    errors: list[tuple[str, str]] = []
    values: dict = {}
    for column in COLUMNS:
        value = raw.get(column.key)
        text = "" if isinstance(value, dt.date) else _text(value)
        try:
            if column.key in formulas:
                raise _Invalid(_("Ô có công thức; chỉ được ghi giá trị, không dùng công thức."))
            if text.startswith(FORMULA_PREFIXES):
                raise _Invalid(_("Giá trị không được bắt đầu bằng = + - @ (dễ bị hiểu là công thức)."))
            if len(text) > column.max_length:
                raise _Invalid(_("Quá dài (tối đa %(n)s ký tự).") % {"n": column.max_length})
            if not text and not isinstance(value, dt.date) and column.key not in OPTIONAL:
                raise _Invalid(_("Không được để trống."))
            values[column.key] = PARSERS[column.key](text, value, ctx, values)
        except _Invalid as exc:
            errors.append((column.header, str(exc)))
    if errors:
        return None, errors
    values["joined_on"] = values["joined_on"].isoformat()
    values["since"] = values["since"].isoformat() if values["since"] else None
    values["cell_id"] = values.pop("cell")
    return values, []


