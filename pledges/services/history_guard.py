"""A member's cell history may change only so that the records kept about them stay inside it:
their pledges, their rows in monthly records and their year-end grades each belong to a cell and a
period, and the member must have belonged to that cell in that period. Registered with
organizations.memberships from PledgesConfig.ready."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from organizations.memberships import Period

from ..models import MemberClassification, Pledge, ReviewEntry
from ..periods import month_bounds, month_label, year_bounds

CHUNK = 500


def _inside(periods: list[Period], cell_id: int, start: dt.date, end: dt.date) -> bool:
    return any(p.cell_id == cell_id and p.overlaps(start, end) for p in periods)


def records_outside(histories: dict[int, list[Period]]) -> dict[int, list[str]]:
    """{member id: messages} for the records each new history would leave out. Three queries per
    500 members, whatever the number of records."""
    problems: dict[int, list[str]] = {}
    ids = list(histories)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        records = []
        for member_id, cell_id, cell_name, year in Pledge.objects.filter(member_id__in=chunk).values_list(
                "member_id", "cell_id", "cell__name", "year").order_by("year"):
            records.append((member_id, cell_id, *year_bounds(year),
                            _("bản đăng ký năm %(year)s tại %(cell)s") % {"year": year, "cell": cell_name}))
        for member_id, cell_id, cell_name, year, month in ReviewEntry.objects.filter(member_id__in=chunk).values_list(
                "member_id", "review__cell_id", "review__cell__name", "review__year", "review__month",
        ).order_by("review__year", "review__month"):
            records.append((member_id, cell_id, *month_bounds(year, month),
                            _("biên bản sinh hoạt tháng %(month)s tại %(cell)s")
                            % {"month": month_label(year, month), "cell": cell_name}))
        for member_id, cell_id, cell_name, year in MemberClassification.objects.filter(
                member_id__in=chunk).values_list("member_id", "cell_id", "cell__name", "year").order_by("year"):
            records.append((member_id, cell_id, *year_bounds(year),
                            _("xếp loại cuối năm %(year)s tại %(cell)s") % {"year": year, "cell": cell_name}))
        for member_id, cell_id, start, end, what in records:
            if not _inside(histories[member_id], cell_id, start, end):
                problems.setdefault(member_id, []).append(
                    _("Đảng viên đã có %(what)s; quá trình sinh hoạt mới không còn thời gian nào ở chi bộ đó "
                      "trong kỳ này.") % {"what": what})
    return problems
