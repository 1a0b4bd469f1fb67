#!/usr/bin/env python
"""Time the round dashboard as the provincial board (`bantuyengiao`): the province, a district, a
commune, the .xlsx export and the notifications page; queries, SQL time, median and p95 of N requests.

Uses the bench database and the round of bench/rollup.py (built the same way if missing).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench2 .venv/bin/python bench/dashboard.py [-n 20] [--queries]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django, time_pages  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--size", default="medium", choices=["small", "medium", "large"],
                        help="what to build when the bench database has no demo province")
    parser.add_argument("--queries", action="store_true", help="list the 3 slowest queries of each page")
    args = parser.parse_args()

    where = setup_django(fresh=False)
    import rollup as bench_rollup  # bench/rollup.py: the same data set-up
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from organizations import demo
    from reports.models import Report

    today = timezone.localdate()
    bench_rollup.ensure_demo(args.size)
    bench_rollup.ensure_records(today.year, today)
    rnd = bench_rollup.ensure_round(today.year, today)

    client = Client()
    response = client.post("/accounts/login/", {"username": "bantuyengiao", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, f"login failed ({response.status_code})"

    reports = Report.objects.filter(round=rnd)
    root = reports.get(parent__isnull=True)
    district = reports.filter(parent_id=root.organization_id, level="district").order_by("tree_path").first()
    commune = reports.filter(tree_path__startswith=district.tree_path, level="commune").order_by("tree_path").first()
    base = reverse("dashboard:round", args=[rnd.pk])
    pages = [
        (f"province ({reports.count():,} reports)", base),
        ("province, figure attendance_pct", f"{base}?figure=attendance_pct"),
        (f"district ({reports.filter(tree_path__startswith=district.tree_path).count():,})",
         f"{base}?unit={district.organization_id}"),
        (f"commune ({reports.filter(tree_path__startswith=commune.tree_path).count():,})",
         f"{base}?unit={commune.organization_id}"),
        ("province export .xlsx (all late units)", reverse("dashboard:export", args=[rnd.pk])),
        ("notifications page", reverse("dashboard:notifications")),
    ]
    print(f"\n{where} [{connection.vendor}]; round “{rnd.title}”; user bantuyengiao; n={args.n}")
    times = time_pages(client, pages, n=args.n, show_queries=args.queries, width=40)
    # the row, beside a page of the same run that reads almost nothing (the machine's load)
    med, p95, queries = times[pages[0][0]]
    floor_med = times["notifications page"][0]
    print(f"\nIssue 15: province dashboard, one user: median {med:.0f} ms, p95 {p95:.0f} ms (goal p95 ≤ 200 ms "
          f"under 50 paced users), {queries} queries; ×{med / floor_med:.1f} the notifications page "
          f"({floor_med:.0f} ms) of the same run")


if __name__ == "__main__":
    main()
