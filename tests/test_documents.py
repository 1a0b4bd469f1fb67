"""The official documents: what the PDF says (read back from the PDF), the .docx, numbering,
bottom-up runs, idempotency, failure and retry, and the renderer's refusal to fetch anything."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import pytest
from django.utils import timezone
from pypdf import PdfReader

from organizations.models import Member, Role
from pledges.models import Directive, MonthlyReview
from reports import document_tasks, rollup, services
from reports import figures as F_
from reports.documents import build, content, fetcher, render
from reports.models import Document, DocumentRun, Report

from .factories import UserFactory, user_with_role

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
DEADLINES = {"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10), "district": dt.date(2026, 7, 15),
             "province": dt.date(2026, 7, 20)}
VIETNAMESE = ("aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
              "AÀẢÃÁẠĂẰẲẴẮẶÂẦẨẪẤẬĐEÈẺẼÉẸÊỀỂỄẾỆIÌỈĨÍỊOÒỎÕÓỌÔỒỔỖỐỘƠỜỞỠỚỢUÙỦŨÚỤƯỪỬỮỨỰYỲỶỸÝỴ")


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def rnd(world):
    world.users.approver_c1 = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    world.users.root = UserFactory(username="root", is_superuser=True)
    Member.objects.filter(pk=world.members_a[0].pk).update(position=Member.Position.SECRETARY)
    MonthlyReview.objects.create(cell=world.a, year=2026, month=3, state="accepted",
                                 meeting_date=dt.date(2026, 3, 5), directive_minutes=45)
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=PERIOD[0], period_end=PERIOD[1],
        cutoff=PERIOD[1], deadlines=DEADLINES,
    )


def approve(rnd, org, user, text="Chi bộ đã quán triệt, triển khai đầy đủ."):
    report = Report.objects.get(round=rnd, organization=org)
    report = services.report_save(report=report, sections={"results": text}, typed={},
                                  expected_version=report.version, by=user)
    report = services.report_submit(report=report, by=user, note="Một số đơn vị chưa được duyệt.")
    if report.parent_id is not None:
        report = services.report_approve(report=report, by=user)
    return report


@pytest.fixture
def inline(django_capture_on_commit_callbacks):
    """Tasks are sent on commit: run those hooks (and the ones they add) right away."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def built(report, inline) -> tuple[Document, bytes]:
    with inline():
        document_tasks.single_start(report=report, by=UserFactory(username="reader", is_superuser=True))
    doc = Document.objects.get(report=report, kind=Document.Kind.REPORT)
    assert doc.status == Document.Status.READY, doc.error
    return doc, build.read_bytes(doc, "pdf")


def test_a_cell_report_reads_like_a_party_document(world, rnd, inline):
    narrative = "Chi bộ tổ chức sinh hoạt đều đặn.\n\nToàn bộ chữ cái: " + VIETNAMESE
    report = approve(rnd, world.a, world.users.root, narrative)
    doc, pdf = built(report, inline)
    text = pdf_text(pdf)
    flat = squash(text)
    assert "ĐẢNG BỘ XÃ SÓC SƠN" in flat
    assert "CHI BỘ ẤP HÒN QUÉO" in flat
    assert "Số 01-BC/CB" in flat and doc.number_text == "Số 01-BC/CB"
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in flat
    assert content.long_date(timezone.localdate(report.decided_at), "Kiên Giang") in flat
    assert "BÁO CÁO" in flat and "Sơ kết 6 tháng đầu năm 2026" in flat
    for heading in content.SECTION_HEADINGS.values():
        assert heading in flat
    assert "Nơi nhận:" in flat and "Đảng ủy xã Sóc Sơn" in flat
    assert "T/M CHI BỘ" in flat and "BÍ THƯ" in flat and "Trần Thị Ánh 0" in flat
    assert VIETNAMESE in text.replace("\n", "")
    # the figures are the roll-up's
    figs = report.snapshot["figures"]
    assert f"{F_.BY_CODE['members'].label} {figs['members']}" in flat
    assert f"{F_.BY_CODE['meetings_held'].label} 1" in flat
    assert f"{F_.BY_CODE['avg_minutes'].label} 45" in flat
    assert doc.pages >= 1


def test_numbers_run_per_unit_and_are_kept_on_rebuild(world, rnd, inline):
    a = approve(rnd, world.a, world.users.root)
    b = approve(rnd, world.b, world.users.root)
    doc_a, _ = built(a, inline)
    doc_b, _ = built(b, inline)
    assert (doc_a.number, doc_b.number) == (1, 1)  # each cell has its own counter
    doc_a2, _ = built(a, inline)
    assert doc_a2.number == 1 and Document.objects.filter(report=a).count() == 1


def test_the_docx_has_the_same_sections(world, rnd, inline):
    from docx import Document as Docx

    report = approve(rnd, world.a, world.users.root, "Nội dung phần kết quả.")
    doc, _ = built(report, inline)
    doc = build.ensure_docx(doc)  # made when first downloaded (tests/test_document_speed.py)
    d = Docx(io.BytesIO(build.read_bytes(doc, "docx")))
    texts = [p.text for p in d.paragraphs]
    for heading in content.SECTION_HEADINGS.values():
        assert heading in texts
    assert "Nội dung phần kết quả." in texts
    header_cells = [c.text for c in d.tables[0].rows[0].cells]
    assert "CHI BỘ ẤP HÒN QUÉO" in header_cells[0] and "Số 01-BC/CB" in header_cells[0]
    # the figures table is the first annex, after the signature: a heading row per group (merged across
    # both columns), then each figure with the value of the roll-up
    body = content.build_content(report, doc=doc)
    annex = body.annexes[0]
    expected = [["Chỉ tiêu", "Số liệu"]]
    for group in annex.groups:
        expected.append([group.heading, group.heading])
        expected.extend(group.rows)
    assert [[c.text for c in row.cells] for row in d.tables[2].rows] == expected
    assert ["Số đảng viên", "3"] in expected  # the three members of cell A in the fixture


HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd"> '
    '<img src="http://127.0.0.1:6379/"> <style>body { background: url(file:///etc/passwd) }</style> '
    'x { background: url("http://127.0.0.1:6379/x") }'
)


def test_hostile_narrative_is_shown_literally_and_nothing_is_fetched(world, rnd, inline):
    report = approve(rnd, world.a, world.users.root, HOSTILE)
    fetcher.REQUESTS.clear()
    doc, pdf = built(report, inline)
    text = pdf_text(pdf)
    compact = "".join(text.split())  # line breaks may fall anywhere in the long line
    for shown in ('<img src="file:///etc/passwd">', '<link rel="attachment" href="file:///etc/passwd">',
                  '<img src="http://127.0.0.1:6379/">', "url(file:///etc/passwd)"):
        assert "".join(shown.split()) in compact
    assert "root:x:0:0" not in text
    assert all(url.startswith(fetcher.SCHEME + "documents/") or url.startswith(fetcher.SCHEME + "fonts/")
               for url in fetcher.REQUESTS), fetcher.REQUESTS
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments
    assert not any(page.images for page in reader.pages)


def test_the_fetcher_refuses_everything_but_the_document_assets(db):
    for url in ("file:///etc/passwd", "http://127.0.0.1:6379/", "https://example.org/x.css",
                "data:text/css,body{}", "app:/static/../directive03/settings.py",
                "app:/static/vendor/bootstrap/bootstrap.min.css", "app:/static/documents/../../manage.py"):
        with pytest.raises(fetcher.FetchRefused):
            fetcher.resolve(url)
    assert fetcher.resolve("app:/static/documents/document.css").name == "document.css"
    # even raw markup (as if a template forgot to escape) fetches and attaches nothing
    fetcher.REQUESTS.clear()
    pdf, _ = render.html_to_pdf(f"<html><body><p>raw</p>{HOSTILE}</body></html>")
    assert set(fetcher.REQUESTS) <= {"file:///etc/passwd", "http://127.0.0.1:6379/", "http://127.0.0.1:6379/x"}
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments and not any(page.images for page in reader.pages)
    assert "root:x:0:0" not in pdf_text(pdf)


def test_a_whole_round_bottom_up_twice_leaves_one_document_per_report(world, rnd, inline):
    for org in (world.a, world.b, world.x, world.y):
        approve(rnd, org, world.users.root)
    for org in (world.c1, world.c2):
        approve(rnd, org, world.users.root, "Kết quả của đảng ủy cơ sở.")
    for org in (world.d1, world.d2):
        approve(rnd, org, world.users.root, "Kết quả của huyện.")
    approve(rnd, world.p, world.users.root, "Kết quả toàn tỉnh.")
    with inline():
        first = document_tasks.run_start(rnd=rnd, by=world.users.board)
    first.refresh_from_db()
    assert first.status == DocumentRun.Status.DONE
    with inline():
        second = document_tasks.run_start(rnd=rnd, by=world.users.board)
    second.refresh_from_db()
    assert second.status == DocumentRun.Status.DONE and second.pk != first.pk
    reports = list(Report.objects.filter(round=rnd))
    assert Document.objects.filter(report__round=rnd, kind="report").count() == len(reports)
    assert Document.objects.filter(report__round=rnd, kind="consolidated").count() == 1
    docs = {d.report.organization_id: d for d in Document.objects.filter(report__round=rnd, kind="report")
            .select_related("report")}
    for r in reports:
        assert docs[r.organization_id].run_id == second.pk
        assert docs[r.organization_id].status == Document.Status.READY
        if r.parent_id:
            assert docs[r.parent_id].built_at >= docs[r.organization_id].built_at
    # the consolidated province PDF: every district row, and the totals
    consolidated = Document.objects.get(report__round=rnd, kind="consolidated")
    text = squash(pdf_text(build.read_bytes(consolidated, "pdf")))
    assert "PHỤ LỤC 1" in text and "PHỤ LỤC 3" in text
    for name in ("Huyện ủy Hòn Đất", "Thành ủy Rạch Giá", "Chi bộ Ban Quản lý các KCN tỉnh"):
        assert name in text
    province = Report.objects.get(round=rnd, organization=world.p)
    total = rollup.effective(province)
    assert f"Tổng cộng (các đơn vị đã duyệt) {total['members']}" in text


def test_a_failing_document_shows_failed_and_succeeds_on_retry(world, rnd, settings, tmp_path, inline):
    approve(rnd, world.a, world.users.root)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the documents folder should be")
    settings.DOCUMENTS_ROOT = blocker
    with inline():
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    run.refresh_from_db()
    assert run.status == DocumentRun.Status.FAILED
    failed = Document.objects.filter(run=run, status=Document.Status.FAILED)
    assert failed.exists() and "Error" in failed.first().error
    settings.DOCUMENTS_ROOT = tmp_path / "documents-ok"
    with inline():
        document_tasks.run_retry(run=run, by=world.users.board)
    run.refresh_from_db()
    assert run.status == DocumentRun.Status.DONE
    assert not Document.objects.filter(run=run).exclude(status=Document.Status.READY).exists()


def test_a_changed_report_makes_its_document_out_of_date(world, rnd, inline):
    report = Report.objects.get(round=rnd, organization=world.a)
    report = services.report_save(report=report, sections={"results": "Bản đầu."}, typed={},
                                  expected_version=report.version, by=world.users.sec_a)
    doc, _ = built(report, inline)
    assert not build.is_out_of_date(doc, report)
    report = services.report_save(report=report, sections={"results": "Bản sửa."}, typed={},
                                  expected_version=report.version, by=world.users.sec_a)
    assert build.is_out_of_date(doc, report)


def test_party_body_names():
    assert content.party_body("Huyện ủy Hòn Đất") == "Đảng bộ huyện Hòn Đất"
    assert content.party_body("Tỉnh ủy Kiên Giang") == "Đảng bộ tỉnh Kiên Giang"
    assert content.party_body("Đảng ủy xã Sóc Sơn") == "Đảng bộ xã Sóc Sơn"
    assert content.party_body("Chi bộ ấp Một") == "Chi bộ ấp Một"
    assert content.term_start(dt.date(2026, 3, 1)) == 2025
