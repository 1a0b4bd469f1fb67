"""An .xlsx measured before it is parsed, then read as a stream.

An .xlsx is a zip of XML files: 130 KB can unzip to 44 MB of cells, and openpyxl holds every shared
string in memory. So inspect() first reads the zip's directory (declared sizes), then streams the
chosen sheet and the shared strings through a byte counter and a few regular expressions, stopping
as soon as a limit is passed: bytes actually unzipped, cells, cells with a value, shared strings,
merged ranges. It also notes what openpyxl's read-only mode cannot give: the merged ranges
(<mergeCells>) and the last row that holds a value, so that rows formatted far below the data are
never read. Only then does read_sheet() let openpyxl parse, row by row.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from directive03.formats import number

from ..text import fold
from .common import MAX_COLUMNS, SHEET_TITLE, ImportFileError

MAX_UNZIPPED_BYTES = 20 * 1024 * 1024  # the whole zip, declared and read
MAX_SHARED_STRINGS_BYTES = 8 * 1024 * 1024
MAX_CELLS = 1_000_000  # <c> elements, formatted empty cells included (borders drawn far below the data)
MAX_VALUE_CELLS = 200_000  # cells holding a value: 5,000 rows of 30 columns is 150,000
MAX_MERGES = 5_000
MAX_ZIP_MEMBERS = 1_000
MAX_PART_BYTES = 2 * 1024 * 1024  # workbook.xml and its relationships
CHUNK = 1024 * 1024
OVERLAP = 512

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
SHEET_TOKENS = re.compile(
    rb"<" + _P + rb"row\b(?P<row>[^>]*)>"
    rb"|(?P<value><" + _P + rb"(?:v|is)[\s>/])"
    rb"|(?P<cell><" + _P + rb"c[\s>/])"
    rb"|<" + _P + rb'mergeCell\b[^>]*?\bref="(?P<first>[A-Za-z]{1,3}[0-9]{1,7}):(?P<last>[A-Za-z]{1,3}[0-9]{1,7})"'
)
ROW_NUMBER = re.compile(rb'\br="([0-9]{1,7})"')
SHARED_STRING = re.compile(rb"<" + _P + rb"si[\s>/]")
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Inspection:
    """What inspect() learned: the sheet to read and what openpyxl's read-only mode would not tell."""

    sheet_title: str
    sheet_part: str
    last_value_row: int = 0
    cells: int = 0
    value_cells: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)


def bad_format() -> ImportFileError:
    return ImportFileError(_("Tệp không đúng định dạng .xlsx hoặc .csv."))


def _unzipped_too_big(size: int) -> ImportFileError:
    return ImportFileError(_(
        "Tệp .xlsx khi giải nén quá lớn (hơn %(size)s MB, tối đa %(max)s MB): có thể tệp chứa rất nhiều ô "
        "thừa. Hãy chép riêng bảng danh sách đảng viên sang một tệp mới rồi tải lên lại."
    ) % {"size": number(size / 1024 / 1024, 1), "max": number(MAX_UNZIPPED_BYTES // 1024 // 1024)})


def _too_many_cells(count: int, limit: int) -> ImportFileError:
    return ImportFileError(_(
        "Trang tính có quá nhiều ô (hơn %(max)s ô). Danh sách đảng viên tối đa 5.000 dòng; hãy xóa các dòng, "
        "cột thừa hoặc chép riêng bảng danh sách sang một tệp mới."
    ) % {"max": number(limit)})


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise bad_format()
    return data


def _choose_sheet(zf: zipfile.ZipFile) -> tuple[str, str]:
    """(title, part name) of the sheet named like SHEET_TITLE, else the first worksheet."""
    workbook = ElementTree.fromstring(_read_part(zf, "xl/workbook.xml"))
    rels = ElementTree.fromstring(_read_part(zf, "xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{NS_PKG_REL}Relationship"):
        if rel.get("Type", "").endswith("/worksheet"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = part
    sheets = [(s.get("name", ""), targets[s.get(NS_REL_ID)]) for s in workbook.iter(f"{NS_MAIN}sheet")
              if s.get(NS_REL_ID) in targets]
    if not sheets:
        raise bad_format()
    return next((s for s in sheets if fold(s[0]) == fold(SHEET_TITLE)), sheets[0])


def _stream(zf: zipfile.ZipFile, name: str, budget: list[int], too_big) -> Iterator[tuple[bytes, int]]:
    """The part's bytes as (buffer, safe end) windows: a token starting before the safe end lies wholly
    in the buffer. Every unzipped byte counts against budget[0]; too_big() is raised past it."""
    tail = b""
    with zf.open(name) as fh:
        while True:
            chunk = fh.read(CHUNK)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise too_big()
            if not chunk:
                if tail:
                    yield tail, len(tail)
                return
            buffer = tail + chunk
            safe = max(len(buffer) - OVERLAP, 0)
            yield buffer, safe
            tail = buffer[safe:]


def inspect(path) -> Inspection:
    """Measure the .xlsx at `path` (a path or a binary file) without parsing it; ImportFileError when a
    limit is passed or the file is not an .xlsx."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise bad_format() from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise bad_format()
        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNZIPPED_BYTES:  # the zip's directory says so: refused before unzipping anything
            raise _unzipped_too_big(declared)
        names = {info.filename for info in infos}
        try:
            title, part = _choose_sheet(zf)
            if part not in names:
                raise bad_format()
            result = Inspection(sheet_title=title, sheet_part=part)
            budget = [MAX_UNZIPPED_BYTES]  # the directory may lie: count what is really unzipped
            if "xl/sharedStrings.xml" in names:
                _scan_shared_strings(zf, budget)
            _scan_sheet(zf, part, budget, result)
        except ImportFileError:
            raise
        except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
            raise bad_format() from None  # a damaged zip, a bad CRC, a missing part
    return result


def _scan_shared_strings(zf: zipfile.ZipFile, budget: list[int]) -> None:
    def too_big():
        return ImportFileError(_(
            "Tệp .xlsx chứa quá nhiều chữ (bảng chữ dùng chung hơn %(max)s MB khi giải nén). Hãy chép riêng "
            "bảng danh sách đảng viên sang một tệp mới rồi tải lên lại."
        ) % {"max": number(MAX_SHARED_STRINGS_BYTES // 1024 // 1024)})

    own = [MAX_SHARED_STRINGS_BYTES]
    strings = 0
    for buffer, safe in _stream(zf, "xl/sharedStrings.xml", own, too_big):
        strings += sum(1 for m in SHARED_STRING.finditer(buffer) if m.start() < safe)
        if strings > MAX_VALUE_CELLS:
            raise _too_many_cells(strings, MAX_VALUE_CELLS)
    budget[0] -= MAX_SHARED_STRINGS_BYTES - own[0]


def _scan_sheet(zf: zipfile.ZipFile, part: str, budget: list[int], result: Inspection) -> None:
    row = 0
    for buffer, safe in _stream(zf, part, budget, lambda: _unzipped_too_big(MAX_UNZIPPED_BYTES)):
        for m in SHEET_TOKENS.finditer(buffer):
            if m.start() >= safe:
                break
            if m.group("cell"):
                result.cells += 1
                if result.cells > MAX_CELLS:
                    raise _too_many_cells(result.cells, MAX_CELLS)
            elif m.group("value"):
                result.value_cells += 1
                result.last_value_row = max(result.last_value_row, row)
                if result.value_cells > MAX_VALUE_CELLS:
                    raise _too_many_cells(result.value_cells, MAX_VALUE_CELLS)
            elif m.group("row") is not None:
                found = ROW_NUMBER.search(m.group("row"))
                row = int(found.group(1)) if found else row + 1
            else:
                if len(result.merges) >= MAX_MERGES:
                    raise ImportFileError(_("Trang tính có quá nhiều ô gộp (hơn %(max)s vùng).")
                                          % {"max": number(MAX_MERGES)})
                (c1, r1), (c2, r2) = (coordinate_from_string(m.group(g).decode()) for g in ("first", "last"))
                result.merges.append((r1, column_index_from_string(c1), r2, column_index_from_string(c2)))


def read_sheet(path, inspection: Inspection) -> Iterator[tuple[int, list, set[int]]]:
    """(line, values, columns holding a formula) for each line up to the last one with a value; a merged
    range gives its top-left value to every cell it covers."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise bad_format() from None
    try:
        ws = workbook[inspection.sheet_title]
        ws.reset_dimensions()  # do not trust the size the writer recorded
        starting: dict[int, list[tuple[int, int, int, int]]] = {}
        for merge in inspection.merges:
            if merge[1] <= MAX_COLUMNS:
                starting.setdefault(merge[0], []).append(merge)
        active: list[tuple[tuple[int, int, int, int], object]] = []
        last = inspection.last_value_row
        if last == 0:
            return
        for line, cells in enumerate(ws.iter_rows(min_row=1, max_row=last, max_col=MAX_COLUMNS), start=1):
            values: list = []
            formulas: set[int] = set()
            for i, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f":
                    formulas.add(i)
                value = cell.value
                values.append(value if isinstance(value, (str, int, float, dt.date)) or value is None else str(value))
            for merge in starting.get(line, ()):
                index = merge[1] - 1
                active.append((merge, values[index] if index < len(values) else None))
            active = [(m, v) for m, v in active if m[2] >= line]
            for (r1, c1, _r2, c2), value in active:
                for col in range(c1, min(c2, MAX_COLUMNS) + 1):
                    if (line, col) == (r1, c1):
                        continue
                    while len(values) < col:
                        values.append(None)
                    values[col - 1] = value
            yield line, values, formulas
    finally:
        workbook.close()
