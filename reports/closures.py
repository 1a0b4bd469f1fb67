"""What a restructuring plan must know about reports before it closes a unit (registered in apps.py)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .models import Report, ReportingRound


def open_reports(unit_ids: set[int], on: dt.date) -> list[str]:
    """A unit closed by a plan must not leave a report of an open round unfinished: nobody could write
    or approve it any more (roles on closed units write nothing)."""
    rows = (
        Report.objects.filter(organization_id__in=unit_ids, round__status=ReportingRound.Status.OPEN)
        .exclude(state=Report.State.APPROVED)
        .select_related("round", "organization").order_by("organization__name", "round_id")
    )
    return [
        _("“%(unit)s” còn báo cáo chưa được duyệt trong đợt “%(round)s” đang mở; hãy hoàn tất đợt đó trước "
          "khi giải thể.") % {"unit": r.organization.name, "round": r.round.title}
        for r in rows[:20]
    ]
