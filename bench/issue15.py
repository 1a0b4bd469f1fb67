"""Issue 15's table in one run: every row measured against its floor on the medium province.

    createdb -h 127.0.0.1 -U postgres -T template0 chithi03_bench_tpl   # once, then seed it:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench_tpl .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench_tpl .venv/bin/python manage.py seed_demo --size medium
    .venv/bin/python bench/issue15.py [--template chithi03_bench_tpl] [--skip-round] [--only rollup,load,documents]

Each part runs on its own fresh copy of the template (`createdb -T`: the parts write to their database)
as its own process, one after the other, so nothing of one part runs while another is timed:
- `rollup.py`: `refresh_round` with every report written and with nothing changed, against one raw SQL
  aggregate of the same rows (the floor); one cell's change up to the province;
- `load.py`: gunicorn (2 workers, production settings) under locust: the review save and the province
  dashboard with 50 paced users, the tree page with 10 users without think time, beside `/healthz`;
- `documents.py --round-workers 2`: one cell's document and the consolidated one against raw WeasyPrint
  on the same HTML; the whole round from nothing and after the last approval, by 2 real Celery worker
  processes (Redis: CELERY_BROKER_URL, default redis://127.0.0.1:6379/0).

The parts append their rows to a JSON-lines file (`_common.emit_row`); this prints them as one table in
the issue's order with the load average read when each was measured, and the Markdown of the same
table (for bench/README.md). Needs PostgreSQL (127.0.0.1:5432, user postgres) and Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"

#: the issue's rows, in its order: (key, what is measured)
ROWS = [
    ("round_cold", "whole round of documents from nothing, 2 worker processes"),
    ("round_after", "the round's run after the last approval (committees + consolidated), 2 worker processes"),
    ("cell_document", "one cell's document vs raw WeasyPrint on the same HTML"),
    ("consolidated", "consolidated province PDF, every part laid out, 2 workers, vs one raw WeasyPrint pass"),
    ("consolidated_after", "consolidated province PDF after one approval, 2 workers, vs one raw WeasyPrint pass"),
    ("refresh_cold", "`refresh_round`, every report written, vs the raw aggregate"),
    ("refresh_warm", "`refresh_round`, nothing changed, vs the raw aggregate"),
    ("refresh_warm_full", "`refresh_round(full=True)`, nothing changed, vs the raw aggregate"),
    ("one_cell", "one cell's change up to the province"),
    ("review_save", "review save, 50 paced users (5–15 s think), gunicorn 2 workers"),
    ("dashboard", "province dashboard, 50 paced users"),
    ("tree", "tree page, 10 users without think time"),
]

PARTS = {
    "rollup": ["bench/rollup.py", "-n", "5"],
    "load": ["bench/load.py"],
    "documents": ["bench/documents.py", "--round-workers", "2"],
}


def copy_of(template: str, name: str) -> str:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", template, name], check=True)
    return PG + name


def fmt(row: dict) -> str:
    value, unit = row["value"], row["unit"]
    if unit == "x":
        return f"×{value:.2f}"
    if unit == "s":
        return f"{value:,.0f} s" if value >= 10 else f"{value:.1f} s"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", default="chithi03_bench_tpl", help="the seeded medium province")
    parser.add_argument("--only", default="rollup,load,documents", help="parts to run, comma-separated")
    parser.add_argument("--skip-round", action="store_true",
                        help="documents: not the whole round (from nothing, then after the last approval: ~15–60 min)")
    parser.add_argument("--keep", action="store_true", help="keep the copies of the template")
    args = parser.parse_args()
    rows_file = Path(tempfile.mkstemp(prefix="issue15-rows-", suffix=".jsonl")[1])
    env = {**os.environ, "BENCH_ROWS": str(rows_file)}
    env.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    # production settings, as the workers and gunicorn run (DEBUG on logs every query)
    env.update(DJANGO_DEBUG="false", ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_LOG_LEVEL="WARNING")
    env.setdefault("SECRET_KEY", "bench-issue15-not-a-secret-" + "k" * 30)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    started = time.time()
    print(f"issue 15 bench, commit {commit}, {os.cpu_count()} CPUs, template {args.template}, rows in {rows_file}",
          flush=True)
    for part in [p.strip() for p in args.only.split(",") if p.strip()]:
        if part not in PARTS:
            sys.exit(f"unknown part {part!r}: {', '.join(PARTS)}")
        name = f"chithi03_bench_i15_{part}"
        cmd = [sys.executable, *PARTS[part]]
        if part == "documents" and args.skip_round:
            cmd += ["--skip-cold", "--skip-after"]  # "after" needs the cells' documents of the cold run
        print(f"\n==> {part}: {' '.join(cmd[1:])} on a copy ({name}); load {os.getloadavg()[0]:.2f}", flush=True)
        part_env = {**env, "DATABASE_URL": copy_of(args.template, name)}
        if part == "documents":
            part_env["DATA_DIR"] = tempfile.mkdtemp(prefix="issue15-docs-")
        result = subprocess.run(cmd, cwd=REPO, env=part_env)
        if result.returncode:
            print(f"   {part} exited with {result.returncode}", flush=True)
        if not args.keep:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])

    measured = {}
    for line in rows_file.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        measured[row["key"]] = row
    print(f"\nIssue 15, medium province, PostgreSQL, one run ({(time.time() - started) / 60:.0f} min), commit {commit}\n")
    header = "| measure | now | goal | met | load (1/5/15 min) | detail |"
    lines = [header, "|---|---:|---|---|---|---|"]
    for key, label in ROWS:
        row = measured.get(key)
        if row is None:
            lines.append(f"| {label} | not measured | | | | |")
            continue
        met = {True: "yes", False: "**no**", None: ""}[row["met"]]
        lines.append(f"| {label} | {fmt(row)} | {row['goal']} | {met} | {row['load']} | {row['note']} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
