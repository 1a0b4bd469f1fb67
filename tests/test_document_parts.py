# ruff: noqa: F811 - the fixtures rnd and inline come from test_documents
"""The consolidated document's parts are stored under a digest of what each is laid out from, and
kept: when one approval changes one district's rows, the rebuild lays out only that district's piece
and the reports' counts again, joins them with the parts it kept (pages numbered on across them), and
removes the parts it no longer uses once the new PDF is the document's. A build that lost its lease
removes no part; a part gone or cut short is laid out again."""

from __future__ import annotations

import io
import posixpath

import pytest
from pypdf import PdfReader

from directive03 import files
from reports import document_tasks, rollup
from reports.document_tasks import jobs
from reports.documents import build, render
from reports.models import Document, DocumentRun, Report

from .test_document_speed import page_number
from .test_documents import approve, inline, rnd, squash  # noqa: F401 - fixtures


@pytest.fixture
def laid_out(monkeypatch):
    """Every part laid out, in order, as (its HTML, the PDF made): a spy that still calls render_part."""
    calls: list[tuple[str, bytes]] = []
    real = render.render_part

    def spy(html):
        pdf = real(html)
        calls.append((html, pdf))
        return pdf

    monkeypatch.setattr(render, "render_part", spy)
    return calls


@pytest.fixture
def cut_small(settings):
    settings.DOCUMENT_PARTS = 3
    settings.DOCUMENT_PART_MIN_ROWS = 1  # the small world's two districts: one piece each
    return settings


@pytest.fixture
def one_district_waits(world, rnd, cut_small):
    """Every unit approved but the commune of Thành ủy Rạch Giá (and that district); the province sent."""
    for org in (world.a, world.b, world.x, world.y, world.c1, world.d1, world.p):
        approve(rnd, org, world.users.root, f"Kết quả của {org.name}.")
    return rnd


def stored_parts() -> dict[str, bytes]:
    return {f"{build.PARTS}/{name}": files.read(files.DOCUMENTS, f"{build.PARTS}/{name}")
            for name in files.listdir(files.DOCUMENTS, build.PARTS)}


def run(rnd, world, inline) -> Document:
    """A run of the round as the board starts it, its tasks (build_document, the worker's job) run here."""
    with inline():
        started = document_tasks.run_start(rnd=rnd, by=world.users.board)
    started.refresh_from_db()
    assert started.status == DocumentRun.Status.DONE
    return ready()


def ready() -> Document:
    doc = Document.objects.get(kind=Document.Kind.CONSOLIDATED)
    assert doc.status == Document.Status.READY, doc.error
    return doc


def page_texts(pdf: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def joined_from(pdf: bytes, parts: dict[str, bytes]) -> list[str]:
    """The stored parts whose pages, end to end, are the PDF's pages (each page's text with its number
    laid over it), in order; fails if some page comes from none of them or a part is left over."""
    pages = page_texts(pdf)
    left = {name: page_texts(data) for name, data in parts.items()}
    order, at = [], 0
    while at < len(pages):
        found = [name for name, texts in left.items() if at + len(texts) <= len(pages)
                 and all(text in pages[at + k] for k, text in enumerate(texts))]
        assert len(found) == 1, (at, pages[at][:200], found)
        order.append(found[0])
        at += len(left.pop(found[0]))
    assert not left, f"stored parts the PDF was not joined from: {sorted(left)}"
    return order


def own_files(doc: Document) -> list[str]:
    """The consolidated document's files in its own folder."""
    return list(files.listdir(files.DOCUMENTS, posixpath.dirname(doc.pdf_path)))


def numbered_continuously(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    assert [page_number(page) for page in reader.pages] == ["", *map(str, range(2, total + 1))]
    return total


def test_a_rebuild_after_one_approval_lays_out_only_the_changed_parts(world, one_district_waits, inline,
                                                                     laid_out):
    rnd = one_district_waits
    first = run(rnd, world, inline)
    before = stored_parts()
    first_pdf = build.read_bytes(first, "pdf")
    # the report with its tables, Huyện ủy Hòn Đất's communes, Thành ủy Rạch Giá's, the reports' counts
    assert len(laid_out) == 4
    assert len(joined_from(first_pdf, before)) == 4 and numbered_continuously(first_pdf) == first.pages
    assert "Đảng ủy phường Vĩnh Thanh (chưa duyệt)" in "".join(page_texts(first_pdf))

    laid_out.clear()
    approve(rnd, world.c2, world.users.root, "Kết quả của phường Vĩnh Thanh.")  # one more approval
    doc = run(rnd, world, inline)
    assert doc.pdf_path != first.pdf_path and doc.source_key != first.source_key
    # (a) only the piece of the district whose commune was approved, and the reports' counts
    htmls = [html for html, _pdf in laid_out]
    assert len(htmls) == 2, [h[-400:] for h in htmls]
    assert "Đảng ủy phường Vĩnh Thanh" in htmls[0] or "Đảng ủy phường Vĩnh Thanh" in htmls[1]
    assert any("TÌNH HÌNH BÁO CÁO CỦA ĐỢT" in html for html in htmls)
    assert not any("Đảng ủy xã Sóc Sơn" in html or "Nơi nhận:" in html for html in htmls)
    # (b) the new figures, the pages numbered on across kept and new parts
    pdf = build.read_bytes(doc, "pdf")
    text = "".join(page_texts(pdf))
    commune = Report.objects.get(round=rnd, organization=world.c2)
    assert commune.state == Report.State.APPROVED
    assert "Đảng ủy phường Vĩnh Thanh (chưa duyệt)" not in text
    assert f"Đảng ủy phường Vĩnh Thanh {rollup.effective(commune)['members']} " in text
    assert numbered_continuously(pdf) == doc.pages
    # (c) the two parts it replaced are gone; the stored ones are exactly those the PDF is joined from:
    # the two kept as they were, the two laid out now
    after = stored_parts()
    assert len(before.keys() - after.keys()) == 2 and len(after.keys() & before.keys()) == 2
    assert all(after[name] == before[name] for name in after.keys() & before.keys())
    assert sorted(after[name] for name in after.keys() - before.keys()) == sorted(p for _h, p in laid_out)
    assert len(joined_from(pdf, after)) == 4
    assert own_files(doc) == [posixpath.basename(doc.pdf_path)]


def test_a_build_that_lost_its_lease_removes_no_part(world, one_district_waits, inline, laid_out, monkeypatch):
    rnd = one_district_waits
    first = run(rnd, world, inline)
    before = stored_parts()
    approve(rnd, world.c2, world.users.root, "Kết quả của phường Vĩnh Thanh.")
    real_finish = jobs.leases.finish
    taken = []

    def taken_over(doc_id, owner, **fields):
        if not taken:  # another worker took the job over while this one built (the sweep, a lapsed lease)
            taken.append(Document.objects.filter(pk=doc_id).update(lease_owner="other#1/2/x"))
        return real_finish(doc_id, owner, **fields)

    monkeypatch.setattr(jobs.leases, "finish", taken_over)
    laid_out.clear()
    Document.objects.filter(pk=first.pk).update(status=Document.Status.QUEUED, lease_owner="", lease_until=None)
    with inline():
        jobs.build_document.apply(args=(first.pk,))
    doc = Document.objects.get(pk=first.pk)
    assert taken and doc.pdf_path == first.pdf_path  # the document is still the first build's
    assert own_files(first) == [posixpath.basename(first.pdf_path)]  # the lost build's PDF discarded
    assert len(laid_out) == 2
    lost = stored_parts()
    assert lost.keys() >= before.keys() and len(lost) == 6  # its parts stay, and the document's

    # the job handed over (the sweep queues it again): its next build lays out nothing, then cleans up
    laid_out.clear()
    Document.objects.filter(pk=first.pk).update(status=Document.Status.QUEUED, lease_owner="", lease_until=None)
    with inline():
        jobs.build_document.apply(args=(first.pk,))
    doc = ready()
    assert doc.pdf_path != first.pdf_path and laid_out == []
    after = stored_parts()
    assert len(after) == 4 and after.keys() <= lost.keys()
    assert len(joined_from(build.read_bytes(doc, "pdf"), after)) == 4


def test_a_part_cut_short_is_laid_out_again(world, one_district_waits, inline, laid_out):
    """A part whose writer died halfway (a local folder keeps what was written) is not joined."""
    rnd = one_district_waits
    run(rnd, world, inline)
    parts = stored_parts()
    district = next(name for name, data in parts.items()
                    if any("Đảng ủy xã Sóc Sơn" in text for text in page_texts(data)))
    files.delete(files.DOCUMENTS, district)
    files.write(files.DOCUMENTS, district, parts[district][: len(parts[district]) // 2])
    laid_out.clear()
    approve(rnd, world.c2, world.users.root, "Kết quả của phường Vĩnh Thanh.")
    doc = run(rnd, world, inline)
    assert len(laid_out) == 3  # the changed district, the counts, and the part cut short
    assert any("Đảng ủy xã Sóc Sơn" in html for html, _pdf in laid_out)
    after = stored_parts()
    assert after[district] == parts[district]  # stored whole again, under the same name
    assert len(joined_from(build.read_bytes(doc, "pdf"), after)) == 4


def test_parts_laid_out_by_the_workers_are_the_ones_the_job_joins(world, one_district_waits, inline, laid_out,
                                                                 monkeypatch):
    """A worker stores a part under the name the job looks for (its content's), so nothing is laid
    out twice: the job lays out the biggest part, the workers (here, at once) the others, biggest
    first; after one approval, the job one and a worker the other."""
    real_send = jobs.send_parts
    sent: list[str] = []

    def workers_at_once(doc_id, owner, htmls):
        real_send(doc_id, owner, htmls)  # queued after the commit: they find the job over, and do nothing
        for html in htmls:
            sent.append(html)
            jobs.build_document_part.apply(args=(doc_id, owner, html))

    monkeypatch.setattr(jobs, "send_parts", workers_at_once)
    doc = run(one_district_waits, world, inline)
    htmls = [html for html, _pdf in laid_out]
    assert len(sent) == 3 and len(htmls) == 4  # each part once
    assert htmls[:3] == sent and htmls[3] == max(htmls, key=len)  # sent first; the job's own: the biggest
    assert [len(html) for html in sent] == sorted((len(html) for html in sent), reverse=True)
    parts = stored_parts()
    assert sorted(parts) == sorted(build.part_name(doc, html) for html in htmls)
    assert len(joined_from(build.read_bytes(doc, "pdf"), parts)) == 4

    laid_out.clear()
    sent.clear()
    approve(one_district_waits, world.c2, world.users.root, "Kết quả của phường Vĩnh Thanh.")
    doc = run(one_district_waits, world, inline)
    htmls = [html for html, _pdf in laid_out]
    assert len(sent) == 1 and len(htmls) == 2 and htmls[0] == sent[0]  # a worker's, then the job's own
    assert len(htmls[1]) > len(sent[0]) and "Đảng ủy phường Vĩnh Thanh" in htmls[1]
    assert "TÌNH HÌNH BÁO CÁO CỦA ĐỢT" in sent[0]
    assert len(joined_from(build.read_bytes(doc, "pdf"), stored_parts())) == 4
