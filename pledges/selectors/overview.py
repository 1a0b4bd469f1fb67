"""The overview pages: a cell's year, and a committee's month across its subtree.

Each selector runs a fixed number of queries, whatever the number of members or cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Left, Length

from organizations.models import Level, Member, Membership, Organization
from organizations.text import fold, vi_order

from ..models import MonthlyReview, Pledge, ReviewEntry
from ..periods import is_future_month, month_bounds, overlaps, today, year_bounds
from .members import member_sort_key
from .reviews import with_attendance

STEPLEN = Organization.steplen
State = MonthlyReview.State

#: A month with no record yet, and a month that has not come.
NONE = "none"
FUTURE = "future"
#: Every status a month can show, in the order the overview counts them.
STATUSES = (NONE, State.DRAFT.value, State.SUBMITTED.value, State.RETURNED.value, State.ACCEPTED.value, FUTURE)
#: What "not yet submitted" means for a committee following its cells.
MISSING = (NONE, State.DRAFT.value, State.RETURNED.value)


# -- a cell's year ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthSlot:
    """One month of a cell's year: the record's status and its derived attendance."""

    month: int
    status: str  # one of STATUSES
    review_id: int | None = None
    version: int | None = None
    meeting_date: dt.date | None = None
    present: int = 0
    absent: int = 0
    exemplary: int = 0
    criticised: int = 0


@dataclass(frozen=True)
class GridCell:
    """One member in one month: whether they belonged to the cell, and their saved row."""

    month: int
    belonged: bool
    present: bool | None = None  # None: no row saved
    rating: str | None = None
    exemplary: bool = False
    criticised: bool = False


@dataclass
class MemberYear:
    member: Member
    pledge_kind: str | None  # Pledge.Kind value, None if not registered
    months: list[GridCell] = field(default_factory=list)


@dataclass
class CellYear:
    cell: Organization
    year: int
    months: list[MonthSlot]
    members: list[MemberYear]
    counts: dict[str, int]  # status -> number of months


def _belonged_months(periods: list[tuple[dt.date, dt.date | None]], year: int) -> set[int]:
    months = set()
    for month in range(1, 13):
        first, following = month_bounds(year, month)
        if any(start < following and (end is None or end > first) for start, end in periods):
            months.add(month)
    return months


def cell_year(*, cell: Organization, year: int) -> CellYear:
    """The 12 months' statuses of a cell and its members × months grid of rows. Four queries."""
    now = today()
    reviews = {
        r["month"]: r
        for r in with_attendance(MonthlyReview.objects.filter(cell=cell, year=year)).values(
            "id", "month", "state", "version", "meeting_date",
            "present_count", "absent_count", "exemplary_count", "criticised_count",
        )
    }
    months = []
    for month in range(1, 13):
        r = reviews.get(month)
        if r is None:
            months.append(MonthSlot(month=month, status=FUTURE if is_future_month(year, month, now=now) else NONE))
            continue
        months.append(MonthSlot(
            month=month, status=r["state"], review_id=r["id"], version=r["version"],
            meeting_date=r["meeting_date"], present=r["present_count"], absent=r["absent_count"],
            exemplary=r["exemplary_count"], criticised=r["criticised_count"],
        ))
    counts = dict.fromkeys(STATUSES, 0)
    for slot in months:
        counts[slot.status] += 1

    start, end = year_bounds(year)
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    members: dict[int, Member] = {}
    for ms in Membership.objects.filter(overlaps(start, end), cell=cell).select_related("member"):
        members[ms.member_id] = ms.member
        periods.setdefault(ms.member_id, []).append((ms.start, ms.end))
    rows_by_member: dict[tuple[int, int], dict] = {}
    pledge_kinds: dict[int, str] = {}
    if members:
        for e in ReviewEntry.objects.filter(review__cell=cell, review__year=year).values(
            "member_id", "review__month", "present", "rating", "exemplary", "criticised"
        ):
            rows_by_member[(e["member_id"], e["review__month"])] = e
        pledge_kinds = dict(
            Pledge.objects.filter(year=year, member_id__in=list(members)).values_list("member_id", "kind")
        )
    grid = []
    for member in sorted(members.values(), key=member_sort_key):
        belonged = _belonged_months(periods[member.pk], year)
        cells = []
        for month in range(1, 13):
            e = rows_by_member.get((member.pk, month))
            if month not in belonged:
                cells.append(GridCell(month=month, belonged=False))
            elif e is None:
                cells.append(GridCell(month=month, belonged=True))
            else:
                cells.append(GridCell(
                    month=month, belonged=True, present=e["present"], rating=e["rating"],
                    exemplary=e["exemplary"], criticised=e["criticised"],
                ))
        grid.append(MemberYear(member=member, pledge_kind=pledge_kinds.get(member.pk), months=cells))
    return CellYear(cell=cell, year=year, months=months, members=grid, counts=counts)


# -- a committee's month ------------------------------------------------------------------------
@dataclass(frozen=True)
class CellMonthRow:
    """One cell of the subtree in the month."""

    cell: Organization
    parent: Organization | None
    status: str  # one of STATUSES
    review_id: int | None
    version: int | None
    meeting_date: dt.date | None
    submitted_at: dt.datetime | None
    expected: int  # members who belonged to the cell in the month
    present: int
    absent: int
    exemplary: int
    criticised: int


class MonthRows(Sequence):
    """A committee's rows for the month, read from the database a slice at a time: the province's
    month has thousands of cells and a page shows 200, so only that page's rows are built. Its
    length comes from the counts already made; iterating reads every row in one query."""

    def __init__(self, qs, total: int):
        self._qs, self._total = qs, total

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _month_rows(list(self._qs[index]))
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        return _month_rows(list(self._qs[index:index + 1]))[0]

    def __iter__(self):
        return iter(_month_rows(list(self._qs)))


def _month_rows(cells: list[Organization]) -> list[CellMonthRow]:
    """Rows for annotated cells, with their parents (one query)."""
    parents = {}
    if cells:
        parent_paths = {c.path[:-STEPLEN] for c in cells if c.depth > 1}
        parents = {o.path: o for o in Organization.objects.filter(path__in=parent_paths)}
    return [
        CellMonthRow(
            cell=c, parent=parents.get(c.path[:-STEPLEN]), status=c.status, review_id=c.review_id,
            version=c.review_version, meeting_date=c.meeting_date, submitted_at=c.submitted_at,
            expected=c.expected, present=c.present, absent=c.absent, exemplary=c.exemplary,
            criticised=c.criticised,
        )
        for c in cells
    ]


@dataclass
class CommitteeMonth:
    unit: Organization
    year: int
    month: int
    rows: MonthRows
    counts: dict[str, int]  # status -> number of cells (over all cells, also with only_missing)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _count(qs, group: str):
    """A correlated COUNT(*) subquery, 0 when there are no rows."""
    return Coalesce(
        Subquery(qs.order_by().values(group).annotate(n=Count("*")).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def _cells_in_month(unit: Organization, year: int, month: int):
    """Cells of the unit's subtree that existed during the month (the current ones for this month)."""
    start, end = month_bounds(year, month)
    return Organization.objects.filter(path__startswith=unit.path, level=Level.CELL, valid_from__lt=end).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=start)
    )


def committee_month(*, unit: Organization, year: int, month: int, only_missing: bool = False,
                    only_waiting: bool = False, search: str = "") -> CommitteeMonth:
    """Every cell in the unit's subtree with its record's status for the month, and counts per status.

    `search` keeps the cells whose name contains it, without diacritics (one more query, the count).
    Three queries whatever the number of cells: the counts per status, then for the rows read (a
    page, a slice) the rows themselves (statuses and attendance are correlated subqueries) and
    their parents.
    """
    future = is_future_month(year, month)
    start, end = month_bounds(year, month)
    cells = _cells_in_month(unit, year, month)
    review = MonthlyReview.objects.filter(cell=OuterRef("pk"), year=year, month=month)
    entries = ReviewEntry.objects.filter(review__cell=OuterRef("pk"), review__year=year, review__month=month)
    members = Membership.objects.filter(overlaps(start, end), cell=OuterRef("pk"))
    status = Coalesce(Subquery(review.values("state")[:1]), Value(FUTURE if future else NONE))

    counts = dict.fromkeys(STATUSES, 0)
    for row in cells.annotate(status=status).values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]

    rows_qs = cells.annotate(
        status=status,
        review_id=Subquery(review.values("pk")[:1]),
        review_version=Subquery(review.values("version")[:1]),
        meeting_date=Subquery(review.values("meeting_date")[:1]),
        submitted_at=Subquery(review.values("submitted_at")[:1]),
        present=_count(entries.filter(present=True), "review__cell"),
        absent=_count(entries.filter(present=False), "review__cell"),
        exemplary=_count(entries.filter(exemplary=True), "review__cell"),
        criticised=_count(entries.filter(criticised=True), "review__cell"),
        expected=Coalesce(
            Subquery(
                members.order_by().values("cell").annotate(n=Count("member", distinct=True)).values("n")[:1],
                output_field=IntegerField(),
            ),
            Value(0),
        ),
        # the parent's name, to list the cells by their committee then by name, both in Vietnamese order
        parent_name=Subquery(Organization.objects.filter(
            path=Left(OuterRef("path"), Length(OuterRef("path")) - Organization.steplen)).values("name")[:1]),
    ).order_by(vi_order("parent_name"), vi_order("name"), "id")
    total = sum(counts.values())
    if only_missing:
        rows_qs = rows_qs.filter(status__in=MISSING)
        total = sum(counts[s] for s in MISSING)
    elif only_waiting:  # "Chờ duyệt": sent, not decided yet
        rows_qs = rows_qs.filter(status=MonthlyReview.State.SUBMITTED)
        total = counts[MonthlyReview.State.SUBMITTED]
    if search.strip():
        rows_qs = rows_qs.filter(search_key__contains=fold(search))
        total = rows_qs.count()
    return CommitteeMonth(unit=unit, year=year, month=month, rows=MonthRows(rows_qs, total), counts=counts)


__all__ = [
    "FUTURE", "MISSING", "NONE", "STATUSES", "CellMonthRow", "CellYear", "CommitteeMonth", "GridCell",
    "MemberYear", "MonthSlot", "cell_year", "committee_month",
]
