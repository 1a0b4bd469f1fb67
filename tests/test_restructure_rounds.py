"""Rounds after a restructuring: no deadline for a level the tree lost, withdrawing a round opened by
mistake, and a round for a past period that is not "Quá hạn" the moment it opens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import PlanChange
from organizations.restructuring.execute import apply_changes
from organizations.restructuring.simulation import ChangeSpec
from pledges.models import Directive
from reports.forms import RoundOpenForm, round_defaults
from reports.models import Report, ReportingRound

D = dt.date(2025, 7, 1)


def _d(day):
    widget = RoundOpenForm.base_fields["cutoff"].widget
    return day.strftime(getattr(widget, "format", None) or "%Y-%m-%d")


def _post(world, start, end, deadlines, title="Sơ kết 6 tháng cuối năm 2025"):
    data = {"province": world.p.pk, "kind": "half_year", "year": str(end.year), "years": "1", "title": title,
            "directive": Directive.objects.get(code="05-CT/TW").pk, "period_start": _d(start),
            "period_end": _d(end), "cutoff": _d(end)}
    data.update({f"deadline_{k}": _d(v) if v else "" for k, v in deadlines.items()})
    return data


def _restructure(world):
    apply_changes(province=world.p, on=D, changes=[
        ChangeSpec(PlanChange.Op.MOVE, world.c1.pk, world.p.pk), ChangeSpec(PlanChange.Op.MOVE, world.c2.pk, world.p.pk),
        ChangeSpec(PlanChange.Op.CLOSE, world.d1.pk), ChangeSpec(PlanChange.Op.CLOSE, world.d2.pk)])


DEADLINES = {"cell": dt.date(2026, 1, 5), "commune": dt.date(2026, 1, 10), "district": None,
             "province": dt.date(2026, 1, 20)}


def test_no_district_deadline_is_asked_once_the_tree_has_no_districts(world, client):
    _restructure(world)
    client.force_login(world.users.board)
    response = client.post(reverse("reports:round_open"), _post(world, D, dt.date(2025, 12, 31), DEADLINES))
    assert response.status_code == 302, response.content.decode()[:2000]
    rnd = ReportingRound.objects.get()
    assert not Report.objects.filter(round=rnd, level="district").exists()
    assert rnd.deadline_district == rnd.deadline_commune == dt.date(2026, 1, 10)


def test_a_tree_with_districts_still_needs_their_deadline(world, client):
    client.force_login(world.users.board)
    response = client.post(reverse("reports:round_open"),
                           _post(world, dt.date(2025, 1, 1), dt.date(2025, 6, 30), DEADLINES))
    assert response.status_code == 200 and "Hãy nhập đủ hạn nộp cho từng cấp." in response.content.decode()
    assert not ReportingRound.objects.exists()


@pytest.fixture
def rnd(world, client):
    client.force_login(world.users.board)
    deadlines = {**DEADLINES, "district": dt.date(2026, 1, 15)}
    client.post(reverse("reports:round_open"), _post(world, dt.date(2025, 7, 1), dt.date(2025, 12, 31), deadlines))
    return ReportingRound.objects.get()


def test_a_round_opened_by_mistake_is_withdrawn(world, client, rnd):
    client.force_login(world.users.district1)
    assert client.post(reverse("reports:round_withdraw", args=[rnd.pk])).status_code == 403
    client.force_login(world.users.board)
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert reverse("reports:round_withdraw", args=[rnd.pk]) in page
    response = client.post(reverse("reports:round_withdraw", args=[rnd.pk]))
    assert response.status_code == 302
    assert not ReportingRound.objects.exists() and not Report.objects.exists()


def test_a_round_with_a_report_sent_is_not_withdrawn(world, client, rnd):
    a = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    client.post(reverse("reports:report_submit", args=[a.pk]),
                {"version": a.version, "results": "Kết quả.", "limitations": "", "lessons": "", "directions": "",
                 "recommendations": "", "note": ""})
    client.force_login(world.users.board)
    response = client.post(reverse("reports:round_withdraw", args=[rnd.pk]), follow=True)
    assert "không rút được đợt" in response.content.decode()
    assert ReportingRound.objects.filter(pk=rnd.pk).exists()


def test_a_round_for_a_past_period_is_not_late_the_moment_it_opens(world, client):
    today = timezone.localdate()
    defaults = round_defaults("year", 2024)
    assert defaults["deadline_cell"] > today  # the "fill in" button: deadlines from today
    client.force_login(world.users.board)
    deadlines = {k: defaults[f"deadline_{k}"] for k in ("cell", "commune", "district", "province")}
    response = client.post(reverse("reports:round_open"), {
        **_post(world, dt.date(2024, 1, 1), dt.date(2024, 12, 31), deadlines, title="Tổng kết năm 2024"),
        "kind": "year"})
    assert response.status_code == 302, response.content.decode()[:2000]
    rnd = ReportingRound.objects.get()
    assert not any(r.is_late(today) for r in Report.objects.filter(round=rnd).select_related("round"))
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert "Quá hạn</span>" not in page
