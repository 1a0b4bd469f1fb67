#!/usr/bin/env python
"""Apply the 1-7-2025 restructuring to the demo province as ONE plan: every district committee
(huyện ủy, thị ủy, thành ủy) closed, everything under it moved under the province, five pairs of
communes merged, twins renamed. Prints the seconds and queries of the preview (simulation) and of the
apply, a floor measured in the same run, and checks that the trees as of 30-6 and 1-7-2025 hold
every cell exactly once. The apply is rolled back at the end, so the bench database can be reused.

    .venv/bin/python bench/restructure.py                 # medium, SQLite in /tmp/chithi03_bench
    .venv/bin/python bench/restructure.py --size small
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench .venv/bin/python bench/restructure.py
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django  # noqa: E402

D = dt.date(2025, 7, 1)
MERGES = 5


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="medium", choices=["small", "medium", "large"],
                        help="demo size built when the bench database is empty (default medium)")
    parser.add_argument("--profile", action="store_true", help="print the 15 costliest calls of the apply")
    args = parser.parse_args()

    where = setup_django(fresh=False)
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from organizations import demo
    from organizations.models import Kind, Level, Organization, PlanChange, RestructurePlan
    from organizations.restructuring.execute import apply_plan
    from organizations.restructuring.simulation import load, simulate_plan
    from organizations.selectors import tree_as_of
    from organizations.text import fold
    from reports.models import ReportingRound

    if not Organization.objects.exists():
        print(f"No demo province on {where}: building the {args.size} one…")
        demo.seed_demo(size=args.size, seed=3, log=print)
    province = Organization.objects.get(depth=1)
    if Organization.objects.filter(valid_to__isnull=False).exists():
        sys.exit(f"{where} already holds closed units: rebuild it with bench/seed_medium.py")
    board = get_user_model().objects.get(username="bantuyengiao")

    # -- the plan: every district closed, its children moved up, a few merges, twins renamed --------
    nodes = load(province)
    districts = [n for n in nodes.values() if n.level == Level.DISTRICT and n.kind != Kind.DANG_UY_KHOI]
    district_ids = {d.id for d in districts}
    moved = sorted((n for n in nodes.values() if n.parent_id in district_ids), key=lambda n: n.path)
    communes = [n for n in moved if n.level == Level.COMMUNE and n.kind == Kind.DANG_UY_XA]
    merges = [(communes[2 * i + 1], communes[2 * i]) for i in range(min(MERGES, len(communes) // 2))]
    absorbed = {b.id for b, _a in merges}
    taken = Counter(fold(n.name) for n in nodes.values() if n.parent_id == province.pk)
    taken.update(fold(n.name) for n in moved if n.id not in absorbed)
    rows = []
    for n in moved:
        if n.id in absorbed:
            continue
        rows.append(dict(op=PlanChange.Op.MOVE, unit_id=n.id, target_id=province.pk))
        if taken[fold(n.name)] > 1:  # two "Đảng ủy xã Bình An" under the province: rename
            rows.append(dict(op=PlanChange.Op.RENAME, unit_id=n.id,
                             new_name=f"{n.name} ({nodes[n.parent_id].name.split(' ', 2)[-1]})"))
    for b, a in merges:
        rows.append(dict(op=PlanChange.Op.MERGE, unit_id=b.id, target_id=a.id))
        twins = Counter(fold(c.name) for c in nodes.values() if c.parent_id in (a.id, b.id))
        for c in nodes.values():
            if c.parent_id == b.id and twins[fold(c.name)] > 1:
                rows.append(dict(op=PlanChange.Op.RENAME, unit_id=c.id, new_name=f"{c.name} ({b.name})"))
    for d in districts:
        rows.append(dict(op=PlanChange.Op.CLOSE, unit_id=d.id))

    cells = sorted(n.id for n in nodes.values() if n.is_cell)
    print(f"\n{args.size} province on {where} [{connection.vendor}]")
    print(f"  units {len(nodes):,}, cells {len(cells):,}, members {sum(n.members for n in nodes.values()):,}")
    print(f"  plan: {len(rows):,} changes = {sum(r['op'] == 'move' for r in rows)} moves, "
          f"{len(merges)} merges, {sum(r['op'] == 'rename' for r in rows)} renames, {len(districts)} closures")

    def each_cell_once(on) -> tuple[bool, int]:
        seen = Counter(n.id for root in tree_as_of(on) for n in root.walk() if n.level == Level.CELL)
        return sorted(seen) == cells and all(v == 1 for v in seen.values()), sum(seen.values())

    try:
        with transaction.atomic():
            # the demo's open round is dated 2026 on the pre-2025 tree: its unfinished district reports
            # would (rightly) stop the plan; close it for the bench (rolled back with the rest)
            closed_rounds = ReportingRound.objects.filter(status=ReportingRound.Status.OPEN).update(
                status=ReportingRound.Status.CLOSED)
            plan = RestructurePlan.objects.create(province=province, title="Sắp xếp tổ chức 2025 (bench)",
                                                  effective_on=D, created_by=board)
            PlanChange.objects.bulk_create(
                [PlanChange(plan=plan, position=i, **row) for i, row in enumerate(rows, start=1)])

            started = time.perf_counter()
            with CaptureQueriesContext(connection) as preview_q:
                sim = simulate_plan(plan)
            preview_s = time.perf_counter() - started
            if sim.problems:
                sys.exit("the plan has problems:\n  " + "\n  ".join(sim.problems[:20]))

            started = time.perf_counter()
            with transaction.atomic():  # the floor: one UPDATE of every unit of the province, undone
                Organization.objects.filter(path__startswith=province.path).update(numchild=F("numchild"))
                transaction.set_rollback(True)
            floor_s = time.perf_counter() - started

            started = time.perf_counter()
            profiler = cProfile.Profile() if args.profile else None
            with CaptureQueriesContext(connection) as apply_q:
                if profiler:
                    profiler.enable()
                apply_plan(plan=plan, by=board)
                if profiler:
                    profiler.disable()
            apply_s = time.perf_counter() - started
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)

            before_ok, before_n = each_cell_once(D - dt.timedelta(days=1))
            after_ok, after_n = each_cell_once(D)
            sound = all(not problem for problem in Organization.objects.find_problems())
            print(f"  treebeard paths, depths and child counts sound: {sound}")
            left = Organization.objects.filter(level=Level.DISTRICT, valid_to__isnull=True).count()
            print(f"  {'preview (simulate)':<32}{preview_s:>8.2f} s{len(preview_q):>8} queries")
            print(f"  {'apply (one transaction)':<32}{apply_s:>8.2f} s{len(apply_q):>8} queries")
            print(f"  {'floor: one UPDATE of every unit':<32}{floor_s:>8.2f} s   apply/floor = {apply_s / floor_s:,.0f}x")
            print(f"  tree as of 30/06/2025: {before_n:,} cells, each once: {before_ok}")
            print(f"  tree as of 01/07/2025: {after_n:,} cells, each once: {after_ok}")
            print(f"  open rounds closed for the bench: {closed_rounds}")
            print(f"  district-level units left: {left} (the Đảng ủy Khối stay)")
            print(f"  goal < 30 s: {'met' if apply_s + preview_s < 30 else 'NOT met'}")
            if not (before_ok and after_ok):
                sys.exit("a cell is missing or counted twice")
            raise Rollback
    except Rollback:
        print("  (rolled back: the bench database is unchanged)")


if __name__ == "__main__":
    main()
