"""Load benchmark: locust users against gunicorn (2 workers) on the medium province.

    pip install -e '.[bench]'          # locust
    createdb -h 127.0.0.1 -U postgres -T chithi03_bench_tpl chithi03_bench_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench_load .venv/bin/python bench/load.py

Two scenarios, one gunicorn (production settings, DEBUG off, bench/load_settings.py), each run with a
floor user requesting /healthz once a second in the same run:
- paced: N secretaries (default 44), each opening and saving her own cell's monthly record (every row
  changed), and M board members (default 5) on the province's dashboard of the open round, all with
  5–15 s of think time (50 users with the floor);
- tree: 10 board members on the tree page `/units/`, without think time.

The set-up writes to the database (bench users with a role each, sessions, the records saved): use a
copy (the name must contain "bench"). Prints p50/p95/p99 (ms) and requests/s per page, with the
machine's load average before and after each scenario.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, emit_row, setup_django  # noqa: E402

PASSWORD = "chithi03-bench-load"
#: The sessions made here are signed with the key gunicorn runs with.
SECRET_KEY = "bench-load-not-a-secret-" + "k" * 40


def plan(secretaries: int, board: int, tree: int) -> dict:
    """Bench users (created once, kept), a session each, the cells' members and the round."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.test import Client

    from organizations.models import Level, Organization, Role
    from pledges.models import MonthlyReview
    from pledges.periods import today as local_today
    from reports.models import ReportingRound

    today = local_today()
    User = get_user_model()
    province = Organization.objects.filter(depth=1, valid_to__isnull=True).order_by("path").first()
    if province is None:
        sys.exit("load: no province in this database (copy chithi03_bench_tpl, see bench/README.md)")
    rnd = ReportingRound.objects.filter(province=province).order_by("-period_end", "-pk").first()
    if rnd is None:
        sys.exit("load: no round of the province to show on the dashboard")
    # cells of 15–30 members whose record of this month is not sent yet (a draft may be saved)
    done = MonthlyReview.objects.filter(year=today.year, month=today.month).exclude(
        state__in=["draft", "returned"]).values("cell_id")
    cells = list(Organization.objects.filter(path__startswith=province.path, level=Level.CELL, valid_to__isnull=True)
                 .exclude(pk__in=done).annotate(n=Count("members", filter=Q(members__left_on__isnull=True)))
                 .filter(n__gte=15, n__lte=30).order_by("path")[:secretaries])
    if len(cells) < secretaries:
        sys.exit(f"load: only {len(cells)} cells can take a secretary's save this month")
    out = {"today": today.isoformat(), "session_cookie": settings.SESSION_COOKIE_NAME,
           "dashboard_url": f"/dashboard/{rnd.pk}/", "round": str(rnd),
           "counts": {"secretaries": secretaries, "board": board, "tree": tree}, "secretaries": [], "board": []}

    def user(username: str, org, kind) -> str:
        u, created = User.objects.get_or_create(username=username)
        if created:
            u.set_password(PASSWORD)
            u.save(update_fields=["password"])
        Role.objects.get_or_create(user=u, organization=org, kind=kind)
        client = Client()  # one session each: a second login on one client would end the first session
        client.force_login(u)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    for i, cell in enumerate(cells, 1):
        out["secretaries"].append({
            "session": user(f"bench_bithu_{i:03d}", cell, Role.Kind.CELL_SECRETARY),
            "url": f"/cells/{cell.pk}/reviews/{today.year}/{today.month}/", "cell": cell.name})
    for i in range(1, max(board, tree) + 1):
        out["board"].append({"session": user(f"bench_board_{i:03d}", province, Role.Kind.BOARD)})
    return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "load_settings", "PYTHONPATH": f"{REPO / 'bench'}:{REPO}",
           "DJANGO_DEBUG": "false", "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0", "DATABASE_CONN_MAX_AGE": "60",
           "DJANGO_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "directive03.wsgi:application", "--workers",
                             str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "120"],
                            cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.kill()
    sys.exit(f"load: gunicorn did not start, see {log}")


def locust(scenario: str, users: int, seconds: int, host: str, plan_file: Path, folder: Path) -> list[dict]:
    prefix = folder / scenario
    env = {**os.environ, "LOAD_PLAN": str(plan_file), "LOAD_SCENARIO": scenario}
    cmd = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "locustfile.py"), "--headless",
           "-u", str(users), "-r", "10", "-t", f"{seconds}s", "--host", host, "--csv", str(prefix),
           "--only-summary", "--reset-stats", "--loglevel", "WARNING"]
    subprocess.run(cmd, cwd=REPO, env=env, stdout=(folder / f"{scenario}.log").open("wb"), stderr=subprocess.STDOUT)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def show(scenario: str, rows: list[dict], before: str, after: str, seconds: int) -> None:
    print(f"\n{scenario}: {seconds} s; load average before {before}, after {after}")
    print(f"  {'page':<24}{'requests':>9}{'failed':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>7}")
    for r in rows:
        if r["Name"] == "Aggregated":
            continue
        print(f"  {r['Name']:<24}{r['Request Count']:>9}{r['Failure Count']:>7}{r['50%']:>8}{r['95%']:>8}"
              f"{r['99%']:>8}{float(r['Requests/s']):>7.2f}")


#: issue 15's rows: (scenario, page, key, percentile column, goal in ms)
ISSUE_ROWS = [("paced", "review save POST", "review_save", "95%", 100),
              ("paced", "province dashboard", "dashboard", "95%", 200),
              ("tree", "tree /units/", "tree", "50%", 150)]


def emit_rows(scenario: str, rows: list[dict]) -> None:
    """Issue 15's rows of this scenario for bench/issue15.py, beside the floor page (/healthz) of the run."""
    by_name = {r["Name"]: r for r in rows}
    floor = by_name.get("floor /healthz")
    for name_scenario, page, key, column, goal in ISSUE_ROWS:
        row = by_name.get(page)
        if name_scenario != scenario or row is None:
            continue
        value = float(row[column])
        emit_row(key, value, "ms", floor=float(floor[column]) if floor else None, goal=f"{column[:-1]}th ≤ {goal} ms",
                 met=value <= goal, note=f"p50 {row['50%']} / p95 {row['95%']} / p99 {row['99%']} ms, "
                 f"{float(row['Requests/s']):.1f} req/s, {row['Failure Count']} failed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--secretaries", type=int, default=44)
    parser.add_argument("--board", type=int, default=5)
    parser.add_argument("--tree-users", type=int, default=10)
    parser.add_argument("--paced-seconds", type=int, default=180)
    parser.add_argument("--tree-seconds", type=int, default=90)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--only", choices=["paced", "tree"], help="one scenario only")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("load: set DATABASE_URL to a PostgreSQL copy of the bench template (see bench/README.md)")
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    where = setup_django(fresh=False)
    folder = Path(tempfile.mkdtemp(prefix="chithi03-load-"))
    plan_file = folder / "plan.json"
    plan_file.write_text(json.dumps(plan(args.secretaries, args.board, args.tree_users)), encoding="utf-8")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    port = _port()
    server = gunicorn(port, args.workers, folder / "gunicorn.log")
    print(f"{where}; commit {commit}; gunicorn --workers {args.workers}; {os.cpu_count()} CPUs; files in {folder}")
    try:
        scenarios = [("paced", args.secretaries + args.board + 1, args.paced_seconds),
                     ("tree", args.tree_users + 1, args.tree_seconds)]
        for scenario, users, seconds in scenarios:
            if args.only and scenario != args.only:
                continue
            before = _load()
            rows = locust(scenario, users, seconds, f"http://127.0.0.1:{port}", plan_file, folder)
            show(scenario, rows, before, _load(), seconds)
            emit_rows(scenario, rows)
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
