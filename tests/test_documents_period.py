"""Documents true to their date and their period (issue 12), replayed through the views: a cell's
2011–2014 summary issued on 15/01/2015, with its year-end records entered on the year-end pages."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from docx import Document as Docx

from organizations.models import Member, Membership, Organization, OrganizationVersion, Role
from pledges.models import Directive
from reports import figures as F_
from reports import services
from reports.documents import build
from reports.models import Document, Report

from .factories import user_with_role
from .test_documents import pdf_text, squash

PAST = dt.date(2010, 1, 1)
DEADLINES = {"cell": dt.date(2015, 1, 20), "commune": dt.date(2015, 1, 25), "district": dt.date(2015, 1, 28),
             "province": dt.date(2015, 1, 31)}
TITLE = "Tổng kết 4 năm thực hiện Chỉ thị số 03-CT/TW"
#: (year of achievement, decided on, kind): the 2014 Giấy khen decided in January 2015
COMMENDATIONS = [(2011, "2012-01-10", "certificate"), (2012, "2013-01-12", "certificate"),
                 (2013, "2014-01-15", "merit"), (2014, "2015-01-15", "certificate")]


@pytest.fixture
def inline(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def past(world):
    """The world's units and the members of cell A existed since 2010 (a cell's past years)."""
    Organization.objects.update(valid_from=PAST)
    OrganizationVersion.objects.update(valid_from=PAST)
    Membership.objects.filter(cell=world.a).update(start=PAST)
    Member.objects.filter(pk=world.members_a[0].pk).update(position=Member.Position.SECRETARY)
    Member.objects.filter(pk=world.members_a[1].pk).update(position=Member.Position.DEPUTY)
    world.users.approver_c1 = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    return world


def post_year_end(client, cell, year, data):
    """Post one of the year-end page's forms with the version token the page gave it."""
    url = reverse("pledges:yearend", args=[cell.pk, year])
    page = client.get(url).content.decode()
    found = re.search(rf'name="action" value="{data["action"]}">\s*<input type="hidden" name="version" value="([^"]*)"',
                      page)
    return client.post(url, {**data, "version": found.group(1) if found else ""})


def year_end_through_the_pages(client, world):
    """The secretary classifies the members for 2011–2014 (one rated lower in 2012) and records the four
    commendations; the commune classifies the cell."""
    client.force_login(world.users.sec_a)
    low = world.members_a[2]
    for year in range(2011, 2015):
        data = {"action": "classify", "members": [str(m.pk) for m in world.members_a]}
        for m in world.members_a:
            data[f"g-{m.pk}"] = "complete" if (year == 2012 and m == low) else "good"
        assert post_year_end(client, world.a, year, data).status_code == 302
    for year, on, kind in COMMENDATIONS:
        response = client.post(reverse("pledges:yearend", args=[world.a.pk, year]), {
            "action": "commend", "awarded_on": on, "kind": kind, "issuer": "Đảng ủy xã Sóc Sơn",
            "content": f"Hoàn thành xuất sắc nhiệm vụ năm {year}", "recipient": str(world.members_a[year % 3].pk),
        })
        assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(world.users.approver_c1)
    for year in range(2011, 2015):
        response = post_year_end(client, world.a, year, {"action": "classify_org", "grade": "excellent"})
        assert response.status_code == 302


def open_round(world, *, title=TITLE, kind="final", start=dt.date(2011, 1, 1), end=dt.date(2014, 12, 31), years=4):
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="03-CT/TW"), title=title,
        kind=kind, years=years, period_start=start, period_end=end, cutoff=end, deadlines=DEADLINES)


def write_and_send(client, report, user, text="Chi bộ đã quán triệt, triển khai đầy đủ."):
    client.force_login(user)
    report.refresh_from_db()
    data = {code: "" for code in Report.SECTIONS} | {"results": text, "version": report.version, "note": "x"}
    response = client.post(reverse("reports:report_submit", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def approve(client, report, user):
    client.force_login(user)
    response = client.post(reverse("reports:report_approve", args=[report.pk]))
    assert response.status_code == 302


def issue_through_the_page(client, report, user, inline, **data):
    client.force_login(user)
    page = client.get(reverse("documents:issue", args=[report.pk]))
    assert page.status_code == 200
    with inline():
        response = client.post(reverse("documents:issue", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    doc = Document.objects.get(report=report, kind=Document.Kind.REPORT)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def download(client, report, fmt: str) -> bytes:
    response = client.get(reverse("documents:download", args=[report.pk, fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def docx_text(data: bytes) -> str:
    d = Docx(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_a_four_year_summary_of_a_cell_issued_in_january_2015(client, past, inline):
    world = past
    year_end_through_the_pages(client, world)
    rnd = open_round(world)
    cell = Report.objects.get(round=rnd, organization=world.a)

    # the report page: each year's classification and the commendations by kind, counted by year of
    # achievement (the 2014 Giấy khen decided on 15/01/2015 is one of the four)
    client.force_login(world.users.sec_a)
    page = squash(client.get(reverse("reports:report", args=[cell.pk])).content.decode())
    assert "Đánh giá, xếp loại năm 2012" in page
    assert re.search(r"Đảng viên đủ tư cách, hoàn thành nhiệm vụ nhưng còn hạn chế</a>.*?<td[^>]*>\s*1 ", page)
    assert re.search(r"id=\"fig-commendations_certificate\".*?<td[^>]*>\s*3 ", page)
    assert re.search(r"id=\"fig-commendations_merit\".*?<td[^>]*>\s*1 ", page)
    assert "Chi bộ phải báo cáo" not in page  # a committee figure means nothing for a cell

    write_and_send(client, cell, world.users.sec_a)
    approve(client, cell, world.users.approver_c1)
    cell.refresh_from_db()
    figs = cell.snapshot["figures"]
    assert figs["commendations_individual"] == 4
    assert (figs["commendations_merit"], figs["commendations_certificate"]) == (1, 3)
    assert figs[F_.yearly("members_complete", 2012)] == 1 and figs[F_.yearly("members_good", 2012)] == 2
    assert figs[F_.yearly("members_complete", 2014)] == 0 and figs[F_.yearly("members_good", 2014)] == 3
    assert figs["members_complete"] == 1  # over the four years, not 2014's zero

    doc = issue_through_the_page(client, cell, world.users.sec_a, inline, issued_on="2015-01-15",
                                 signed_as="secretary", signer_name="Trần Thị Ánh 0", opening="")
    assert (doc.number_text, doc.issued_on) == ("Số 01-BC/CB", dt.date(2015, 1, 15))
    pdf = squash(pdf_text(download(client, cell, "pdf")))
    docx = squash(docx_text(download(client, cell, "docx")))
    for text in (pdf, docx):
        assert "Kiên Giang, ngày 15 tháng 01 năm 2015" in text
        assert "T/M CHI BỘ" in text and "BÍ THƯ" in text and "Trần Thị Ánh 0" in text
        # the title names the directive once; the directive's date in the seeds' style
        assert text.count("thực hiện Chỉ thị số") == 1
        assert "Tổng kết 4 năm thực hiện Chỉ thị số 03-CT/TW ngày 14/5/2011 của Bộ Chính trị" in text
        # section I opens with the key figures in prose
        assert "04 lượt khen thưởng" in text and "01 Bằng khen, 03 Giấy khen" in text
        assert "năm 2012: 66,7%" in text and "năm 2014: 100%" in text
        # the full tables after the signature: a row per year, in that year's terms
        assert "PHỤ LỤC 1 SỐ LIỆU CHỦ YẾU" in text and "PHỤ LỤC 2 KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN TỪNG NĂM" in text
        assert "Đảng viên đủ tư cách, hoàn thành nhiệm vụ nhưng còn hạn chế" in text and "Trong sạch, vững mạnh" in text
        assert "cộng cả giai đoạn 2011–2014" in text and "tại ngày chốt số liệu 31/12/2014" in text
        for committee_only in ("Chi bộ phải báo cáo", "Chi bộ có báo cáo được duyệt", "bản đăng ký tập thể"):
            assert committee_only not in text
    assert pdf.index("Nơi nhận") < pdf.index("PHỤ LỤC 1")
    assert re.search(r"2012 0 2 1 0 66,7% Trong sạch, vững mạnh", pdf)
    assert "2012 | 0 | 2 | 1 | 0 | 66,7% | Trong sạch, vững mạnh" in docx
    assert "Bằng khen 1" in pdf and "Giấy khen 3" in pdf

    # rebuilding never changes the number or the date, even with another round date
    with inline():
        client.post(reverse("documents:build", args=[cell.pk]))
    doc.refresh_from_db()
    assert (doc.number_text, doc.issued_on) == ("Số 01-BC/CB", dt.date(2015, 1, 15))
    client.force_login(world.users.sec_a)
    refused = client.post(reverse("documents:issue", args=[cell.pk]), {
        "issued_on": "2015-02-01", "signed_as": "deputy", "signer_name": "Trần Thị Ánh 1", "opening": "Đoạn riêng."})
    assert refused.status_code == 400 and "không đổi được ngày ban hành" in refused.content.decode()
    assert 'value="Trần Thị Ánh 1"' in refused.content.decode()  # nothing typed is lost

    # the deputy signs in the secretary's place: K/T
    doc = issue_through_the_page(client, cell, world.users.sec_a, inline, issued_on="2015-01-15",
                                 signed_as="deputy", signer_name="Trần Thị Ánh 1", opening="Đoạn mở đầu do chi bộ viết.")
    pdf = squash(pdf_text(download(client, cell, "pdf")))
    assert "T/M CHI BỘ K/T BÍ THƯ PHÓ BÍ THƯ" in pdf and "Trần Thị Ánh 1" in pdf
    assert "Đoạn mở đầu do chi bộ viết." in pdf and "04 lượt khen thưởng" not in pdf.split("PHỤ LỤC 1")[0]


def test_a_committee_names_its_signer_and_the_numbering_follows_the_issue_date(client, past, inline):
    world = past
    rnd = open_round(world)
    for org in (world.a, world.b):
        report = Report.objects.get(round=rnd, organization=org)
        write_and_send(client, report, world.users.admin_c1)
        approve(client, report, world.users.approver_c1)
    commune = Report.objects.get(round=rnd, organization=world.c1)
    write_and_send(client, commune, world.users.approver_c1, "Kết quả của đảng ủy xã.")
    client.force_login(world.users.approver_c1)
    # bad input: a clear message, nothing lost
    bad = client.post(reverse("documents:issue", args=[commune.pk]),
                      {"issued_on": "2031-01-01", "signed_as": "secretary", "signer_name": "", "opening": "Giữ lại"})
    body = bad.content.decode()
    assert bad.status_code == 400 and "không được ở tương lai" in body and "Hãy nhập họ tên người ký" in body
    assert "Giữ lại" in body
    doc = issue_through_the_page(client, commune, world.users.approver_c1, inline, issued_on="2015-01-20",
                                 signed_as="deputy", signer_name="Nguyễn Văn Phó", opening="")
    # a draft has no number yet: the commune's report is not approved
    assert doc.number is None
    pdf = squash(pdf_text(build.read_bytes(doc, "pdf")))
    assert "T/M ĐẢNG ỦY K/T BÍ THƯ PHÓ BÍ THƯ" in pdf and "Nguyễn Văn Phó" in pdf
    assert "ngày 20 tháng 01 năm 2015" in pdf and "DỰ THẢO" in pdf
    approve(client, commune, world.users.district1)
    doc = issue_through_the_page(client, commune, world.users.approver_c1, inline, issued_on="2015-01-20",
                                 signed_as="deputy", signer_name="Nguyễn Văn Phó", opening="")
    # numbered in the term of the issue date (2010–2015), not the build date's
    assert doc.number_text == "Số 01-BC/ĐU" and doc.issued_on == dt.date(2015, 1, 20)
    from reports.models import DocumentCounter

    assert DocumentCounter.objects.get(organization=world.c1).term_start == 2010
    pdf = squash(pdf_text(build.read_bytes(doc, "pdf")))
    assert "Chi bộ có báo cáo được duyệt" in pdf  # a committee figure, at a committee
    # the outsider and a cell's secretary may not issue the commune's document
    client.force_login(world.users.sec_a)
    assert client.get(reverse("documents:issue", args=[commune.pk])).status_code in (403, 404)
    client.force_login(world.users.outsider)
    assert client.get(reverse("documents:issue", args=[commune.pk])).status_code == 404


def test_a_2014_grade_prints_the_terms_of_2014(client, past, inline):
    world = past
    client.force_login(world.users.approver_c1)
    page = client.get(reverse("pledges:yearend", args=[world.a.pk, 2014])).content.decode()
    assert "Trong sạch, vững mạnh" in page and "Hoàn thành xuất sắc nhiệm vụ" not in page.split('name="grade"')[1]
    assert "Yếu kém</option>" in page.split('name="grade"')[1]
    assert post_year_end(client, world.a, 2014, {"action": "classify_org", "grade": "excellent"}).status_code == 302
    client.force_login(world.users.sec_a)
    page = client.get(reverse("pledges:yearend", args=[world.a.pk, 2014])).content.decode()
    # 2014 (Hướng dẫn 27-HD/BTCTW, 2014): the cell still "Trong sạch, vững mạnh", its members already without
    # "đủ tư cách"; 2013 (Quy định 338-QĐ/TW): "đủ tư cách, … nhưng còn hạn chế"
    members_form = page.split('name="action" value="classify"')[1].split('value="classify_org"')[0]
    assert "Không hoàn thành nhiệm vụ</option>" in members_form and "tư cách" not in members_form
    assert "Trong sạch, vững mạnh" in page
    page_2013 = client.get(reverse("pledges:yearend", args=[world.a.pk, 2013])).content.decode()
    assert "Đủ tư cách, hoàn thành nhiệm vụ nhưng còn hạn chế</option>" in page_2013
    assert "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ</option>" in page_2013
    assert post_year_end(client, world.a, 2014, {
        "action": "classify", "members": [str(m.pk) for m in world.members_a],
        **{f"g-{m.pk}": "good" for m in world.members_a}}).status_code == 302
    rnd = open_round(world, title="Tổng kết năm 2014", kind="year", start=dt.date(2014, 1, 1), years=1)
    cell = Report.objects.get(round=rnd, organization=world.a)
    write_and_send(client, cell, world.users.sec_a)
    approve(client, cell, world.users.approver_c1)
    doc = issue_through_the_page(client, cell, world.users.sec_a, inline, issued_on="2015-01-10",
                                 signed_as="secretary", signer_name="Trần Thị Ánh 0", opening="")
    pdf = squash(pdf_text(download(client, cell, "pdf")))
    assert "Chi bộ được xếp loại năm 2014 Trong sạch, vững mạnh" in pdf
    assert "Đảng viên hoàn thành tốt nhiệm vụ 3" in pdf
    assert "ngày 14/5/2011" in pdf and "14/05/2011" not in pdf
    assert doc.number_text == "Số 01-BC/CB"
    commune = Report.objects.get(round=rnd, organization=world.c1)
    write_and_send(client, commune, world.users.approver_c1, "Kết quả của đảng ủy xã.")
    client.force_login(world.users.approver_c1)
    with inline():
        client.post(reverse("documents:build", args=[commune.pk]))
    commune_doc = Document.objects.get(report=commune, kind=Document.Kind.REPORT)
    pdf = squash(pdf_text(build.read_bytes(commune_doc, "pdf")))
    assert "Chi bộ trong sạch, vững mạnh 1" in pdf


def test_the_consolidated_annexes_agree_for_every_unit(client, past, inline):
    """A district approved with its commune at 3 members; the commune is then reopened and approved again
    with a second cell (5 members). Every table gives the district its approved 3, marked as changed."""
    from .factories import UserFactory

    world = past
    Membership.objects.update(start=PAST)
    root = UserFactory(username="root", is_superuser=True)
    rnd = open_round(world)

    def report(org):
        return Report.objects.get(round=rnd, organization=org)

    for org in (world.a, world.x, world.y):
        write_and_send(client, report(org), root)
        approve(client, report(org), root)
    for org in (world.c1, world.c2, world.d1, world.d2):
        write_and_send(client, report(org), root, "Kết quả của đơn vị.")
        approve(client, report(org), root)
    write_and_send(client, report(world.b), root)
    approve(client, report(world.b), root)
    client.force_login(world.users.district1)
    assert client.post(reverse("reports:report_reopen", args=[report(world.c1).pk]),
                       {"note": "Bổ sung chi bộ ấp Xà Ngách."}).status_code == 302
    write_and_send(client, report(world.c1), root, "Kết quả của đơn vị, đủ hai chi bộ.")
    approve(client, report(world.c1), root)
    write_and_send(client, report(world.p), root, "Kết quả toàn tỉnh.")
    assert report(world.c1).snapshot["figures"]["members"] == 5
    assert report(world.d1).snapshot["figures"]["members"] == 3

    client.force_login(world.users.board)
    with inline():
        response = client.post(reverse("documents:start", args=[rnd.pk]), {"issued_on": "2015-02-10"})
    assert response.status_code == 302
    response = client.get(reverse("documents:consolidated", args=[rnd.pk, "pdf"]))
    assert response.status_code == 200
    text = squash(pdf_text(b"".join(response.streaming_content)))
    assert "ngày 10 tháng 02 năm 2015" in text
    # one document, one number: the province's report and its annexes
    assert "Số 01-BC/TU" in text and "Số 02-BC/TU" not in text
    annex1 = text[text.index("SỐ LIỆU THEO ĐƠN VỊ TRỰC THUỘC TỈNH"):text.index("SỐ LIỆU THEO CƠ SỞ")]
    annex2 = text[text.index("SỐ LIỆU THEO CƠ SỞ"):text.index("TÌNH HÌNH BÁO CÁO CỦA ĐỢT")]

    def values_after(part: str, label: str) -> list[str]:
        tail = part[part.index(label) + len(label):].split()
        return tail[:6]

    for unit in (world.d1, world.d2):
        assert values_after(annex1, f" {unit.name} ") == values_after(annex2, f"Cộng {unit.name} "), unit.name
    # the district's approved 3 members, marked with the current 5; the commune's own row is its 5
    assert values_after(annex1, " Huyện ủy Hòn Đất ")[:3] == ["3", "(*)", "(5)"]
    assert "Đảng ủy xã Sóc Sơn 5 " in annex2
    assert "(*) Số liệu của đơn vị đã thay đổi sau khi được duyệt" in text
    # the province's own figures are the total of the first table
    province = report(world.p)
    assert f"Tổng cộng (các đơn vị đã duyệt) {province.snapshot['figures']['members']}" in annex1
