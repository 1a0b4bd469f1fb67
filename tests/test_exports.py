"""The dashboard's .xlsx export: opens, has the rows, numbers are numbers, and a unit name that looks
like a formula stays text."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from reports.models import Report

from .test_dashboard import open_round, set_states


@pytest.fixture
def rnd(world):
    from django.utils import timezone

    today = timezone.localdate()
    rnd = open_round(world, today)
    set_states(world, rnd, today)
    return rnd


def export_url(rnd, **params):
    base = reverse("dashboard:export", args=[rnd.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def workbook(client, user, rnd, **params):
    client.force_login(user)
    response = client.get(export_url(rnd, **params))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_workbook_has_the_dashboards_rows(world, rnd, client):
    wb = workbook(client, world.users.board, rnd, figure="members")
    assert wb.sheetnames == ["Tiến độ theo đơn vị", "Theo cấp", "Đơn vị chậm nộp", "Thông tin"]
    progress = rows(wb["Tiến độ theo đơn vị"])
    header = progress[0]
    assert header[:6] == ["Đơn vị", "Cấp", "Trạng thái báo cáo của đơn vị", "Hạn nộp", "Tổng số báo cáo", "Đã duyệt"]
    assert header[-1] == "Số đảng viên"
    assert all(c.font.bold for c in wb["Tiến độ theo đơn vị"][1])
    by_name = {row[0]: row for row in progress[1:]}
    assert set(by_name) == {"Huyện ủy Hòn Đất", "Thành ủy Rạch Giá", "Chi bộ Ban Quản lý các KCN tỉnh"}
    d1 = by_name["Huyện ủy Hòn Đất"]
    assert d1[4:8] == [4, 1, 1, 1]  # total, approved, submitted, returned: numbers, not text
    assert isinstance(d1[3], dt.datetime) and d1[3].date() == rnd.deadline_district
    assert d1[11] == 25.0
    levels = rows(wb["Theo cấp"])
    assert levels[0][0] == "Cấp" and [r[0] for r in levels[1:]] == ["Cấp tỉnh", "Cấp huyện", "Cấp cơ sở", "Chi bộ", "Cộng"]
    assert levels[-1][2] == 9 and levels[-1][8] == 3
    late = rows(wb["Đơn vị chậm nộp"])
    assert {r[0] for r in late[1:]} == {"Chi bộ ấp Xà Ngách", "Chi bộ khu phố 3", "Chi bộ Ban Quản lý các KCN tỉnh"}
    assert {r[6] for r in late[1:]} == {1, 2}


def test_a_unit_named_like_a_formula_is_neutralized(world, rnd, client):
    for prefix in ("=", "+", "-", "@"):
        Report.objects.filter(round=rnd, organization=world.y).update(name=f'{prefix}HYPERLINK("http://evil.example","x")')
        wb = workbook(client, world.users.board, rnd)
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert not [c for c in cells if c.data_type == "f"]
        assert f'\'{prefix}HYPERLINK("http://evil.example","x")' in [c.value for c in cells]


def test_export_follows_the_dashboards_access(world, rnd, client):
    assert client.get(export_url(rnd)).status_code == 302
    client.force_login(world.users.outsider)
    assert client.get(export_url(rnd)).status_code == 404
    client.force_login(world.users.district1)
    assert client.get(export_url(rnd, unit=world.c2.pk)).status_code == 404
    assert client.post(export_url(rnd)).status_code == 405
    wb = workbook(client, world.users.district1, rnd, unit=world.c1.pk)
    assert [r[0] for r in rows(wb.active)[1:]] == ["Chi bộ ấp Hòn Quéo", "Chi bộ ấp Xà Ngách"]
