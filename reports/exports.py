"""The dashboard as a workbook: progress by child unit, counts by level, the late units.

Every text cell goes through safe_cell (a unit name starting with "=" stays text); numbers and
dates are written as numbers and dates so they can be summed and sorted.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from directive03.spreadsheets import safe_cell

from .dashboard import Dashboard
from .models import Report

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
BOLD = Font(bold=True)


def _value(value):
    if isinstance(value, Decimal):
        return float(value)
    return safe_cell(value)


def _sheet(ws: Worksheet, title: str, headers: list[str], rows: list[list], widths: list[int]) -> None:
    ws.title = title[:31]
    ws.append([safe_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append([_value(v) for v in row])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"


def _state(report: Report) -> str:
    if report.is_missing:
        return _("Chưa làm")
    return str(Report.State(report.state).label)


def dashboard_workbook(board: Dashboard) -> bytes:
    wb = Workbook()
    figure_header = str(board.figure.label) + (" (%)" if board.figure.is_ratio and board.figure.display == "percent"
                                               else "")
    _sheet(
        wb.active, _("Tiến độ theo đơn vị"),
        [_("Đơn vị"), _("Cấp"), _("Trạng thái báo cáo của đơn vị"), _("Hạn nộp"), _("Tổng số báo cáo"),
         _("Đã duyệt"), _("Đã gửi, chờ duyệt"), _("Bị trả lại"), _("Đang soạn"), _("Chưa làm"), _("Chậm nộp"),
         _("Tỷ lệ đã duyệt (%)"), figure_header],
        [[c.report.name, c.report.get_level_display(), _state(c.report), c.deadline, c.counts.total,
          c.counts.approved, c.counts.submitted, c.counts.returned, c.counts.draft, c.counts.not_started,
          c.counts.late, c.counts.approved_pct, c.figure_value] for c in board.children],
        [42, 12, 22, 12, 10, 10, 12, 10, 10, 10, 10, 12, 24],
    )
    _sheet(
        wb.create_sheet(), _("Theo cấp"),
        [_("Cấp"), _("Hạn nộp"), _("Tổng số"), _("Chưa làm"), _("Đang soạn"), _("Đã gửi, chờ duyệt"),
         _("Bị trả lại"), _("Đã duyệt"), _("Chậm nộp")],
        [[row.label, row.deadline, row.counts.total, row.counts.not_started, row.counts.draft, row.counts.submitted,
          row.counts.returned, row.counts.approved, row.counts.late] for row in board.levels]
        + [[_("Cộng"), None, board.totals.total, board.totals.not_started, board.totals.draft,
            board.totals.submitted, board.totals.returned, board.totals.approved, board.totals.late]],
        [14, 12, 10, 10, 10, 12, 10, 10, 10],
    )
    _sheet(
        wb.create_sheet(), _("Đơn vị chậm nộp"),
        [_("Đơn vị"), _("Trực thuộc"), _("Cấp"), _("Trạng thái"), _("Hạn nộp"), _("Ngày gửi"), _("Số ngày chậm")],
        [[r.report.name, r.parent_name, r.report.get_level_display(), _state(r.report), r.deadline,
          timezone.localdate(r.report.submitted_at) if r.report.submitted_at and r.report.state in ("submitted", "approved")
          else None, r.days_late] for r in board.late],
        [42, 36, 12, 16, 12, 12, 12],
    )
    info = wb.create_sheet(_("Thông tin"))
    for label, value in [
        (_("Đợt báo cáo"), board.round.title),
        (_("Đơn vị"), board.unit.name),
        (_("Số liệu tính đến ngày"), board.today),
        (_("Chỉ tiêu trên biểu đồ"), str(board.figure.label)),
    ]:
        info.append([safe_cell(label), _value(value)])
        info.cell(row=info.max_row, column=1).font = BOLD
        if hasattr(value, "year"):
            info.cell(row=info.max_row, column=2).number_format = DATE_FORMAT
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 60
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
