#!/usr/bin/env python
"""Build the medium demo province on a fresh throwaway database; print seconds, rows and peak memory.

    .venv/bin/python bench/seed_medium.py                      # SQLite in /tmp/chithi03_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench .venv/bin/python bench/seed_medium.py
    .venv/bin/python bench/seed_medium.py --size large         # the merged province
    .venv/bin/python bench/seed_medium.py --tracemalloc        # also Python's own peak (slower)
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import database_size, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations (about 2x slower)")
    args = parser.parse_args()

    where = setup_django(fresh=True)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from demo import seeding
    from organizations.models import Member, Membership, Organization, OrganizationVersion, Role

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    ctx = seeding.seed_demo(size=args.size, seed=args.seed, log=print)
    elapsed = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"\n{args.size} demo (seed {args.seed}) on {where} [{connection.vendor}]")
    print(f"  {'seconds (total)':<36}{elapsed:>10.1f}")
    for stage, seconds in ctx.timings.items():
        print(f"    {stage:<34}{seconds:>10.1f}")
    for model in (Organization, OrganizationVersion, Member, Membership, Role, get_user_model()):
        print(f"  {model._meta.db_table:<36}{model.objects.count():>10,}")
    print(f"  {'peak RSS (MB)':<36}{rss_peak / 1024:>10.0f}   ({rss_before / 1024:.0f} MB after set-up and migrate)")
    if traced_peak is not None:
        print(f"  {'tracemalloc peak while seeding (MB)':<36}{traced_peak / 2**20:>10.0f}")
    print(f"  {'database size':<36}{database_size():>10}")


if __name__ == "__main__":
    main()
