"""Reads for the round dashboard: where the reports of a subtree stand, who is late, each child's
progress, the timeline of submissions and one figure by child.

Every read is one query over Report whatever the size of the subtree: counts are aggregated in the
database, children are grouped by the segment of `tree_path` that names them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Length, StrIndex, Substr, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from directive03 import formats
from organizations.access import Access, access_for
from organizations.models import Level
from organizations.text import sort_key, vi_order

from . import counts, rollup
from . import figures as F_
from .models import Report, ReportCount, ReportDayCount, ReportingRound
from .permissions import visible_q

State = Report.State
OPEN_STATES = (State.DRAFT, State.RETURNED)
DONE_STATES = (State.SUBMITTED, State.APPROVED)
LEVEL_ORDER = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.CELL]
DEFAULT_FIGURE = "meetings_pct"
#: Late units listed on the page; the export lists them all.
LATE_LIMIT = 100

#: What the dashboard reads of a report (never the narrative sections or the frozen snapshot).
LIGHT_FIELDS = ("id", "round_id", "organization_id", "parent_id", "tree_path", "level", "name", "state",
                "started_at", "submitted_at", "decided_at")


# -- rules ------------------------------------------------------------------------------------

def late_q(rnd: ReportingRound, today: dt.date) -> Q:
    """Report.is_late as a filter: past its level's deadline and not sent, or sent after it."""
    q = Q(pk__in=[])
    for level in LEVEL_ORDER:
        deadline = rnd.deadline_for(level)
        q |= Q(level=level, state__in=DONE_STATES, submitted_at__gte=counts.day_after_start(deadline))
        if today > deadline:
            q |= Q(level=level, state__in=OPEN_STATES)
    return q


def _deadline_order(rnd: ReportingRound) -> Case:
    return Case(*[When(level=level, then=Value(rnd.deadline_for(level).toordinal())) for level in LEVEL_ORDER],
                output_field=IntegerField())


def _state_counts(late: Q) -> dict:
    return {
        "total": Count("id"),
        "not_started": Count("id", filter=Q(state=State.DRAFT, started_at__isnull=True)),
        "draft": Count("id", filter=Q(state=State.DRAFT, started_at__isnull=False)),
        "submitted": Count("id", filter=Q(state=State.SUBMITTED)),
        "returned": Count("id", filter=Q(state=State.RETURNED)),
        "approved": Count("id", filter=Q(state=State.APPROVED)),
        "late": Count("id", filter=late),
    }


# -- what the page shows ----------------------------------------------------------------------

@dataclass
class Counts:
    """How many reports are in each state (one level, one child's subtree, or all)."""

    total: int = 0
    not_started: int = 0  # "chưa làm": a draft nobody has saved yet
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    late: int = 0

    KEYS = ("total", "not_started", "draft", "submitted", "returned", "approved", "late")

    @classmethod
    def of(cls, row: dict) -> Counts:
        return cls(**{k: int(row.get(k) or 0) for k in cls.KEYS})

    @classmethod
    def kept(cls, row: dict, deadline: dt.date, today: dt.date) -> Counts:
        """From a kept ReportCount row of one level: late = sent after the deadline, plus (once the
        deadline has passed) every report not sent."""
        out = cls(**{k: int(row.get(k) or 0) for k in cls.KEYS if k != "late"})
        out.late = int(row.get("sent_late") or 0) + (out.not_sent if today > deadline else 0)
        return out

    def add(self, other: Counts) -> None:
        for k in self.KEYS:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def not_sent(self) -> int:
        return self.not_started + self.draft + self.returned

    def pct(self, n: int) -> float:
        return float(formats.ratio(n, self.total) or 0)

    @property
    def approved_pct(self) -> float:
        return self.pct(self.approved)

    @property
    def submitted_pct(self) -> float:
        return self.pct(self.submitted)

    @property
    def returned_pct(self) -> float:
        return self.pct(self.returned)


@dataclass
class LevelRow:
    level: str
    label: str
    deadline: dt.date
    counts: Counts


@dataclass
class ChildRow:
    report: Report
    counts: Counts
    deadline: dt.date
    is_late: bool
    figure_value: Decimal | int | None
    figure_display: str

    @property
    def drillable(self) -> bool:
        return self.report.level != Level.CELL


@dataclass
class LateRow:
    report: Report
    parent_name: str
    deadline: dt.date
    days_late: int


@dataclass
class Dashboard:
    round: ReportingRound
    unit: Report
    today: dt.date
    trail: list[Report]
    scopes: list[Report]
    levels: list[LevelRow]
    totals: Counts
    late: list[LateRow]
    children: list[ChildRow]
    figure: F_.Figure
    timeline: dict = field(default_factory=dict)

    def chart_data(self) -> dict:
        """What static/js/dashboard.js draws (embedded with json_script); the figure by child is
        drawn as HTML bars (dashboard_views.figure_bars)."""
        return {
            "timeline": self.timeline,
            "text": {
                "submitted": gettext("Đã gửi (cộng dồn)"),
                "approved": gettext("Đã duyệt (cộng dồn)"),
                "total": gettext("Tổng số báo cáo"),
            },
        }


# -- selectors --------------------------------------------------------------------------------

def _reaches_whole_subtree(access: Access, report: Report) -> bool:
    """A grant on the unit or above it at the cut-off reaches everything below it in the round."""
    return access.is_superuser or any(f"/{g.org_id}/" in report.tree_path for g in access.grants)


def _nested(reports: Iterable[Report]) -> list[Report]:
    """The reports not below another one of the list, shallowest first."""
    out: list[Report] = []
    for r in sorted(reports, key=lambda r: (len(r.tree_path), sort_key(r.name))):
        if not any(r.tree_path.startswith(top.tree_path) for top in out):
            out.append(r)
    return out


def scopes_for(access: Access, rnd: ReportingRound) -> list[Report]:
    """The tops of what the user reads in the round: the reports of the units they hold a role on
    (the round's root for a superuser)."""
    base = Report.objects.filter(round=rnd).only(*LIGHT_FIELDS)
    if access.is_superuser:
        return list(base.filter(parent__isnull=True))
    own = _nested(base.filter(organization_id__in={g.org_id for g in access.grants}))
    if own:
        return own
    # roles on units that were not in the tree at the cut-off: the shallowest visible reports
    first = base.filter(visible_q(access)).annotate(n=Length("tree_path")).order_by("n", vi_order("name"), "id").first()
    return [first] if first else []


def unit_report(access: Access, rnd: ReportingRound, unit_id: int | None, scopes: list[Report]) -> Report:
    """The report of the unit the dashboard is about: `unit_id` if the user reads it, else their scope."""
    if unit_id is None:
        if not scopes:
            raise Http404
        return scopes[0]
    for s in scopes:
        if s.organization_id == unit_id:
            return s
    report = (Report.objects.filter(round=rnd, organization_id=unit_id).filter(visible_q(access))
              .only(*LIGHT_FIELDS).first())
    if report is None:
        raise Http404
    return report


def subtree(access: Access, unit: Report) -> QuerySet[Report]:
    """The reports of the unit and everything below it in the round that the user reads."""
    qs = Report.objects.filter(round_id=unit.round_id, tree_path__startswith=unit.tree_path)
    if not _reaches_whole_subtree(access, unit):
        qs = qs.filter(visible_q(access))
    return qs


def trail(access: Access, unit: Report) -> list[Report]:
    """The unit's ancestors in the round that the user reads, top first (for the breadcrumb)."""
    ids = [int(part) for part in unit.tree_path.strip("/").split("/")[:-1]]
    if not ids:
        return []
    rows = Report.objects.filter(round_id=unit.round_id, organization_id__in=ids).filter(visible_q(access))
    return sorted(rows.only(*LIGHT_FIELDS), key=lambda r: len(r.tree_path))


def level_rows(qs: QuerySet[Report], rnd: ReportingRound, today: dt.date) -> list[LevelRow]:
    """Counts per state for each level: one aggregate query."""
    rows = {row["level"]: row for row in qs.values("level").annotate(**_state_counts(late_q(rnd, today))).order_by()}
    return [
        LevelRow(level, str(Level(level).label), rnd.deadline_for(level), Counts.of(rows[level]))
        for level in LEVEL_ORDER if level in rows
    ]


def late_rows(qs: QuerySet[Report], rnd: ReportingRound, today: dt.date, limit: int | None = LATE_LIMIT) -> list[LateRow]:
    """The late reports, earliest deadline first, with the name of the unit above (at the cut-off)."""
    parent_name = Report.objects.filter(round_id=rnd.pk, organization_id=OuterRef("parent_id")).values("name")[:1]
    rows = (qs.filter(late_q(rnd, today)).only(*LIGHT_FIELDS)
            .annotate(parent_name=Subquery(parent_name), deadline_order=_deadline_order(rnd))
            .order_by("deadline_order", vi_order("name"), "id"))
    if limit is not None:
        rows = rows[:limit]
    out = []
    for r in rows:
        deadline = rnd.deadline_for(r.level)
        until = timezone.localdate(r.submitted_at) if r.state in DONE_STATES and r.submitted_at else today
        out.append(LateRow(r, r.parent_name or "", deadline, (until - deadline).days))
    return out


def _children(access: Access, unit: Report) -> list[Report]:
    """The unit's direct children in the round's tree that the user reads, in name order (one query)."""
    children = (Report.objects.filter(round_id=unit.round_id, parent_id=unit.organization_id)
                .only(*LIGHT_FIELDS, "figures", "typed_figures")
                .annotate(snapshot_figures=KeyTransform("figures", "snapshot"))
                .order_by(vi_order("name"), "id"))
    if not _reaches_whole_subtree(access, unit):
        children = children.filter(visible_q(access))
    return list(children)


def kept_counts(rnd: ReportingRound, unit_ids: list[int], today: dt.date) -> dict[int, dict[str, Counts]]:
    """The kept counts (ReportCount) of the given units, per unit and level: one query."""
    out: dict[int, dict[str, Counts]] = {}
    rows = ReportCount.objects.filter(round_id=rnd.pk, organization_id__in=unit_ids).values()
    for row in rows:
        out.setdefault(row["organization_id"], {})[row["level"]] = Counts.kept(
            row, rnd.deadline_for(row["level"]), today)
    return out


def level_rows_kept(by_level: dict[str, Counts], rnd: ReportingRound) -> list[LevelRow]:
    return [LevelRow(level, str(Level(level).label), rnd.deadline_for(level), by_level[level])
            for level in LEVEL_ORDER if level in by_level]


def _summed(by_level: dict[str, Counts]) -> Counts:
    total = Counts()
    for c in by_level.values():
        total.add(c)
    return total


def child_rows(access: Access, unit: Report, rnd: ReportingRound, today: dt.date, figure: F_.Figure,
               qs: QuerySet[Report], children: list[Report] | None = None,
               kept: dict[int, dict[str, Counts]] | None = None) -> list[ChildRow]:
    """Each direct child of the unit in the round's tree with the counts of its subtree and the chosen
    figure from its report: the children (one query) and their counts, kept (`kept`: read with the
    unit's, see build) or grouped over the subtree (one query)."""
    children = _children(access, unit) if children is None else children
    if not children:
        return []
    if kept is not None:
        by_child = {child.organization_id: _summed(kept.get(child.organization_id, {})) for child in children}
    else:
        # "/1/7/31/…" below "/1/7/": the segment after the unit's path names the child
        rest = Substr("tree_path", len(unit.tree_path) + 1)
        child_id = Substr(rest, 1, StrIndex(rest, Value("/")) - 1)
        grouped = (qs.exclude(pk=unit.pk).annotate(child=child_id).values("child")
                   .annotate(**_state_counts(late_q(rnd, today))).order_by())
        by_child = {int(row["child"]): Counts.of(row) for row in grouped}
    out = []
    for child in children:
        # effective() reads the frozen figures from the snapshot: hand it just those
        child.snapshot = {"figures": child.snapshot_figures} if child.snapshot_figures is not None else None
        figs = rollup.effective(child)
        deadline = rnd.deadline_for(child.level)
        out.append(ChildRow(
            report=child, counts=by_child.get(child.organization_id, Counts()), deadline=deadline,
            is_late=_is_late(child, rnd, today), figure_value=figure.value(figs),
            figure_display=figure.display_value(figs),
        ))
    return out


def _is_late(report: Report, rnd: ReportingRound, today: dt.date) -> bool:
    """Report.is_late without loading the round again."""
    deadline = rnd.deadline_for(report.level)
    if report.state in DONE_STATES:
        return bool(report.submitted_at and timezone.localdate(report.submitted_at) > deadline)
    return today > deadline


def timeline(qs: QuerySet[Report], total: int) -> dict:
    """Cumulative reports sent (and still sent or approved) and approved, per day: two grouped queries."""
    sent = dict(
        qs.filter(state__in=DONE_STATES, submitted_at__isnull=False).annotate(day=TruncDate("submitted_at"))
        .values("day").annotate(n=Count("id")).order_by().values_list("day", "n")
    )
    approved = dict(
        qs.filter(state=State.APPROVED, decided_at__isnull=False).annotate(day=TruncDate("decided_at"))
        .values("day").annotate(n=Count("id")).order_by().values_list("day", "n")
    )
    days = sorted(set(sent) | set(approved))
    out = {"labels": [], "submitted": [], "approved": [], "total": total}
    s = a = 0
    for day in days:
        s += sent.get(day, 0)
        a += approved.get(day, 0)
        out["labels"].append(day.strftime("%d/%m"))
        out["submitted"].append(s)
        out["approved"].append(a)
    return out


def timeline_kept(rnd: ReportingRound, unit: Report, total: int) -> dict:
    """timeline() from the kept days of the unit's subtree (ReportDayCount): one small query."""
    rows = (ReportDayCount.objects.filter(round_id=rnd.pk, organization_id=unit.organization_id)
            .filter(Q(sent__gt=0) | Q(approved__gt=0)).order_by("day").values_list("day", "sent", "approved"))
    out = {"labels": [], "submitted": [], "approved": [], "total": total}
    s = a = 0
    for day, sent, approved in rows:
        s += sent
        a += approved
        out["labels"].append(day.strftime("%d/%m"))
        out["submitted"].append(s)
        out["approved"].append(a)
    return out


def build(*, user, rnd: ReportingRound, unit_id: int | None = None, figure_code: str | None = None,
          today: dt.date | None = None, late_limit: int | None = LATE_LIMIT) -> Dashboard:
    """Everything the dashboard page (and its export) shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    access = access_for(user)
    figure = F_.BY_CODE.get(figure_code or "") or F_.BY_CODE[DEFAULT_FIGURE]
    scopes = scopes_for(access, rnd)
    unit = unit_report(access, rnd, unit_id, scopes)
    qs = subtree(access, unit)
    whole = _reaches_whole_subtree(access, unit)
    if whole:
        # the counts per level and per child are kept (ReportCount): the unit's and its children's rows
        children = _children(access, unit)
        kept = kept_counts(rnd, [unit.organization_id, *(c.organization_id for c in children)], today)
        levels = level_rows_kept(kept.get(unit.organization_id, {}), rnd)
        rows = child_rows(access, unit, rnd, today, figure, qs, children=children, kept=kept)
    else:  # a user who reads only part of the subtree: counted over what they read
        levels = level_rows(qs, rnd, today)
        rows = child_rows(access, unit, rnd, today, figure, qs)
    totals = Counts()
    for row in levels:
        totals.add(row.counts)
    return Dashboard(
        round=rnd, unit=unit, today=today, trail=trail(access, unit), scopes=scopes, levels=levels,
        totals=totals, late=late_rows(qs, rnd, today, late_limit), children=rows, figure=figure,
        timeline=timeline_kept(rnd, unit, totals.total) if whole else timeline(qs, totals.total),
    )


def rounds_for(user) -> list[ReportingRound]:
    """The rounds of the provinces the user holds a role in (as get_round_for_user), newest first."""
    access = access_for(user)
    rounds = list(ReportingRound.objects.select_related("province"))
    if access.is_superuser:
        return rounds
    return [r for r in rounds if any(g.path.startswith(r.province.path) for g in access.grants)]
