"""Issue 9, case (b), replayed end to end through the views.

A province of 3 districts × 3 communes × 2 cells (2 members each). The 2024 round rolls up through
the districts and its documents are built. Then ONE plan dated 1-7-2025, uploaded as .xlsx: every
commune moved under the province, the three districts closed, commune B merged into commune A with
A renamed, the province renamed (new place) on the same date; the merge makes two "Chi bộ thôn 1" under
A, which the preview lists until two renames are added by the form. After it: the 2024 documents,
rebuilt, keep the old names and place; a 2025 H2 round goes cell → commune → province with nothing
dropped; the closed district and the absorbing commune lose what the history no longer gives them.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from organizations import services as org_services
from organizations.models import Kind, Level, Organization, RestructurePlan, Role
from organizations.selectors import tree_as_of
from pledges.models import MonthlyReview
from reports.models import Report, ReportingRound

from .factories import MemberFactory, ensure_reference_data, user_with_role

D = dt.date(2025, 7, 1)
START = dt.date(2020, 1, 1)
SECTIONS = {"results": "Kết quả đã viết.", "limitations": "", "lessons": "", "directions": "", "recommendations": ""}
DISTRICTS = ["Huyện ủy Kim Động", "Huyện ủy Ân Thi", "Huyện ủy Tiên Lữ"]
COMMUNES = [["Đảng ủy xã Toàn Thắng", "Đảng ủy xã Song Mai", "Đảng ủy xã Vũ Xá"],
            ["Đảng ủy xã Quang Vinh", "Đảng ủy xã Tân Phúc", "Đảng ủy xã Hồ Tùng Mậu"],
            ["Đảng ủy xã Thiện Phiến", "Đảng ủy xã Hải Triều", "Đảng ủy xã Cương Chính"]]


def _unit(parent, level, name, kind, code, place="Hưng Yên"):
    return org_services.org_create(parent=parent, name=name, level=level, kind=kind, issuer_code=code,
                                   place_name=place, valid_from=START)


@pytest.fixture
def province(db):
    ensure_reference_data()
    p = _unit(None, Level.PROVINCE, "Tỉnh ủy Hưng Yên", Kind.TINH_UY, "TU")
    world = {"p": p, "d": [], "c": [], "cells": [], "users": {}}
    world["users"]["board"] = user_with_role("board", p, Role.Kind.BOARD)
    for i, dname in enumerate(DISTRICTS):
        d = _unit(p, Level.DISTRICT, dname, Kind.HUYEN_UY, "HU")
        world["d"].append(d)
        world["users"][f"d{i}"] = user_with_role(f"d{i}", d, Role.Kind.APPROVER)
        for j, cname in enumerate(COMMUNES[i]):
            c = _unit(d, Level.COMMUNE, cname, Kind.DANG_UY_XA, "ĐU")
            world["c"].append(c)
            world["users"][f"c{i}{j}"] = user_with_role(f"c{i}{j}", c, Role.Kind.APPROVER)
            for k in (1, 2):
                cell = _unit(c, Level.CELL, f"Chi bộ thôn {k}", Kind.CHI_BO_TRUC_THUOC, "CB")
                world["cells"].append(cell)
                world["users"][f"s{cell.pk}"] = user_with_role(f"s{cell.pk}", cell, Role.Kind.CELL_SECRETARY)
                for _ in range(2):
                    MemberFactory(cell=cell)
    return world


def _user(client, world, name):
    client.force_login(world["users"][name])
    return client


def _report(rnd, org):
    return Report.objects.get(round=rnd, organization=org)


def _open_round(client, world, *, title, kind, start, end, deadlines):
    _user(client, world, "board")
    data = {"province": world["p"].pk, "kind": kind, "year": str(end.year), "years": "1", "title": title,
            "directive": _directive_id(), "period_start": _d(start), "period_end": _d(end), "cutoff": _d(end),
            **{f"deadline_{level}": _d(day) for level, day in deadlines.items()}}
    response = client.post(reverse("reports:round_open"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ReportingRound.objects.get(title=title)


def _d(day: dt.date) -> str:
    """A date as the round form takes it (the form's own widget format)."""
    from reports.forms import RoundOpenForm

    widget = RoundOpenForm.base_fields["cutoff"].widget
    return day.strftime(getattr(widget, "format", None) or "%Y-%m-%d")


def _directive_id():
    from pledges.models import Directive

    return Directive.objects.get(code="05-CT/TW").pk


def _submit(client, world, user, report):
    _user(client, world, user)
    report.refresh_from_db()
    response = client.post(reverse("reports:report_submit", args=[report.pk]),
                           {"version": report.version, **SECTIONS, "note": ""})
    assert response.status_code == 302, (user, report.name, response.content.decode()[:2000])
    report.refresh_from_db()
    assert report.state in ("submitted", "approved"), (user, report.name)


def _approve(client, world, user, report):
    _user(client, world, user)
    response = client.post(reverse("reports:report_approve", args=[report.pk]))
    assert response.status_code == 302, (user, report.name, response.status_code)
    report.refresh_from_db()
    assert report.state == "approved", (user, report.name)


def _run_round(client, world, rnd, approver_of):
    """Every report written and submitted by its unit, approved by `approver_of(report)`, bottom-up."""
    reports = list(Report.objects.filter(round=rnd).order_by("-tree_path"))
    depth = max(r.tree_path.count("/") for r in reports)
    for level_depth in range(depth, 2, -1):
        for r in [r for r in reports if r.tree_path.count("/") == level_depth]:
            _submit(client, world, writer_of(world, r), r)
            _approve(client, world, approver_of(r), r)
    top = next(r for r in reports if r.parent_id is None)
    _submit(client, world, "board", top)
    return top


def writer_of(world, report):
    if report.level == Level.CELL:
        return f"s{report.organization_id}"
    if report.level == Level.DISTRICT:
        return f"d{world['d'].index(report.organization)}"
    i, j = divmod(world["c"].index(report.organization), 3)
    return f"c{i}{j}"


def _pdf_text(client, report, inline) -> str:
    with inline(execute=True):  # the build task is sent on commit
        response = client.post(reverse("documents:build", args=[report.pk]))
    assert response.status_code == 302
    response = client.get(reverse("documents:download", args=[report.pk, "pdf"]))
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    return re.sub(r"\s+", " ", text)


def _plan_xlsx(world) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Loại thay đổi", "Đơn vị", "Đơn vị đích", "Tên mới", "Địa danh mới"])
    a, b = world["c"][0], world["c"][1]
    for i, d in enumerate(world["d"]):
        for j in range(3):
            c = world["c"][3 * i + j]
            if c is b:
                continue
            ws.append(["Chuyển trực thuộc", f"{d.name} › {c.name}", "Tỉnh ủy Hưng Yên"])
    ws.append(["Hợp nhất vào", f"Huyện ủy Kim Động / {b.name}", a.name])
    ws.append(["Đổi tên", f"#{a.pk}", "", "Đảng ủy xã Toàn Thắng – Song Mai"])
    for d in world["d"]:
        ws.append(["Giải thể", d.name])
    ws.append(["Đổi tên", "Tỉnh ủy Hưng Yên", "", "Tỉnh ủy Phố Hiến", "Phố Hiến"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "phuong-an.xlsx"
    return out


def _cells_once(on):
    ids = [n.id for root in tree_as_of(on) for n in root.walk() if n.level == Level.CELL]
    return sorted(ids)


def test_case_b_restructuring_end_to_end(province, client, django_capture_on_commit_callbacks):
    world = province
    p, districts, communes, cells = world["p"], world["d"], world["c"], world["cells"]
    a, b = communes[0], communes[1]
    b_cell = cells[2]  # "Chi bộ thôn 1" of commune B

    # -- 2024: the round rolls up cell → commune → district → province ---------------------------
    r24 = _open_round(client, world, title="Tổng kết năm 2024", kind="year", start=dt.date(2024, 1, 1),
                      end=dt.date(2024, 12, 31), deadlines={"cell": dt.date(2025, 1, 5), "commune": dt.date(2025, 1, 10),
                                                            "district": dt.date(2025, 1, 15),
                                                            "province": dt.date(2025, 1, 20)})

    def approver_2024(r):
        parent = Organization.objects.get(pk=r.parent_id)
        if parent.level == Level.PROVINCE:
            return "board"
        return writer_of(world, Report(organization=parent, level=parent.level))

    top = _run_round(client, world, r24, approver_2024)
    assert top.state == "approved" and top.figures["members"] == 36 and top.figures["cells_reporting"] == 18
    assert _report(r24, districts[0]).figures["members"] == 12
    # a 2024 monthly record of a cell of commune B, accepted by B
    MonthlyReview.objects.create(cell=b_cell, year=2024, month=11, state=MonthlyReview.State.ACCEPTED)

    # -- one plan dated 1-7-2025, uploaded as .xlsx ----------------------------------------------
    _user(client, world, "board")
    response = client.post(reverse("organizations:plans"),
                           {"province": p.pk, "title": "Sắp xếp tổ chức 2025", "effective_on": "01/07/2025"})
    plan = RestructurePlan.objects.get()
    assert response.status_code == 302 and plan.effective_on == D
    response = client.post(reverse("organizations:plan_upload", args=[plan.pk]), {"file": _plan_xlsx(world)})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert plan.changes.count() == 8 + 1 + 1 + 3 + 1
    page = client.get(reverse("organizations:plan", args=[plan.pk])).content.decode()
    assert "cùng tên “Chi bộ thôn 1”" in page and "disabled" in page  # the merge makes twins
    for k, cell in ((3, cells[2]), (4, cells[3])):
        response = client.post(reverse("organizations:plan", args=[plan.pk]), {
            "op": "rename", "unit": f"{DISTRICTS[0]} › {b.name} › {cell.name}", "new_name": f"Chi bộ thôn {k}"})
        assert response.status_code == 302, response.content.decode()[:3000]
    response = client.get(reverse("organizations:plan", args=[plan.pk]))
    page = response.content.decode()
    assert "Không có vấn đề" in page
    before, after = response.context["before"], response.context["after"]
    assert (before.units, before.cells, before.members) == (13, 18, 36)
    assert (after.units, after.cells, after.members) == (9, 18, 36)

    # -- before the plan is applied, the district still acts on 2024 ----------------------------
    assert _access_reopens(world, "d0", _report(r24, a))

    response = client.post(reverse("organizations:plan_apply", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == RestructurePlan.Status.APPLIED

    # the trees as of the day before and the day itself hold every cell exactly once
    assert _cells_once(D - dt.timedelta(days=1)) == _cells_once(D) == sorted(c.pk for c in cells)
    page = client.get(reverse("organizations:tree") + "?ngay=30/06/2025").content.decode()
    assert "Huyện ủy Kim Động" in page and "Đảng ủy xã Song Mai" in page and "Tỉnh ủy Hưng Yên" in page
    page = client.get(reverse("organizations:tree") + "?ngay=01/07/2025").content.decode()
    assert "Huyện ủy Kim Động" not in page and "Đảng ủy xã Toàn Thắng – Song Mai" in page
    page = client.get(reverse("organizations:tree")).content.decode()
    assert "Huyện ủy Kim Động" not in page and "Tỉnh ủy Phố Hiến" in page

    # -- the 2024 documents, rebuilt after the rename, keep the 2024 names and place ------------
    text = _pdf_text(client, _report(r24, districts[0]), django_capture_on_commit_callbacks)
    assert "HUYỆN ỦY KIM ĐỘNG" in text and "Hưng Yên, ngày" in text and "Phố Hiến" not in text
    text = _pdf_text(client, _report(r24, b), django_capture_on_commit_callbacks)
    assert "ĐẢNG ỦY XÃ SONG MAI" in text and "ĐẢNG BỘ HUYỆN KIM ĐỘNG" in text and "Hưng Yên, ngày" in text
    assert "- Huyện ủy Kim Động," in text

    # -- access after the date: history decides ---------------------------------------------------
    # the dissolved district reads its 2024 reports and can no longer reopen them
    _user(client, world, "d0")
    assert client.get(reverse("reports:report", args=[_report(r24, a).pk])).status_code == 200
    response = client.post(reverse("reports:report_reopen", args=[_report(r24, a).pk]), {"note": "Sửa số liệu."})
    assert response.status_code == 403
    assert _report(r24, a).state == "approved"
    # the commune that absorbed B's cells does not reopen their 2024 records; the board does
    _user(client, world, "c00")
    url = reverse("pledges:decide", args=[b_cell.pk, 2024, 11])
    assert client.post(url, {"action": "reopen", "reason": "Sửa."}).status_code == 403
    assert MonthlyReview.objects.get(cell=b_cell, year=2024, month=11).state == MonthlyReview.State.ACCEPTED
    # commune B's own people read their 2024 round and write nothing any more
    _user(client, world, "c01")
    b_cell_2024 = _report(r24, b_cell)
    assert client.get(reverse("reports:report", args=[b_cell_2024.pk])).status_code == 200
    assert client.post(reverse("reports:report_reopen", args=[b_cell_2024.pk]), {"note": "Sửa."}).status_code == 403

    # -- 2025 H2: cell → commune → province, nothing dropped ------------------------------------
    r25 = _open_round(client, world, title="Sơ kết 6 tháng cuối năm 2025", kind="half_year",
                      start=D, end=dt.date(2025, 12, 31),
                      deadlines={"cell": dt.date(2026, 1, 5), "commune": dt.date(2026, 1, 10),
                                 "district": dt.date(2026, 1, 10), "province": dt.date(2026, 1, 20)})
    assert not Report.objects.filter(round=r25, level=Level.DISTRICT).exists()
    assert Report.objects.filter(round=r25, level=Level.CELL).count() == 18
    assert Report.objects.filter(round=r25, level=Level.COMMUNE).count() == 8

    def approver_2025(r):
        if r.parent_id == p.pk:
            return "board"
        parent = Organization.objects.get(pk=r.parent_id)
        return writer_of(world, Report(organization=parent, level=parent.level))

    top = _run_round(client, world, r25, approver_2025)
    assert top.name == "Tỉnh ủy Phố Hiến"
    assert top.state == "approved" and top.figures["members"] == 36 and top.figures["cells_reporting"] == 18
    assert _report(r25, a).figures["members"] == 8 and _report(r25, a).figures["cells_expected"] == 4 and _report(r25, a).name == "Đảng ủy xã Toàn Thắng – Song Mai"
    # the district has no part in 2025
    _user(client, world, "d0")
    assert client.get(reverse("reports:report", args=[_report(r25, a).pk])).status_code == 404


def _access_reopens(world, user, report) -> bool:
    from organizations.access import access_for
    from reports import permissions

    return permissions.approves(access_for(world["users"][user]), report)
