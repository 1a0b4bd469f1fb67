"""The report page (a committee with many children), the round page and a figure's drill-down run a
number of queries that does not grow with the number of units, reports or records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Level, Role
from pledges.models import Directive, MonthlyReview
from reports import services
from reports.models import Report

from .factories import MemberFactory, make_unit, user_with_role

DEADLINES = {"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10), "district": dt.date(2026, 7, 15),
             "province": dt.date(2026, 7, 20)}


def open_round(world):
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30), cutoff=dt.date(2026, 6, 30), deadlines=DEADLINES,
    )


def work(rnd, world):
    """Every other cell of the commune approved, one submitted: the pages have rows of every kind."""
    approver = world.users.admin_c1  # writes the cells' reports and approves them
    cells = Report.objects.filter(round=rnd, parent_id=world.c1.pk).order_by("pk")
    for i, report in enumerate(cells):
        if i % 3 == 2:
            continue
        report = services.report_save(report=report, sections={"results": "Kết quả."}, typed={"inspections": "1"},
                                      expected_version=report.version, by=approver)
        report = services.report_submit(report=report, by=approver)
        if i % 3 == 0:
            services.report_approve(report=report, by=approver)


def grow(world, n_cells: int):
    for i in range(n_cells):
        cell = make_unit(world.c1, Level.CELL, f"Chi bộ thêm {i}")
        members = MemberFactory.create_batch(3, cell=cell)
        review = MonthlyReview.objects.create(cell=cell, year=2026, month=2, state="accepted",
                                              meeting_date=dt.date(2026, 2, 5), directive_minutes=40)
        for m in members:
            review.entries.create(member=m, present=True)
    for i in range(3):
        make_unit(world.p, Level.DISTRICT, f"Huyện ủy thêm {i}")
    MemberFactory.create_batch(20, cell=world.a)


PAGES = [
    ("approver_c1", lambda rnd, w: reverse("reports:report", args=[Report.objects.get(round=rnd, organization=w.c1).pk])),
    ("board", lambda rnd, w: reverse("reports:report", args=[Report.objects.get(round=rnd, organization=w.p).pk])),
    ("commune1", lambda rnd, w: reverse("reports:report", args=[Report.objects.get(round=rnd, organization=w.a).pk])),
    ("board", lambda rnd, w: reverse("reports:round", args=[rnd.pk])),
    ("approver_c1", lambda rnd, w: reverse("reports:round", args=[rnd.pk])),
    ("board", lambda rnd, w: reverse("reports:rounds")),
    ("approver_c1", lambda rnd, w: reverse(
        "reports:figure", args=[Report.objects.get(round=rnd, organization=w.c1).pk, "members"])),
    ("commune1", lambda rnd, w: reverse(
        "reports:figure", args=[Report.objects.get(round=rnd, organization=w.a).pk, "members"])),
    ("commune1", lambda rnd, w: reverse(
        "reports:figure", args=[Report.objects.get(round=rnd, organization=w.a).pk, "attendance_present"])),
]


@pytest.mark.parametrize("who,url", PAGES)
def test_queries_do_not_grow_with_units(world, client, django_assert_max_num_queries, who, url):
    world.users.approver_c1 = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    client.force_login(getattr(world.users, who))
    small = open_round(world)
    work(small, world)
    target = url(small, world)
    assert client.get(target).status_code == 200  # the first view may bring the figures up to date
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(target).status_code == 200
    allowed = len(baseline.captured_queries)  # read now: the next request resets the connection's log

    grow(world, n_cells=12)
    Report.objects.filter(round=small).delete()
    small.delete()
    large = open_round(world)
    assert Report.objects.filter(round=large, parent_id=world.c1.pk).count() == 14
    work(large, world)
    target = url(large, world)
    assert client.get(target).status_code == 200
    with django_assert_max_num_queries(allowed):
        assert client.get(target).status_code == 200
