"""Step 1: an uploaded file (.xlsx or .csv) to a header and raw rows, or ImportFileError."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
from django.utils.translation import gettext as _

from directive03.formats import number

from ..text import fold
from .common import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SCAN_LINES,
    MAX_UNZIPPED_BYTES,
    MAX_UPLOAD_BYTES,
    SHEET_TITLE,
    ImportFileError,
)

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

