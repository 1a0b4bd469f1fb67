"""Export of a unit's members in the import's columns, and the empty template with instructions."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io

import openpyxl
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from directive03.formats import number, short_date
from directive03.spreadsheets import safe_cell

from ..models import Level, Member, Membership, Organization
from ..text import vi_order
from .common import (
    COLUMNS,
    ENUMS,
    GENDER_LABELS,
    HEADERS,
    MAX_ROWS,
    POSITION_LABELS,
    SHEET_TITLE,
    STATUS_LABELS,
    YES_NO_LABELS,
    target_cells,
)

# -- export ----------------------------------------------------------------------------------

def members_for_export(org: Organization) -> QuerySet[Member]:
    if org.level == Level.CELL:
        members = Member.objects.filter(cell=org)
    else:
        members = Member.objects.filter(cell__path__startswith=org.path, cell__depth=org.depth + 1)
    since = Membership.objects.filter(member=OuterRef("pk"), end__isnull=True).order_by("-start").values("start")[:1]
    return members.select_related("cell").annotate(since=Subquery(since)).order_by("cell__path", vi_order("full_name"), "id")


def _export_values(member: Member) -> list:
    return [
        member.card_number, member.full_name, GENDER_LABELS.get(member.gender, member.gender), member.birth_year,
        member.joined_on, STATUS_LABELS.get(member.status, member.status),
        POSITION_LABELS.get(member.position, member.position), YES_NO_LABELS[member.is_key_cadre], member.cell.name,
        member.since,
    ]


WIDTHS = (18, 30, 10, 10, 15, 13, 14, 16, 36, 18)


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
        values = [short_date(v) if isinstance(v, dt.date) else v for v in values]
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
        if COLUMNS[i - 1].key in ("card_number", "joined_on", "since"):
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
               safe_cell(cells[0].name if cells else org.name), "01/06/2010"]
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
        _("Ngày/tháng/năm; có thể để trống. Đảng viên mới: để trống là từ hôm nay; ghi ngày cũ hơn để nhập "
          "các năm trước (không trước ngày vào Đảng). Đảng viên đã có: đổi ngày bắt đầu sinh hoạt tại chi bộ, "
          "hoặc ngày chuyển đến khi đổi chi bộ."),
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
