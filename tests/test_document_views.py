"""Document pages: who may build, see and download; downloads are the real files."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from organizations.models import Role
from pledges.models import Directive
from reports import services
from reports.models import Document, DocumentRun, Report

from .factories import UserFactory, user_with_role

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
DEADLINES = {"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10), "district": dt.date(2026, 7, 15),
             "province": dt.date(2026, 7, 20)}


@pytest.fixture
def rnd(world):
    world.users.approver_c1 = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=PERIOD[0], period_end=PERIOD[1],
        cutoff=PERIOD[1], deadlines=DEADLINES,
    )


@pytest.fixture
def inline(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_build_and_download_a_report_document(world, rnd, client, inline):
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    panel = client.get(reverse("documents:panel", args=[report.pk]))
    assert panel.status_code == 200 and "chưa tạo" in panel.content.decode()
    with inline():
        response = client.post(reverse("documents:build", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    doc = Document.objects.get(report=report)
    assert doc.status == "ready"
    page = client.get(reverse("documents:panel", args=[report.pk])).content.decode()
    assert "Tải PDF" in page and doc.number_text in page
    pdf = client.get(reverse("documents:download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    docx = client.get(reverse("documents:download", args=[report.pk, "docx"]))
    assert docx.status_code == 200 and b"".join(docx.streaming_content).startswith(b"PK")
    assert client.get(reverse("documents:download", args=[report.pk, "exe"])).status_code == 404


@pytest.mark.parametrize("role,status", [
    ("sec_a", 200), ("commune1", 200), ("board", 200), ("sec_b", 404), ("district2", 404), ("outsider", 404),
])
def test_who_sees_a_cells_document(world, rnd, client, role, status):
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(getattr(world.users, role))
    assert client.get(reverse("documents:panel", args=[report.pk])).status_code == status
    assert client.post(reverse("documents:build", args=[report.pk])).status_code in ((302,) if status == 200 else (404,))
    assert client.get(reverse("documents:download", args=[report.pk, "pdf"])).status_code == 404


def test_anonymous_goes_to_login(world, rnd, client):
    report = Report.objects.get(round=rnd, organization=world.a)
    for url in (reverse("documents:panel", args=[report.pk]), reverse("documents:round", args=[rnd.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_only_the_board_runs_a_round_and_downloads_the_consolidated_pdf(world, rnd, client, inline):
    root = UserFactory(username="root", is_superuser=True)
    province = Report.objects.get(round=rnd, organization=world.p)
    province = services.report_save(report=province, sections={"results": "Kết quả toàn tỉnh."}, typed={},
                                    expected_version=province.version, by=root)
    services.report_submit(report=province, by=root, note="Các đơn vị còn đang báo cáo.")
    for role in ("sec_a", "district1"):
        client.force_login(getattr(world.users, role))
        assert client.post(reverse("documents:start", args=[rnd.pk])).status_code == 403
        assert client.get(reverse("documents:round", args=[rnd.pk])).status_code == 200
        assert "Tạo văn bản cho cả đợt" not in client.get(reverse("documents:round", args=[rnd.pk])).content.decode()
    client.force_login(world.users.outsider)
    assert client.get(reverse("documents:round", args=[rnd.pk])).status_code == 404
    client.force_login(world.users.board)
    assert "Tạo văn bản cho cả đợt" in client.get(reverse("documents:round", args=[rnd.pk])).content.decode()
    with inline():
        response = client.post(reverse("documents:start", args=[rnd.pk]))
    assert response.status_code == 302
    run = DocumentRun.objects.get(round=rnd)
    assert run.status == "done"
    page = client.get(reverse("documents:round", args=[rnd.pk])).content.decode()
    assert "Báo cáo tổng hợp của tỉnh kèm phụ lục" in page
    pdf = client.get(reverse("documents:consolidated", args=[rnd.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    client.force_login(world.users.district1)
    assert client.get(reverse("documents:consolidated", args=[rnd.pk, "pdf"])).status_code == 404


def test_read_views_refuse_post_and_actions_refuse_get(world, rnd, client):
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.board)
    assert client.post(reverse("documents:panel", args=[report.pk])).status_code == 405
    assert client.get(reverse("documents:build", args=[report.pk])).status_code == 405
    assert client.get(reverse("documents:start", args=[rnd.pk])).status_code == 405


def test_the_report_page_links_only_to_a_document_that_exists(world, rnd, client, inline):
    """Without JavaScript too: before a build the page offers to build, never a link to a missing PDF."""
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    pdf_url = reverse("documents:download", args=[report.pk, "pdf"])
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert pdf_url not in page and "<noscript>" not in page
    assert f'action="{reverse("documents:build", args=[report.pk])}"' in page  # a plain form, no JS needed
    assert client.get(pdf_url).status_code == 404
    with inline():
        client.post(reverse("documents:build", args=[report.pk]))
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert pdf_url in page
    assert client.get(pdf_url).status_code == 200


# -- a round's run: level names and the time left ---------------------------------------------------

def _progress_rows(html: str) -> dict[str, str]:
    import re

    table = html[html.index("<table class=\"table table-sm w-auto\">"):]
    table = table[:table.index("</table>")]
    return {label: ready for label, ready in re.findall(r'<th scope="row"[^>]*>([^<]+)</th><td>([^<]+)</td>', table)}


def test_a_runs_progress_names_the_levels_and_estimates_the_time_left_from_its_pace(world, rnd, client):
    from django.utils import timezone

    from reports.document_tasks.jobs import documents_for_round

    run = DocumentRun.objects.create(round=rnd, started_by=world.users.board)
    documents_for_round(rnd, run)  # queued, not sent: the test moves them by hand
    start = timezone.now() - dt.timedelta(minutes=10)
    Document.objects.filter(run=run).update(queued_at=start)
    client.force_login(world.users.board)
    url = reverse("documents:round", args=[rnd.pk])

    html = client.get(url).content.decode()
    rows = _progress_rows(html)
    # deepest first: cells (a, b, x), communes, the districts with the cell directly under the province, the province
    assert rows == {"Chi bộ trực thuộc": "0/3", "Đảng ủy xã/phường/thị trấn": "0/2",
                    "Thành ủy, Huyện ủy, Chi bộ cơ sở": "0/3", "Tỉnh ủy": "0/1",
                    "Báo cáo tổng hợp kèm phụ lục": "0/1"}
    assert "Tầng" not in html
    # nothing built yet: no estimate, a word that one will come
    assert "Thời gian còn lại ước tính" not in html
    assert "Sẽ ước tính thời gian còn lại" in html

    # 10 minutes in, the 3 cells are built: 7 documents wait, at 3 per 10 minutes about 23 minutes
    cells = Document.objects.filter(run=run, depth=4)
    cells.update(status=Document.Status.READY, built_at=timezone.now(), pdf_path="x.pdf")
    html = client.get(url).content.decode()
    assert _progress_rows(html)["Chi bộ trực thuộc"] == "3/3"
    assert "Thời gian còn lại ước tính: 23 phút (theo tốc độ tạo văn bản từ đầu lượt này)." in html
    # the htmx poll shows the same
    assert "Thời gian còn lại ước tính: 23 phút" in client.get(url, HTTP_HX_REQUEST="true").content.decode()

    # a document built before this run's documents were queued does not count in the pace
    Document.objects.filter(pk=cells.first().pk).update(built_at=start - dt.timedelta(minutes=1))
    assert "Thời gian còn lại ước tính: 35 phút" in client.get(url).content.decode()  # 2 per 10 minutes

    # an hour and more is written in hours and minutes; a finished run has no estimate
    Document.objects.filter(run=run).update(queued_at=timezone.now() - dt.timedelta(minutes=50))
    assert "Thời gian còn lại ước tính: 1 giờ 57 phút" in client.get(url).content.decode()  # 3 per 50 minutes
    DocumentRun.objects.filter(pk=run.pk).update(status=DocumentRun.Status.DONE)
    html = client.get(url).content.decode()
    assert "Thời gian còn lại ước tính" not in html and "Sẽ ước tính" not in html


def test_the_time_left_is_written_in_vietnamese():
    from directive03.formats import duration

    assert duration(dt.timedelta(seconds=20)) == "dưới 1 phút"
    assert duration(dt.timedelta(seconds=90)) == "2 phút"
    assert duration(dt.timedelta(minutes=60)) == "1 giờ"
    assert duration(dt.timedelta(minutes=125, seconds=10)) == "2 giờ 5 phút"


def test_the_round_page_says_when_the_consolidated_document_is_behind_the_reports(world, rnd, client, inline):
    """Found by a newcomer: after a commune's report was approved, the round's documents page still said
    "Sẵn sàng" for the consolidated document, with no hint that its figures were older than the reports'.
    It now says so until the document is built again; a run brings it up to date."""
    stale = "Số liệu đã thay đổi sau khi tạo văn bản này"
    client.force_login(world.users.board)
    url = reverse("documents:round", args=[rnd.pk])
    with inline():
        assert client.post(reverse("documents:start", args=[rnd.pk])).status_code == 302
    page = client.get(url).content.decode()
    assert "Báo cáo tổng hợp của tỉnh kèm phụ lục" in page and stale not in page
    # the cell sends its report through its page; its commune approves it through its page
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    data = {"version": report.version, "results": "Chi bộ đã quán triệt.", "limitations": "", "lessons": "",
            "directions": "", "recommendations": "", "note": ""}
    assert client.post(reverse("reports:report_submit", args=[report.pk]), data).status_code == 302
    client.force_login(world.users.approver_c1)
    report.refresh_from_db()
    assert client.post(reverse("reports:report_approve", args=[report.pk]),
                       {"version": report.version, "note": ""}).status_code == 302
    assert Report.objects.get(pk=report.pk).state == Report.State.APPROVED
    client.force_login(world.users.board)
    assert stale in client.get(url).content.decode()
    with inline():
        assert client.post(reverse("documents:start", args=[rnd.pk])).status_code == 302
    assert stale not in client.get(url).content.decode()


def test_the_consolidated_report_says_whose_figures_it_sums_while_cells_are_missing(world, rnd, client, inline):
    """Found by a newcomer: with 5 of 34 cells approved, the province's draft said "Đảng bộ tỉnh … có 65 đảng
    viên" while the tree showed 652: the sums cover the approved reports only. While cells are missing the
    opening says whose figures they are; once every cell is in, it speaks for the whole Đảng bộ."""
    from .test_documents import approve, pdf_text, squash

    root = UserFactory(username="root", is_superuser=True)
    client.force_login(world.users.board)
    url = reverse("documents:consolidated", args=[rnd.pk, "pdf"])

    def opening() -> str:
        with inline():
            assert client.post(reverse("documents:start", args=[rnd.pk])).status_code == 302
        return squash(pdf_text(b"".join(client.get(url).streaming_content)))

    cells = Report.objects.filter(round=rnd, level="cell").count()
    text = opening()
    assert squash(f"chưa có chi bộ nào trong {cells:02d} chi bộ có báo cáo được duyệt") in text
    # the province's own draft: no level above it in the app approves it, it is issued when sent
    assert squash("DỰ THẢO – báo cáo chưa ban hành") in text and "cấp trên duyệt" not in text
    for org in (world.a, world.c1, world.d1):  # one cell, approved up to its district
        approve(rnd, org, root)
    members_a = Report.objects.get(round=rnd, organization=world.a).snapshot["figures"]["members"]
    text = opening()
    assert squash(f"số liệu được tổng hợp từ báo cáo đã được duyệt của 01/{cells:02d} chi bộ") in text
    assert squash(f"các chi bộ này có {members_a:02d} đảng viên") in text
    for org in (world.b, world.x, world.y):
        approve(rnd, org, root)
    for org in (world.c1, world.c2, world.d1, world.d2):  # approved again over their new children
        report = Report.objects.get(round=rnd, organization=org)
        if report.state == Report.State.APPROVED:
            services.report_reopen(report=report, by=root, note="Có thêm chi bộ được duyệt.")
        approve(rnd, org, root)
    total = Report.objects.get(round=rnd, organization=world.p).figures["members"]
    text = opening()
    assert "số liệu được tổng hợp từ" not in text
    assert squash(f"có {total:02d} đảng viên") in text and squash(f"{cells:02d}/{cells:02d} chi bộ") in text
