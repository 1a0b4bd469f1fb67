"""Reads for the report pages: the rounds of a user's province, a round's reports for the user, a
report's children and figures, and the records behind a figure.

Each selector says how many queries it runs; none depends on the number of units or records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from directive03 import formats
from organizations.access import Access
from organizations.models import Level, Organization
from organizations.text import sort_key, vi_order
from pledges.models import (
    Commendation,
    MemberClassification,
    ModelExample,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    ReviewEntry,
)

from . import figures as F_
from . import permissions, rollup
from .models import Report, ReportEvent, ReportingRound, ReturnReason

State = Report.State
STEPLEN = Organization.steplen

#: The order reports are listed in for someone who acts on them: waiting for a decision first.
STATE_ORDER = {State.SUBMITTED: 0, State.RETURNED: 1, State.DRAFT: 2, State.APPROVED: 3}


# -- rounds ---------------------------------------------------------------------------------------

def rounds_for(access: Access) -> QuerySet[ReportingRound]:
    """The rounds of the provinces the user has a role in (a superuser: all). No query until read."""
    qs = ReportingRound.objects.select_related("province")
    if access.is_superuser:
        return qs
    provinces = sorted({g.path[:STEPLEN] for g in access.grants})
    return qs.filter(province__path__in=provinces)


def own_reports(access: Access, rounds: list[ReportingRound]) -> dict[int, list[Report]]:
    """The reports of the user's own units (where a role is held), per round. One query."""
    org_ids = {g.org_id for g in access.grants}
    if not rounds or not org_ids:
        return {}
    by_round: dict[int, list[Report]] = defaultdict(list)
    rounds_by_id = {r.pk: r for r in rounds}
    qs = Report.objects.filter(round__in=rounds, organization_id__in=org_ids).defer(*Report.SECTIONS)
    for report in qs.order_by("tree_path"):
        report.round = rounds_by_id[report.round_id]
        report.can_write = permissions.writes(access, report)
        by_round[report.round_id].append(report)
    return by_round


@dataclass
class RoundReports:
    """What a round looks like to one user: the reports of their own units, and the reports of the
    units directly below them (the ones they follow and, with the right role, approve)."""

    own: list[Report]
    children: list[Report]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def to_approve(self) -> list[Report]:
        return [r for r in self.children if r.can_approve and r.state == State.SUBMITTED]


def round_reports(*, rnd: ReportingRound, access: Access) -> RoundReports:
    """The user's reports in a round. Two queries."""
    if access.is_superuser:
        org_ids = set(
            Report.objects.filter(round=rnd, parent__isnull=True).values_list("organization_id", flat=True)
        )
    else:
        org_ids = {g.org_id for g in access.grants}
    light = Report.objects.filter(round=rnd).defer(*Report.SECTIONS, "snapshot", "typed_figures")
    own = list(light.filter(organization_id__in=org_ids).order_by("tree_path"))
    children = list(light.filter(parent_id__in=org_ids).order_by("tree_path"))
    for report in own + children:
        report.round = rnd
        report.can_write = permissions.writes(access, report)
        report.can_approve = permissions.approves(access, report)
    children.sort(key=lambda r: (STATE_ORDER[r.state], sort_key(r.name), r.pk))
    return RoundReports(own=own, children=children, counts=state_counts(children))


#: The states a unit's report is counted under on the round page, in the order of the badges: each
#: report in exactly one of them (a draft nobody has saved yet is "missing", not also "draft").
COUNTED_STATES = (State.SUBMITTED, State.APPROVED, State.RETURNED, State.DRAFT, "missing")


def counted_state(report: Report) -> str:
    return "missing" if report.is_missing else report.state


def state_counts(reports: list[Report]) -> dict[str, int]:
    """How many reports are in each of COUNTED_STATES (they add up to len(reports)), plus how many
    of them are late (a flag across states, not a state)."""
    counts = dict.fromkeys(COUNTED_STATES, 0)
    for report in reports:
        counts[counted_state(report)] += 1
    counts["total"] = len(reports)
    counts["late"] = sum(1 for r in reports if r.is_late())
    return counts


# -- one report -----------------------------------------------------------------------------------

def children_of(report: Report) -> list[Report]:
    """The reports of the units directly below, by name. One query."""
    children = list(
        Report.objects.filter(round_id=report.round_id, parent_id=report.organization_id)
        .defer(*Report.SECTIONS).order_by(vi_order("name"), "pk")
    )
    for child in children:
        child.round = report.round
    return children


@dataclass
class Coverage:
    """ "x of y units": approved direct children over all direct children, and the others."""

    approved: int
    total: int
    pending: list[Report]


def coverage(children: list[Report]) -> Coverage:
    pending = [c for c in children if c.state != State.APPROVED]
    pending.sort(key=lambda r: (STATE_ORDER[r.state], sort_key(r.name)))
    return Coverage(approved=len(children) - len(pending), total=len(children), pending=pending)


def events_of(report: Report) -> list[ReportEvent]:
    """The audit trail, oldest first, with who acted and the return reasons (each with the label
    of what it is attached to). Two queries."""
    events = list(report.events.select_related("by").prefetch_related("reasons"))
    for event in events:
        for reason in event.reasons.all():
            reason.label = target_label(reason.target)
    return events


def open_reasons(report: Report, events: list[ReportEvent]) -> list[ReturnReason]:
    """The reasons a returned report must answer: those of the latest return or reopening."""
    if report.state != State.RETURNED:
        return []
    for event in reversed(events):
        if event.action in (ReportEvent.Action.RETURN, ReportEvent.Action.REOPEN):
            return list(event.reasons.all())
    return []


def reasons_by_target(reasons: list[ReturnReason]) -> dict[str, list[ReturnReason]]:
    out: dict[str, list[ReturnReason]] = defaultdict(list)
    for reason in reasons:
        out[reason.target].append(reason)
    return out


def target_label(target: str) -> str:
    """What a return reason is attached to, as the user reads it."""
    if target.startswith("section:"):
        code = target.split(":", 1)[1]
        if code in Report.SECTIONS:
            return str(Report._meta.get_field(code).verbose_name)
    if target.startswith("figure:"):
        fig = F_.BY_CODE.get(target.split(":", 1)[1])
        if fig is not None:
            return str(fig.label)
    return _("Toàn bộ báo cáo")


def reason_targets() -> list[tuple[str, list[tuple[str, str]]]]:
    """The choices of a return reason's target, grouped (for a <select> with <optgroup>)."""
    return [
        (_("Chung"), [("", _("Toàn bộ báo cáo"))]),
        (_("Phần nội dung"), [(f"section:{code}", str(Report._meta.get_field(code).verbose_name))
                                   for code in Report.SECTIONS]),
        (_("Số liệu"), [(f"figure:{f.code}", str(f.label)) for f in F_.FIGURES]),
    ]


@dataclass
class FigureRow:
    figure: F_.Figure
    value: str
    #: The computed value (a cell: from its records; a committee: the sum over approved children).
    computed: int | None = None
    #: What the unit typed (typed figures only), or the raw text typed when it was refused.
    typed: object = None
    difference: int | None = None
    reasons: list[ReturnReason] = field(default_factory=list)
    #: Messages about what was typed (set by the page when a save is refused).
    errors: list[str] = field(default_factory=list)


def figure_groups(report: Report, *, reasons: dict[str, list[ReturnReason]] | None = None,
                  typed_input: dict[str, str] | None = None) -> list[tuple[str, list[FigureRow]]]:
    """The figures table: every figure of the registry, grouped, with its value as the report stands
    (the frozen figures once approved). No query."""
    values = rollup.effective(report)
    typed_saved = report.typed_figures or {}
    if report.state == State.APPROVED and report.snapshot:
        computed_source = report.snapshot.get("computed", report.figures)
        typed_saved = report.snapshot.get("typed", typed_saved)
    else:
        computed_source = report.figures
    reasons = reasons or {}
    out = []
    # a cell's page shows no committee figure; a period of several years adds each year's classification
    year_groups = [(_("Đánh giá, xếp loại năm %(year)s") % {"year": year}, figs)
                   for year, figs in F_.per_year(values, report.level)]
    year_groups += [(_("Đăng ký làm theo năm %(year)s") % {"year": year}, figs)
                    for year, figs in F_.pledges_per_year(values, report.level)]
    years = rollup.classification_years(report.round)
    for group, figs in F_.groups(report.level) + year_groups:
        rows = []
        for fig in (F_.in_terms(f, years) for f in figs):
            row = FigureRow(figure=fig, value=fig.display_value(values), reasons=reasons.get(f"figure:{fig.code}", []))
            if fig.is_typed:
                row.computed = int(computed_source.get(fig.code, 0) or 0)
                saved = typed_saved.get(fig.code)
                row.typed = typed_input.get(fig.code, "") if typed_input is not None else saved
                if saved is not None and report.level != Level.CELL:
                    row.difference = int(saved) - row.computed
            rows.append(row)
        out.append((str(group), rows))
    return out


# -- the figure drill-down ------------------------------------------------------------------------

@dataclass
class ChildValue:
    report: Report
    value: str
    counted: bool


def figure_children(report: Report, fig: F_.Figure, children: list[Report]) -> list[ChildValue]:
    """One row per child report with its value of the figure; only approved children are counted.
    No query (the children are read by children_of)."""
    return [
        ChildValue(report=c, value=fig.display_value(rollup.effective(c)), counted=c.state == State.APPROVED)
        for c in children
    ]


@dataclass
class FigureRecords:
    """The records behind one figure of a cell: `kind` names the template that lists them."""

    kind: str
    rows: list = field(default_factory=list)
    note: str = ""


@dataclass
class MonthRow:
    year: int
    month: int
    review: MonthlyReview | None
    held: bool

    @property
    def label(self) -> str:
        return f"{self.month}/{self.year}"


#: The template listing each source's rows, by model.
RECORD_KINDS = {
    "Membership": "members", "Pledge": "pledges", "MonthlyReview": "reviews", "ReviewEntry": "entries",
    "Commendation": "commendations", "ModelExample": "models", "MemberClassification": "member_classes",
    "OrganizationClassification": "org_classes",
}
RECORD_LIMIT = 2_000


def _ordered(qs: QuerySet, model) -> QuerySet:
    if model.__name__ == "Membership":
        return qs.select_related("member").order_by(vi_order("member__full_name"), "pk")
    if model is Pledge:
        return qs.select_related("member", "organization").order_by("kind", vi_order("member__full_name"), "pk")
    if model is MonthlyReview:
        return qs.order_by("year", "month")
    if model is ReviewEntry:
        return qs.select_related("member", "review").order_by("review__year", "review__month", vi_order("member__full_name"), "pk")
    if model is Commendation:
        return qs.select_related("recipient_member", "recipient_org").order_by("awarded_on", "pk")
    if model is ModelExample:
        return qs.select_related("member").order_by("year", "kind", "pk")
    if model is MemberClassification:
        return qs.select_related("member").order_by(vi_order("member__full_name"), "pk")
    if model is OrganizationClassification:
        return qs.select_related("organization").order_by("pk")
    return qs


def figure_records(report: Report, fig: F_.Figure, today: dt.date | None = None) -> FigureRecords | None:
    """The records of a cell behind one of its figures: the very rows rollup.cell_figures counts
    (rollup.Source). None when the figure is not counted from records (structure, typed, ratio).
    Two queries at most; at most RECORD_LIMIT rows."""
    if report.level != Level.CELL:
        return None
    rnd = report.round
    if fig.code == "meetings_expected":
        return FigureRecords(kind="months", rows=_months(report, today))
    source = rollup.source_of(rnd, fig.code, today)
    if source is None:
        return None
    qs = _ordered(source.rows_for(fig.code, report.organization_id), source.model)
    rows = list(qs[:RECORD_LIMIT + 1])
    note = ""
    if len(rows) > RECORD_LIMIT:
        rows = rows[:RECORD_LIMIT]
        note = _("Chỉ hiển thị %(n)s dòng đầu.") % {"n": formats.number(RECORD_LIMIT)}
    return FigureRecords(kind=RECORD_KINDS[source.model.__name__], rows=rows, note=note)


def _months(report: Report, today: dt.date | None) -> list[MonthRow]:
    """The months a cell had to meet in the round's window, with its record of each (if any). Two queries."""
    window = rollup.review_window(report.round, today)
    unit = Organization.objects.only("valid_from", "valid_to").get(pk=report.organization_id)
    reviews = {
        (r.year, r.month): r
        for r in MonthlyReview.objects.filter(rollup._in_window(window), cell_id=report.organization_id)
    }
    rows = []
    for index in rollup.expected_month_range(unit.valid_from, unit.valid_to, window):
        year, month0 = divmod(index, 12)
        review = reviews.get((year, month0 + 1))
        rows.append(MonthRow(year=year, month=month0 + 1, review=review,
                             held=review is not None and review.state in rollup.HELD_STATES))
    return rows
