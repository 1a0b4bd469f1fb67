"""Step 1: an uploaded file (.xlsx or .csv) to a header and raw rows, or ImportFileError."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directive03.formats import number

from . import xlsx
from .common import MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES, ImportFileError

# -- reading a file ------------------------------------------------------------------------

@dataclass
class RawSheet:
    header: list
    rows: list[tuple[int, list]] = field(default_factory=list)  # (line in the file, values)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (line, column index) of real formulas


_bad_format = xlsx.bad_format


def too_big(size: int) -> ImportFileError:
    return ImportFileError(
        _("Tệp quá lớn (%(size)s MB). Dung lượng tối đa là 2 MB.") % {"size": number(size / 1024 / 1024, 1)}
    )


def copy_upload(upload, target) -> int:
    """Copy an uploaded file (Django's UploadedFile) into the open binary file `target`, counting as it
    goes (a declared size may be absent or wrong); too_big beyond MAX_UPLOAD_BYTES. Returns the bytes."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_big(upload.size)
    written = 0
    for chunk in upload.chunks():
        written += len(chunk)
        if written > MAX_UPLOAD_BYTES:
            raise too_big(written)
        target.write(chunk)
    return written


def read_upload(upload) -> RawSheet:
    """An uploaded file (Django's UploadedFile, or any binary file with .size and .read) read and checked."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_big(upload.size)
    return read_bytes(upload.read(MAX_UPLOAD_BYTES + 1))


def read_bytes(data: bytes, progress=None) -> RawSheet:
    """The file's content read and checked; progress(share of the lines read) is called along the way."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_big(len(data))
    if not data.strip():
        raise ImportFileError(_("Tệp rỗng."))
    if data.startswith(b"PK\x03\x04"):
        sheet = _read_xlsx(data, progress)
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
    """Header = first non-blank line; blank lines are skipped wherever they are: empty rows after the
    data (a table's borders drawn far below it) are not data. The work is bounded before: the size of
    a CSV, the cells of an .xlsx (xlsx.inspect)."""
    for line, values in lines:
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


def _read_xlsx(data: bytes, progress=None) -> RawSheet:
    inspection = xlsx.inspect(io.BytesIO(data))
    sheet = RawSheet(header=None)
    every = max(inspection.last_value_row // 20, 1)

    def lines():
        for line, values, formulas in xlsx.read_sheet(io.BytesIO(data), inspection):
            sheet.formulas.update((line, i) for i in formulas)
            if progress is not None and line % every == 0:
                progress(line / inspection.last_value_row)
            yield line, values

    try:
        _collect(lines(), sheet)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise xlsx.bad_format() from None
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

