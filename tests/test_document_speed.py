# ruff: noqa: F811 - the fixtures rnd and inline come from test_documents
"""Documents at province scale (issue 15): a report's document follows its data (built when the report
is sent or approved), a run rebuilds only what is missing or out of date, the .docx is made when first
downloaded and then kept, the stylesheet parsed once per process renders the same documents, and the
consolidated document laid out in parts is one PDF numbered continuously."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from directive03 import files
from reports import services
from reports.document_tasks import jobs
from reports.documents import build, content, render
from reports.models import Document, DocumentRun, Report

from .test_documents import approve, inline, pdf_text, rnd, squash  # noqa: F401 - fixtures


def page_number(page) -> str:
    """The text in the page's top margin (where the stylesheet puts the number)."""
    top = float(page.mediabox.height) - 20 * 72 / 25.4  # in the 20 mm top margin
    found = []

    def visit(text, cm, tm, *_):
        if text.strip() and tm[5] * cm[3] + cm[5] > top:
            found.append(text.strip())
    page.extract_text(visitor_text=visit)
    return " ".join(found)


@pytest.fixture
def following(settings):
    settings.DOCUMENTS_FOLLOW_DATA = True
    return settings


@pytest.fixture
def builds(monkeypatch):
    """The documents the workers built, in order (kind, report id)."""
    done: list[tuple[str, int]] = []
    real = build.build

    def counting(doc_id, **kwargs):
        doc = Document.objects.get(pk=doc_id)
        done.append((doc.kind, doc.report_id))
        return real(doc_id, **kwargs)

    monkeypatch.setattr(jobs.B, "build", counting)
    return done


def send_through_the_page(client, report, user, text="Chi bộ đã quán triệt, triển khai đầy đủ."):
    client.force_login(user)
    report.refresh_from_db()
    data = {code: "" for code in Report.SECTIONS} | {"results": text, "version": report.version, "note": "x"}
    response = client.post(reverse("reports:report_submit", args=[report.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def approve_all(rnd, world):
    for org in (world.a, world.b, world.x, world.y, world.c1, world.c2, world.d1, world.d2, world.p):
        approve(rnd, org, world.users.root, f"Kết quả của {org.name}.")


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def test_sending_and_approving_through_the_pages_builds_the_document(world, rnd, client, inline, following,
                                                                     builds):
    report = Report.objects.get(round=rnd, organization=world.a)
    with inline():
        send_through_the_page(client, report, world.users.sec_a, "Chi bộ gửi bản báo cáo của mình.")
    doc = Document.objects.get(report=report, kind=Document.Kind.REPORT)
    assert doc.status == Document.Status.READY and not doc.number  # a draft: no number yet
    assert builds == [("report", report.pk)]
    draft = pdf_text(download(client, reverse("documents:download", args=[report.pk, "pdf"])))
    assert squash("DỰ THẢO – báo cáo chưa được cấp trên duyệt") in squash(draft)
    assert "Chi bộ gửi bản báo cáo của mình." in squash(draft)

    client.force_login(world.users.approver_c1)
    with inline():
        assert client.post(reverse("reports:report_approve", args=[report.pk])).status_code == 302
    doc.refresh_from_db()
    assert doc.status == Document.Status.READY and doc.number_text == "Số 01-BC/CB"
    assert builds == [("report", report.pk)] * 2
    client.force_login(world.users.sec_a)
    issued = squash(pdf_text(download(client, reverse("documents:download", args=[report.pk, "pdf"]))))
    assert "Số 01-BC/CB" in issued and "DỰ THẢO" not in issued
    assert not build.is_out_of_date(doc, Report.objects.get(pk=report.pk))


def test_without_following_nothing_is_built_on_approval(world, rnd, inline, builds):
    with inline():
        approve(rnd, world.a, world.users.root)
    assert builds == [] and not Document.objects.filter(report__round=rnd).exists()


def test_a_run_builds_only_what_is_missing_or_out_of_date(world, rnd, client, inline, following, builds):
    with inline():
        approve_all(rnd, world)
    reports = Report.objects.filter(round=rnd).count()
    assert len(builds) == reports  # each report's document followed its approval
    assert Document.objects.filter(report__round=rnd, status=Document.Status.READY).count() == reports
    client.force_login(world.users.board)
    start = reverse("documents:start", args=[rnd.pk])

    builds.clear()
    with inline():
        assert client.post(start).status_code == 302
    run = DocumentRun.objects.get(round=rnd)
    assert run.status == DocumentRun.Status.DONE
    assert builds == [("consolidated", Report.objects.get(round=rnd, parent__isnull=True).pk)]
    # the progress counts every document of the round, the ones built before the run as ready
    assert Document.objects.filter(run=run, status=Document.Status.READY).count() == reports + 1

    builds.clear()
    with inline():
        assert client.post(start).status_code == 302
    assert builds == []  # nothing changed: nothing built, the run is done at once
    assert DocumentRun.objects.filter(round=rnd).first().status == DocumentRun.Status.DONE

    # one cell reopened and approved again: its document follows; the next run rebuilds the consolidated
    cell = Report.objects.get(round=rnd, organization=world.b)
    builds.clear()
    with inline():
        cell = services.report_reopen(report=cell, by=world.users.root, note="Sửa số liệu.")
        cell = services.report_save(report=cell, sections={"results": "Bản sửa lại."}, typed={},
                                    expected_version=cell.version, by=world.users.root)
        cell = services.report_submit(report=cell, by=world.users.root, note="")
        services.report_approve(report=cell, by=world.users.root)
    # sent, then approved in one go: queued once, built once from what is there when a worker takes it
    assert builds == [("report", cell.pk)]
    assert Document.objects.get(report=cell, kind="report").number_text
    builds.clear()
    with inline():
        client.post(start)
    assert builds == [("consolidated", Report.objects.get(round=rnd, parent__isnull=True).pk)]

    # a document that is missing (never built) or whose report changed without a new build is rebuilt
    Document.objects.filter(report__organization=world.x).delete()
    y = Report.objects.get(round=rnd, organization=world.y)
    y.snapshot["sections"]["results"] = "Sửa thẳng trong cơ sở dữ liệu."
    Report.objects.filter(pk=y.pk).update(snapshot=y.snapshot)
    builds.clear()
    with inline():
        client.post(start)
    built_for = {(kind, Report.objects.get(pk=pk).organization_id) for kind, pk in builds}
    assert {("report", world.x.pk), ("report", world.y.pk)} <= built_for
    assert ("report", world.a.pk) not in built_for


def test_the_docx_is_made_when_first_downloaded_then_kept(world, rnd, client, inline, following, monkeypatch):
    with inline():
        report = approve(rnd, world.a, world.users.root, "Chi bộ làm theo lời Bác.")
    doc = Document.objects.get(report=report, kind=Document.Kind.REPORT)
    assert doc.status == Document.Status.READY and doc.docx_path == ""  # a build writes the PDF only
    made = []
    real = render.render_docx
    monkeypatch.setattr(render, "render_docx", lambda body: made.append(body) or real(body))
    client.force_login(world.users.sec_a)
    url = reverse("documents:download", args=[report.pk, "docx"])
    from docx import Document as Docx

    first = download(client, url)
    assert first.startswith(b"PK") and len(made) == 1
    assert "Chi bộ làm theo lời Bác." in [p.text for p in Docx(io.BytesIO(first)).paragraphs]
    doc.refresh_from_db()
    assert doc.docx_path and files.storage(files.DOCUMENTS).exists(doc.docx_path)
    assert download(client, url) == first and len(made) == 1  # kept
    # a rebuild drops it (with its file); the next download makes the new one
    old = doc.docx_path
    with inline():
        client.post(reverse("documents:build", args=[report.pk]))
    doc.refresh_from_db()
    assert doc.docx_path == "" and not files.storage(files.DOCUMENTS).exists(old)
    assert download(client, url).startswith(b"PK") and len(made) == 2
    # out of date (the report was reopened and rewritten): no .docx that would not match the PDF
    report = services.report_reopen(report=report, by=world.users.root, note="Sửa.")
    services.report_save(report=report, sections={"results": "Bản khác."}, typed={},
                         expected_version=report.version, by=world.users.root)
    Document.objects.filter(pk=doc.pk).update(docx_path="")
    response = client.get(url, follow=True)
    assert response.redirect_chain and "tạo lại văn bản" in response.content.decode()
    assert len(made) == 2


def test_the_shared_stylesheet_renders_what_a_document_on_its_own_renders(world, rnd):
    """The stylesheet and faces parsed once per process, for document after document: every
    document's text is the same as WeasyPrint alone makes from the whole page."""
    for org, text in ((world.a, "Chi bộ ấp Hòn Quéo sinh hoạt đều."), (world.b, "Chi bộ ấp Xà Ngách học tập.")):
        report = approve(rnd, org, world.users.root, text)
        body = content.build_content(report)
        shared, pages = render.render_pdf(body)
        alone, alone_pages = render.html_to_pdf(render.render_html(body))
        assert pdf_text(shared) == pdf_text(alone) and pages == alone_pages
        assert text in squash(pdf_text(shared))


def test_the_consolidated_document_in_parts_is_numbered_continuously(world, rnd, client, inline, settings):
    approve_all(rnd, world)
    client.force_login(world.users.board)
    province = Report.objects.get(round=rnd, parent__isnull=True)
    url = reverse("documents:consolidated", args=[rnd.pk, "pdf"])
    texts = {}
    settings.DOCUMENT_PART_MIN_ROWS = 1  # the small world's few rows, cut all the same
    for parts in (1, 3):
        settings.DOCUMENT_PARTS = parts
        with inline():
            assert client.post(reverse("documents:start", args=[rnd.pk])).status_code == 302
        doc = Document.objects.get(report=province, kind=Document.Kind.CONSOLIDATED)
        assert doc.status == Document.Status.READY, doc.error
        reader = PdfReader(io.BytesIO(download(client, url)))
        total = len(reader.pages)
        assert doc.pages == total
        pages = [page.extract_text() for page in reader.pages]
        numbers = [page_number(page) for page in reader.pages]
        assert numbers == ["", *map(str, range(2, total + 1))]  # none on the first page, then 2, 3, …
        texts[parts] = squash("\n".join(pages))
        Report.objects.filter(pk=province.pk).update(version=province.version + parts)  # out of date: rebuilt
    body = content.build_content(province)
    body.annexes += build.annexes.consolidated_annexes(province)
    pieces = build.split(body, 3)
    assert len(pieces) == 4  # the report with its first tables, the communes of each district, the counts
    # every part's text, in order (the page breaks differ, and with them where table headers repeat)
    needles = [*(heading for heading, _ in body.sections), "Nơi nhận:", body.signer]
    for annex in body.annexes:
        needles += [annex.title, *(row[0] for row in annex.rows)]
        for group in annex.groups:
            needles += [group.heading, *(row[0] for row in group.rows), *(group.total or [])[:1]]
        needles += annex.notes
    for parts, text in texts.items():
        at = 0
        for needle in map(squash, needles):
            found = text.find(needle, at)
            assert found >= 0, (parts, needle, text[at:at + 300])
            at = found + len(needle)


def test_a_part_task_does_nothing_once_its_job_is_over(world, rnd, settings):
    approve_all(rnd, world)
    province = Report.objects.get(round=rnd, parent__isnull=True)
    doc = Document.objects.create(report=province, kind=Document.Kind.CONSOLIDATED, status=Document.Status.READY)
    jobs.build_document_part.apply(args=(doc.pk, "someone/1/abc", "<html><body>x</body></html>"))
    assert not files.listdir(files.DOCUMENTS, "parts")


def test_a_small_province_is_laid_out_in_one_pass(world, rnd, client, inline, settings):
    """Every part starts a new page: a few rows are not cut (no half-empty pages inside an annex)."""
    approve_all(rnd, world)
    settings.DOCUMENT_PARTS = 9  # the default; DOCUMENT_PART_MIN_ROWS stays at its default too
    client.force_login(world.users.board)
    with inline():
        assert client.post(reverse("documents:start", args=[rnd.pk])).status_code == 302
    province = Report.objects.get(round=rnd, parent__isnull=True)
    doc = Document.objects.get(report=province, kind=Document.Kind.CONSOLIDATED)
    assert doc.status == Document.Status.READY, doc.error
    body = content.build_content(province)
    body.annexes += build.annexes.consolidated_annexes(province)
    assert build.part_count(body) == 1
    reader = PdfReader(io.BytesIO(download(client, reverse("documents:consolidated", args=[rnd.pk, "pdf"]))))
    assert len(reader.pages) == doc.pages
    settings.DOCUMENT_PART_MIN_ROWS = 1
    assert build.part_count(body) > 1


def _body_rows_per_page(document) -> list[list[object]]:
    """The source <tr> of every table body row laid out on each page (header rows repeat: left out)."""
    from weasyprint.formatting_structure import boxes

    pages = []
    for page in document.pages:
        rows = []
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableRowGroupBox) and not (box.is_header or box.is_footer):
                rows += [row.element for row in box.children]
        pages.append(rows)
    return pages


def test_a_table_row_is_never_cut_between_two_pages(world, rnd):
    """A unit's name on one page and its figures on the next (seen in the medium province's consolidated
    annex: "Chi bộ Phòng khám Đa khoa khu vực Tây Yên A" at the foot of page 17): every row is laid out
    whole on one page, and a district's heading row stays with its first unit."""
    approve_all(rnd, world)
    province = Report.objects.get(round=rnd, parent__isnull=True)
    body = content.build_content(province)
    body.annexes += build.annexes.consolidated_annexes(province)
    grouped = next(a for a in body.annexes if len(a.groups) > 1)
    # names that wrap over two or three lines, enough rows for several pages
    long_name = "Chi bộ Phòng khám Đa khoa khu vực Tây Yên A thuộc Trung tâm Y tế huyện An Biên số {}"
    for group in grouped.groups:
        template = group.rows[0]
        group.rows = [[long_name.format(i), *template[1:]] for i in range(45)]
    document = render.layout(render.render_html(body))
    pages = _body_rows_per_page(document)
    seen: dict[int, int] = {}
    for number, rows in enumerate(pages, 1):
        for element in rows:
            assert seen.setdefault(id(element), number) == number, "a row laid out over two pages"
    tables = [rows for rows in pages if rows]
    assert len(tables) >= 3
    for rows in tables:  # a page never ends with a district's heading alone
        last = rows[-1]
        assert "group" not in (last.get("class") or ""), "a heading row left at the foot of a page"
