"""Counts kept where they change: the round's counts per unit and level (ReportCount), each report's
live figures, and each cell's member count (MemberCount) equal what is recomputed from scratch after
every kind of change; and the reads that use them take a number of queries that does not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations import services as org_services
from organizations.access import access_for
from organizations.models import Member, MemberCount, PlanChange, Role
from organizations.restructuring.execute import apply_changes
from organizations.restructuring.simulation import ChangeSpec
from organizations.selectors import member_counts_recomputed, with_counts
from pledges import services as pledge_services
from pledges.models import Directive, MonthlyReview
from reports import counts, dashboard, rollup, services
from reports.models import Report

from .factories import MemberFactory, make_unit, user_with_role
from .test_import import confirm, latest_batch, row, upload, xlsx_file

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
DEADLINES = {"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10), "district": dt.date(2026, 7, 15),
             "province": dt.date(2026, 7, 20)}
SECTIONS = {"results": "Kết quả đã viết.", "limitations": "", "lessons": "", "directions": "", "recommendations": ""}


@pytest.fixture
def rnd(world):
    world.users.approver_c1 = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=PERIOD[0], period_end=PERIOD[1],
        cutoff=PERIOD[1], deadlines=DEADLINES,
    )


def report_of(rnd, org) -> Report:
    return Report.objects.get(round=rnd, organization=org)


def assert_kept(rnd) -> None:
    """The kept counts are the recomputed ones, and no report's live figures are stale (a whole-round
    refresh, every report recomputed, finds nothing to write)."""
    assert counts.kept(rnd) == counts.recomputed(rnd)
    assert counts.kept_days(rnd) == counts.recomputed_days(rnd)
    assert rollup.refresh_round(rnd, full=True) == 0


def post(client, user, action, report, data=None):
    client.force_login(user)
    if data is None:
        data = {"version": Report.objects.get(pk=report.pk).version, **SECTIONS,
                "note": "Còn đơn vị chưa được duyệt."}
    response = client.post(reverse(f"reports:report_{action}", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:1000]


def test_round_counts_and_figures_follow_every_step_of_the_workflow(world, rnd, client):
    """Save, submit, approve, return, reopen through the report pages; a monthly record accepted after
    the cell's approval; after each, kept == recomputed."""
    assert_kept(rnd)
    u = world.users
    a, b, c1 = report_of(rnd, world.a), report_of(rnd, world.b), report_of(rnd, world.c1)
    post(client, u.sec_a, "save", a)
    assert_kept(rnd)
    post(client, u.sec_a, "submit", a)
    post(client, u.sec_b, "submit", b)
    assert_kept(rnd)
    post(client, u.approver_c1, "approve", a)
    assert_kept(rnd)
    post(client, u.approver_c1, "return", b, {"reason_target": ["section:results"], "reason_text": ["Thiếu số liệu."]})
    assert_kept(rnd)
    assert counts.kept(rnd)[(world.c1.pk, "cell")] == dict(
        total=2, not_started=0, draft=0, submitted=0, returned=1, approved=1, sent_late=1)  # after 05/07

    # a meeting of the approved cell accepted after its approval: its live figures follow at once
    review = MonthlyReview.objects.create(cell=world.a, year=2026, month=3, state=MonthlyReview.State.SUBMITTED,
                                          meeting_date=dt.date(2026, 3, 10), directive_minutes=45)
    before = Report.objects.get(pk=a.pk).figures["meetings_held"]
    pledge_services.review_accept(review=review, by=u.commune1)
    after = Report.objects.get(pk=a.pk)
    assert after.figures["meetings_held"] == before + 1
    assert rollup.changed_since_approval(after)  # the frozen figures keep the approved value
    assert_kept(rnd)

    post(client, u.approver_c1, "save", c1)
    post(client, u.approver_c1, "submit", c1)
    post(client, u.district1, "approve", c1)
    assert_kept(rnd)
    # the district's live figures are the sums over its approved children, cells_expected kept
    d1 = report_of(rnd, world.d1)
    assert d1.figures["cells_expected"] == 2 and d1.figures["meetings_held"] == after.snapshot["figures"]["meetings_held"]
    post(client, u.approver_c1, "reopen", a, {"note": "Số liệu thay đổi."})
    assert_kept(rnd)
    post(client, u.district1, "reopen", c1, {"note": "Số liệu thay đổi."})
    assert_kept(rnd)
    post(client, u.board, "submit", report_of(rnd, world.p))  # the province's report: final at once
    assert_kept(rnd)
    assert counts.kept(rnd)[(world.p.pk, "province")]["approved"] == 1


def test_the_dashboard_reads_the_kept_counts_as_the_subtree_counts_them(world, rnd, client):
    """The board's dashboard (kept counts) shows per level and per child what the grouped queries over
    the subtree count, late reports included (sent after the deadline, or not sent once it passed)."""
    u = world.users
    a, b = report_of(rnd, world.a), report_of(rnd, world.b)
    post(client, u.sec_a, "submit", a)  # after the cells' deadline: late
    post(client, u.sec_b, "save", b)
    post(client, u.approver_c1, "approve", a)
    client.force_login(u.board)
    response = client.get(reverse("dashboard:round", args=[rnd.pk]) + f"?unit={world.p.pk}")
    board = response.context["board"]
    unit = board.unit
    qs = dashboard.subtree(access_for(u.board), unit)
    today = board.today
    computed = dashboard.level_rows(qs, rnd, today)
    assert [(r.level, vars(r.counts)) for r in board.levels] == [(r.level, vars(r.counts)) for r in computed]
    grouped = dashboard.child_rows(access_for(u.board), unit, rnd, today, board.figure, qs)
    assert {c.report.organization_id: vars(c.counts) for c in board.children} == \
        {c.report.organization_id: vars(c.counts) for c in grouped}
    assert board.timeline == dashboard.timeline(qs, board.totals.total)
    assert board.timeline["submitted"] == [1] and board.timeline["approved"] == [1]
    assert board.totals.late == 9  # every deadline has passed: sent late, or not sent
    assert counts.kept(rnd)[(world.p.pk, "cell")]["sent_late"] == 1


def test_cells_and_committees_up_the_chain_in_a_fixed_number_of_queries(world, rnd, django_assert_num_queries):
    """One cell's change walks its ancestors with the same queries whatever its depth: a cell under a
    commune under a district, and a cell right under the province."""
    deep = Report.objects.select_related("round", "organization").get(round=rnd, organization=world.a)
    shallow = Report.objects.select_related("round", "organization").get(round=rnd, organization=world.y)
    with CaptureQueriesContext(connection) as deep_queries:
        chain = rollup.refresh_upward(deep)
    assert [r.organization_id for r in chain] == [world.a.pk, world.c1.pk, world.d1.pk, world.p.pk]
    n = len(deep_queries)
    assert n <= 3, [q["sql"][:200] for q in deep_queries.captured_queries]  # see tests/test_one_cell.py
    assert not any("snapshot\" FROM" in q["sql"] or "LIKE" in q["sql"] for q in deep_queries.captured_queries)
    with django_assert_num_queries(n):
        rollup.refresh_upward(shallow)
    assert rollup.refresh_round(rnd, full=True) == 0


def test_member_counts_follow_every_kind_of_change(world, client):
    def kept():
        return {cell: n for cell, n in MemberCount.objects.values_list("cell_id", "members") if n}

    assert kept() == member_counts_recomputed() == {world.a.pk: 3, world.b.pk: 2, world.x.pk: 1}
    MemberFactory(cell=world.x)  # added
    assert kept() == member_counts_recomputed()
    on = dt.date.today()
    org_services.member_transfer(member=world.members_a[0], to_cell=world.b, on=on)  # moved
    org_services.member_transfer(member=world.members_a[1], to_cell=None, on=on)  # left the province
    assert kept() == member_counts_recomputed() == {world.a.pk: 1, world.b.pk: 3, world.x.pk: 2}
    Member.objects.filter(pk=world.members_x[0].pk).delete()
    assert kept() == member_counts_recomputed()

    # imported through the pages: two new members of a
    client.force_login(world.users.sec_a)
    upload(client, world.a, xlsx_file([row("90000001", "Nguyễn Văn Một"), row("90000002", "Nguyễn Văn Hai")]))
    confirm(client, world.a, latest_batch())
    assert kept() == member_counts_recomputed()
    assert kept()[world.a.pk] == 3

    # restructured: b merged into a (its members move)
    apply_changes(province=world.p, on=on,
                  changes=[ChangeSpec(PlanChange.Op.MERGE, world.b.pk, world.a.pk, position=1)])
    assert kept() == member_counts_recomputed() == {world.a.pk: 6, world.x.pk: 1}

    # what the tree shows
    client.force_login(world.users.board)
    page = client.get(reverse("organizations:detail", args=[world.p.pk])).content.decode()
    assert "7 đảng viên" in page or ">7<" in page


def test_tree_counts_in_queries_that_do_not_grow(world, client, django_assert_num_queries):
    client.force_login(world.users.board)
    units = [world.p, world.d1, world.c1, world.a, world.y]
    with django_assert_num_queries(1):
        with_counts(units)
    assert [(u.cell_count, u.member_count) for u in units] == [(4, 6), (2, 5), (2, 5), (1, 3), (1, 0)]
    url = reverse("organizations:tree")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    # a bigger tree: more cells and members, the same queries
    for i in range(3):
        cell = make_unit(world.c2, "cell", f"Chi bộ khu phố {10 + i}")
        for j in range(4):
            MemberFactory(cell=cell, full_name=f"Đảng viên {i} {j}")
    with django_assert_num_queries(len(small)):
        assert client.get(url).status_code == 200
