"""Issue 12, what was left: the pledges of each year of a multi-year round, a document out of date once its
date or signer changes (its number and date fixed once issued), and the layout of a real report (section I
under numbered sub-headings, the unit in the subject line, annexes as "PHỤ LỤC n", page numbers at the top
centre from page 2), checked through the views in the PDF (pypdf) and the .docx (python-docx)."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.urls import reverse
from docx import Document as Docx
from pypdf import PdfReader

from organizations.models import Member
from reports import figures as F_
from reports.models import Document, Report

from .test_documents import pdf_text, squash
from .test_documents_period import (  # noqa: F401 - fixtures
    approve,
    docx_text,
    download,
    inline,
    issue_through_the_page,
    open_round,
    past,
    write_and_send,
)
from .test_past_years import version_of


def register_pledges(client, world, year: int, members: list[Member], kinds: dict[int, str] | None = None):
    """The secretary registers these members' pledges for `year` on the pledge pages."""
    client.force_login(world.users.sec_a)
    for member in members:
        url = reverse("pledges:pledge_member", args=[world.a.pk, year, member.pk])
        response = client.post(url, {
            "version": version_of(client, url), "kind": (kinds or {}).get(member.pk, "exemplary"),
            "on": f"{year}-02-20", "content": [f"Làm theo chuyên đề năm {year}"], "verification": ["Sổ sinh hoạt"]})
        assert response.status_code == 302, response.content.decode()[:2000]


def numbers_at_top(data: bytes) -> list[list[int]]:
    """Per page, the texts of digits alone standing in the top tenth of the page (its page number)."""
    out = []
    for page in PdfReader(io.BytesIO(data)).pages:
        height = float(page.mediabox.height)
        found: list[int] = []

        def visit(text, cm, tm, font, size, found=found, height=height):
            if text.strip().isdigit() and tm[5] * cm[3] + cm[5] > 0.9 * height:
                found.append(int(text.strip()))

        page.extract_text(visitor_text=visit)
        out.append(found)
    return out


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_a_four_year_round_gives_the_pledges_of_each_year(client, past, inline):  # noqa: F811
    """2011: all three members registered; 2012: two; 2013: none; 2014: all three, the key cadre "nêu gương"."""
    world = past
    a0, a1, a2 = world.members_a
    Member.objects.filter(pk=a0.pk).update(is_key_cadre=True)
    register_pledges(client, world, 2011, [a0, a1, a2])
    register_pledges(client, world, 2012, [a0, a1])
    register_pledges(client, world, 2014, [a0, a1, a2], kinds={a0.pk: "set_example"})
    rnd = open_round(world)
    cell = Report.objects.get(round=rnd, organization=world.a)

    # the report page: a group per year
    client.force_login(world.users.sec_a)
    page = squash(client.get(reverse("reports:report", args=[cell.pk])).content.decode())
    assert "Đăng ký làm theo năm 2012" in page and "Đăng ký làm theo năm 2013" in page
    write_and_send(client, cell, world.users.sec_a)
    approve(client, cell, world.users.approver_c1)
    cell.refresh_from_db()
    figs = cell.snapshot["figures"]
    assert [figs[F_.yearly("pledged", y)] for y in range(2011, 2015)] == [3, 2, 0, 3]
    assert [figs[F_.yearly("members", y)] for y in range(2011, 2015)] == [3, 3, 3, 3]
    assert figs[F_.yearly("key_cadres_set_example", 2014)] == 1 and figs["pledged"] == 3  # the last year's

    issue_through_the_page(client, cell, world.users.sec_a, inline, issued_on="2015-01-15",
                           signed_as="secretary", signer_name="Trần Thị Ánh 0", opening="")
    pdf_bytes = download(client, cell, "pdf")
    pdf = squash(pdf_text(pdf_bytes))
    docx = squash(docx_text(download(client, cell, "docx")))
    for text in (pdf, docx):
        # the prose names each year; the figures table says its pledges are 2014's
        assert ("Tỷ lệ đảng viên đăng ký học tập và làm theo năm 2011: 100%; năm 2012: 66,7%; năm 2013: 0%; "
                "năm 2014: 100%") in text
        assert "Tỷ lệ cán bộ chủ chốt đăng ký “nêu gương” năm 2011: 0%; năm 2012: 0%; năm 2013: 0%; năm 2014: 100%" in text
        assert "hoàn thành tốt nhiệm vụ trở lên năm" not in text  # nobody classified: no rate of "–"
        assert "Đăng ký làm theo năm 2014 (từng năm ở phụ lục “ĐĂNG KÝ HỌC TẬP VÀ LÀM THEO TỪNG NĂM”)" in text
        assert "PHỤ LỤC 3 ĐĂNG KÝ HỌC TẬP VÀ LÀM THEO TỪNG NĂM" in text
        assert "Chi bộ có bản đăng ký tập thể" not in text  # a committee's column
    assert re.search(r"2012 3 2 66,7% 1 0 0% 2 66,7%", pdf)
    assert "2013 | 3 | 0 | 0% | 1 | 0 | 0% | 0 | 0%" in docx
    assert "2014 | 3 | 3 | 100% | 1 | 1 | 100% | 2 | 66,7%" in docx

    # the commune adds up its approved cells year by year
    commune = Report.objects.get(round=rnd, organization=world.c1)
    client.force_login(world.users.approver_c1)
    page = squash(client.get(reverse("reports:report", args=[commune.pk])).content.decode())
    assert "Đăng ký làm theo năm 2012" in page
    commune.refresh_from_db()
    assert commune.figures[F_.yearly("pledged", 2012)] == 2


def run(callbacks) -> None:
    """What the transaction sent on commit (the document's build), run now."""
    for callback in callbacks:
        callback()


def test_a_document_follows_its_date_and_signer_until_it_is_numbered(client, past, inline,  # noqa: F811
                                                                      django_capture_on_commit_callbacks):
    """Before the report is approved the secretary may set and change the date: the built draft is then out of
    date and its rebuild carries the new date. The first build of the approved report numbers it and fixes
    the date; a signer corrected later makes it out of date, and the rebuild keeps the number and the date."""
    world = past
    rnd = open_round(world, title="Tổng kết năm 2014", kind="year", start=dt.date(2014, 1, 1), years=1)
    cell = Report.objects.get(round=rnd, organization=world.a)
    secretary = world.users.sec_a
    doc = issue_through_the_page(client, cell, secretary, inline, issued_on="2015-01-05", signed_as="secretary",
                                 signer_name="Trần Thị Ánh 0", opening="")
    assert doc.number is None
    assert "ngày 05 tháng 01 năm 2015" in squash(pdf_text(download(client, cell, "pdf")))
    panel = squash(client.get(reverse("documents:panel", args=[cell.pk])).content.decode())
    assert "Dự thảo (chưa có số)," in panel and "<span>," not in panel  # a draft has no number yet

    # the date changed deliberately before sending up: saved at once; until the build (queued on commit) has
    # run, the page says the document is out of date and the previous file is still the one downloaded
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("documents:issue", args=[cell.pk]), {
            "issued_on": "2015-01-10", "signed_as": "secretary", "signer_name": "Trần Thị Ánh 0", "opening": ""})
    doc.refresh_from_db()
    assert doc.issued_on == dt.date(2015, 1, 10)
    assert "Văn bản cũ" in client.get(reverse("documents:panel", args=[cell.pk])).content.decode()
    assert "ngày 05 tháng 01 năm 2015" in squash(pdf_text(download(client, cell, "pdf")))
    run(queued)
    assert "Văn bản cũ" not in client.get(reverse("documents:panel", args=[cell.pk])).content.decode()
    text = squash(pdf_text(download(client, cell, "pdf")))
    assert "ngày 10 tháng 01 năm 2015" in text and "DỰ THẢO" in text

    # sent up and approved: the first build numbers it with the date then on it
    write_and_send(client, cell, secretary)
    approve(client, cell, world.users.approver_c1)
    client.force_login(secretary)
    with inline():
        client.post(reverse("documents:build", args=[cell.pk]))
    doc.refresh_from_db()
    assert (doc.number_text, doc.issued_on) == ("Số 01-BC/CB", dt.date(2015, 1, 10))

    # issued: another date is refused, nothing typed is lost
    refused = client.post(reverse("documents:issue", args=[cell.pk]), {
        "issued_on": "2015-01-20", "signed_as": "deputy", "signer_name": "Trần Thị Ánh 1", "opening": ""})
    assert refused.status_code == 400 and "không đổi được ngày ban hành" in refused.content.decode()
    # a signer corrected: out of date until rebuilt; the rebuild keeps the number and the date
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("documents:issue", args=[cell.pk]), {
            "issued_on": "2015-01-10", "signed_as": "deputy", "signer_name": "Trần Thị Ánh 1", "opening": ""})
    assert response.status_code == 302
    assert "Văn bản cũ" in client.get(reverse("documents:panel", args=[cell.pk])).content.decode()
    run(queued)
    doc.refresh_from_db()
    assert (doc.number_text, doc.issued_on) == ("Số 01-BC/CB", dt.date(2015, 1, 10))
    text = squash(pdf_text(download(client, cell, "pdf")))
    assert "K/T BÍ THƯ PHÓ BÍ THƯ Trần Thị Ánh 1" in text and "ngày 10 tháng 01 năm 2015" in text
    assert "Số 01-BC/CB" in text and "DỰ THẢO" not in text


def test_the_document_reads_like_a_real_report(client, past, inline):  # noqa: F811
    """A cell's and a commune's document: the unit in the subject line, section I under numbered sub-headings,
    each annex as "PHỤ LỤC n" on its own line with its title below, page numbers at the top centre from page 2
    (Hướng dẫn 36-HD/VPTW), in the PDF and in the .docx."""
    world = past
    rnd = open_round(world)
    cell = Report.objects.get(round=rnd, organization=world.a)
    write_and_send(client, cell, world.users.sec_a, "Chi bộ đã xây dựng kế hoạch thực hiện hằng năm.")
    approve(client, cell, world.users.approver_c1)
    issue_through_the_page(client, cell, world.users.sec_a, inline, issued_on="2015-01-15",
                           signed_as="secretary", signer_name="Trần Thị Ánh 0", opening="")
    pdf_bytes = download(client, cell, "pdf")
    docx_bytes = download(client, cell, "docx")
    pdf, docx = squash(pdf_text(pdf_bytes)), squash(docx_text(docx_bytes))
    for text in (pdf, docx):
        assert (f"Tổng kết 4 năm thực hiện Chỉ thị số 03-CT/TW ngày 14/5/2011 của Bộ Chính trị khóa XI về “Tiếp tục đẩy "
                f"mạnh việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh” tại {world.a.name}") in text
        assert ("I. KẾT QUẢ THỰC HIỆN 1. Công tác lãnh đạo, chỉ đạo, tổ chức thực hiện Chi bộ đã xây dựng kế "
                "hoạch thực hiện hằng năm. 2. Những kết quả cụ thể Trong 4 năm (2011–2014)") in text
        assert "II. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN" in text
        assert "PHỤ LỤC 1 SỐ LIỆU CHỦ YẾU (Kèm theo Báo cáo số 01-BC/CB, ngày 15/01/2015)" in text
    # "PHỤ LỤC 1" on a line of its own, the title on the next
    lines = [line.strip() for line in pdf_text(pdf_bytes).splitlines()]
    at = lines.index("PHỤ LỤC 1")
    assert lines[at + 1] == "SỐ LIỆU CHỦ YẾU"
    # page numbers: none on page 1, then "2", "3"… at the top of each page
    pages = pages_text(pdf_bytes)
    assert len(pages) >= 3
    assert numbers_at_top(pdf_bytes) == [[]] + [[n] for n in range(2, len(pages) + 1)]
    d = Docx(io.BytesIO(docx_bytes))
    first = d.sections[0]
    assert first.different_first_page_header_footer and not first.first_page_header.paragraphs[0].text
    header_xml = first.header._element.xml
    assert 'w:instr="PAGE"' in header_xml and "NUMPAGES" not in header_xml
    assert 'w:instr' not in first.footer._element.xml
    assert all(s.header.is_linked_to_previous for s in d.sections[1:])
    assert "PHỤ LỤC 1" in [p.text for p in d.paragraphs]

    # the commune: "… của Đảng bộ xã …", the committee's signature block
    commune = Report.objects.get(round=rnd, organization=world.c1)
    write_and_send(client, commune, world.users.approver_c1, "Đảng ủy đã lãnh đạo các chi bộ.")
    client.force_login(world.users.approver_c1)
    with inline():
        client.post(reverse("documents:build", args=[commune.pk]))
    doc = Document.objects.get(report=commune, kind=Document.Kind.REPORT)
    assert doc.status == Document.Status.READY, doc.error
    text = squash(pdf_text(download(client, commune, "pdf")))
    assert "Hồ Chí Minh” của Đảng bộ xã Sóc Sơn" in text
    assert "1. Công tác lãnh đạo, chỉ đạo, tổ chức thực hiện Đảng ủy đã lãnh đạo các chi bộ." in text
    assert "T/M ĐẢNG ỦY BÍ THƯ" in text
    assert "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI ĐẢNG VIÊN VÀ CHI BỘ TỪNG NĂM" in text  # its cells' grades as well


def test_the_issue_date_is_typed_dd_mm_yyyy_and_a_deputy_is_not_the_secretary(client, past, inline):  # noqa: F811
    """The issue page's date is a dd/mm/yyyy text input whatever the browser (not the locale's date picker);
    "K/T BÍ THƯ / PHÓ BÍ THƯ" refuses the secretary's own name, with everything typed kept."""
    world = past
    rnd = open_round(world, title="Tổng kết năm 2014", kind="year", start=dt.date(2014, 1, 1), years=1)
    cell = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    page = client.get(reverse("documents:issue", args=[cell.pk]), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert 'type="date"' not in page
    assert re.search(r'<input type="text" name="issued_on"[^>]*placeholder="dd/mm/yyyy"', page)

    secretary = Member.objects.get(cell=world.a, position=Member.Position.SECRETARY).full_name
    refused = client.post(reverse("documents:issue", args=[cell.pk]), {
        "issued_on": "15/01/2015", "signed_as": "deputy", "signer_name": secretary, "opening": "Giữ nguyên."})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert f"“{secretary}” là Bí thư: khi Phó Bí thư ký thay (K/T), hãy nhập họ tên Phó Bí thư." in text
    assert 'value="15/01/2015"' in text and "Giữ nguyên." in text

    doc = issue_through_the_page(client, cell, world.users.sec_a, inline, issued_on="15/01/2015",
                                 signed_as="deputy", signer_name="Trần Thị Ánh 1", opening="")
    assert doc.issued_on == dt.date(2015, 1, 15)
    pdf = squash(pdf_text(download(client, cell, "pdf")))
    assert "ngày 15 tháng 01 năm 2015" in pdf and "K/T BÍ THƯ" in pdf and "Trần Thị Ánh 1" in pdf


def test_the_round_run_date_is_typed_dd_mm_yyyy(client, past):  # noqa: F811
    world = past
    rnd = open_round(world, title="Tổng kết năm 2014", kind="year", start=dt.date(2014, 1, 1), years=1)
    client.force_login(world.users.board)
    page = client.get(reverse("documents:round", args=[rnd.pk])).content.decode()
    assert 'type="date"' not in page and 'placeholder="dd/mm/yyyy"' in page
    response = client.post(reverse("documents:start", args=[rnd.pk]), {"issued_on": "31/02/2015"}, follow=True)
    assert "Ngày ban hành “31/02/2015”: Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy" in response.content.decode()
    assert not rnd.document_runs.exists()
