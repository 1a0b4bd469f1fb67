"""The report pages: rounds (list, open, page, close), a report (page and workflow) and a figure's
drill-down. Every object comes through reports.permissions; the rules are in reports.services."""

from .figures import figure_detail
from .report import (
    reason_row,
    report_approve,
    report_detail,
    report_reopen,
    report_return,
    report_save,
    report_submit,
)
from .rounds import round_close, round_detail, round_list, round_open, round_withdraw

__all__ = [
    "figure_detail", "reason_row", "report_approve", "report_detail", "report_reopen", "report_return",
    "report_save", "report_submit", "round_close", "round_detail", "round_list", "round_open", "round_withdraw",
]
