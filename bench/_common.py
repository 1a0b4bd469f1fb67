"""Shared set-up of the benchmarks: a throwaway database, never the one in var/.

SQLite (no DATABASE_URL): a file in $BENCH_DATA_DIR (default /tmp/chithi03_bench).
PostgreSQL (DATABASE_URL=postgres://…/NAME): NAME must contain "bench"; the database is created
when missing, and dropped and created again when a fresh one is asked for.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup_django(*, fresh: bool) -> str:
    """Point Django at the bench database (recreated if `fresh`), migrate it, return a description."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directive03.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        described = _prepare_postgres(url, fresh=fresh)
    elif url:
        sys.exit(f"bench: DATABASE_URL={url!r}: use PostgreSQL or leave it unset for a SQLite bench file")
    else:
        data_dir = Path(os.environ.get("BENCH_DATA_DIR", Path(tempfile.gettempdir()) / "chithi03_bench"))
        os.environ["DATA_DIR"] = str(data_dir.resolve())  # settings put the SQLite file there
        db_file = data_dir / "db.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        described = f"SQLite {db_file}"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return described


def _prepare_postgres(url: str, *, fresh: bool) -> str:
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    if "bench" not in name:
        sys.exit(f"bench: refusing to use the PostgreSQL database {name!r}: its name must contain 'bench'")
    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"] or None, password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"] or None, port=cfg["PORT"] or None)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cur.fetchone() is not None
        if exists and fresh:
            cur.execute(f'DROP DATABASE "{name}"')
            exists = False
        if not exists:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"PostgreSQL {cfg['HOST']}:{cfg['PORT']}/{name}"


def database_size() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return cur.fetchone()[0]
    path = Path(connection.settings_dict["NAME"])
    total = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
    return f"{total / 2**20:.0f} MB"


def time_pages(client, pages: list[tuple[str, str]], *, n: int, show_queries: bool,
               width: int = 40) -> dict[str, tuple[float, float, int]]:
    """Request each (label, url) once to warm up, once under CaptureQueriesContext, then n times;
    print status, size, queries, SQL ms, median and p95 ms (and the 3 slowest queries if asked).
    Returns {label: (median ms, p95 ms, queries)}."""
    import statistics
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"  {'page':<{width}}{'status':>6}{'KB':>7}{'queries':>8}{'sql ms':>8}{'median ms':>11}{'p95 ms':>8}")
    slow: list[tuple[str, list[dict]]] = []
    out: dict[str, tuple[float, float, int]] = {}
    for label, url in pages:
        client.get(url)  # warm-up
        connection.queries_log.clear()  # the log keeps 9,000 entries; a full one captures nothing
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = list(captured.captured_queries)  # a view of the log: copy it before the next requests
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        times = []
        for _ in range(n):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
        print(f"  {label:<{width}}{response.status_code:>6}{len(response.content) / 1024:>7.0f}"
              f"{len(queries):>8}{sql_ms:>8.0f}{statistics.median(times):>11.0f}{p95:>8.0f}")
        slow.append((label, sorted(queries, key=lambda q: -float(q["time"]))[:3]))
        out[label] = (statistics.median(times), p95, len(queries))
    if show_queries:
        for label, queries in slow:
            print(f"\n{label}:")
            for q in queries:
                print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:400]}")
    return out


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes ("1.02/0.85/0.60")."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def emit_row(key: str, value: float, unit: str, *, floor: float | None = None, goal: str = "",
             met: bool | None = None, note: str = "") -> None:
    """Hand one of issue 15's rows to `bench/issue15.py`: a JSON line appended to the file named by
    $BENCH_ROWS (nothing when unset). `value` and `floor` in `unit` ("s", "ms", "x"); `met` whether
    the goal is met; the load average is read now."""
    path = os.environ.get("BENCH_ROWS")
    if not path:
        return
    import json

    row = {"key": key, "value": value, "unit": unit, "floor": floor, "goal": goal, "met": met,
           "note": note, "load": load_average()}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")
