"""Issue 9, case (a): a cell enters its past years after the fact, through the pages only.

A cell directly under a provincial bloc committee (Đảng ủy Khối các cơ quan tỉnh); 15 members, 4 of
them key cadres, in the cell since 01/01/2010, imported with the column "Sinh hoạt tại chi bộ từ
ngày". In 2026 its secretary enters four years, 2011–2014: pledges, the twelve monthly records of each
year, the year ends; the bloc committee accepts the records; the board opens the 2011–2014 summary round.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from organizations.models import Kind, Level, Member, Role
from pledges.models import Directive, MonthlyReview
from reports.models import Report

from .factories import ensure_reference_data, make_unit, user_with_role
from .test_import import confirm, latest_batch, upload, xlsx_file

TODAY = dt.date(2026, 5, 20)
YEARS = (2011, 2012, 2013, 2014)
SINCE = dt.date(2010, 1, 1)
#: Members recorded in the book of good examples in March and September of each year (3 each time).
EXEMPLARY = {(3, 0), (3, 5), (3, 9), (9, 1), (9, 5), (9, 14)}
#: One member absent each month; one criticised each December.
MINUTES = 45


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def bloc(db):
    ensure_reference_data()
    start = dt.date(2008, 1, 1)
    province = make_unit(None, Level.PROVINCE, "Tỉnh ủy Hưng Yên", valid_from=start)
    bloc = make_unit(province, Level.DISTRICT, "Đảng ủy Khối các cơ quan tỉnh", kind=Kind.DANG_UY_KHOI,
                     valid_from=start)
    cell = make_unit(bloc, Level.CELL, "Chi bộ Văn phòng Sở Tư pháp", kind=Kind.CHI_BO_CO_SO, valid_from=start)
    users = {
        "secretary": user_with_role("bithu_stp", cell, Role.Kind.CELL_SECRETARY),
        "bloc": user_with_role("dukhoi", bloc, Role.Kind.APPROVER),
        "board": user_with_role("btg", province, Role.Kind.BOARD),
    }
    return province, bloc, cell, users


def page(response) -> str:
    assert response.status_code in (200, 302), response.status_code
    return unescape(response.content.decode())


def import_members(client, cell) -> list[Member]:
    positions = ["Bí thư", "Phó Bí thư", "Chi ủy viên"] + ["Đảng viên"] * 12
    rows = []
    for i in range(15):
        rows.append([f"{33000100 + i:08d}", f"Nguyễn Văn Thành {i + 1:02d}", "Nam" if i % 2 else "Nữ", 1970 + i,
                     "03/02/2005", "Chính thức", positions[i], "Có" if i < 4 else "Không", "",
                     SINCE.strftime("%d/%m/%Y")])
    response = upload(client, cell, xlsx_file(rows))
    assert "15 mới, 0 cập nhật" in page(response)
    confirm(client, cell, latest_batch())
    members = list(Member.objects.filter(cell=cell).order_by("card_number"))
    assert len(members) == 15
    return members


def version_of(client, url_) -> str:
    """The token of the rows a page edits (a save from an out-of-date page is refused)."""
    found = re.search(r'name="version" value="([^"]*)"', page(client.get(url_)))
    return found.group(1) if found else ""


def enter_pledges(client, cell, members, year):
    for i, member in enumerate(members):
        url_ = reverse("pledges:pledge_member", args=[cell.pk, year, member.pk])
        response = client.post(url_, {
            "version": version_of(client, url_), "kind": "set_example" if i < 4 else "exemplary", "on": f"{year}-06-20",
            "content": [f"Gương mẫu thực hiện chuyên đề năm {year}"], "verification": ["Sổ sinh hoạt chi bộ"]})
        assert response.status_code == 302, page(response)
    url_ = reverse("pledges:pledge_collective", args=[cell.pk, year])
    response = client.post(url_, {"version": version_of(client, url_), "on": f"{year}-06-20",
                                  "content": ["Xây dựng chi bộ trong sạch, vững mạnh"]})
    assert response.status_code == 302


def enter_month(client, cell, members, year, month):
    url_ = reverse("pledges:review", args=[cell.pk, year, month])
    form = page(client.get(url_))
    assert members[0].full_name in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    data = {"action": "submit", "version": version, "meeting_date": f"{year}-{month:02d}-05",
            "directive_minutes": str(MINUTES), "theme_content": f"Học chuyên đề năm {year}.",
            "thrift_item": "Tiết kiệm chi thường xuyên.", "self_criticism_fixes": "",
            "next_month_measures": "Cải cách thủ tục hành chính.", "notes": "",
            "members": [str(m.pk) for m in members]}
    absent = members[month % 15]
    for i, m in enumerate(members):
        prefix = f"m-{m.pk}-"
        if m == absent:
            data[prefix + "absence_reason"] = "Đi công tác"
            continue
        data[prefix + "present"] = "1"
        data[prefix + "rating"] = "good"
        if (month, i) in EXEMPLARY:
            data[prefix + "exemplary"] = "1"
            data[prefix + "exemplary_deed"] = "Giải quyết hồ sơ trước hạn."
        if month == 12 and i == 14:
            data[prefix + "criticised"] = "1"
            data[prefix + "criticism_note"] = "Chậm nộp bản thu hoạch."
            data[prefix + "rating"] = "pass"
    response = client.post(url_, data)
    assert response.status_code == 302, re.findall(r'invalid-feedback[^>]*>([^<]+)', page(response))[:5]


def enter_year_end(client, cell, members, year):
    url_ = reverse("pledges:yearend", args=[cell.pk, year])
    grades = {m.pk: "excellent" if i < 2 else "complete" if i >= 13 else "good" for i, m in enumerate(members)}
    data = {"action": "classify", "version": version_of(client, url_), "members": [str(m.pk) for m in members],
            **{f"g-{pk}": grade for pk, grade in grades.items()}}
    assert "Đã lưu xếp loại 15 đảng viên." in page(client.post(url_, data, follow=True))
    response = client.post(url_, {"action": "commend", "awarded_on": f"{year + 1}-01-15", "kind": "certificate",
                                  "issuer": "Đảng ủy Khối các cơ quan tỉnh", "recipient": str(members[0].pk),
                                  "content": f"Hoàn thành xuất sắc nhiệm vụ năm {year}"})
    assert response.status_code == 302
    if year in (2012, 2014):
        kind = "model" if year == 2012 else "example"
        response = client.post(url_, {"action": "model", "kind": kind, "title": f"Một cửa liên thông {year}",
                                      "member": ""})
        assert response.status_code == 302


def test_a_cell_enters_2011_to_2014_and_the_summary_round_is_right(client, bloc):
    province, bloc_unit, cell, users = bloc
    client.force_login(users["secretary"])
    members = import_members(client, cell)

    # the year picker reaches 2011 in one step
    response = client.get(reverse("pledges:go", args=[cell.pk]), {"nam": "2011"})
    assert response["Location"] == reverse("pledges:year", args=[cell.pk, 2011])
    year_page = page(client.get(response["Location"]))
    assert members[0].full_name in year_page and "Không có đảng viên nào trong năm" not in year_page

    for year in YEARS:
        enter_pledges(client, cell, members, year)
        for month in range(1, 13):
            enter_month(client, cell, members, year, month)
        enter_year_end(client, cell, members, year)

    # the bloc committee reviews: its month picker reaches March 2012, and it accepts what was sent
    client.force_login(users["bloc"])
    response = client.get(reverse("pledges:committee_go", args=[bloc_unit.pk]), {"nam": "2012", "thang": "3"})
    assert response["Location"] == reverse("pledges:committee_month", args=[bloc_unit.pk, 2012, 3])
    assert cell.name in page(client.get(response["Location"]))
    for year in YEARS:
        for month in range(1, 13):
            decide = reverse("pledges:decide", args=[cell.pk, year, month])
            assert client.post(decide, {"action": "accept"}).status_code == 302
    assert MonthlyReview.objects.filter(cell=cell, state=MonthlyReview.State.ACCEPTED).count() == 48

    # the board opens the 2011–2014 summary round
    client.force_login(users["board"])
    directive = Directive.objects.get(code="03-CT/TW")
    response = client.post(reverse("reports:round_open"), {
        "province": str(province.pk), "kind": "multi_year", "year": "2014", "years": "4",
        "title": "Sơ kết 4 năm thực hiện Chỉ thị 03-CT/TW (2011–2014)", "directive": str(directive.pk),
        "period_start": "2011-01-01", "period_end": "2014-12-31", "cutoff": "2014-12-31",
        "deadline_cell": "2026-06-05", "deadline_commune": "2026-06-10", "deadline_district": "2026-06-15",
        "deadline_province": "2026-06-20"})
    assert response.status_code == 302, page(response)
    report = Report.objects.get(organization=cell)
    client.force_login(users["secretary"])
    report_page = page(client.get(reverse("reports:report", args=[report.pk])))
    report.refresh_from_db()
    figures = report.figures

    expected = {
        "members": 15, "key_cadres": 4,  # at the cut-off, 31/12/2014
        "pledged": 15, "pledged_set_example": 4, "key_cadres_set_example": 4, "pledged_exemplary": 11,
        "collective_pledges": 1,  # the pledges of the last year of the period
        "meetings_expected": 48, "meetings_held": 48, "directive_minutes": 48 * MINUTES,
        "attendance_expected": 48 * 15, "attendance_present": 48 * 14,
        "exemplary_records": 4 * len(EXEMPLARY), "criticised": 4,
        "models": 1, "examples": 1,
    }
    assert {code: figures.get(code) for code in expected} == expected
    # the figures drill down to the records behind them
    drill = page(client.get(reverse("reports:figure", args=[report.pk, "exemplary_records"])))
    assert "24" in drill
    assert "Sơ kết 4 năm" in report_page
    # the cell's official document of the round
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(reverse("documents:build", args=[report.pk]), HTTP_HX_REQUEST="true").status_code == 200
    pdf = client.get(reverse("documents:download", args=[report.pk, "pdf"]))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages)
    text = " ".join(text.split())
    assert "Sơ kết 4 năm" in text and "2011" in text and "2014" in text
    assert re.search(r"Số đảng viên\s+15\b", text), text[:2000]
    # the members page of a past year and the member's own page agree with the history
    member_page = page(client.get(reverse("organizations:member", kwargs={"member_id": members[3].pk})))
    assert "01/01/2010" in member_page and cell.name in member_page
