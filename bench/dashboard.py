#!/usr/bin/env python
"""Time the round dashboard as the provincial board (`bantuyengiao`): the province, a district, a
commune, the .xlsx export and the notifications page; queries, SQL time, median and p95 of N requests.

Uses the bench database and the round of bench/rollup.py (built the same way if missing).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench2 .venv/bin/python bench/dashboard.py [-n 20] [--queries]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django  # noqa: E402


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
    from django.test.utils import CaptureQueriesContext
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
    print(f"  {'page':<40}{'status':>6}{'KB':>7}{'queries':>8}{'sql ms':>8}{'median ms':>11}{'p95 ms':>8}")
    slow = []
    for label, url in pages:
        client.get(url)  # warm-up
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = list(captured.captured_queries)
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        times = []
        for _ in range(args.n):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
        print(f"  {label:<40}{response.status_code:>6}{len(response.content) / 1024:>7.0f}"
              f"{len(queries):>8}{sql_ms:>8.0f}{statistics.median(times):>11.0f}{p95:>8.0f}")
        slow.append((label, sorted(queries, key=lambda q: -float(q["time"]))[:3]))
    if args.queries:
        for label, queries in slow:
            print(f"\n{label}:")
            for q in queries:
                print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")


if __name__ == "__main__":
    main()
