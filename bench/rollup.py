#!/usr/bin/env python
"""Time the roll-up of a whole round against one raw SQL aggregate over the same records, and the
refresh of one committee after one cell's monthly record changes.

Runs on the configured bench database (see bench/README.md: never var/db.sqlite3; a PostgreSQL
database whose name contains "bench"). What it needs and does not find, it builds, and says so:

1. the demo province (`seed_demo --size <size>`), if there are no demo users;
2. a year of records (pledges.demo.build_year: pledges, monthly meetings with one row per member) for
   the year of the round, up to today, if the province has none;
3. a round: "Tổng kết năm <year> (bench)" if this script opened it before, else the newest open round
   of the province (seed_demo's), else it opens "Tổng kết năm <year> (bench)" as `bantuyengiao`
   (reports.services.round_open) and drives its reports into a spread of states by direct updates
   (45 % approved, 20 % submitted, 5 % returned, 10 % started, 20 % untouched).

Then it measures (median of -n runs):

- `rollup.refresh_round(full=True)` with every report's figures changed (cold: every row written);
  the default `rollup.refresh_round` (the cells whose change marks moved, reports.CellChange) with nothing
  changed (warm) and after one cell's monthly record changed; `full=True` with nothing changed, and its
  parts: `cell_figures` alone, loading the reports;
- the floor: ONE raw SQL statement (connection.cursor) aggregating, per cell of the round, the
  memberships at the cut-off and the held monthly records and their rows in the window;
- one cell: update one of its monthly records, then `refresh_report(cell)` + `refresh_report(parent)`
  (and the whole chain up to the province).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench2 .venv/bin/python bench/rollup.py [-n 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit_row, setup_django  # noqa: E402

BENCH_ROUND = "Tổng kết năm {year} (bench)"
#: share of each level's reports left in each state (the rest: untouched drafts)
STATE_SPREAD = [("approved", 0.45), ("submitted", 0.20), ("returned", 0.05), ("started", 0.10)]


def log(text: str) -> None:
    print(text, flush=True)


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95


# -- what the bench needs ----------------------------------------------------------------------

def ensure_demo(size: str) -> None:
    from django.contrib.auth import get_user_model

    from demo import seeding

    if get_user_model().objects.filter(username="bantuyengiao").exists():
        return
    log(f"No demo province: building the {size} one (seed_demo --size {size})…")
    seeding.seed_demo(size=size, seed=3, reset=True, log=log)


def province():
    from django.contrib.auth import get_user_model

    from organizations.models import Role

    board = get_user_model().objects.get(username="bantuyengiao")
    role = Role.objects.select_related("organization").get(user=board, kind=Role.Kind.BOARD)
    return role.organization, board


def ensure_records(year: int, today: dt.date) -> None:
    from django.db import transaction

    from organizations import demo
    from pledges import demo as pledges_demo
    from pledges.models import MonthlyReview, Pledge, ReviewEntry

    prov, board = province()
    if MonthlyReview.objects.filter(cell__path__startswith=prov.path, year=year).exists():
        return
    log(f"No monthly records for {year}: building them with pledges.demo.build_year up to {today:%d/%m/%Y}…")
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="quantri")
    with transaction.atomic():
        seconds, counts = timed(pledges_demo.build_year, province=prov, year=year, today=today,
                                rng=random.Random(3), user=admin)
    log(f"  {seconds:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()) if ":" not in k))
    demo.analyze([MonthlyReview, ReviewEntry, Pledge])


def ensure_round(year: int, today: dt.date):
    """The bench round (opened by the board if missing, its reports spread over the states)."""
    from django.db import transaction
    from django.utils import timezone

    from organizations import demo
    from pledges.models import Directive
    from reports import counts as report_counts
    from reports import rollup, services
    from reports.models import Report, ReportingRound

    prov, board = province()
    title = BENCH_ROUND.format(year=year)
    rnd = ReportingRound.objects.filter(province=prov, title=title).first()
    if rnd is not None:
        return rnd
    # seed_demo may build a round of its own (reports stage): use it when it is open
    rnd = ReportingRound.objects.filter(province=prov, status=ReportingRound.Status.OPEN).order_by("-id").first()
    if rnd is not None:
        log(f"Using the open round “{rnd.title}” found in the database.")
        return rnd
    log(f"No bench round: opening “{title}” as bantuyengiao (reports.services.round_open)…")
    directive = Directive.objects.filter(code="05-CT/TW").first() or Directive.objects.order_by("-issued_on").first()
    # figures as of a month ago; the cells' and communes' deadlines have passed, the others not yet
    seconds, rnd = timed(
        services.round_open, by=board, province=prov, directive=directive, title=title, kind="year",
        period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31), cutoff=today - dt.timedelta(days=30),
        deadlines={"cell": today - dt.timedelta(days=10), "commune": today - dt.timedelta(days=3),
                   "district": today + dt.timedelta(days=2), "province": today + dt.timedelta(days=9)},
    )
    log(f"  round_open (creates every report and runs refresh_round once): {seconds:.1f} s, "
        f"{Report.objects.filter(round=rnd).count():,} reports")
    demo.analyze([Report])
    # spread the reports over the states, bottom-up dates; approved reports get their frozen figures
    rng = random.Random(7)
    reports = list(Report.objects.filter(round=rnd).exclude(parent__isnull=True))
    now = timezone.now()
    for r in reports:
        roll = rng.random()
        acc = 0.0
        state = "draft"
        for name, share in STATE_SPREAD:
            acc += share
            if roll < acc:
                state = name
                break
        deadline_at = timezone.make_aware(dt.datetime.combine(rnd.deadline_for(r.level), dt.time(10)))
        sent = min(now, deadline_at + dt.timedelta(days=rng.randint(-12, 3), hours=rng.randint(0, 8)))
        if state == "started":
            r.state, r.started_at = "draft", sent - dt.timedelta(days=2)
        elif state != "draft":
            r.state, r.started_at, r.submitted_at = state, sent - dt.timedelta(days=2), sent
            r.results = "Kết quả thực hiện Chỉ thị trong năm (bench)."
            if state in ("approved", "returned"):
                r.decided_at = min(now, sent + dt.timedelta(days=rng.randint(0, 4)))
    with transaction.atomic():
        Report.objects.bulk_update(reports, ["state", "started_at", "submitted_at", "decided_at", "results"],
                                   batch_size=1000)
        report_counts.rebuild(rnd)  # states written directly: the kept counts follow
        rollup.refresh_round(rnd, full=True)
        approved = list(Report.objects.filter(round=rnd, state="approved"))
        # bottom-up, like the workflow: a committee's frozen figures are the sums at its approval
        for r in sorted(approved, key=lambda r: -r.tree_path.count("/")):
            if r.level != "cell":
                rollup.refresh_report(r)
            r.snapshot = {"sections": {"results": r.results}, "figures": rollup.effective(r),
                          "computed": dict(r.figures), "typed": {}, "at": now.isoformat()}
            Report.objects.filter(pk=r.pk).update(snapshot=r.snapshot)
        rollup.refresh_round(rnd, full=True)
    counts = {}
    for state in Report.objects.filter(round=rnd).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    log("  states set by direct updates: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    demo.analyze([Report])
    return rnd


# -- the measures ------------------------------------------------------------------------------

FLOOR_SQL = """
WITH cells AS (
    SELECT organization_id AS id FROM reports_report WHERE round_id = %(round)s AND level = 'cell'
), members AS (
    SELECT m.cell_id, COUNT(DISTINCT m.member_id) AS n,
           COUNT(DISTINCT m.member_id) FILTER (WHERE mb.is_key_cadre) AS key_cadres
    FROM organizations_membership m JOIN organizations_member mb ON mb.id = m.member_id
    WHERE m.cell_id IN (SELECT id FROM cells) AND m.start <= %(cutoff)s AND (m."end" IS NULL OR m."end" > %(cutoff)s)
    GROUP BY m.cell_id
), held AS (
    SELECT r.cell_id, COUNT(*) AS n, SUM(r.directive_minutes) AS minutes
    FROM pledges_monthlyreview r
    WHERE r.cell_id IN (SELECT id FROM cells) AND r.state IN ('submitted', 'accepted')
      AND r.year * 12 + r.month - 1 BETWEEN %(lo)s AND %(hi)s
    GROUP BY r.cell_id
), entries AS (
    SELECT r.cell_id, COUNT(*) AS total, COUNT(*) FILTER (WHERE e.present) AS present,
           COUNT(*) FILTER (WHERE e.exemplary) AS exemplary, COUNT(*) FILTER (WHERE e.criticised) AS criticised
    FROM pledges_reviewentry e JOIN pledges_monthlyreview r ON r.id = e.review_id
    WHERE r.cell_id IN (SELECT id FROM cells) AND r.state IN ('submitted', 'accepted')
      AND r.year * 12 + r.month - 1 BETWEEN %(lo)s AND %(hi)s
    GROUP BY r.cell_id
)
SELECT cells.id, members.n, members.key_cadres, held.n, held.minutes, entries.total, entries.present,
       entries.exemplary, entries.criticised
FROM cells LEFT JOIN members ON members.cell_id = cells.id LEFT JOIN held ON held.cell_id = cells.id
LEFT JOIN entries ON entries.cell_id = cells.id
"""


def floor(rnd) -> int:
    from django.db import connection

    from reports import rollup

    lo, hi = rollup.review_window(rnd)
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"round": rnd.pk, "cutoff": rnd.cutoff, "lo": lo, "hi": hi})
        return len(cursor.fetchall())


def refresh_round_parts(rnd) -> dict[str, float]:
    """refresh_round's phases, timed separately (same code paths)."""
    from reports import rollup
    from reports.models import Report

    out = {}
    out["cell_figures"], _cells = timed(rollup.cell_figures, rnd)
    # as refresh_round reads them: light fields and the snapshots' frozen figures only
    out["load reports"], _reports = timed(lambda: list(rollup._light(Report.objects.filter(round=rnd))))
    return out


def one_cell(rnd, n: int) -> tuple[list[float], list[float], int, str]:
    """One cell's monthly record changes, then (a) its report and its parent's (`refresh_report` ×2) and
    (b) its report and every ancestor up to the province (`refresh_upward`: what the services and the
    accepted record do), each in a transaction. Returns both samples, (b)'s queries, and where."""
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from pledges.models import MonthlyReview
    from reports import rollup
    from reports.models import Report

    review = (MonthlyReview.objects.filter(cell__reports__round=rnd, state__in=rollup.HELD_STATES,
                                           year=rnd.period_end.year, directive_minutes__lt=500)
              .filter(rollup._in_window(rollup.review_window(rnd)))
              .order_by("cell_id", "month").first())
    cell_report = Report.objects.select_related("round", "organization").get(round=rnd, organization=review.cell_id)
    parent = Report.objects.select_related("round", "organization").get(round=rnd, organization=cell_report.parent_id)
    depth = cell_report.tree_path.count("/") - 2
    pair, whole = [], []
    queries = 0
    for i in range(n):
        delta = 1 if i % 2 == 0 else -1
        started = time.perf_counter()
        with transaction.atomic():
            MonthlyReview.objects.filter(pk=review.pk).update(directive_minutes=F("directive_minutes") + delta)
            rollup.refresh_report(cell_report)
            rollup.refresh_report(parent)
        pair.append(time.perf_counter() - started)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            MonthlyReview.objects.filter(pk=review.pk).update(directive_minutes=F("directive_minutes") - delta)
            chain = rollup.refresh_upward(cell_report)
        whole.append(time.perf_counter() - started)
        queries = len(captured)
        assert len(chain) == depth + 1, (len(chain), depth)
    where = f"{cell_report.name} → {parent.name} ({depth} committees up to the province)"
    return pair, whole, queries, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="runs of each measure (default 5)")
    parser.add_argument("--size", default="medium", choices=["small", "medium", "large"],
                        help="what to build when the bench database has no demo province")
    parser.add_argument("--profile", action="store_true", help="cProfile one cold refresh_round (top 25)")
    args = parser.parse_args()

    where = setup_django(fresh=False)
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from organizations.models import Member, Organization
    from pledges.models import MonthlyReview, ReviewEntry
    from reports import rollup
    from reports.models import Report

    today = timezone.localdate()
    year = today.year
    ensure_demo(args.size)
    ensure_records(year, today)
    rnd = ensure_round(year, today)
    lo, hi = rollup.review_window(rnd)
    reports = Report.objects.filter(round=rnd).count()
    cells = Report.objects.filter(round=rnd, level="cell").count()
    window_reviews = MonthlyReview.objects.filter(cell__reports__round=rnd).filter(rollup._in_window((lo, hi))).count()
    window_entries = ReviewEntry.objects.filter(review__cell__reports__round=rnd).filter(
        rollup._in_window((lo, hi), "review__")).count()
    log(f"\n{where}: {Organization.objects.count():,} units, {Member.objects.count():,} members; round "
        f"“{rnd.title}”: {reports:,} reports ({cells:,} cells), window {lo % 12 + 1}/{lo // 12}–{hi % 12 + 1}/{hi // 12}: "
        f"{window_reviews:,} monthly records, {window_entries:,} rows")

    # warm the caches once (and, on a database just migrated to the change marks, store every cell's version)
    seconds, changed = timed(rollup.refresh_round, rnd, full=True)
    log(f"  first refresh_round(full=True): {seconds * 1000:.0f} ms, {changed:,} reports changed")
    floor(rnd)

    def cold():
        with transaction.atomic():
            Report.objects.filter(round=rnd).update(figures={})
        return timed(rollup.refresh_round, rnd, full=True)

    review = (MonthlyReview.objects.filter(cell__reports__round=rnd, state__in=rollup.HELD_STATES,
                                           directive_minutes__lt=500)
              .filter(rollup._in_window((lo, hi))).order_by("cell_id", "month").first())

    def one_changed(delta: int):
        """One monthly record's minutes change (its cell's mark moves), then the default refresh."""
        MonthlyReview.objects.filter(pk=review.pk).update(directive_minutes=F("directive_minutes") + delta)
        return timed(rollup.refresh_round, rnd)

    if args.profile:
        import cProfile
        import pstats

        with transaction.atomic():
            Report.objects.filter(round=rnd).update(figures={})
        profiler = cProfile.Profile()
        profiler.enable()
        rollup.refresh_round(rnd)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    cold_s, warm_s, full_s, single_s, floor_s, cells_s, load_s = [], [], [], [], [], [], []
    for i in range(args.n):
        seconds, changed = cold()
        assert changed == reports, (changed, reports)
        cold_s.append(seconds)
        with CaptureQueriesContext(connection) as queries:
            seconds, changed = timed(rollup.refresh_round, rnd)
        assert changed == 0
        warm_s.append(seconds)
        with CaptureQueriesContext(connection) as full_queries:
            seconds, changed = timed(rollup.refresh_round, rnd, full=True)
        assert changed == 0
        full_s.append(seconds)
        with CaptureQueriesContext(connection) as single_queries:
            seconds, changed = one_changed(1 if i % 2 == 0 else -1)
        assert changed >= 1, changed
        single_s.append(seconds)
        seconds, rows = timed(floor, rnd)
        assert rows == cells
        floor_s.append(seconds)
        parts = refresh_round_parts(rnd)
        cells_s.append(parts["cell_figures"])
        load_s.append(parts["load reports"])
    f_med = statistics.median(floor_s)
    log(f"\nWhole-round roll-up (median of {args.n}; queries: {len(queries.captured_queries)} when nothing changed, "
        f"{len(single_queries.captured_queries)} after one cell's change, {len(full_queries.captured_queries)} with "
        f"full=True)")
    for label, samples in [("refresh_round(full), every report written", cold_s),
                           ("refresh_round, nothing changed", warm_s),
                           ("refresh_round, one cell's record changed", single_s),
                           ("refresh_round(full), nothing changed", full_s),
                           ("  of which cell_figures", cells_s), ("  of which loading the reports", load_s),
                           ("raw SQL floor (one statement)", floor_s)]:
        med, p95 = median_p95(samples)
        log(f"  {label:<44}{med * 1000:>9.1f} ms  (p95 {p95 * 1000:.1f})  ×{med / f_med:.2f} the floor")

    pair, whole, cell_queries, where_cell = one_cell(rnd, max(args.n * 4, 20))
    log(f"\nOne cell's monthly record changes: {where_cell}")
    for label, samples in [("update + refresh_report(cell) + (parent)", pair),
                           (f"update + refresh_upward ({cell_queries} queries)", whole)]:
        med, p95 = median_p95(samples)
        log(f"  {label:<44}{med * 1000:>7.1f} ms  (p95 {p95 * 1000:.1f})")

    cold_med, warm_med, full_med = statistics.median(cold_s), statistics.median(warm_s), statistics.median(full_s)
    whole_med, whole_p95 = median_p95(whole)
    log(f"\nIssue 15, roll-up rows (floor {f_med * 1000:.0f} ms, same run):")
    log(f"  refresh_round, every report written vs the raw aggregate   ×{cold_med / f_med:.2f}  (goal ≤ 1.0)")
    log(f"  refresh_round, nothing changed vs the raw aggregate        ×{warm_med / f_med:.3f}  (goal ≤ 0.5)")
    log(f"  refresh_round(full=True), nothing changed                  ×{full_med / f_med:.2f}")
    log(f"  one cell's change up to the province                       {whole_med * 1000:.1f} ms "
        f"(p95 {whole_p95 * 1000:.1f}), {cell_queries} queries  (goal ≤ 20 ms)")
    emit_row("refresh_cold", cold_med / f_med, "x", floor=f_med, goal="≤ 1.0", met=cold_med <= f_med,
             note=f"{cold_med:.2f} s against the raw aggregate's {f_med:.2f} s")
    emit_row("refresh_warm", warm_med / f_med, "x", floor=f_med, goal="≤ 0.5", met=warm_med <= 0.5 * f_med,
             note=f"{warm_med * 1000:.1f} ms against {f_med * 1000:.0f} ms, the cells marked as changed only")
    emit_row("refresh_warm_full", full_med / f_med, "x", floor=f_med,
             note=f"{full_med:.2f} s against {f_med:.2f} s, every report recomputed")
    emit_row("one_cell", whole_med * 1000, "ms", goal="≤ 20 ms", met=whole_med <= 0.020,
             note=f"p95 {whole_p95 * 1000:.1f} ms, {cell_queries} queries")

if __name__ == "__main__":
    main()
