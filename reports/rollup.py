"""Figures for a round: cells from their records (a few GROUP BY queries for all cells at once),
committees as the sums over their approved children, bottom-up."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Count,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from organizations.models import Level, Membership, Organization
from pledges.models import (
    Commendation,
    Grade,
    MemberClassification,
    ModelExample,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    ReviewEntry,
)

from . import figures as F_
from .models import CellChange, Report, ReportCount, ReportingRound

HELD_STATES = (MonthlyReview.State.SUBMITTED, MonthlyReview.State.ACCEPTED)


def _month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def review_window(rnd: ReportingRound, today: dt.date | None = None) -> tuple[int, int]:
    """Months (as year*12+month-1, inclusive) whose meetings count: the period up to the cut-off
    and never past the current month."""
    today = today or timezone.localdate()
    last = min(rnd.period_end, rnd.cutoff, today)
    return _month_index(rnd.period_start), _month_index(last)


def expected_month_range(valid_from: dt.date, valid_to: dt.date | None, window: tuple[int, int]) -> range:
    """The months (as month indexes) of the window in which a unit existed and had to meet."""
    start = max(window[0], _month_index(valid_from))
    # valid_to is exclusive: the unit existed in the month before valid_to's day 1 only if valid_to > day 1
    end = window[1]
    if valid_to is not None:
        last_month = _month_index(valid_to - dt.timedelta(days=1))
        end = min(end, last_month)
    return range(start, end + 1)


def _expected_months(valid_from: dt.date, valid_to: dt.date | None, window: tuple[int, int]) -> int:
    return len(expected_month_range(valid_from, valid_to, window))


def _in_window(window: tuple[int, int], prefix: str = "") -> Q:
    lo_y, lo_m = divmod(window[0], 12)
    hi_y, hi_m = divmod(window[1], 12)
    y, m = f"{prefix}year", f"{prefix}month"
    after_lo = Q(**{f"{y}__gt": lo_y}) | Q(**{y: lo_y, f"{m}__gte": lo_m + 1})
    before_hi = Q(**{f"{y}__lt": hi_y}) | Q(**{y: hi_y, f"{m}__lte": hi_m + 1})
    return after_lo & before_hi


def classification_years(rnd: ReportingRound) -> list[int]:
    """The years whose year-end classification the round counts: those whose 31 December falls in the
    period (a 2011–2014 round: four years; a half-year round: none)."""
    return [y for y in range(rnd.period_start.year, rnd.period_end.year + 1)
            if rnd.period_start <= dt.date(y, 12, 31) <= rnd.period_end]


def pledge_years(rnd: ReportingRound) -> list[int]:
    """The years whose pledges a round of several years gives one by one (each year has its own pledges,
    registered at its start); empty for a round within one year, whose pledges are that year's."""
    years = list(range(rnd.period_start.year, rnd.period_end.year + 1))
    return years if len(years) > 1 else []


def _pledge_aggregates(year: int | None = None) -> dict[str, Aggregate]:
    """The pledge figures of the members a Membership source counts (those of the cell on one day), with
    the pledge of the year (relation `year_pledge`); `year` given: keyed as that year's figures."""
    set_example, exemplary = Pledge.Kind.SET_EXAMPLE, Pledge.Kind.EXEMPLARY
    aggregates = {
        "pledged": Count("member_id", distinct=True, filter=Q(year_pledge__isnull=False)),
        "pledged_set_example": Count("member_id", distinct=True, filter=Q(year_pledge__kind=set_example)),
        "key_cadres_set_example": Count("member_id", distinct=True, filter=Q(
            member__is_key_cadre=True, year_pledge__kind=set_example)),
        "pledged_exemplary": Count("member_id", distinct=True, filter=Q(year_pledge__kind=exemplary)),
    }
    if year is None:
        return aggregates
    aggregates |= {"members": Count("member_id", distinct=True),
                   "key_cadres": Count("member_id", distinct=True, filter=Q(member__is_key_cadre=True))}
    return {F_.yearly(code, year): aggregate for code, aggregate in aggregates.items()}


def commendation_years(rnd: ReportingRound) -> Q:
    """Commendations count in the year they reward ("năm thành tích"), whenever they were decided (a
    Giấy khen for 2014 decided on 15/01/2015 counts in a 2011–2014 round). In a period that ends before
    its last year does, that year's commendations count when decided within the period."""
    start, end = rnd.period_start, rnd.period_end
    last = Q(year=end.year)
    if (end.month, end.day) != (12, 31):
        last &= Q(awarded_on__lte=end)
    return Q(year__gte=start.year, year__lt=end.year) | last


def _graded(prefix: str, years: list[int]) -> dict[str, Aggregate]:
    """Counts per grade: over all the years, and (for several years) per year ('members_good@2012')."""
    out: dict[str, Aggregate] = {f"{prefix}_{g}": Count("id", filter=Q(grade=g)) for g in Grade.values}
    if len(years) > 1:
        for y in years:
            out.update({F_.yearly(f"{prefix}_{g}", y): Count("id", filter=Q(grade=g, year=y)) for g in Grade.values})
    return out


@dataclass(frozen=True)
class Source:
    """One kind of record a cell's figures are counted from: the rows that count (`where`, for the
    round), the field naming the cell, and one aggregate per figure. The aggregate's own `filter` says
    which of those rows a figure counts, so the roll-up and the drill-down (selectors.py) list and
    count the very same rows."""

    model: type[models.Model]
    cell_field: str
    where: Q
    aggregates: dict[str, Aggregate]
    #: joins the aggregates refer to (at most one row each: they never multiply the rows)
    relations: dict[str, FilteredRelation] = field(default_factory=dict)

    def rows(self, cell_ids) -> QuerySet:
        # a FilteredRelation is bound to the query it is added to: a fresh copy for each
        qs = self.model.objects.annotate(**{k: r.clone() for k, r in self.relations.items()})
        return qs.filter(self.where, **{f"{self.cell_field}__in": cell_ids})

    def rows_for(self, code: str, cell_id: int) -> QuerySet:
        """The rows behind one figure of one cell."""
        qs = self.rows([cell_id])
        condition = self.aggregates[code].filter
        return qs.filter(condition) if condition is not None else qs


def current_on(on: dt.date, prefix: str = "") -> Q:
    """A Membership current on `on` (end is exclusive)."""
    return Q(**{f"{prefix}start__lte": on}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": on}))


def held_reviews(window: tuple[int, int], prefix: str = "") -> Q:
    """Monthly meetings that count as held: in the window, submitted or accepted."""
    return _in_window(window, prefix) & Q(**{f"{prefix}state__in": HELD_STATES})


def sources(rnd: ReportingRound, today: dt.date | None = None) -> list[Source]:
    """The records behind a cell's figures in a round, one Source per model."""
    window = review_window(rnd, today)
    year = rnd.period_end.year

    out = [
        # the pledge figures count the same people as `members` (the cell's members at the cut-off),
        # so their shares never pass 100%: a member who left is counted where they are now, and a
        # pledge counts wherever it was registered. One pledge per member and year: the join keeps
        # one row per membership (an EXISTS per figure instead took 1.2 s on the medium province).
        Source(Membership, "cell_id", current_on(rnd.cutoff), {
            "members": Count("member_id", distinct=True),
            "key_cadres": Count("member_id", distinct=True, filter=Q(member__is_key_cadre=True)),
            **_pledge_aggregates(),
        }, relations={"year_pledge": FilteredRelation("member__pledges", condition=Q(member__pledges__year=year))}),
        Source(Pledge, "cell_id", Q(year=year, member__isnull=True), {
            "collective_pledges": Count("id", filter=Q(kind=Pledge.Kind.COLLECTIVE)),
        }),
        Source(MonthlyReview, "cell_id", held_reviews(window), {
            "meetings_held": Count("id"),
            "directive_minutes": Sum("directive_minutes"),
        }),
        Source(ReviewEntry, "review__cell_id", held_reviews(window, "review__"), {
            "attendance_expected": Count("id"),
            "attendance_present": Count("id", filter=Q(present=True)),
            "exemplary_records": Count("id", filter=Q(exemplary=True)),
            "criticised": Count("id", filter=Q(criticised=True)),
        }),
        Source(Commendation, "organization_id", commendation_years(rnd), {
            "commendations_collective": Count("id", filter=Q(recipient_org__isnull=False)),
            "commendations_individual": Count("id", filter=Q(recipient_member__isnull=False)),
            "commendations_merit": Count("id", filter=Q(kind=Commendation.Kind.MERIT)),
            "commendations_certificate": Count("id", filter=Q(kind=Commendation.Kind.CERTIFICATE)),
            "commendations_other": Count("id", filter=Q(kind=Commendation.Kind.OTHER)),
        }),
        Source(ModelExample, "organization_id",
               Q(year__gte=rnd.period_start.year, year__lte=rnd.period_end.year), {
            "models": Count("id", filter=Q(kind=ModelExample.Kind.MODEL)),
            "examples": Count("id", filter=Q(kind=ModelExample.Kind.EXAMPLE)),
        }),
    ]
    # a round of several years: each year's pledges, as a share of the cell's members at that year's end (the
    # last year's equal the figures above when the round ends on 31 December)
    by_year = pledge_years(rnd)
    for y in by_year:
        on = min(dt.date(y, 12, 31), rnd.cutoff)
        out.append(Source(Membership, "cell_id", current_on(on), _pledge_aggregates(y), relations={
            "year_pledge": FilteredRelation("member__pledges", condition=Q(member__pledges__year=y))}))
    if by_year:
        out.append(Source(Pledge, "cell_id", Q(year__in=by_year, member__isnull=True), {
            F_.yearly("collective_pledges", y): Count("id", filter=Q(kind=Pledge.Kind.COLLECTIVE, year=y))
            for y in by_year}))
    years = classification_years(rnd)
    if years:
        out += [
            Source(MemberClassification, "cell_id", Q(year__in=years), _graded("members", years)),
            Source(OrganizationClassification, "organization_id", Q(year__in=years), _graded("cells", years)),
        ]
    return out


def source_of(rnd: ReportingRound, code: str, today: dt.date | None = None) -> Source | None:
    """The source a cell's figure is counted from (None: structure, typed, ratio, or not counted
    in this round, e.g. classifications in a half-year round)."""
    return next((s for s in sources(rnd, today) if code in s.aggregates), None)


def _prefilled(counted: Iterable[str], units, window: tuple[int, int]) -> dict[int, dict[str, int]]:
    """Every cell's figures before its records are counted: zeros (`counted`: the codes of the round's
    Sources, incl. the figures of each year), and what the round's tree gives. `units`: (id, valid_from,
    valid_to)."""
    counted = list(counted)
    out: dict[int, dict[str, int]] = {}
    for pk, valid_from, valid_to in units:
        figs = F_.empty() | dict.fromkeys(counted, 0)
        figs.update(cells_expected=1, cells_reporting=1,
                    meetings_expected=_expected_months(valid_from, valid_to, window))
        out[pk] = figs
    return out


def cell_figures(rnd: ReportingRound, cells: Iterable[Organization] | None = None,
                 today: dt.date | None = None) -> dict[int, dict[str, int]]:
    """Figures of cells from their records: {cell id: {code: count}}.

    `cells` None = every cell of the round: one grouped ORM query per Source, the cells by subquery,
    so the number of queries does not depend on the number of cells (cell_figures_per_source); several
    cells: the same, the cells listed. ONE cell (what a monthly record's decision refreshes): ONE
    statement, compiled once per process for the round's dates and window and run with only the cell
    id swapped in (_one_cell). Both give the same figures (tests/test_one_cell.py)."""
    if cells is not None:
        cells = list(cells)
        if len({c.pk for c in cells}) == 1:
            cell = cells[0]
            return _one_cell(rnd, cell.pk, (cell.valid_from, cell.valid_to), today)
    return cell_figures_per_source(rnd, cells, today)


def cell_figures_per_source(rnd: ReportingRound, cells: Iterable[Organization] | None = None,
                            today: dt.date | None = None) -> dict[int, dict[str, int]]:
    """cell_figures as one ORM query per Source (`cells` None: every cell of the round, by subquery).
    The whole-round refresh uses it; it is also the reference the one-statement path is checked against."""
    if cells is None:
        cell_ids = Report.objects.filter(round=rnd, level=Level.CELL).values("organization_id")
        units = list(Organization.objects.filter(pk__in=cell_ids).values_list("pk", "valid_from", "valid_to"))
        ids_filter = cell_ids
    else:
        units = [(c.pk, c.valid_from, c.valid_to) for c in cells]
        ids_filter = [u[0] for u in units]
    window = review_window(rnd, today)
    srcs = sources(rnd, today)
    out = _prefilled((code for source in srcs for code in source.aggregates), units, window)
    for source in srcs:
        rows = source.rows(ids_filter).values(source.cell_field).annotate(**source.aggregates).order_by()
        for row in rows:
            target = out.get(row[source.cell_field])
            if target is None:
                continue
            for code in source.aggregates:
                target[code] += int(row[code] or 0)
    return out


# -- statements compiled once, run with other ids ------------------------------------------------

#: Stand-ins for the ids a statement is compiled with (never a primary key: those are positive); the
#: real ids replace them among the compiled parameters.
_SENTINEL = -7_340_032_001
#: Compiled statements kept per process (least recently used dropped first).
_STATEMENTS_MAX = 128
_statements: OrderedDict[tuple, _Compiled] = OrderedDict()
_statements_lock = threading.Lock()


def _sentinels(n: int) -> list[int]:
    return [_SENTINEL - i for i in range(n)]


@dataclass(frozen=True)
class _Compiled:
    """SQL compiled once with sentinel ids (`_sentinels`), and where in its parameters each id goes."""

    sql: str
    params: tuple
    #: (index in params, index of the id that goes there)
    slots: tuple[tuple[int, int], ...]
    #: what the statement's columns are (for the caller)
    columns: tuple = ()

    @classmethod
    def of(cls, sql: str, params, expected: list[int], columns: tuple = ()) -> _Compiled:
        """`expected[k]`: how many times the k-th sentinel must be among the parameters (ValueError if
        not, e.g. a backend that wrote an id into the SQL text itself)."""
        index = {s: k for k, s in enumerate(_sentinels(len(expected)))}
        slots = tuple((pos, index[p]) for pos, p in enumerate(params) if type(p) is int and p in index)
        found = [0] * len(expected)
        for _pos, k in slots:
            found[k] += 1
        if found != expected:
            raise ValueError(f"ids not found as parameters of the compiled SQL: {found} != {expected}")
        return cls(sql, tuple(params), slots, columns)

    def run(self, ids: list[int]) -> list[tuple]:
        params = list(self.params)
        for pos, k in self.slots:
            params[pos] = ids[k]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()


def _compiled(key: tuple, build) -> _Compiled:
    """The statement of `key` (the connection's vendor and alias are added), compiled by `build()`
    the first time in this process."""
    key = (connection.vendor, connection.alias, *key)
    with _statements_lock:
        found = _statements.get(key)
        if found is not None:
            _statements.move_to_end(key)
            return found
    found = build()  # outside the lock: two threads may both compile it once, the same SQL
    with _statements_lock:
        _statements[key] = found
        while len(_statements) > _STATEMENTS_MAX:
            _statements.popitem(last=False)
    return found


def _sql(qs: QuerySet) -> tuple[str, tuple]:
    return qs.query.get_compiler(qs.db).as_sql()


def _as_date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _one_statement(rnd: ReportingRound, today: dt.date | None) -> _Compiled:
    """Every Source of the round for ONE cell in ONE statement, on PostgreSQL and SQLite. Its id: the
    cell's. Columns: id, valid_from, valid_to, then one per figure (`columns`); no row if no such unit.

    The cell (its dates) CROSS JOINed with each Source's grouped query as cell_figures_per_source
    writes it, for that cell, under an aggregate without GROUP BY (`SELECT MAX(g.members), … FROM
    (grouped query) g`: the grouped query has at most one row, so MAX is its value, NULL for none; and
    the planner knows it is one row). LEFT JOINs of the grouped queries on the cell id gave the same
    figures, but PostgreSQL multiplied the joins' row estimates: for a multi-year round's 12 Sources
    the cost passed jit_above_cost and JIT compilation took 80 ms of a statement that runs in 1 ms.
    Several cells in one statement (UNION ALL of this) measured slower than one query per Source from
    about 3 cells on (planning time, parallel plans), hence one cell only.

    Cached per process by everything the SQL depends on: the round (its kind and dates: period,
    cut-off, hence the years) and the window of months (`review_window(rnd, today)`, which moves with
    today)."""
    window = review_window(rnd, today)
    key = ("cell", rnd.pk, rnd.kind, rnd.period_start, rnd.period_end, rnd.cutoff, window)

    def build() -> _Compiled:
        ids = _sentinels(1)
        qn = connection.ops.quote_name
        cells_sql, params = _sql(Organization.objects.filter(pk__in=ids).order_by()
                                 .values("id", "valid_from", "valid_to"))
        params = list(params)
        froms, columns, codes = [f"({cells_sql}) c"], [], []
        for i, source in enumerate(sources(rnd, today)):
            sql, p = _sql(source.rows(ids).values(source.cell_field).annotate(**source.aggregates).order_by())
            maxima = []
            for code in source.aggregates:
                column = qn(f"v{len(codes)}")
                maxima.append(f"MAX(g.{qn(code)}) AS {column}")
                columns.append(f"s{i}.{column}")
                codes.append(code)
            froms.append(f"(SELECT {', '.join(maxima)} FROM ({sql}) g) s{i}")
            params += p
        sql = (f"SELECT c.{qn('id')}, c.{qn('valid_from')}, c.{qn('valid_to')}, {', '.join(columns)} "
               f"FROM {' CROSS JOIN '.join(froms)}")
        return _Compiled.of(sql, params, [len(froms)], tuple(codes))

    return _compiled(key, build)


def _one_cell(rnd: ReportingRound, cell_id: int, dates: tuple[dt.date, dt.date | None] | None = None,
              today: dt.date | None = None) -> dict[int, dict[str, int]]:
    """cell_figures of one cell in one statement (_one_statement): {cell id: figures}, {} if no such
    unit. `dates`: the cell's (valid_from, valid_to) as the caller has them; None: as the statement
    reads them."""
    statement = _one_statement(rnd, today)
    rows = statement.run([cell_id])
    if not rows:
        return {}
    codes = statement.columns
    (pk, valid_from, valid_to, *values), = rows
    if dates is None:
        dates = (_as_date(valid_from), _as_date(valid_to))
    figs = _prefilled(codes, [(pk, *dates)], review_window(rnd, today))[pk]
    for code, value in zip(codes, values, strict=True):
        figs[code] += int(value or 0)
    return {pk: figs}


def effective(report: Report) -> dict[str, int]:
    """The figures a report stands for: the frozen ones once approved, else live + typed."""
    if report.state == Report.State.APPROVED and report.snapshot:
        return report.snapshot["figures"]
    return {**report.figures, **{k: v for k, v in (report.typed_figures or {}).items() if v is not None}}


def sum_children(children: Iterable[Report]) -> dict[str, int]:
    """A committee's computed figures: the sums over its approved children."""
    return _sum_figures(effective(child) for child in children if child.state == Report.State.APPROVED)


def _sum_figures(approved: Iterable[dict[str, int]]) -> dict[str, int]:
    """The sums of approved children's effective figures (sum_children)."""
    total = F_.empty()
    unknown: set[str] = set()
    for figs in approved:
        F_.add(total, figs)
        if figs:
            unknown.update(code for code in F_.SUMMED if code not in figs)
    # a child frozen before a figure existed: its sum is not known either (shown as "–")
    for code in unknown:
        del total[code]
    return total


#: Bump when how a cell's figures are counted changes without a change of their codes: every cell
#: report's figures_key then differs, and the next refresh_round recomputes them all.
FIGURES_REVISION = 1


def figures_key(rnd: ReportingRound, today: dt.date | None = None) -> str:
    """What a cell's live figures depend on besides its records (which its change mark follows): the
    round's period and cut-off, the months whose meetings count so far (review_window, which moves as
    months pass until the period ends: meetings_expected grows) and the figures counted (a digest of their
    codes, with FIGURES_REVISION). A cell report stored with another key is stale. At most 80 characters:
    '24312-24317/20260101-20260630/20260630/r1.3fa2c9d1'."""
    lo, hi = review_window(rnd, today)
    codes = [*F_.STORED, *sorted(code for source in sources(rnd, today) for code in source.aggregates)]
    digest = hashlib.blake2s(",".join(codes).encode(), digest_size=4).hexdigest()
    return (f"{lo}-{hi}/{rnd.period_start:%Y%m%d}-{rnd.period_end:%Y%m%d}/{rnd.cutoff:%Y%m%d}"
            f"/r{FIGURES_REVISION}.{digest}")


def change_mark() -> Coalesce:
    """A report's unit's change mark now (CellChange.version, 0 without a row), as an annotation: a LEFT
    JOIN (a correlated subquery made PostgreSQL's estimate large enough to compile the query, +10 ms)."""
    return Coalesce("organization__change_mark__version", Value(0), output_field=BigIntegerField())


def _mark_of(cell_id: int) -> int:
    return CellChange.objects.filter(cell_id=cell_id).values_list("version", flat=True).first() or 0


def stale(key: str) -> Q:
    """Cell reports (annotated with `mark`, see change_mark) whose live figures are stale: never computed
    with a version, computed for another key (figures_key), or computed before their cell's last change."""
    return Q(figures_version__isnull=True) | ~Q(figures_key=key) | Q(mark__gt=F("figures_version"))


#: The fields a refresh writes of a report whose figures changed (committees: the version and key as read).
FIGURE_FIELDS = ["figures", "figures_at", "figures_version", "figures_key"]
#: More stale cells than this: the whole round is recomputed (as cheap by then, and an IN list of the
#: cells stays under SQLite's historical limit of 999 parameters).
INCREMENTAL_MAX = 900


def refresh_round(rnd: ReportingRound, today: dt.date | None = None, *, full: bool = False) -> int:
    """Bring the round's live figures up to date; returns how many reports' figures changed.

    By default only the stale cells (`stale`: their change mark moved since their figures were computed,
    the months counted moved, or never computed) are recomputed (cell_figures for those cells), then the
    committees above them (the sums over their approved children, frozen figures only, and the kept cell
    counts): nothing stale costs one query and writes nothing. The stale cells' versions and keys are
    stored, the figures only where they changed. Over INCREMENTAL_MAX stale cells, or `full`: every
    report recomputed, as a round is opened, or after reports' states or snapshots were written in bulk
    (a committee's figures depend on its children's states and frozen figures, which no mark follows: the
    services refresh the committees above a report they approve or reopen)."""
    key = figures_key(rnd, today)
    if not full:
        found = _frozen_only(
            _light(Report.objects.filter(round=rnd, level=Level.CELL))
            .annotate(mark=change_mark()).filter(stale(key))
            .annotate(valid_from=F("organization__valid_from"), valid_to=F("organization__valid_to"))
        )
        if not found:
            return 0
        if len(found) <= INCREMENTAL_MAX:
            return _refresh_cells(rnd, found, key, today)
    return _refresh_all(rnd, key, today)


def _set_committee(report: Report, approved: Iterable[dict[str, int]], cells_expected: int, now: dt.datetime,
                   changed: list[Report]) -> None:
    """A committee's figures: the sums of its approved children's effective figures and its kept count of
    cells; set, and added to `changed`, when they differ from its stored ones."""
    figs = _sum_figures(approved)
    figs["cells_expected"] = cells_expected
    if figs != report.figures:
        report.figures, report.figures_at = figs, now
        changed.append(report)


def _store(cells: list[Report], computed: dict[int, dict[str, int]], key: str, now: dt.datetime,
           changed: list[Report]) -> list[Report]:
    """Set the cells' new figures (into `changed` when they differ), versions (the marks read) and key;
    returns the cells whose figures are unchanged but whose version or key is not."""
    marked = []
    for r in cells:
        figs = computed.get(r.organization_id, F_.empty())
        fresh = (r.figures_version, r.figures_key) == (r.mark, key)
        r.figures_version, r.figures_key = r.mark, key
        if r.figures != figs:
            r.figures, r.figures_at = figs, now
            changed.append(r)
        elif not fresh:
            marked.append(r)
    return marked


def _refresh_cells(rnd: ReportingRound, cells: list[Report], key: str, today: dt.date | None) -> int:
    """Recompute these cells (read with their marks and dates) and the committees above them."""
    units = [Organization(pk=r.organization_id, valid_from=r.valid_from, valid_to=r.valid_to) for r in cells]
    computed = cell_figures(rnd, units, today=today)
    ancestors = {int(pk) for r in cells for pk in r.tree_path.strip("/").split("/")[:-1]}
    by_unit = {r.organization_id: r for r in cells}
    if ancestors:
        for r in _frozen_only(_light(Report.objects.filter(round_id=rnd.pk).filter(
                Q(organization_id__in=ancestors) | Q(parent_id__in=ancestors)))):
            by_unit.setdefault(r.organization_id, r)  # a stale cell: the instance that gets its new figures
    children: dict[int, list[Report]] = defaultdict(list)
    for r in by_unit.values():
        if r.parent_id in ancestors:
            children[r.parent_id].append(r)
    expected = _cells_expected(rnd.pk, list(ancestors)) if ancestors else {}
    now = timezone.now()
    changed: list[Report] = []
    marked = _store(cells, computed, key, now, changed)
    # deepest first, so children are done before their parent
    for r in sorted((by_unit[pk] for pk in ancestors), key=lambda r: -r.tree_path.count("/")):
        _set_committee(r, [effective(c) for c in children.get(r.organization_id, [])
                           if c.state == Report.State.APPROVED], expected.get(r.organization_id, 0), now, changed)
    update_rows(changed, FIGURE_FIELDS)
    update_rows(marked, ["figures_version", "figures_key"])
    return len(changed)


def _refresh_all(rnd: ReportingRound, key: str, today: dt.date | None) -> int:
    """Every report of the round recomputed: the cells from their records, the committees bottom-up."""
    # only the frozen figures of the snapshots: not their sections (up to 150,000 characters each); the
    # marks read before the figures are computed (a change landing meanwhile leaves its cell stale)
    reports = _frozen_only(_light(Report.objects.filter(round=rnd)).annotate(mark=change_mark()))
    cells = cell_figures(rnd, today=today)
    by_parent: dict[int | None, list[Report]] = defaultdict(list)
    for r in reports:
        by_parent[r.parent_id].append(r)
    cell_count: dict[str, int] = defaultdict(int)
    for r in reports:
        if r.level == Level.CELL:
            parts = r.tree_path.strip("/").split("/")
            for i in range(1, len(parts) + 1):
                cell_count["/" + "/".join(parts[:i]) + "/"] += 1
    now = timezone.now()
    changed: list[Report] = []
    marked = _store([r for r in reports if r.level == Level.CELL], cells, key, now, changed)
    # deepest first, so children are done before their parent
    for r in sorted(reports, key=lambda r: -r.tree_path.count("/")):
        if r.level == Level.CELL:
            continue
        _set_committee(r, [effective(c) for c in by_parent.get(r.organization_id, [])
                           if c.state == Report.State.APPROVED], cell_count.get(r.tree_path, 0), now, changed)
    update_rows(changed, FIGURE_FIELDS)
    update_rows(marked, ["figures_version", "figures_key"])
    return len(changed)


def refresh_open_rounds(today: dt.date | None = None) -> dict[str, int]:
    """Bring every open round's live figures up to date (refresh_round, stale cells only): the daily task
    (reports.tasks.refresh_open_rounds), so that a cell's figures follow a member's transfer, an import or
    a restructuring without anyone opening its report. Safe to run twice or concurrently: a refresh that
    finds nothing stale writes nothing. Returns {"rounds": …, "changed": reports whose figures changed}."""
    rounds = list(ReportingRound.objects.filter(status=ReportingRound.Status.OPEN).order_by("pk"))
    changed = sum(refresh_round(rnd, today) for rnd in rounds)
    return {"rounds": len(rounds), "changed": changed}


#: rows per UPDATE statement of update_rows (PostgreSQL; SQLite is bounded by its parameter limit)
UPDATE_BATCH = 1000


def update_rows(objs: list[models.Model], fields: list[str]) -> None:
    """Save `fields` of many rows of one model: one set-based UPDATE per ~1,000 rows,
    `WITH v(pk, …) AS (VALUES (…), (…)) UPDATE t SET … FROM v WHERE t.pk = v.pk` (PostgreSQL, and
    SQLite >= 3.33, which has UPDATE … FROM but no column list on a VALUES alias: hence the CTE).

    Django's bulk_update builds a CASE WHEN per row and field (~15 s for the figures of the 4,258
    reports of the medium province); one UPDATE per row sent with executemany took 1.0–1.5 s; this
    0.4–0.7 s. Values are prepared by each field (JSON, aware datetimes) as the ORM does; on
    PostgreSQL each is cast to its column's type (a VALUES list has no types of its own)."""
    if not objs:
        return
    meta = objs[0]._meta
    qn = connection.ops.quote_name
    cols = [meta.get_field(name) for name in fields]
    names = ["pk"] + [f"c{i}" for i in range(len(cols))]
    if connection.vendor == "postgresql":
        casts = [meta.pk.db_type(connection)] + [c.db_type(connection) for c in cols]
        row = "(" + ", ".join(f"%s::{t}" for t in casts) + ")"
    else:
        row = "(" + ", ".join(["%s"] * len(names)) + ")"
    batch = UPDATE_BATCH
    limit = connection.features.max_query_params
    if limit:
        batch = max(1, min(batch, limit // len(names)))
    table = qn(meta.db_table)
    assignments = ", ".join(f"{qn(c.column)} = v.{n}" for c, n in zip(cols, names[1:], strict=True))
    params_of = [
        [obj.pk] + [c.get_db_prep_save(getattr(obj, c.attname), connection) for c in cols] for obj in objs
    ]
    # one transaction: in autocommit mode every statement would be its own commit (a WAL flush each);
    # inside one already, no savepoint (an error rolls the caller's transaction back anyway)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(params_of), batch):
            chunk = params_of[start:start + batch]
            sql = (f"WITH v({', '.join(names)}) AS (VALUES {', '.join([row] * len(chunk))}) "
                   f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{qn(meta.pk.column)} = v.pk")
            cursor.execute(sql, [value for params in chunk for value in params])


#: What the roll-up reads of a report: never the narrative sections; of the snapshot only the frozen
#: figures (`frozen`, see _light).
ROLLUP_FIELDS = ("id", "round_id", "organization_id", "parent_id", "tree_path", "level", "state", "figures",
                 "typed_figures", "figures_version", "figures_key")


def _light(qs: QuerySet[Report]) -> QuerySet[Report]:
    return qs.only(*ROLLUP_FIELDS).annotate(frozen=KeyTransform("figures", "snapshot"))


def _frozen_only(reports: Iterable[Report]) -> list[Report]:
    out = []
    for r in reports:
        r.snapshot = {"figures": r.frozen} if r.frozen is not None else None
        out.append(r)
    return out


def _cells_expected(rnd_id: int, unit_ids: list[int]) -> dict[int, int]:
    """How many cell reports each unit's subtree holds in the round: the kept counts (one query)."""
    return dict(ReportCount.objects.filter(round_id=rnd_id, organization_id__in=unit_ids, level=Level.CELL)
                .values_list("organization_id", "total"))


def _write(report: Report, figs: dict[str, int], version: int | None = None, key: str = "") -> bool:
    """Store one report's new figures (and a cell's version and key); True when the figures changed."""
    fields: dict[str, object] = {}
    if figs != report.figures:
        fields.update(figures=figs, figures_at=timezone.now())
    if report.level == Level.CELL and (report.figures_version, report.figures_key) != (version, key):
        fields.update(figures_version=version, figures_key=key)
    if not fields:
        return False
    for name, value in fields.items():
        setattr(report, name, value)
    Report.objects.filter(pk=report.pk).update(**fields)
    return "figures" in fields


def refresh_report(report: Report, today: dt.date | None = None) -> Report:
    """Bring one report's live figures up to date (a cell: from its records, with the version of its
    change mark read first; a committee: from its children), without touching the rest of the round."""
    rnd = report.round
    if report.level == Level.CELL:
        version = _mark_of(report.organization_id)  # before the figures: a change meanwhile leaves it stale
        figs = cell_figures(rnd, [report.organization], today=today)[report.organization_id]
        _write(report, figs, version, figures_key(rnd, today))
    else:
        children = _frozen_only(_light(Report.objects.filter(round_id=rnd.pk, parent_id=report.organization_id)))
        figs = sum_children(children)
        figs["cells_expected"] = _cells_expected(rnd.pk, [report.organization_id]).get(report.organization_id, 0)
        _write(report, figs)
    return report


def _json(value):
    """A JSON column as a raw cursor gives it (text on both backends, as Django asks of psycopg)."""
    return json.loads(value) if isinstance(value, str) else value


def _chain_statement(units: int) -> _Compiled:
    """ONE statement for refresh_upward, compiled once per process per length of the chain. Its ids:
    the round, then the chain's `units` (the report's unit, then its ancestors). Reads the chain's
    reports and their children with what the roll-up needs (ROLLUP_FIELDS, the frozen figures
    `frozen`), each with its kept count of cell reports (`kept`, reports.ReportCount). Columns:
    `columns`. (All the children, not only the approved ones: with `state = 'approved'` in the
    WHERE, PostgreSQL ANDed the round-level-state index into the plan, 6.7 ms instead of 1.6 ms on
    the medium province.)"""

    def build() -> _Compiled:
        ids = _sentinels(1 + units)
        round_id, chain = ids[0], ids[1:]
        kept = ReportCount.objects.filter(round_id=OuterRef("round_id"), organization_id=OuterRef("organization_id"),
                                          level=Level.CELL).values("total")[:1]
        qs = (Report.objects.filter(round_id=round_id)
              .filter(Q(organization_id__in=chain) | Q(parent_id__in=chain))
              .annotate(frozen=KeyTransform("figures", "snapshot"), kept=Subquery(kept), mark=change_mark())
              .values_list(*ROLLUP_FIELDS, "frozen", "kept", "mark").order_by())
        columns = (*qs.query.values_select, *qs.query.annotation_select)
        sql, params = _sql(qs)
        return _Compiled.of(sql, params, [1] + [2] * units, columns)

    return _compiled(("chain", units), build)


def _light_report(values: dict) -> Report:
    """A Report with only ROLLUP_FIELDS loaded (as _light and _frozen_only give it) from a raw row."""
    values = values | {"figures": _json(values["figures"]), "typed_figures": _json(values["typed_figures"])}
    report = Report.from_db(connection.alias, ROLLUP_FIELDS,
                            [values[f.attname] for f in Report._meta.concrete_fields if f.attname in values])
    report.frozen = _json(values["frozen"])
    report.snapshot = {"figures": report.frozen} if report.frozen is not None else None
    return report


def _effective_row(values: dict) -> dict[str, int]:
    """effective() of an approved report's raw row, decoding only the JSON it needs."""
    frozen = _json(values["frozen"])
    if frozen is not None:
        return frozen
    typed = _json(values["typed_figures"]) or {}
    return {**_json(values["figures"]), **{k: v for k, v in typed.items() if v is not None}}


def refresh_upward(report: Report, today: dt.date | None = None) -> list[Report]:
    """Bring a report's figures and those of every ancestor up to the province up to date, in a fixed
    number of queries whatever the depth: ONE for the chain, the chain's children (of the approved
    ones only the frozen figures are decoded, for the sums; the others not at all), the kept cell
    counts and the cell's change mark, read before its figures (_chain_statement); for a cell, ONE for
    its records (cell_figures' one statement; its dates read there too unless `report.organization` is
    loaded); and one UPDATE of what changed (none if nothing did; a cell's version and key with it).
    Both statements are compiled once per process (the ORM builds no query here). Returns the chain,
    the report first (Reports with ROLLUP_FIELDS loaded, the report itself as passed in)."""
    rnd = report.round
    chain_ids = [int(part) for part in report.tree_path.strip("/").split("/")]
    ancestors = set(chain_ids[:-1])
    statement = _chain_statement(len(chain_ids))
    rows = statement.run([rnd.pk, report.organization_id, *chain_ids[:-1]])
    by_unit: dict[int, Report] = {report.organization_id: report}
    kept: dict[int, int] = {}
    report.mark = 0
    others: dict[int, list[dict]] = defaultdict(list)  # approved children off the chain, by parent
    for row in rows:
        values = dict(zip(statement.columns, row, strict=True))
        unit = values["organization_id"]
        if unit == report.organization_id:  # the report itself: the instance passed in (its kept count, mark)
            kept[unit] = values["kept"] or 0
            report.mark = values["mark"] or 0
        elif unit in ancestors:
            kept[unit] = values["kept"] or 0
            by_unit[unit] = _light_report(values)
        elif values["state"] == Report.State.APPROVED:  # the others are not summed: not decoded
            others[values["parent_id"]].append(values)
    children: dict[int, list[Report]] = defaultdict(list)
    for r in by_unit.values():
        if r.parent_id is not None:
            children[r.parent_id].append(r)
    changed: list[Report] = []
    marked: list[Report] = []
    now = timezone.now()
    if report.level == Level.CELL:
        cell = report.organization if "organization" in report._state.fields_cache else None
        dates = (cell.valid_from, cell.valid_to) if cell is not None else None
        computed = _one_cell(rnd, report.organization_id, dates, today)
        marked = _store([report], computed, figures_key(rnd, today), now, changed)
    chain = [by_unit[pk] for pk in reversed(chain_ids) if pk in by_unit]
    for r in chain:  # deepest first: the report, then its parent, … (a child's figures before its parent's sum)
        if r.level == Level.CELL:
            continue
        approved = [effective(c) for c in children[r.organization_id] if c.state == Report.State.APPROVED]
        approved += [_effective_row(values) for values in others[r.organization_id]]
        _set_committee(r, approved, kept.get(r.organization_id, 0), now, changed)
    update_rows(changed, FIGURE_FIELDS)
    update_rows(marked, ["figures_version", "figures_key"])
    return chain


def changed_since_approval(report: Report) -> list[tuple[F_.Figure, int, int]]:
    """What differs between the approved snapshot and the live figures (empty if nothing)."""
    if report.state != Report.State.APPROVED or not report.snapshot:
        return []
    live = {**report.figures, **{k: v for k, v in (report.typed_figures or {}).items() if v is not None}}
    return F_.diff(report.snapshot["figures"], live)


def on_review_decided(sender, review, action, by, **kwargs) -> None:
    """A cell's monthly record changed hands (pledges.signals.review_decided): its reports in the open
    rounds, and the committees above them, follow at once."""
    reports = (Report.objects.filter(organization_id=review.cell_id, round__status=ReportingRound.Status.OPEN)
               .select_related("round", "organization"))
    for report in reports:
        refresh_upward(report)

