"""The round dashboard: counts per state and level, late units, each child's progress, drill-down
within the user's subtree only, charts' data, and a number of queries that does not grow with units."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations.models import Level, Role
from pledges.models import Directive
from reports import counts as report_counts
from reports import dashboard, services
from reports.models import Report

from .factories import MemberFactory, make_unit, user_with_role


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def open_round(world, today: dt.date, title: str = "Sơ kết 6 tháng đầu năm"):
    """Cells' deadline passed two days ago; the commune's is in two days; the others later."""
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"), title=title,
        kind="half_year", period_start=today - dt.timedelta(days=200), period_end=today - dt.timedelta(days=10),
        cutoff=today - dt.timedelta(days=10),
        deadlines={"cell": today - dt.timedelta(days=2), "commune": today + dt.timedelta(days=2),
                   "district": today + dt.timedelta(days=10), "province": today + dt.timedelta(days=20)},
    )


def force(rnd, org, state, *, started=None, submitted=None, decided=None, snapshot=None):
    """A state written by a direct update (as the demo writes them in bulk): the kept counts are rebuilt."""
    Report.objects.filter(round=rnd, organization_id=getattr(org, "pk", org)).update(
        state=state, started_at=started, submitted_at=submitted, decided_at=decided, snapshot=snapshot,
    )
    report_counts.rebuild(rnd)


def set_states(world, rnd, today):
    """a approved on time, b sent a day late, x never touched, y started; c1 returned."""
    cell_deadline = rnd.deadline_cell
    force(rnd, world.a, "approved", started=noon(cell_deadline - dt.timedelta(days=5)),
          submitted=noon(cell_deadline - dt.timedelta(days=1)), decided=noon(today),
          snapshot={"figures": {"members": 7, "pledged": 7}, "sections": {}})
    force(rnd, world.b, "submitted", started=noon(cell_deadline - dt.timedelta(days=3)),
          submitted=noon(cell_deadline + dt.timedelta(days=1)))
    force(rnd, world.y, "draft", started=noon(today - dt.timedelta(days=4)))
    force(rnd, world.c1, "returned", started=noon(today - dt.timedelta(days=4)),
          submitted=noon(today - dt.timedelta(days=3)), decided=noon(today - dt.timedelta(days=1)))


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def rnd(world, today):
    rnd = open_round(world, today)
    set_states(world, rnd, today)
    return rnd


def url(rnd, **params):
    base = reverse("dashboard:round", args=[rnd.pk])
    if params:
        base += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return base


def get_board(client, user, rnd, **params):
    client.force_login(user)
    response = client.get(url(rnd, **params))
    assert response.status_code == 200
    return response, response.context["board"]


def counts(board):
    return {row.level: {k: getattr(row.counts, k) for k in ("not_started", "draft", "submitted", "returned",
                                                            "approved", "late", "total")}
            for row in board.levels}


def test_counts_per_state_per_level(world, rnd, client):
    response, board = get_board(client, world.users.board, rnd)
    assert board.unit.organization_id == world.p.pk
    assert counts(board) == {
        Level.PROVINCE: dict(not_started=1, draft=0, submitted=0, returned=0, approved=0, late=0, total=1),
        Level.DISTRICT: dict(not_started=2, draft=0, submitted=0, returned=0, approved=0, late=0, total=2),
        Level.COMMUNE: dict(not_started=1, draft=0, submitted=0, returned=1, approved=0, late=0, total=2),
        Level.CELL: dict(not_started=1, draft=1, submitted=1, returned=0, approved=1, late=3, total=4),
    }
    assert (board.totals.total, board.totals.late, board.totals.not_sent) == (9, 3, 7)
    html = response.content.decode()
    assert "Tình trạng báo cáo theo cấp" in html and "Chi bộ" in html


def test_late_units_match_report_is_late(world, rnd, client, today):
    _response, board = get_board(client, world.users.board, rnd)
    late = {row.report.organization_id: row for row in board.late}
    assert set(late) == {world.b.pk, world.x.pk, world.y.pk}
    expected = {r.organization_id for r in Report.objects.filter(round=rnd).select_related("round")
                if r.is_late(today)}
    assert set(late) == expected
    assert late[world.b.pk].deadline == rnd.deadline_cell and late[world.b.pk].days_late == 1
    assert late[world.x.pk].days_late == 2
    assert late[world.x.pk].parent_name == "Đảng ủy phường Vĩnh Thanh"
    # once the commune's deadline passes, the returned commune report is late too
    later = dashboard.build(user=world.users.board, rnd=rnd, today=today + dt.timedelta(days=3))
    assert {row.report.organization_id for row in later.late} == {world.b.pk, world.x.pk, world.y.pk,
                                                                  world.c1.pk, world.c2.pk}


def test_progress_per_child_counts_the_whole_subtree(world, rnd, client):
    response, board = get_board(client, world.users.board, rnd)
    rows = {c.report.organization_id: c.counts for c in board.children}
    assert set(rows) == {world.d1.pk, world.d2.pk, world.y.pk}
    assert (rows[world.d1.pk].total, rows[world.d1.pk].approved, rows[world.d1.pk].submitted,
            rows[world.d1.pk].returned, rows[world.d1.pk].late) == (4, 1, 1, 1, 1)
    assert (rows[world.d2.pk].total, rows[world.d2.pk].approved, rows[world.d2.pk].late) == (3, 0, 1)
    assert (rows[world.y.pk].total, rows[world.y.pk].late) == (1, 1)
    assert rows[world.d1.pk].approved_pct == 25.0
    html = response.content.decode()
    # committees drill down, cells do not
    assert f'?unit={world.d1.pk}&amp;figure=' in html
    assert f'?unit={world.y.pk}&amp;figure=' not in html
    assert 'class="progress w-pct-25"' in html  # never "25,0" in a class name, whatever the locale


def test_drill_down_to_a_child(world, rnd, client):
    _response, board = get_board(client, world.users.board, rnd, unit=world.c1.pk)
    assert board.unit.organization_id == world.c1.pk
    assert [r.organization_id for r in board.trail] == [world.p.pk, world.d1.pk]
    assert {c.report.organization_id for c in board.children} == {world.a.pk, world.b.pk}
    assert board.totals.total == 3
    assert counts(board)[Level.CELL]["late"] == 1


@pytest.mark.parametrize("who,unit,status", [
    ("district1", None, 200), ("district1", "c1", 200), ("district1", "a", 200),
    ("district1", "c2", 404), ("district1", "p", 404), ("district1", "d2", 404),
    ("sec_a", None, 200), ("sec_a", "a", 200), ("sec_a", "b", 404), ("sec_a", "c1", 404),
    ("commune1", "c1", 200), ("commune1", "x", 404),
    ("board", "x", 200), ("outsider", None, 404), ("outsider", "p", 404),
])
def test_who_sees_which_unit(world, rnd, client, who, unit, status):
    client.force_login(getattr(world.users, who))
    params = {"unit": getattr(world, unit).pk} if unit else {}
    assert client.get(url(rnd, **params)).status_code == status


def test_default_scope_is_the_users_own_unit(world, rnd, client):
    _response, board = get_board(client, world.users.district1, rnd)
    assert board.unit.organization_id == world.d1.pk
    assert board.trail == []  # the province is not theirs to open
    _response, board = get_board(client, world.users.sec_a, rnd)
    assert board.unit.organization_id == world.a.pk and board.children == []
    assert board.totals.total == 1


def test_a_user_with_two_units_can_switch(world, rnd, client):
    Role.objects.create(user=world.users.sec_a, organization=world.x, kind=Role.Kind.CELL_SECRETARY)
    response, board = get_board(client, world.users.sec_a, rnd)
    assert {s.organization_id for s in board.scopes} == {world.a.pk, world.x.pk}
    assert f"?unit={world.x.pk}" in response.content.decode()


def test_anonymous_wrong_method_and_bad_parameters(world, rnd, client):
    response = client.get(url(rnd))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(world.users.board)
    assert client.post(url(rnd)).status_code == 405
    assert client.get(url(rnd) + "?unit=abc").status_code == 404
    assert client.get(url(rnd) + "?unit=999999").status_code == 404
    assert client.get(reverse("dashboard:round", args=[rnd.pk + 1000])).status_code == 404
    # an unknown figure falls back to the default one
    assert client.get(url(rnd, figure="nope")).context["board"].figure.code == dashboard.DEFAULT_FIGURE


def test_charts_data_and_vendored_chartjs(world, rnd, client, today):
    response, board = get_board(client, world.users.board, rnd, unit=world.c1.pk, figure="members")
    html = response.content.decode()
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "/static/js/dashboard.js" in html
    assert "cdn" not in html.lower()
    assert 'id="dashboard-data"' in html
    # one horizontal bar per child unit, with its name and value, as HTML (nothing slanted or cut)
    bars = response.context["figure_bars"]
    # a is approved: its frozen figures count (7), b is not: its live figures (2 members)
    assert [(b["child"].report.name, b["value"], b["width"]) for b in bars] == [
        ("Chi bộ ấp Hòn Quéo", 7, 100), ("Chi bộ ấp Xà Ngách", 2, 29)]
    assert 'id="figure-bars"' in html and 'class="figure-bar-fill w-pct-29"' in html
    data = board.chart_data()
    # cumulative per day: a sent (cell deadline - 1), b sent (+1 day), a approved today
    tl = data["timeline"]
    d = rnd.deadline_cell
    assert tl["labels"] == [f"{d - dt.timedelta(days=1):%d/%m}", f"{d + dt.timedelta(days=1):%d/%m}",
                            f"{today:%d/%m}"]
    assert tl["submitted"] == [1, 2, 2] and tl["approved"] == [0, 0, 1] and tl["total"] == 3
    # a ratio figure: the percentage of the summed numerators is the bar's width
    response, _board = get_board(client, world.users.board, rnd, unit=world.c1.pk, figure="pledged_pct")
    assert [(b["value"], b["width"]) for b in response.context["figure_bars"]] == [(100, 100), (0, 0)]
    # no value (no denominator): the unit is still there, with an empty bar and "no data"
    response, board = get_board(client, world.users.board, rnd, unit=world.c1.pk, figure="avg_minutes")
    assert [(b["value"], b["width"]) for b in response.context["figure_bars"]] == [(None, 0), (None, 0)]
    html = response.content.decode()
    assert html.count("chưa có số liệu") == 2 and html.count('class="figure-bar-fill w-pct-0"') == 2


def test_the_late_units_link_to_their_reports(world, rnd, client, today):
    response, board = get_board(client, world.users.board, rnd)
    html = response.content.decode()
    late = html[html.index('id="late"'):]
    assert board.late
    for row in board.late:
        assert f'<a href="{reverse("reports:report", args=[row.report.pk])}">{row.report.name}</a>' in late


def test_index_lists_the_rounds_of_my_province(world, rnd, client):
    client.force_login(world.users.sec_a)
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200 and rnd.title in response.content.decode()
    client.force_login(world.users.outsider)
    assert rnd.title not in client.get(reverse("dashboard:index")).content.decode()


def grow(world, n_cells: int):
    for i in range(n_cells):
        parent = world.c1 if i % 2 else world.c2
        cell = make_unit(parent, Level.CELL, f"Chi bộ thêm {i}")
        MemberFactory.create_batch(2, cell=cell)
    d3 = make_unit(world.p, Level.DISTRICT, "Huyện ủy Giồng Riềng")
    for j in range(3):
        commune = make_unit(d3, Level.COMMUNE, f"Đảng ủy xã {j}")
        for k in range(3):
            make_unit(commune, Level.CELL, f"Chi bộ ấp {j}-{k}")


@pytest.mark.parametrize("who,unit", [("board", None), ("board", "d1"), ("district1", None), ("sec_a", None)])
def test_queries_do_not_grow_with_units(world, rnd, client, today, django_assert_max_num_queries, who, unit):
    user = getattr(world.users, who)
    client.force_login(user)
    params = {"unit": getattr(world, unit).pk} if unit else {}
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(rnd, **params)).status_code == 200
    grow(world, n_cells=24)
    bigger = open_round(world, today, title="Tổng kết năm")
    set_states(world, bigger, today)
    assert Report.objects.filter(round=bigger).count() > 3 * Report.objects.filter(round=rnd).count()
    # a few more states, so every list on the page has rows
    cells = list(Report.objects.filter(round=bigger, level=Level.CELL).values_list("organization_id", flat=True))
    for org_id in cells[::3]:
        force(bigger, org_id, "submitted", submitted=noon(today))
    client.force_login(user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(bigger, **params)).status_code == 200


def test_someone_elses_unit_id_in_the_tree_but_outside_the_round(world, rnd, client, today):
    """A unit created after the cut-off has no report in the round: 404, not an empty page."""
    late_cell = make_unit(world.c1, Level.CELL, "Chi bộ mới", valid_from=today)
    sec = user_with_role("sec_new", late_cell, Role.Kind.CELL_SECRETARY)
    client.force_login(world.users.board)
    assert client.get(url(rnd, unit=late_cell.pk)).status_code == 404
    client.force_login(sec)
    assert client.get(url(rnd)).status_code == 404
