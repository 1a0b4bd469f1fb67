#!/usr/bin/env python
"""Time the monthly review form of a 60-member cell (render, save) and the pledges overview pages on the
medium demo province with a year of records.

Runs on the bench database of bench/_common.py, never var/db.sqlite3: a SQLite file in $BENCH_DATA_DIR
(default /tmp/chithi03_bench) or a PostgreSQL database whose name contains "bench". Use a database of
its own if another benchmark is running (the year of records stays in it):

    BENCH_DATA_DIR=/tmp/chithi03_bench_pledges .venv/bin/python bench/review_form.py [-n 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chithi03_bench_pledges .venv/bin/python bench/review_form.py

What it does, reusing what the database already has:
1. builds the medium demo province (organizations.demo, seed 3) if there is none, unless --no-medium;
2. builds this year's records for it with pledges.demo.build_year (up to today) if it has none, and
   prints how long that took and how many rows it wrote;
3. adds its own small tree with one cell of exactly 60 members ("Chi bộ Bench 60") and its secretary;
4. times, with django.test.Client in this process (server-side time: view, queries, template):
   the review form of the 60-member cell (GET), saving it with all 60 rows changed (POST), and on the
   medium province the committee's month page of a district, of the province, the "not submitted"
   filter, a cell's home and year, each once under CaptureQueriesContext (queries) and then n times
   (median, p95 in ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import setup_django  # noqa: E402

CELL_NAME = "Chi bộ Bench 60"
MEMBERS = 60


def timed(client, method: str, url: str, n: int, before=None):
    """(status, KB, queries, sql ms, median ms, p95 ms) of n requests.

    A POST sends `before(i)` (fresh form data, built outside the timing) url-encoded, as a browser does.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def prepare(i):
        if before is None:
            return lambda: client.get(url)
        body = urlencode(before(i), doseq=True)
        return lambda: client.post(url, body, content_type="application/x-www-form-urlencoded")

    prepare(0)()  # warm-up
    connection.queries_log.clear()
    request = prepare(1)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    queries = list(captured.captured_queries)
    times = []
    for i in range(n):
        request = prepare(i + 2)
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
    return (response.status_code, len(response.content) / 1024, len(queries),
            sum(float(q["time"]) for q in queries) * 1000, statistics.median(times), p95), queries


def bench_cell():
    """The 60-member cell, its secretary and the commune's reviewer: created once, reused after."""
    from django.contrib.auth import get_user_model

    from organizations import demo as org_demo
    from organizations import services as org_services
    from organizations.models import Kind, Level, Member, Membership, Organization, Role

    User = get_user_model()
    cell = Organization.objects.filter(name=CELL_NAME).first()
    if cell is None:
        start = dt.date(2020, 1, 1)

        def unit(parent, name, level, kind, code):
            return org_services.org_create(parent=parent, name=name, level=level, kind=kind, issuer_code=code,
                                           place_name="Kiên Giang", valid_from=start)

        p = unit(None, "Tỉnh ủy Bench", Level.PROVINCE, Kind.TINH_UY, "TU")
        d = unit(p, "Huyện ủy Bench", Level.DISTRICT, Kind.HUYEN_UY, "HU")
        c = unit(d, "Đảng ủy xã Bench", Level.COMMUNE, Kind.DANG_UY_XA, "ĐU")
        cell = unit(c, CELL_NAME, Level.CELL, Kind.CHI_BO_TRUC_THUOC, "CB")
        rng = random.Random(60)
        positions = [Member.Position.SECRETARY, Member.Position.DEPUTY] + [Member.Position.MEMBER] * (MEMBERS - 2)
        members = Member.objects.bulk_create([
            Member(card_number=f"BENCH{i:06d}", full_name=org_demo.person_name(rng, gender), gender=gender,
                   birth_year=rng.randint(1960, 1998), joined_on=dt.date(2015, 5, 19), position=position,
                   is_key_cadre=position != Member.Position.MEMBER, cell=cell)
            for i, position in enumerate(positions)
            for gender in [rng.choice([Member.Gender.MALE, Member.Gender.FEMALE])]
        ])
        Membership.objects.bulk_create(Membership(member=m, cell=cell, start=start) for m in members)
        for username, org, kind in (("bench_bithu", cell, Role.Kind.CELL_SECRETARY),
                                    ("bench_xauy", c, Role.Kind.REVIEWER)):
            user, _created = User.objects.get_or_create(username=username)
            Role.objects.get_or_create(user=user, organization=org, kind=kind)
    return cell, User.objects.get(username="bench_bithu")


def ensure_year(year: int, today: dt.date) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from organizations.models import Organization
    from pledges import demo as pledges_demo
    from pledges.models import MonthlyReview

    province = Organization.objects.filter(depth=1).exclude(name="Tỉnh ủy Bench").order_by("path").first()
    if province is None or MonthlyReview.objects.filter(cell__path__startswith=province.path, year=year).exists():
        return
    print(f"Building the records of {year} up to {today:%d/%m/%Y} for {province.name}…")
    admin = get_user_model().objects.get(username="quantri")
    started = time.perf_counter()
    with transaction.atomic():
        counts = pledges_demo.build_year(province=province, year=year, today=today, rng=random.Random(3), user=admin)
    elapsed = time.perf_counter() - started
    print(f"  pledges.demo.build_year: {elapsed:.1f} s")
    from organizations.demo import analyze

    analyze(pledges_demo.ANALYZE_MODELS)
    for key in ("cells", "pledge", "pledgerevision", "pledgecommitment", "monthlyreview", "reviewentry",
                "reviewevent", "memberclassification", "commendation"):
        if key in counts:
            print(f"    {key:<22}{counts[key]:>10,}")
    states = {k.split(":")[1]: v for k, v in counts.items() if k.startswith("monthlyreview:")}
    print("    records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(states.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--no-medium", action="store_true", help="only the 60-member cell, no medium province")
    parser.add_argument("--queries", action="store_true", help="list the 3 slowest queries of each page")
    args = parser.parse_args()

    where = setup_django(fresh=False)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from demo import seeding
    from organizations.models import Level, Organization, Role
    from pledges import services
    from pledges.models import MonthlyReview
    from pledges.periods import today as local_today

    today = local_today()
    User = get_user_model()
    if not args.no_medium:
        if not User.objects.filter(username="bantuyengiao").exists():
            print(f"No demo province on {where}: building the medium one…")
            seeding.seed_demo(size="medium", seed=3, reset=True, log=print)
        ensure_year(today.year, today)

    cell, secretary = bench_cell()
    client = Client()
    client.force_login(secretary)
    url = f"/cells/{cell.pk}/reviews/{today.year}/{today.month}/"
    client.get(url)  # the empty form: the record is created by its first save, as here
    review = services.review_open(cell=cell, year=today.year, month=today.month, by=secretary)
    member_ids = [str(pk) for pk in cell.members.values_list("pk", flat=True)]

    def form(i: int) -> dict:
        version = MonthlyReview.objects.values_list("version", flat=True).get(pk=review.pk)
        data = {
            "action": "save", "version": str(version), "meeting_date": today.isoformat(), "directive_minutes": "45",
            "theme_content": "Học tập chuyên đề năm; liên hệ trách nhiệm nêu gương.", "thrift_item": "Tiết kiệm điện.",
            "self_criticism_fixes": "", "next_month_measures": "Ra quân dọn vệ sinh.", "notes": f"Lần lưu {i}",
            "members": member_ids,
        }
        for pk in member_ids:
            data[f"m-{pk}-present"] = "1"
            data[f"m-{pk}-rating"] = "good" if i % 2 else "pass"  # every row changes on every save
            data[f"m-{pk}-note"] = f"Ghi chú {i}"
        return data

    pages = [(f"review form GET ({MEMBERS} members)", secretary, "get", url, None)]
    pages.append((f"review form POST save ({MEMBERS} rows)", secretary, "post", url, form))
    if not args.no_medium and User.objects.filter(username="huyenuy").exists():
        district = Role.objects.filter(user__username="huyenuy").select_related("organization").first().organization
        province = Organization.objects.filter(depth=1).exclude(name="Tỉnh ủy Bench").order_by("path").first()
        demo_cell = Role.objects.get(user__username="bithu", kind=Role.Kind.CELL_SECRETARY).organization
        cells_in_district = Organization.objects.filter(path__startswith=district.path, level=Level.CELL).count()
        cells_in_province = Organization.objects.filter(path__startswith=province.path, level=Level.CELL).count()
        month = f"{today.year}/{today.month}"
        huyenuy, board = User.objects.get(username="huyenuy"), User.objects.get(username="bantuyengiao")
        bithu = User.objects.get(username="bithu")
        pages += [
            (f"committee month, district ({cells_in_district} cells)", huyenuy, "get",
             f"/cells/committee/{district.pk}/{month}/", None),
            ("  … only 'chưa nộp'", huyenuy, "get", f"/cells/committee/{district.pk}/{month}/?loc=chua-nop", None),
            (f"committee month, province ({cells_in_province})", board, "get",
             f"/cells/committee/{province.pk}/{month}/", None),
            ("demo cell home", bithu, "get", f"/cells/{demo_cell.pk}/", None),
            ("demo cell year", bithu, "get", f"/cells/{demo_cell.pk}/year/{today.year}/", None),
            ("demo cell review (read-only)", board, "get", f"/cells/{demo_cell.pk}/reviews/{today.year}/1/", None),
            ("demo cell pledges", bithu, "get", f"/cells/{demo_cell.pk}/pledges/{today.year}/", None),
            ("demo cell year end", bithu, "get", f"/cells/{demo_cell.pk}/year-end/{today.year}/", None),
        ]

    print(f"\n{where} [{connection.vendor}]; n={args.n}; {today:%d/%m/%Y}")
    print(f"  {'page':<44}{'status':>6}{'KB':>6}{'queries':>8}{'sql ms':>8}{'median ms':>11}{'p95 ms':>8}")
    slow = []
    for label, user, method, target, data in pages:
        client.force_login(user)
        connection.queries_log.clear()
        (status, kb, queries, sql_ms, median, p95), captured = timed(client, method, target, args.n, before=data)
        print(f"  {label:<44}{status:>6}{kb:>6.0f}{queries:>8}{sql_ms:>8.0f}{median:>11.0f}{p95:>8.0f}")
        slow.append((label, sorted(captured, key=lambda q: -float(q["time"]))[:3]))
    if not args.queries:
        slow = []
    for label, queries in slow:
        print(f"\n{label}:")
        for q in queries:
            print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
