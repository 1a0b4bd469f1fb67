#!/usr/bin/env python
"""Time the unit pages on the medium demo province as the provincial board (bantuyengiao).

Builds the medium province on the bench database if it has none, reuses it otherwise. For each
page: status, size, queries (and their total time), then the median and p95 of N requests.

    .venv/bin/python bench/tree_page.py [-n 20] [--queries]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench .venv/bin/python bench/tree_page.py
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
                        help="what to build when the bench database is empty")
    parser.add_argument("--queries", action="store_true", help="list the 3 slowest queries of each page")
    args = parser.parse_args()

    where = setup_django(fresh=False)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from demo import seeding
    from organizations import demo
    from organizations.models import Level, Member, Organization, Role

    if not Organization.objects.exists():
        print(f"No demo province on {where}: building the {args.size} one…")
        seeding.seed_demo(size=args.size, seed=3, log=print)
    elif not get_user_model().objects.filter(username="bantuyengiao").exists():
        sys.exit(f"{where} has units but no demo user 'bantuyengiao': run bench/seed_medium.py first")
    units = Organization.objects.count()
    members = Member.objects.count()

    client = Client()
    response = client.post("/accounts/login/", {"username": "bantuyengiao", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, f"login failed ({response.status_code})"

    province = Organization.objects.get(depth=1)
    district = Organization.objects.filter(depth=2, level=Level.DISTRICT).order_by("path").first()
    commune = Organization.objects.filter(path__startswith=district.path, level=Level.COMMUNE).order_by("path").first()
    cell = Role.objects.get(user__username="bithu", kind=Role.Kind.CELL_SECRETARY).organization
    pages = [
        ("tree /units/", "/units/"),
        ("province unit page", f"/units/{province.pk}/"),
        ("search ?q=sóc sơn", "/units/?q=sóc sơn"),
        ("search ?q=chi bộ ấp (50 of many)", "/units/?q=chi bộ ấp"),
        ("search ?q=zzz (no hit)", "/units/?q=zzz"),
        ("district unit page", f"/units/{district.pk}/"),
        ("district children (htmx)", f"/units/{district.pk}/children/"),
        ("commune unit page", f"/units/{commune.pk}/"),
        ("cell unit page", f"/units/{cell.pk}/"),
    ]

    print(f"\n{units:,} units, {members:,} members on {where} [{connection.vendor}]; user bantuyengiao; n={args.n}")
    times = time_pages(client, pages, n=args.n, show_queries=args.queries, width=34)
    # the row, beside a page of the same run that reads almost nothing (the machine's load)
    med, p95, queries = times["tree /units/"]
    floor_med = times["search ?q=zzz (no hit)"][0]
    print(f"\nIssue 15: tree page, one user: median {med:.0f} ms, p95 {p95:.0f} ms (goal p50 ≤ 150 ms under 10 "
          f"users), {queries} queries; ×{med / floor_med:.1f} the no-hit search ({floor_med:.0f} ms) of the same run")


if __name__ == "__main__":
    main()
