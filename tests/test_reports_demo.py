"""The demo round: reports in every state, committees equal to the sums of their approved children,
an audit trail behind every state, late units relative to `today`."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse

from organizations.models import Level, Role
from pledges.models import MonthlyReview, ReviewEntry
from reports import demo, rollup
from reports import figures as F_
from reports.models import Report, ReportEvent, ReturnReason

from .factories import MemberFactory, UserFactory, make_unit, user_with_role

TODAY = dt.date(2026, 11, 21)


@pytest.fixture
def province(db):
    """A province with 2 districts × 3 communes × 3 cells, and a cell directly under it; members and
    monthly meetings so the figures are not all zero."""
    p = make_unit(None, Level.PROVINCE, "Tỉnh ủy Demo")
    cells = [make_unit(p, Level.CELL, "Chi bộ Văn phòng Tỉnh ủy")]
    for d in range(2):
        district = make_unit(p, Level.DISTRICT, f"Huyện ủy {d + 1}")
        for c in range(3):
            commune = make_unit(district, Level.COMMUNE, f"Đảng ủy xã {d + 1}.{c + 1}")
            if (d, c) == (0, 0):
                user_with_role("xauy", commune, Role.Kind.APPROVER)
            for k in range(3):
                cells.append(make_unit(commune, Level.CELL, f"Chi bộ ấp {d + 1}.{c + 1}.{k + 1}"))
    for i, cell in enumerate(cells):
        members = MemberFactory.create_batch(2 + i % 3, cell=cell)
        for month in range(1, 1 + i % 6):
            review = MonthlyReview.objects.create(cell=cell, year=2026, month=month, state="accepted",
                                                  meeting_date=dt.date(2026, month, 8), directive_minutes=40)
            for j, m in enumerate(members):
                ReviewEntry.objects.create(review=review, member=m, present=j != 0,
                                           exemplary=j == 1, exemplary_deed="Giúp hộ nghèo" if j == 1 else "")
    user_with_role("bithu", cells[1], Role.Kind.CELL_SECRETARY)
    return p


@pytest.fixture
def built(province):
    board = UserFactory(username="bantuyengiao")
    Role.objects.create(user=board, organization=province, kind=Role.Kind.BOARD)
    result = demo.build_round(province=province, year=2026, today=TODAY, rng=random.Random(7), board_user=board)
    return result, board


def test_every_state_is_there(built):
    result, _board = built
    rnd = result["round"]
    assert rnd.title == "Sơ kết 6 tháng đầu năm 2026" and rnd.deadline_cell == dt.date(2026, 7, 5)
    assert result["reports"] == Report.objects.filter(round=rnd).count() == 1 + 2 + 6 + 19
    for state in ("approved", "submitted", "returned", "draft", "missing"):
        assert result[state] > 0, state
    reports = list(Report.objects.filter(round=rnd))
    states = {r.state for r in reports}
    assert states == {"approved", "submitted", "returned", "draft"}
    assert any(r.is_missing for r in reports)
    assert any(r.state == "draft" and not r.is_missing and r.results for r in reports)
    assert result["late"] == sum(r.is_late(TODAY) for r in reports) > 0
    assert any(r.submitted_at and r.is_late(TODAY) for r in reports)  # submitted after the deadline
    assert any(r.submitted_at and not r.is_late(TODAY) for r in reports)  # on time
    for r in reports:
        assert all("{" not in getattr(r, code) for code in Report.SECTIONS)
        if r.state != "draft":
            assert r.results and r.submitted_at and r.submitted_at.date() < TODAY
            assert r.started_at <= r.submitted_at


def test_committees_are_the_sums_of_their_approved_children(built):
    result, _board = built
    rnd = result["round"]
    assert rollup.refresh_round(rnd, today=TODAY, full=True) == 0  # already up to date
    reports = {r.organization_id: r for r in Report.objects.filter(round=rnd)}
    children: dict[int, list[Report]] = {}
    for r in reports.values():
        children.setdefault(r.parent_id, []).append(r)
    for r in reports.values():
        if r.level == Level.CELL:
            continue
        total = F_.empty()
        for child in children.get(r.organization_id, []):
            if child.state == "approved":
                F_.add(total, child.snapshot["figures"])
        total["cells_expected"] = sum(1 for x in reports.values()
                                      if x.level == Level.CELL and x.tree_path.startswith(r.tree_path))
        assert r.figures == total, r.name
        if r.state == "approved":
            assert r.snapshot["computed"] == total
            assert rollup.changed_since_approval(r) == []
            assert r.snapshot["sections"]["results"] == r.results
    assert any(r.state == "approved" and r.level != Level.CELL for r in reports.values())
    province = next(r for r in reports.values() if r.parent_id is None)
    assert province.figures["members"] > 0 or not any(
        c.state == "approved" for c in children[province.organization_id])


def test_the_audit_trail_matches_the_states(built):
    result, board = built
    rnd = result["round"]
    assert result["events"] == ReportEvent.objects.filter(report__round=rnd).count() > 0
    assert result["reasons"] == ReturnReason.objects.filter(report__round=rnd).count() > 0
    for r in Report.objects.filter(round=rnd).prefetch_related("events", "return_reasons"):
        actions = [e.action for e in r.events.all()]
        if r.is_missing:
            assert actions == []
            continue
        assert actions[0] == "save"
        assert [e.at for e in r.events.all()] == sorted(e.at for e in r.events.all())
        if r.state == "submitted":
            assert actions[-1] == "submit"
        if r.state == "approved":
            assert actions[-1] == "approve" and r.decided_at >= r.submitted_at
        if r.state == "returned":
            assert actions[-1] == "return"
            last = list(r.events.all())[-1]
            assert last.reasons.exists() and last.by_id == r.decided_by_id
        if r.level != Level.CELL and r.submitted_at and any(
                c.state != "approved" for c in Report.objects.filter(round=rnd, parent_id=r.organization_id)):
            assert r.submit_note  # a committee with children not approved explained why
    # the people who hold the roles act where they can; the board elsewhere
    secretary_cell = Role.objects.get(user__username="bithu").organization_id
    cell_report = Report.objects.get(round=rnd, organization_id=secretary_cell)
    if not cell_report.is_missing:
        assert {e.by.username for e in cell_report.events.all() if e.action == "save"} == {"bithu"}
    assert ReportEvent.objects.filter(report__round=rnd, by=board).exists()


def test_the_pages_show_the_demo_round(built, client):
    result, board = built
    rnd = result["round"]
    client.force_login(board)
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert "Sơ kết 6 tháng đầu năm 2026" in page and "Huyện ủy 1" in page
    returned = Report.objects.filter(round=rnd, state="returned").first()
    page = client.get(reverse("reports:report", args=[returned.pk])).content.decode()
    assert "Cấp trên trả lại báo cáo với các lý do sau" in page
