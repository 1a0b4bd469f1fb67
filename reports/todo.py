"""What waits for a user ("Việc cần làm"): the landing page of every role after login.

Built from the user's roles through the access layer's grants, in a fixed number of queries:
records to fix and this month's record to send (cell secretaries), records and reports to review
(committees), reports to write with their deadlines, documents ready, unread notifications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03.formats import long_date
from organizations.access import access_for
from organizations.models import Level, Organization, Role
from pledges.models import MonthlyReview
from pledges.periods import month_label
from pledges.selectors import reviews_waiting_for

from . import notifications
from .models import Document, Report, ReportingRound

LIMIT = 50
APPROVE_KINDS = (Role.Kind.APPROVER, Role.Kind.BOARD)


@dataclass(frozen=True)
class Item:
    """One thing to do: what, where, and the one link that does it."""

    kind: str  # fix | send | review | write | document
    title: str
    detail: str
    url: str
    urgent: bool = False


@dataclass
class Todo:
    items: list[Item] = field(default_factory=list)
    more: int = 0  # items left off (more than LIMIT of a kind)
    notifications: list = field(default_factory=list)
    unread: int = 0


def _deadline_text(deadline: dt.date, today: dt.date) -> tuple[str, bool]:
    days = (deadline - today).days
    if days < 0:
        return _("Quá hạn %(n)s ngày (hạn %(date)s)") % {"n": -days, "date": long_date(deadline)}, True
    if days == 0:
        return _("Hạn hôm nay, %(date)s") % {"date": long_date(deadline)}, True
    return _("Hạn %(date)s, còn %(n)s ngày") % {"date": long_date(deadline), "n": days}, days <= 3


def _review_url(r: MonthlyReview) -> str:
    return reverse("pledges:review", args=[r.cell_id, r.year, r.month])


def _cells_records(todo: Todo, cell_ids: list[int], today: dt.date) -> None:
    """Returned records to fix, and this month's record if it is not sent yet."""
    if not cell_ids:
        return
    returned = list(MonthlyReview.objects.filter(cell_id__in=cell_ids, state=MonthlyReview.State.RETURNED)
                    .select_related("cell").order_by("-year", "-month")[:LIMIT])
    for r in returned:
        todo.items.append(Item("fix", _("Sửa biên bản tháng %(month)s bị trả lại") % {"month": month_label(r.year, r.month)},
                               f"{r.cell.name} · {r.return_reason}", _review_url(r), urgent=True))
    this_month = {r.cell_id: r for r in MonthlyReview.objects.filter(cell_id__in=cell_ids, year=today.year, month=today.month)}
    for cell in Organization.objects.filter(pk__in=cell_ids).order_by("path"):
        r = this_month.get(cell.pk)
        if r is None or r.state == MonthlyReview.State.DRAFT:
            todo.items.append(Item(
                "send", _("Ghi và gửi biên bản sinh hoạt tháng %(month)s") % {"month": month_label(today.year, today.month)},
                cell.name + (" · " + _("đã có bản nháp") if r is not None else ""),
                reverse("pledges:review", args=[cell.pk, today.year, today.month])))


def _records_to_review(todo: Todo, user) -> None:
    waiting = list(reviews_waiting_for(user)[: LIMIT + 1])
    todo.more += max(len(waiting) - LIMIT, 0)
    for r in waiting[:LIMIT]:
        todo.items.append(Item("review", _("Duyệt biên bản tháng %(month)s") % {"month": month_label(r.year, r.month)},
                               r.cell.name, _review_url(r)))


def _reports(todo: Todo, grants, today: dt.date) -> None:
    writes = [g.org_id for g in grants if g.kind == Role.Kind.CELL_SECRETARY] + \
             [g.org_id for g in grants if g.kind in APPROVE_KINDS]
    approves = [g.org_id for g in grants if g.kind in APPROVE_KINDS]
    open_rounds = Q(round__status=ReportingRound.Status.OPEN)
    if writes:
        mine = (Report.objects.filter(open_rounds, organization_id__in=writes,
                                      state__in=(Report.State.DRAFT, Report.State.RETURNED))
                .select_related("round", "organization"))
        for rep in mine.order_by("round_id", "tree_path")[:LIMIT]:
            when, urgent = _deadline_text(rep.round.deadline_for(rep.level), today)
            title = (_("Sửa báo cáo bị trả lại: %(round)s") if rep.state == Report.State.RETURNED
                     else _("Viết và gửi báo cáo: %(round)s")) % {"round": rep.round.title}
            todo.items.append(Item("fix" if rep.state == Report.State.RETURNED else "write", title,
                                   f"{rep.name} · {when}", reverse("reports:report", args=[rep.pk]),
                                   urgent=urgent or rep.state == Report.State.RETURNED))
    if approves:
        waiting = list(Report.objects.filter(open_rounds, parent_id__in=approves, state=Report.State.SUBMITTED)
                       .select_related("round").order_by("submitted_at", "id")[: LIMIT + 1])
        todo.more += max(len(waiting) - LIMIT, 0)
        for rep in waiting[:LIMIT]:
            todo.items.append(Item("review", _("Duyệt báo cáo: %(round)s") % {"round": rep.round.title}, rep.name,
                                   reverse("reports:report", args=[rep.pk])))
    if writes:
        since = timezone.now() - dt.timedelta(days=14)
        docs = (Document.objects.filter(report__organization_id__in=writes, status=Document.Status.READY,
                                        built_at__gte=since)
                .select_related("report__round").order_by("-built_at")[:10])
        for d in docs:
            todo.items.append(Item("document", _("Văn bản đã sẵn sàng: %(round)s") % {"round": d.report.round.title},
                                   f"{d.report.name} · {d.get_kind_display()}", reverse("reports:report", args=[d.report_id])))


def todo_for(user) -> Todo:
    """Everything waiting for `user`, the urgent first, then by kind."""
    grants = access_for(user).grants
    today = timezone.localdate()
    todo = Todo()
    _cells_records(todo, [g.org_id for g in grants if g.kind == Role.Kind.CELL_SECRETARY and g.level == Level.CELL], today)
    _records_to_review(todo, user)
    _reports(todo, grants, today)
    order = {"fix": 0, "review": 1, "send": 2, "write": 3, "document": 4}
    todo.items.sort(key=lambda i: (not i.urgent, order[i.kind]))
    todo.notifications = list(notifications.for_user(user).filter(read_at__isnull=True)[:10])
    todo.unread = notifications.unread_count(user)
    return todo
