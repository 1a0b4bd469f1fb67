"""In-app notifications: when a record or report changes hands, and the daily deadline reminders.

Changes of hands (sent, returned, approved/accepted, reopened) notify, in the same transaction, the
people who must act next: the committee above for a sent record or report, the unit's writers for
a decision. Their e-mail comes once a day as a digest (reports.digest); reminders e-mail at once.

A reminder goes to the people who write a unit's report: the secretary of a cell (CELL_SECRETARY),
the approvers of a committee (APPROVER, and BOARD on the province). A unit is reminded at most once
a day per round: the Reminder row (unique per round, unit, day) is claimed before anything is sent,
so two workers running the task at once send once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directive03.formats import name_from_parts, person_name, short_date
from organizations.models import Level, Role

from .models import Notification, Reminder, Report, ReportingRound

log = logging.getLogger(__name__)

#: A unit is reminded when its deadline is this many days away or fewer, or already past.
REMIND_WITHIN_DAYS = 3
NOT_SENT = (Report.State.DRAFT, Report.State.RETURNED)
CELL_KINDS = (Role.Kind.CELL_SECRETARY,)
COMMITTEE_KINDS = (Role.Kind.APPROVER, Role.Kind.BOARD)
BATCH = 1000


# -- notifications ----------------------------------------------------------------------------

def for_user(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=timezone.now())


# -- changes of hands ------------------------------------------------------------------------

REVIEWER_KINDS = (Role.Kind.REVIEWER, Role.Kind.APPROVER)


def notify(*, user_ids, text: str, url: str, by=None) -> int:
    """One notification per user (the actor is not told of their own act); returns how many."""
    ids = sorted({u for u in user_ids if by is None or u != by.pk})
    now = timezone.now()
    Notification.objects.bulk_create([Notification(user_id=u, text=text[:500], url=url, created_at=now) for u in ids])
    return len(ids)


def writers_of(org) -> list[int]:
    """Who writes a unit's records and report: a cell's secretaries, a committee's approvers (and board)."""
    kinds = CELL_KINDS if org.level == Level.CELL else COMMITTEE_KINDS
    return list(Role.objects.filter(organization=org, kind__in=kinds, user__is_active=True)
                .values_list("user_id", flat=True))


def reviewers_above(org) -> list[int]:
    """The nearest committee above `org` that has reviewers or approvers: their users. One query."""
    paths = [org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)]
    rows = list(Role.objects.filter(organization__path__in=paths, kind__in=REVIEWER_KINDS, user__is_active=True)
                .values_list("organization__path", "user_id"))
    if not rows:
        return []
    deepest = max(p for p, _u in rows)
    return [u for p, u in rows if p == deepest]


def on_review_decided(sender, *, review, action: str, by, **kwargs) -> None:
    """A monthly record was sent, returned, accepted or reopened: tell who acts next."""
    from pledges.models import ReviewEvent
    from pledges.periods import month_label

    cell = review.cell
    url = reverse("pledges:review", args=[cell.pk, review.year, review.month])
    values = {"month": month_label(review.year, review.month), "cell": cell.name,
              "by": person_name(by)}
    with translation.override(settings.LANGUAGE_CODE):
        if action == ReviewEvent.Action.SUBMIT:
            notify(user_ids=reviewers_above(cell), by=by, url=url,
                   text=_("%(cell)s đã gửi biên bản sinh hoạt tháng %(month)s, chờ duyệt.") % values)
            return
        texts = {
            ReviewEvent.Action.RETURN: _("%(by)s đã trả lại biên bản tháng %(month)s của %(cell)s: %(reason)s"),
            ReviewEvent.Action.ACCEPT: _("%(by)s đã chấp nhận biên bản tháng %(month)s của %(cell)s."),
            ReviewEvent.Action.REOPEN: _("%(by)s đã mở lại biên bản tháng %(month)s của %(cell)s: %(reason)s"),
        }
        if action in texts:
            notify(user_ids=writers_of(cell), by=by, url=url,
                   text=texts[action] % {**values, "reason": review.return_reason})


def on_report_changed(report: Report, action: str, by) -> None:
    """A report was sent, returned, approved or reopened (called by reports.services)."""
    from organizations.models import Organization

    from .models import ReportEvent

    url = reverse("reports:report", args=[report.pk])
    values = {"unit": report.name, "round": report.round.title, "by": person_name(by)}
    with translation.override(settings.LANGUAGE_CODE):
        if action == ReportEvent.Action.SUBMIT:
            parent = Organization.objects.filter(pk=report.parent_id).first()
            if parent is not None:
                notify(user_ids=writers_of(parent), by=by, url=url,
                       text=_("%(unit)s đã gửi báo cáo “%(round)s”, chờ duyệt.") % values)
            return
        texts = {
            ReportEvent.Action.RETURN: _("%(by)s đã trả lại báo cáo “%(round)s” của %(unit)s."),
            ReportEvent.Action.APPROVE: _("%(by)s đã duyệt báo cáo “%(round)s” của %(unit)s."),
            ReportEvent.Action.REOPEN: _("%(by)s đã mở lại báo cáo “%(round)s” của %(unit)s."),
        }
        if action in texts:
            notify(user_ids=writers_of(report.organization), by=by, url=url, text=texts[action] % values)


# -- reminders --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str


@dataclass
class ReminderRun:
    units: int = 0
    emails: int = 0
    notifications: int = 0


def reminder_link(round_id: int, org_id: int) -> str:
    return f"{reverse('dashboard:round', args=[round_id])}?unit={org_id}"


def _due_q(rnd: ReportingRound, today: dt.date) -> Q | None:
    """The levels of the round whose deadline is within REMIND_WITHIN_DAYS days, or past."""
    levels = [level for level in Level.values
              if (rnd.deadline_for(level) - today).days <= REMIND_WITHIN_DAYS]
    return Q(round=rnd, level__in=levels) if levels else None


def due_reports(today: dt.date) -> tuple[dict[int, ReportingRound], list[Report]]:
    """The open rounds and their reports not sent whose deadline is near or past: two queries."""
    rounds = {r.pk: r for r in ReportingRound.objects.filter(status=ReportingRound.Status.OPEN)}
    parts = [q for q in (_due_q(r, today) for r in rounds.values()) if q is not None]
    if not parts:
        return rounds, []
    reports = list(
        Report.objects.filter(Q(*parts, _connector=Q.OR), state__in=NOT_SENT)
        .only("id", "round_id", "organization_id", "level", "name", "state")
        .order_by("round_id", "tree_path")
    )
    return rounds, reports


def recipients_of(reports: list[Report]) -> dict[int, list[Recipient]]:
    """Who writes each unit's report, for all the units at once: one query."""
    cells = {r.organization_id for r in reports if r.level == Level.CELL}
    committees = {r.organization_id for r in reports if r.level != Level.CELL}
    if not cells and not committees:
        return {}
    rows = (
        Role.objects.filter(Q(organization_id__in=cells, kind__in=CELL_KINDS)
                            | Q(organization_id__in=committees, kind__in=COMMITTEE_KINDS), user__is_active=True)
        .values_list("organization_id", "user_id", "user__email", "user__first_name", "user__last_name",
                     "user__username")
        .order_by("organization_id", "user_id")
    )
    out: dict[int, list[Recipient]] = defaultdict(list)
    for org_id, user_id, email, first, last, username in rows:
        if any(r.user_id == user_id for r in out[org_id]):
            continue  # two roles on the same unit: one reminder
        name = name_from_parts(last_name=last, first_name=first, username=username)
        out[org_id].append(Recipient(user_id, email or "", name))
    return out


def _already_reminded(round_ids: set[int], today: dt.date) -> set[tuple[int, int]]:
    return set(Reminder.objects.filter(round_id__in=round_ids, sent_on=today)
               .values_list("round_id", "organization_id"))


def claim(wanted: dict[tuple[int, int], int], today: dt.date, *,
          then: Callable[[set[tuple[int, int]]], None] | None = None, attempts: int = 3) -> set[tuple[int, int]]:
    """Insert today's Reminder rows for the (round, unit) pairs not reminded yet, all or nothing, and
    return the pairs this call inserted; `then(pairs)` runs in the same transaction (the in-app
    notifications). If another worker inserts some of the rows meanwhile, the unique constraint
    refuses the whole batch and the claim starts again from what is now in the table.

    `wanted` maps (round_id, organization_id) to the number of recipients."""
    for _attempt in range(attempts):
        try:
            with transaction.atomic():
                taken = _already_reminded({k[0] for k in wanted}, today)
                mine = {key for key in wanted if key not in taken}
                Reminder.objects.bulk_create(
                    [Reminder(round_id=r, organization_id=o, sent_on=today, recipients=wanted[(r, o)])
                     for r, o in sorted(mine)],
                    batch_size=BATCH,
                )
                if then is not None and mine:
                    then(mine)
            return mine
        except IntegrityError:
            log.info("reminders: another worker claimed some units for %s; claiming again", today)
    raise RuntimeError(f"reminders: could not claim the units for {today} after {attempts} attempts")


def _message_texts(rnd: ReportingRound, report: Report, today: dt.date) -> tuple[str, str, str]:
    """Subject, the sentence about the deadline, and the in-app notification."""
    deadline = rnd.deadline_for(report.level)
    days = (deadline - today).days
    date_text = short_date(deadline)
    if days < 0:
        subject = _("Quá hạn nộp báo cáo: %(round)s") % {"round": rnd.title}
        when = _("Hạn nộp là %(date)s; báo cáo đã chậm %(n)s ngày.") % {"date": date_text, "n": -days}
    elif days == 0:
        subject = _("Hôm nay là hạn nộp báo cáo: %(round)s") % {"round": rnd.title}
        when = _("Hạn nộp là hôm nay, %(date)s.") % {"date": date_text}
    else:
        subject = _("Nhắc hạn nộp báo cáo: %(round)s") % {"round": rnd.title}
        when = _("Hạn nộp là %(date)s (còn %(n)s ngày).") % {"date": date_text, "n": days}
    note = _("Báo cáo của %(unit)s trong đợt “%(round)s” chưa được gửi. %(when)s") % {
        "unit": report.name, "round": rnd.title, "when": when}
    return subject, when, note


def _body(rnd: ReportingRound, report: Report, person: Recipient, when: str, link: str) -> str:
    state = str(Report.State(report.state).label)
    lines = [
        _("Kính gửi đồng chí %(name)s,") % {"name": person.name},
        "",
        _("Báo cáo của %(unit)s trong đợt “%(round)s” chưa được gửi lên cấp trên (trạng thái: %(state)s).")
        % {"unit": report.name, "round": rnd.title, "state": state},
        when,
        "",
        _("Xem tiến độ và hoàn thành báo cáo tại: %(link)s") % {"link": link},
        "",
        _("Thư này do hệ thống Chỉ thị 03 gửi tự động, mỗi ngày một lần cho đến khi báo cáo được gửi. "
          "Xin đừng trả lời thư này."),
    ]
    return "\n".join(lines)


def send_reminders(*, today: dt.date | None = None) -> ReminderRun:
    """Remind every unit of an open round whose report is not sent and whose deadline is near or past,
    at most once per unit per round per day. A fixed number of queries: the rounds, the reports, the
    roles, the claim, and the inserts (in batches)."""
    today = today or timezone.localdate()
    run = ReminderRun()
    with translation.override(settings.LANGUAGE_CODE):
        rounds, reports = due_reports(today)
        if not reports:
            return run
        people = recipients_of(reports)
        now = timezone.now()
        notes: dict[tuple[int, int], list[Notification]] = {}
        messages: dict[tuple[int, int], list[EmailMessage]] = {}
        for report in reports:
            key = (report.round_id, report.organization_id)
            rnd = rounds[report.round_id]
            subject, when, note = _message_texts(rnd, report, today)
            link = reminder_link(rnd.pk, report.organization_id)
            recipients = people.get(report.organization_id, ())
            notes[key] = [Notification(user_id=p.user_id, text=note[:500], url=link, created_at=now,
                                       emailed_at=now if p.email else None)  # its own e-mail: not in the digest
                          for p in recipients]
            absolute = settings.SITE_URL.rstrip("/") + link  # e-mails need the whole address
            messages[key] = [EmailMessage(subject, _body(rnd, report, p, when, absolute), settings.DEFAULT_FROM_EMAIL,
                                          [p.email]) for p in recipients if p.email]

        def notify(pairs: set[tuple[int, int]]) -> None:
            Notification.objects.bulk_create([n for key in pairs for n in notes[key]], batch_size=BATCH)

        mine = claim({key: len(notes[key]) for key in notes}, today, then=notify)
        run.units = len(mine)
        run.notifications = sum(len(notes[key]) for key in mine)
        outgoing = [m for key in sorted(mine) for m in messages[key]]
        if outgoing:
            # sent once the claim is committed: a failure here loses today's e-mail, never doubles it
            run.emails = get_connection().send_messages(outgoing) or 0
    log.info("reminders %s: %d units, %d e-mails, %d notifications", today, run.units, run.emails,
             run.notifications)
    return run
