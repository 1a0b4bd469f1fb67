"""Member import and export (nhập / xuất danh sách đảng viên) for a cell or a commune.

An upload goes through three steps:
1. read_upload(): the file (.xlsx or .csv) to a header and raw rows, or ImportFileError when the
   file as a whole cannot be used (size, format, encoding, columns, number of rows);
2. batch_create(): every row checked and matched against the database; the normalized rows and
   the row-level errors are kept in an ImportBatch for the preview;
3. import_apply(): checks again against the database and writes everything, or nothing.
Export writes the same columns, so an exported file can be imported again unchanged.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from directive03.formats import number
from directive03.spreadsheets import FORMULA_PREFIXES, safe_cell

from . import services
from .access import access_for
from .models import ImportBatch, Level, Member, Membership, Organization
from .text import clean_name, fold

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_SCAN_LINES = 20_000  # blank lines included; a sheet formatted down to row 1,048,576 stops here
MAX_COLUMNS = 30
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an .xlsx is a zip: refuse zip bombs before openpyxl opens it
DISPLAY_CHARS = 100  # what the preview keeps of a cell's text
SHEET_TITLE = "Đảng viên"
PARTY_FOUNDED = dt.date(1930, 2, 3)
MIN_JOIN_AGE = 16


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    max_length: int


COLUMNS = (
    Column("card_number", "Số thẻ đảng viên", 20),
    Column("full_name", "Họ và tên", 120),
    Column("gender", "Giới tính", 10),
    Column("birth_year", "Năm sinh", 10),
    Column("joined_on", "Ngày vào Đảng", 20),
    Column("status", "Tình trạng", 20),
    Column("position", "Chức vụ", 20),
    Column("is_key_cadre", "Cán bộ chủ chốt", 10),
    Column("cell", "Chi bộ", 200),
)
HEADERS = [c.header for c in COLUMNS]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

# The file format is fixed Vietnamese, whatever the language of the interface.
GENDER_LABELS = {Member.Gender.MALE: "Nam", Member.Gender.FEMALE: "Nữ"}
STATUS_LABELS = {Member.Status.OFFICIAL: "Chính thức", Member.Status.PROBATIONARY: "Dự bị"}
POSITION_LABELS = {
    Member.Position.SECRETARY: "Bí thư", Member.Position.DEPUTY: "Phó Bí thư",
    Member.Position.COMMITTEE: "Chi ủy viên", Member.Position.MEMBER: "Đảng viên",
}
YES_NO_LABELS = {True: "Có", False: "Không"}
ENUMS = {
    "gender": GENDER_LABELS, "status": STATUS_LABELS, "position": POSITION_LABELS, "is_key_cadre": YES_NO_LABELS,
}
MEMBER_FIELDS = ("full_name", "gender", "birth_year", "joined_on", "status", "position", "is_key_cadre")

CARD_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]*$")
DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- the unit ------------------------------------------------------------------------------

def is_importable(org: Organization) -> bool:
    """Members are imported and exported for a cell or a commune-level unit only."""
    return org.level in (Level.CELL, Level.COMMUNE)


def target_cells(org: Organization) -> list[Organization]:
    """The active cells a file for `org` may name: the cell itself, or the commune's cells."""
    if not org.is_active:
        return []
    if org.level == Level.CELL:
        return [org]
    return list(
        Organization.objects.filter(
            path__startswith=org.path, depth=org.depth + 1, level=Level.CELL, valid_to__isnull=True
        ).order_by("path")
    )


def get_batch_for_user(user, *, org: Organization, batch_id: int) -> ImportBatch:
    """A batch of `org` (already checked through the access layer) that `user` uploaded, else 404."""
    batch = ImportBatch.objects.filter(pk=batch_id, organization=org, created_by=user).first()
    if batch is None:
        raise Http404
    return batch


# -- reading a file ------------------------------------------------------------------------

@dataclass
class RawSheet:
    header: list
    rows: list[tuple[int, list]] = field(default_factory=list)  # (line in the file, values)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (line, column index) of real formulas


def _bad_format() -> ImportFileError:
    return ImportFileError(_("Tệp không đúng định dạng .xlsx hoặc .csv."))


def _too_big(size: int) -> ImportFileError:
    return ImportFileError(
        _("Tệp quá lớn (%(size)s MB). Dung lượng tối đa là 2 MB.") % {"size": number(size / 1024 / 1024, 1)}
    )


def read_upload(upload) -> RawSheet:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _too_big(upload.size)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_big(len(data))
    if not data.strip():
        raise ImportFileError(_("Tệp rỗng."))
    if data.startswith(b"PK\x03\x04"):
        sheet = _read_xlsx(data)
    else:
        sheet = _read_csv(data)
    if len(sheet.rows) > MAX_ROWS:
        raise ImportFileError(
            _("Tệp có hơn %(max)s dòng dữ liệu; mỗi lần chỉ nhập tối đa %(max)s dòng. Hãy chia thành nhiều tệp.")
            % {"max": number(MAX_ROWS)}
        )
    return sheet


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _collect(lines, sheet_rows: RawSheet) -> RawSheet:
    """Header = first non-blank line; blank lines are skipped."""
    for line, values in lines:
        if line > MAX_SCAN_LINES:
            raise ImportFileError(
                _("Tệp có quá nhiều dòng (hơn %(max)s dòng, kể cả dòng trống). Hãy xóa các dòng thừa.")
                % {"max": number(MAX_SCAN_LINES)}
            )
        if _is_blank(values):
            continue
        if sheet_rows.header is None:
            sheet_rows.header = list(values)
        else:
            sheet_rows.rows.append((line, list(values)))
            if len(sheet_rows.rows) > MAX_ROWS:
                break
    if sheet_rows.header is None:
        raise ImportFileError(_("Tệp không có dữ liệu."))
    return sheet_rows


def _read_xlsx(data: bytes) -> RawSheet:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(info.file_size for info in zf.infolist()) > MAX_UNZIPPED_BYTES:
                raise _bad_format()
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise _bad_format() from None
    sheet = RawSheet(header=None)
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise _bad_format()
        ws = next((s for s in sheets if fold(s.title) == fold(SHEET_TITLE)), sheets[0])
        ws.reset_dimensions()  # do not trust the size the writer recorded

        def lines():
            for line, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
                values = []
                for i, cell in enumerate(cells):
                    if getattr(cell, "data_type", None) == "f":
                        sheet.formulas.add((line, i))
                    value = cell.value
                    values.append(value if isinstance(value, (str, int, float, dt.date)) or value is None else str(value))
                yield line, values

        _collect(lines(), sheet)
    except ImportFileError:
        raise
    except Exception:
        raise _bad_format() from None
    finally:
        workbook.close()
    return sheet


def _looks_binary(data: bytes) -> bool:
    controls = sum(1 for b in data[:65536] if b < 32 and b not in (9, 10, 12, 13))
    return b"\x00" in data or controls > len(data[:65536]) // 100


def _read_csv(data: bytes) -> RawSheet:
    not_utf8 = ImportFileError(
        _("Tệp CSV không dùng bảng mã UTF-8. Trong Excel hãy chọn Lưu thành (Save As) → "
          "\"CSV UTF-8 (Comma delimited)\" rồi tải lên lại.")
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # also covers UTF-32 LE
        raise not_utf8
    if _looks_binary(data):
        raise _bad_format()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_utf8 from None
    first = text.split("\n", 1)[0]
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:  # Excel's delimiter hint
        delimiter = first.strip()[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = max((",", ";", "\t"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _collect(((i, row[:MAX_COLUMNS]) for i, row in enumerate(reader, start=1)), RawSheet(header=None))
    except csv.Error:
        raise _bad_format() from None


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
    missing = [c.header for c in COLUMNS if c.key not in positions]
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
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text if len(text) <= DISPLAY_CHARS else text[: DISPLAY_CHARS - 1] + "…"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES_NO_LABELS[value]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


class _Invalid(Exception):
    """A value that cannot be used; the message is for the user."""


@dataclass
class _Context:
    org: Organization
    cells_by_key: dict[str, Organization | None]  # folded name -> cell (None when two cells share it)
    today: dt.date


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


def _parse_joined(text: str, raw, ctx: _Context, values: dict) -> dt.date:
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    else:
        match = DATE_RE.match(text)
        if not match:
            raise _Invalid(_("Ngày “%(value)s” không đúng dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 19/05/2010.")
                           % {"value": text})
        day, month, year = (int(g) for g in match.groups())
        try:
            value = dt.date(year, month, day)
        except ValueError:
            raise _Invalid(_("Ngày “%(value)s” không có trên lịch.") % {"value": text}) from None
    shown = value.strftime("%d/%m/%Y")
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
}
OPTIONAL = {"cell"}  # required for a commune; the cell parser says so


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
            if any(unicodedata.category(ch) == "Cc" for ch in text):
                raise _Invalid(_("Có ký tự điều khiển không hợp lệ."))
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
    values["cell_id"] = values.pop("cell")
    return values, []


@dataclass
class Plan:
    """What applying the rows would do, against the database as it is now."""

    creates: list[dict] = field(default_factory=list)
    updates: list[tuple[Member, dict]] = field(default_factory=list)
    moves: list[tuple[Member, dict]] = field(default_factory=list)  # update, then change cell
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    actions: dict[int, dict] = field(default_factory=dict)  # line -> action for the preview


def _member_fields(values: dict) -> dict:
    fields = {k: values[k] for k in MEMBER_FIELDS}
    fields["joined_on"] = dt.date.fromisoformat(values["joined_on"])
    return fields


def _changes(member: Member, values: dict) -> list[str]:
    """The headers of the columns whose value differs from the member's."""
    return [COLUMN_BY_KEY[k].header for k, v in _member_fields(values).items() if getattr(member, k) != v]


def _plan(rows: list[dict], *, org: Organization, cells: list[Organization], user, today: dt.date) -> Plan:
    """Match valid rows with existing members by card number; refuse members of other units."""
    plan = Plan()
    cells_by_id = {c.pk: c for c in cells}
    cards = [r["values"]["card_number"] for r in rows]
    existing: dict[str, Member] = {}
    for start in range(0, len(cards), 900):
        chunk = Member.objects.filter(card_number__in=cards[start:start + 900]).select_related("cell")
        existing.update((m.card_number, m) for m in chunk)
    wanted = {r["values"]["card_number"]: r["values"]["cell_id"] for r in rows}
    movers = [m.pk for m in existing.values() if m.cell_id in cells_by_id and m.cell_id != wanted[m.card_number]]
    open_since: dict[int, dt.date] = {}
    for start in range(0, len(movers), 900):
        open_since.update(
            Membership.objects.filter(member_id__in=movers[start:start + 900], end__isnull=True)
            .values_list("member_id", "start")
        )
    access = access_for(user)
    for row in rows:
        values, line = row["values"], row["line"]
        member = existing.get(values["card_number"])
        cell = cells_by_id.get(values["cell_id"])
        error, column = None, COLUMN_BY_KEY["card_number"].header
        if cell is None:
            column = COLUMN_BY_KEY["cell"].header
            error = _("Chi bộ không còn thuộc %(org)s hoặc đã thôi hoạt động.") % {"org": org.name}
        elif member is None:
            plan.creates.append(values)
            plan.actions[line] = {"action": "create"}
        elif member.cell_id is not None and member.cell_id not in cells_by_id:
            if access.reads(member.cell):
                error = _("Số thẻ %(card)s là của đảng viên đang sinh hoạt tại %(cell)s, ngoài đơn vị này. "
                          "Hãy làm thủ tục chuyển sinh hoạt trước.") % {"card": member.card_number, "cell": member.cell.name}
            else:
                error = _("Số thẻ %(card)s là của đảng viên thuộc đơn vị khác.") % {"card": member.card_number}
        elif member.cell_id != cell.pk:
            started = open_since.get(member.pk)
            if started is not None and started >= today:
                error = _("Đảng viên vừa bắt đầu sinh hoạt tại %(cell)s hôm nay; chưa thể chuyển chi bộ.") % {
                    "cell": member.cell.name}
            else:
                plan.moves.append((member, values))
                plan.actions[line] = {"action": "move", "from_cell": member.cell.name if member.cell else "",
                                      "changes": _changes(member, values)}
        else:
            changed = _changes(member, values)
            if changed:
                plan.updates.append((member, values))
                plan.actions[line] = {"action": "update", "changes": changed}
            else:
                plan.unchanged += 1
                plan.actions[line] = {"action": "same"}
        if error:
            plan.errors.append({"line": line, "column": column, "message": error})
    return plan


def check_sheet(sheet: RawSheet, *, org: Organization, user, today: dt.date) -> tuple[list[dict], list[dict]]:
    """Rows for the batch ({line, cells, values or None, action…}) and the errors, by line."""
    positions = _match_header(sheet.header)
    cells = target_cells(org)
    by_key: dict[str, Organization | None] = {}
    for c in cells:
        by_key[fold(c.name)] = None if fold(c.name) in by_key else c
    ctx = _Context(org=org, cells_by_key=by_key, today=today)
    rows: list[dict] = []
    errors: list[dict] = []
    first_line: dict[str, int] = {}
    for line, values in sheet.rows:
        raw = {key: values[i] if i < len(values) else None for key, i in positions.items()}
        formulas = {key for key, i in positions.items() if (line, i) in sheet.formulas}
        normalized, row_errors = _check_row(raw, formulas, ctx)
        if normalized is not None:
            card = normalized["card_number"]
            if card in first_line:
                row_errors = [(COLUMN_BY_KEY["card_number"].header,
                               _("Số thẻ %(card)s trùng với dòng %(line)s.") % {"card": card, "line": first_line[card]})]
                normalized = None
            else:
                first_line[card] = line
        errors.extend({"line": line, "column": col, "message": msg} for col, msg in row_errors)
        rows.append({"line": line, "cells": [_display(raw[c.key]) for c in COLUMNS], "values": normalized})
    valid = [r for r in rows if r["values"] is not None]
    plan = _plan(valid, org=org, cells=cells, user=user, today=today)
    for row in valid:
        row.update(plan.actions.get(row["line"], {}))
    errors.extend(plan.errors)
    if not rows:
        errors.append({"line": None, "column": None, "message": _("Tệp chỉ có dòng tiêu đề, không có đảng viên nào.")})
    errors.sort(key=lambda e: (e["line"] or 0))
    return rows, errors


# -- services --------------------------------------------------------------------------------

def batch_create(*, org: Organization, upload, by) -> ImportBatch:
    """Read and check an uploaded file; keep the result for the preview. ImportFileError if unusable."""
    if not is_importable(org):
        raise ImportFileError(_("Chỉ nhập đảng viên cho chi bộ hoặc đảng bộ cấp cơ sở."))
    if not org.is_active:
        raise ImportFileError(_("Đơn vị đã thôi hoạt động; không thể nhập đảng viên."))
    sheet = read_upload(upload)
    rows, errors = check_sheet(sheet, org=org, user=by, today=timezone.localdate())
    with transaction.atomic():
        ImportBatch.objects.filter(organization=org, created_by=by, status=ImportBatch.Status.PENDING).update(
            status=ImportBatch.Status.DISCARDED
        )
        return ImportBatch.objects.create(
            organization=org, created_by=by, filename=(upload.name or "")[-255:], rows=rows, errors=errors
        )


def _locked_pending(batch: ImportBatch, by) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().select_related("organization").get(pk=batch.pk)
    if batch.created_by_id != by.pk:
        raise ValidationError(_("Chỉ người tải tệp lên mới được xác nhận hoặc hủy."), code="not_creator")
    if batch.status != ImportBatch.Status.PENDING:
        raise ValidationError(_("Lần nhập này đã được xác nhận hoặc đã hủy."), code="not_pending")
    return batch


def import_apply(*, batch: ImportBatch, by) -> ImportBatch:
    """Write the batch's members: create new ones, update known ones, move them between the commune's
    cells through member_transfer. Everything or nothing; refused while the batch has errors."""
    try:
        with transaction.atomic():
            batch = _locked_pending(batch, by)
            if batch.errors:
                raise ValidationError(
                    _("Tệp còn lỗi nên không nhập được. Hãy sửa tệp và tải lên lại."), code="has_errors"
                )
            org = batch.organization
            today = timezone.localdate()
            cells = target_cells(org)
            rows = [r for r in batch.rows if r.get("values")]
            plan = _plan(rows, org=org, cells=cells, user=by, today=today)
            if plan.errors:
                raise ValidationError(
                    [_("Dòng %(line)s: %(message)s") % e for e in plan.errors], code="changed"
                )
            cells_by_id = {c.pk: c for c in cells}
            new = [
                Member(card_number=v["card_number"], cell=cells_by_id[v["cell_id"]], **_member_fields(v))
                for v in plan.creates
            ]
            Member.objects.bulk_create(new, batch_size=500)
            Membership.objects.bulk_create(
                [Membership(member=m, cell_id=m.cell_id, start=today) for m in new], batch_size=500
            )
            changed = []
            for member, values in plan.updates + plan.moves:
                for key, value in _member_fields(values).items():
                    setattr(member, key, value)
                member.search_key = fold(member.full_name)[: Member._meta.get_field("search_key").max_length]
                changed.append(member)
            Member.objects.bulk_update(changed, [*MEMBER_FIELDS, "search_key"], batch_size=500)
            for member, values in plan.moves:
                services.member_transfer(member=member, to_cell=cells_by_id[values["cell_id"]], on=today)
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            batch.created_count = len(new)
            batch.updated_count = len(changed)
            batch.save(update_fields=["status", "applied_at", "created_count", "updated_count"])
    except IntegrityError:
        raise ValidationError(
            _("Dữ liệu đảng viên vừa bị thay đổi trong lúc nhập; không có gì được ghi. Hãy tải tệp lên lại."),
            code="conflict",
        ) from None
    return batch


@transaction.atomic
def import_discard(*, batch: ImportBatch, by) -> ImportBatch:
    batch = _locked_pending(batch, by)
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status"])
    return batch


# -- preview ---------------------------------------------------------------------------------

def batch_summary(batch: ImportBatch) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "move": 0, "same": 0}
    for row in batch.rows:
        if row.get("action") in counts:
            counts[row["action"]] += 1
    counts["rows"] = len(batch.rows)
    counts["error_rows"] = len({e["line"] for e in batch.errors if e["line"]})
    counts["errors"] = len(batch.errors)
    return counts


def preview_rows(batch: ImportBatch, *, limit: int = 1000) -> list[dict]:
    """Rows to show: those with errors when there are any, else all of them (up to `limit`)."""
    by_line: dict[int, list[dict]] = {}
    for error in batch.errors:
        if error["line"]:
            by_line.setdefault(error["line"], []).append(error)
    rows = [r for r in batch.rows if r["line"] in by_line] if by_line else batch.rows
    return [{**r, "errors": by_line.get(r["line"], [])} for r in rows[:limit]]


# -- export ----------------------------------------------------------------------------------

def members_for_export(org: Organization) -> QuerySet[Member]:
    if org.level == Level.CELL:
        members = Member.objects.filter(cell=org)
    else:
        members = Member.objects.filter(cell__path__startswith=org.path, cell__depth=org.depth + 1)
    return members.select_related("cell").order_by("cell__path", "search_key", "id")


def _export_values(member: Member) -> list:
    return [
        member.card_number, member.full_name, GENDER_LABELS.get(member.gender, member.gender), member.birth_year,
        member.joined_on, STATUS_LABELS.get(member.status, member.status),
        POSITION_LABELS.get(member.position, member.position), YES_NO_LABELS[member.is_key_cadre], member.cell.name,
    ]


WIDTHS = (18, 30, 10, 10, 15, 13, 14, 16, 36)


def export_xlsx(org: Organization) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    ws = workbook.create_sheet(SHEET_TITLE)
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for member in members_for_export(org).iterator(chunk_size=2000):
        row = []
        for i, value in enumerate(_export_values(member)):
            cell = WriteOnlyCell(ws, value=safe_cell(value))
            if i == 0:
                cell.number_format = "@"
            elif isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            row.append(cell)
        ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_csv(org: Organization) -> bytes:
    """UTF-8 with a BOM so that Excel recognizes the encoding."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for member in members_for_export(org).iterator(chunk_size=2000):
        values = _export_values(member)
        values[4] = values[4].strftime("%d/%m/%Y")
        writer.writerow([safe_cell(v) for v in values])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def template_xlsx(org: Organization) -> bytes:
    """An empty sheet with the header row and drop-down lists, and a sheet of instructions with an example."""
    cells = target_cells(org)
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = SHEET_TITLE
    ws.append(HEADERS)
    fill = PatternFill("solid", fgColor="FDE2E1")
    for i, width in enumerate(WIDTHS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.cell(row=1, column=i).fill = fill
        if COLUMNS[i - 1].key in ("card_number", "joined_on"):
            # text, so that Excel keeps leading zeros and does not read 05/06 as 6 May
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    last = MAX_ROWS + 1
    for key, labels in ENUMS.items():
        letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=True)
        validation.error = _("Hãy chọn một giá trị trong danh sách.")
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")

    guide = workbook.create_sheet(_("Hướng dẫn"))
    guide.column_dimensions["A"].width = 20
    guide.column_dimensions["B"].width = 90
    example = ["10012345", "Nguyễn Thị Hoa", "Nữ", "1985", "19/05/2010", "Chính thức", "Đảng viên", "Không",
               safe_cell(cells[0].name if cells else org.name)]
    rules = [
        _("Bắt buộc; chữ số, chữ cái không dấu, dấu . / - (tối đa 20 ký tự). Nhập lại cùng số thẻ sẽ cập nhật, không tạo trùng."),
        _("Bắt buộc; tối đa 120 ký tự."),
        _("“Nam” hoặc “Nữ”."),
        _("Bốn chữ số, ví dụ 1985."),
        _("Ngày/tháng/năm (dd/mm/yyyy); không sớm hơn năm sinh + 16, không sau ngày hôm nay."),
        _("“Chính thức” hoặc “Dự bị”."),
        _("“Bí thư”, “Phó Bí thư”, “Chi ủy viên” hoặc “Đảng viên”."),
        _("“Có” hoặc “Không”."),
        _("Tên chi bộ; có thể để trống.") if org.level == Level.CELL
        else _("Bắt buộc; tên một chi bộ trực thuộc (xem danh sách dưới đây)."),
    ]
    guide.append([_("Nhập đảng viên cho: %(org)s") % {"org": safe_cell(org.name)}])
    guide["A1"].font = Font(bold=True)
    guide.append([_("Ghi mỗi đảng viên một dòng trong trang “%(sheet)s”, giữ nguyên dòng tiêu đề. Không dùng công thức. "
                    "Tối đa %(rows)s dòng, tệp tối đa 2 MB. Có thể lưu thành .csv (UTF-8).")
                  % {"sheet": SHEET_TITLE, "rows": number(MAX_ROWS)}])
    guide.append([])
    guide.append([_("Cột"), _("Cách ghi"), _("Ví dụ")])
    for column, rule, sample in zip(COLUMNS, rules, example, strict=True):
        guide.append([column.header, rule, sample])
    guide.append([])
    guide.append([_("Các chi bộ")])
    for c in cells:
        guide.append(["", safe_cell(c.name)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
