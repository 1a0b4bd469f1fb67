"""The plan as a spreadsheet: one row per change, in the order they apply.

Columns (the header row is matched without diacritics; the order does not matter):
  Loại thay đổi | Đơn vị | Đơn vị đích | Tên mới | Địa danh mới | Cấp | Loại hình | Ký hiệu
A unit is written as "#id", as its path ("Huyện ủy A › Đảng ủy xã B", or with "/"), or by a name that
is unique in the province; a unit created by an earlier row is the target by its new name.
"""

from __future__ import annotations

import io

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..imports import ImportFileError
from ..imports.child import read_upload_in_child
from ..models import Kind, Level, Organization, PlanChange
from ..text import fold
from .plans import RowInput
from .units import UnitIndex

#: (field of RowInput, header)
COLUMNS = [
    ("op", "Loại thay đổi"),
    ("unit", "Đơn vị"),
    ("target", "Đơn vị đích"),
    ("new_name", "Tên mới"),
    ("place_name", "Địa danh mới"),
    ("level", "Cấp"),
    ("unit_kind", "Loại hình"),
    ("issuer_code", "Ký hiệu"),
]
HEADERS = [h for _f, h in COLUMNS]
#: How each kind of change fills the columns (shown in the template and the README).
GUIDE = [
    ("Chuyển trực thuộc", "đơn vị được chuyển", "cấp trên mới", "", "", "", "", ""),
    ("Hợp nhất vào", "đơn vị bị hợp nhất (giải thể sau khi chuyển chi bộ, đảng viên)", "đơn vị tiếp nhận",
     "", "", "", "", ""),
    ("Đổi tên", "đơn vị", "", "tên mới", "địa danh mới (nếu đổi)", "", "", ""),
    ("Giải thể", "đơn vị", "", "", "", "", "", ""),
    ("Thành lập mới", "", "cấp trên", "tên đơn vị mới", "địa danh", "Cấp cơ sở", "Đảng ủy xã/phường/thị trấn", "ĐU"),
]


def template_xlsx(province: Organization) -> bytes:
    """The plan template: the plan sheet (with choice lists), a guide, and every active unit with its
    code and full path to copy from."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phương án"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ops = DataValidation(type="list", formula1='"' + ",".join(str(label) for _v, label in PlanChange.Op.choices) + '"',
                         allow_blank=True)
    ws.add_data_validation(ops)
    ops.add("A2:A5000")
    for col, width in zip("ABCDEFGH", (18, 60, 60, 36, 18, 14, 28, 10), strict=True):
        ws.column_dimensions[col].width = width
    guide = wb.create_sheet("Hướng dẫn")
    guide.append(HEADERS)
    for row in GUIDE:
        guide.append(list(row))
    guide.append([])
    guide.append([_("Cấp"), ", ".join(str(label) for v, label in Level.choices if v != Level.PROVINCE)])
    guide.append([_("Loại hình"), ", ".join(str(label) for _v, label in Kind.choices)])
    units = wb.create_sheet("Đơn vị")
    units.append([_("Mã"), _("Đơn vị (đường dẫn đầy đủ)")])
    index = UnitIndex(province)
    for pk, label in index.label.items():
        units.append([f"#{pk}", label])
    units.column_dimensions["B"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_rows(upload) -> list[tuple[int, RowInput]]:
    """The rows of an uploaded plan (line in the file, row); ImportFileError if the file is unusable.
    The file is parsed in the child process (imports.child), never in the web process."""
    sheet = read_upload_in_child(upload)
    header = [fold(str(h or "")) for h in (sheet.header or [])]
    wanted = {fold(h): f for f, h in COLUMNS}
    positions = {wanted[h]: i for i, h in enumerate(header) if h in wanted}
    missing = [h for f, h in COLUMNS[:2] if f not in positions]
    if missing:
        raise ImportFileError(
            _("Thiếu cột: %(cols)s. Hãy dùng tệp mẫu (dòng đầu là tên cột).") % {"cols": ", ".join(missing)}
        )
    rows = []
    for line, values in sheet.rows:
        data = {f: (values[i] if i < len(values) and values[i] is not None else "") for f, i in positions.items()}
        rows.append((line, RowInput(**data)))
    return rows
