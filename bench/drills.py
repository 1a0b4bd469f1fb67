"""Fault drills on a bigger province: documents lost, duplicated, stuck; records lost; seconds to recover.

    .venv/bin/python bench/drills.py                       # the small demo province (seed_demo --size small)
    .venv/bin/python bench/drills.py --world medium        # the medium province: seeding and each run take long
    .venv/bin/python bench/drills.py --drills kill9 redis  # some of them
    # the medium province from a copy of the seeded template, drilled on one district's subtree:
    createdb -h 127.0.0.1 -U postgres -T chithi03_bench_tpl chithi03_bench_NAME
    .venv/bin/python bench/drills.py --world medium \
        --from-database postgres://postgres@127.0.0.1:5432/chithi03_bench_NAME --subtree "Huyện ủy Kiên Hải"

The same engine as the test suite's drills (tests/drills/engine.py): a private PostgreSQL cluster and
redis-server on spare ports (the shared services are never touched), real `celery worker` (prefork)
and `celery beat` processes, the province seeded with `seed_demo`, then one document run of the
whole round per drill with its fault: a worker child killed with -9 mid-render, Redis stopped for
10 s (it comes back empty) while a monthly record is saved, PostgreSQL restarted, and without a
broker the web process restarted during a run (runserver resumes it at start-up). The sweep runs
every 30 s as in production (DOCUMENT_SWEEP_SECONDS); recovery is measured from the end of the fault
to the next document finished, and to the run done. Goal: 0 / 0 / 0 / 0, recovery under 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.drills import engine as drill_engine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world", choices=["small", "medium"], default="small")
    parser.add_argument("--drills", nargs="+", default=["kill9", "redis", "postgres", "inprocess"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sweep-seconds", type=int, default=30)
    parser.add_argument("--budget", type=float, default=1800)
    parser.add_argument("--from-database", metavar="URL",
                        help="copy this database (a copy of chithi03_bench_tpl) into the drills' cluster, no seeding")
    parser.add_argument("--subtree", metavar="NAME",
                        help="drill on the round's reports under this unit only (and the province's)")
    args = parser.parse_args()
    if args.world == "small" and not args.from_database:
        print("bench: the medium province would take ~30 min of CPU per document run (4,259 documents); "
              "using the small demo province (seed_demo --size small). --world medium to insist.")
    load_before = os.getloadavg()
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    code = drill_engine.main(["--world", args.world, "--drills", *args.drills, "--workers", str(args.workers),
                              "--sweep-seconds", str(args.sweep_seconds), "--budget", str(args.budget),
                              "--json", str(out),
                              *(["--from-database", args.from_database] if args.from_database else []),
                              *(["--subtree", args.subtree] if args.subtree else [])])
    results = json.loads(out.read_text())
    out.unlink()
    setup = results.get("_setup", {})
    if setup.get("subtree"):
        print(f"\nsubtree {setup['subtree']}: {setup['units_under_it']} units, {setup['members_under_it']} members; "
              f"{setup['reports_dropped']} reports of the rest of the province left out of the round")
    print(f"\n{setup.get('world')} province: {setup.get('reports')} reports (+1 consolidated), "
          f"{setup.get('workers')} worker processes, sweep every {setup.get('sweep_seconds')} s; "
          f"set-up {setup.get('seconds')} s (seed {setup.get('seed_seconds')} s)")
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    print(f"{'drill':<10}{'lost':>6}{'dup':>6}{'stuck':>7}{'records lost':>14}{'recover s':>11}{'run done s':>12}"
          f"{'drill s':>9}")
    for name in args.drills:
        r = results.get(name, {"error": "not run"})
        if "error" in r:
            print(f"{name:<10} {r['error']}")
            continue
        print(f"{name:<10}{r['lost']:>6}{r['duplicated']:>6}{r['stuck']:>7}{r['records_lost']:>14}"
              f"{r['recover_s']:>11}{r['finish_s']:>12}{r['drill_s']:>9}")
    sys.exit(code)


if __name__ == "__main__":
    main()
