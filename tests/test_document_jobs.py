# ruff: noqa: F811 - the fixtures rnd and inline come from test_documents
"""Document jobs that survive their workers: leases taken over from dead processes, the sweep that
resumes lost work, a run that goes on past a failed document, files swapped only when complete,
control characters that the renderers never see, and failure details only for those who can act."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from directive03 import files
from reports import document_tasks
from reports.document_tasks import jobs, leases
from reports.documents import build
from reports.models import Document, DocumentRun, Report

from .test_documents import approve, inline, pdf_text, rnd  # noqa: F401,F811 - fixtures


def approve_all(rnd, world):
    for org in (world.a, world.b, world.x, world.y, world.c1, world.c2, world.d1, world.d2, world.p):
        approve(rnd, org, world.users.root, f"Kết quả của {org.name}.")


def dead_owner() -> str:
    """The owner token of a process of this machine that has exited (a worker child killed by -9)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{leases.HOST}/{proc.pid}/deadbeef0000"


def one_file_per_document(rnd) -> None:
    """Each document's folder holds its current files and nothing else; one folder per document."""
    docs = list(Document.objects.filter(report__round=rnd))
    assert len({posixpath.dirname(d.pdf_path) for d in docs}) == len(docs)
    for d in docs:
        assert sorted(files.listdir(files.DOCUMENTS, posixpath.dirname(d.pdf_path))) == sorted(
            posixpath.basename(getattr(d, f)) for f in ("pdf_path", "docx_path") if getattr(d, f))


def test_a_redelivered_task_takes_over_from_a_killed_worker_at_once(world, rnd, inline):
    """Issue 10 #1: the worker child died mid-render; the redelivered task used to see "building"
    (claimed < 15 minutes ago) and return, leaving the run running for ever."""
    approve_all(rnd, world)
    with inline():
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    run.refresh_from_db()
    assert run.status == DocumentRun.Status.DONE
    cell = Document.objects.get(report__round=rnd, report__organization=world.a, kind="report")
    first_number, first_pdf = cell.number_text, cell.pdf_path
    # a second run: the cell's worker dies after claiming it (lease still "valid" for 30 s)
    with inline():
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    Document.objects.filter(pk=cell.pk).update(status="building", lease_owner=dead_owner(),
                                               lease_until=timezone.now() + leases.LEASE)
    assert leases.lapsed(Document.objects.get(pk=cell.pk))
    with inline():
        document_tasks.build_document.apply(args=[cell.pk])  # the redelivery
    cell.refresh_from_db()
    assert cell.status == "ready" and cell.lease_owner == "" and cell.number_text == first_number
    assert cell.pdf_path != first_pdf  # new files, swapped in
    assert Document.objects.filter(report__round=rnd, kind="report").count() == Report.objects.filter(round=rnd).count()
    one_file_per_document(rnd)


def test_a_live_lease_of_another_machine_is_left_alone_until_it_lapses(world, rnd, inline):
    approve(rnd, world.a, world.users.root)
    report = Report.objects.get(round=rnd, organization=world.a)
    doc = Document.objects.create(report=report, depth=build.depth_of(report), status="building",
                                  lease_owner="other-host#pid:[1]/4242/cafe", attempts=1,
                                  lease_until=timezone.now() + leases.LEASE)
    assert leases.claim(doc.pk) is None and not leases.lapsed(doc)
    with inline():
        assert jobs.sweep()["taken_over"] == 0
    Document.objects.filter(pk=doc.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    with inline():
        stats = document_tasks.sweep_documents.apply().get()
    assert stats["taken_over"] == 1
    doc.refresh_from_db()
    assert doc.status == "ready" and doc.attempts == 2


def test_the_heartbeat_renews_only_the_leases_this_process_holds(world, rnd):
    report = Report.objects.get(round=rnd, organization=world.a)
    doc = Document.objects.create(report=report, depth=4)
    owner = leases.claim(doc.pk)
    assert owner and leases.claim(doc.pk) is None  # held by this process, alive
    Document.objects.filter(pk=doc.pk).update(lease_until=timezone.now() + dt.timedelta(seconds=1))
    assert leases.renew() == 0  # just taken: a short build never writes a renewal
    assert leases.renew(min_age=0) == 1
    doc.refresh_from_db()
    assert doc.lease_until > timezone.now() + leases.LEASE - dt.timedelta(seconds=5)
    leases.drop(doc.pk)  # this process stops working on it: gone, whatever the expiry says
    assert leases.renew(min_age=0) == 0 and leases.lapsed(doc) and leases.claim(doc.pk)
    leases.drop(doc.pk)


def test_a_run_whose_messages_were_lost_is_resumed_by_the_sweep_and_by_the_button(
        world, rnd, client, inline, django_capture_on_commit_callbacks):
    approve_all(rnd, world)
    with django_capture_on_commit_callbacks(execute=False):  # the broker restarted empty: nothing arrives
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    assert not Document.objects.filter(run=run).exclude(status="queued").exists()
    with inline():
        assert jobs.sweep()["sent_again"] == 0  # too early to tell from a busy queue
    DocumentRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - jobs.STALL_AFTER, dispatched_at=timezone.now() - jobs.STALL_AFTER)
    client.force_login(world.users.board)
    page = client.get(reverse("documents:round", args=[rnd.pk])).content.decode()
    assert "Tiếp tục ngay" in page
    # "build" again returns the same run, and sends what it lost
    with inline():
        response = client.post(reverse("documents:start", args=[rnd.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "done" and DocumentRun.objects.filter(round=rnd).count() == 1
    assert not Document.objects.filter(report__round=rnd).exclude(status="ready").exists()


def test_the_sweep_at_start_up_resumes_a_run_at_once(world, rnd, inline, django_capture_on_commit_callbacks):
    """In-process mode: the web process restarted during a run; its first sweep is forced."""
    approve(rnd, world.a, world.users.root)
    with django_capture_on_commit_callbacks(execute=False):
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    doc = Document.objects.filter(run=run, depth=run.current_depth).first()
    Document.objects.filter(pk=doc.pk).update(status="building", lease_owner=dead_owner(),
                                              lease_until=timezone.now() + leases.LEASE)
    with inline():
        document_tasks.sweep_documents.apply(kwargs={"force": True})
    run.refresh_from_db()
    assert run.status == "done"


def break_report(rnd, org):
    """Old data the renderer cannot use: an approved report whose frozen snapshot lost its sections."""
    Report.objects.filter(round=rnd, organization=org).update(state="approved",
                                                              snapshot={"sections": None, "figures": {}})


def test_one_failed_document_never_stops_its_run(world, rnd, client, inline, settings):
    approve_all(rnd, world)
    with inline():
        first = document_tasks.run_start(rnd=rnd, by=world.users.board)
    consolidated = Document.objects.get(report__round=rnd, kind="consolidated")
    built_before = consolidated.built_at
    break_report(rnd, world.b)
    with inline():
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    run.refresh_from_db()
    assert run.pk != first.pk and run.status == "failed"  # finished, with errors
    docs = {(d.report.organization_id, d.kind): d for d in Document.objects.filter(run=run).select_related("report")}
    assert docs[(world.b.pk, "report")].status == "failed"
    assert "AttributeError" in docs[(world.b.pk, "report")].error
    for key, doc in docs.items():
        if key != (world.b.pk, "report"):
            assert doc.status == "ready", key  # parents and the consolidated document built anyway
    assert docs[(world.p.pk, "consolidated")].built_at > built_before
    assert docs[(world.b.pk, "report")].available  # the first run's file is still there
    # the failure is listed with its reason for the board and the cell's own secretary only
    client.force_login(world.users.board)
    page = client.get(reverse("documents:round", args=[rnd.pk])).content.decode()
    assert "Chi bộ ấp Xà Ngách" in page and "AttributeError" in page and "Tạo lại các văn bản lỗi" in page
    pdf = client.get(reverse("documents:consolidated", args=[rnd.pk, "pdf"]))
    assert pdf.status_code == 200
    b = Report.objects.get(round=rnd, organization=world.b)
    for role, sees, panel_status in (("sec_b", True, 200), ("commune1", False, 200), ("sec_a", False, 404),
                                     ("district2", False, 404)):
        client.force_login(getattr(world.users, role))
        page = client.get(reverse("documents:round", args=[rnd.pk])).content.decode()
        assert ("AttributeError" in page) is sees, role
        assert sees or "Chi bộ ấp Xà Ngách: lỗi" in page, role
        panel = client.get(reverse("documents:panel", args=[b.pk]))
        assert panel.status_code == panel_status, role
        if panel_status == 200:
            assert "Tạo văn bản bị lỗi" in panel.content.decode()
            assert ("AttributeError" in panel.content.decode()) is sees, role
            download = client.get(reverse("documents:download", args=[b.pk, "pdf"]))
            assert download.status_code == 200  # the earlier version
    # fixed data, retry: only the failed document is built again, and the run is done
    Report.objects.filter(pk=b.pk).update(state="draft", snapshot={})
    client.force_login(world.users.board)
    with inline():
        response = client.post(reverse("documents:retry", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == "done"
    assert not Document.objects.filter(report__round=rnd).exclude(status="ready").exists()
    one_file_per_document(rnd)


def test_retry_is_refused_when_nothing_failed(world, rnd, client, inline):
    approve(rnd, world.a, world.users.root)
    with inline():
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    client.force_login(world.users.board)
    response = client.post(reverse("documents:retry", args=[run.pk]), follow=True)
    assert "Không có văn bản nào bị lỗi để tạo lại." in response.content.decode()


def test_a_ready_document_stays_downloadable_while_it_is_rebuilt(
        world, rnd, client, inline, django_capture_on_commit_callbacks):
    approve_all(rnd, world)
    with inline():
        document_tasks.run_start(rnd=rnd, by=world.users.board)
    report = Report.objects.get(round=rnd, organization=world.a)
    Document.objects.filter(report=report).update(source_key="")  # out of date: the run rebuilds it
    with django_capture_on_commit_callbacks(execute=False):
        document_tasks.run_start(rnd=rnd, by=world.users.board)  # queued, not built yet
    assert Document.objects.get(report=report).status == "queued"
    client.force_login(world.users.sec_a)
    panel = client.get(reverse("documents:panel", args=[report.pk])).content.decode()
    assert "Tải PDF" in panel and "Đang tạo bản mới" in panel
    assert b"".join(client.get(reverse("documents:download", args=[report.pk, "pdf"])).streaming_content) \
        .startswith(b"%PDF")
    client.force_login(world.users.board)
    assert client.get(reverse("documents:consolidated", args=[rnd.pk, "pdf"])).status_code == 200


def test_control_characters_in_old_data_never_stop_the_documents(world, rnd, client, inline):
    """Issue 10 #2: a section pasted from Word holds a vertical tab (its manual line break), and old
    rows hold NUL bytes. Stored before text was cleaned at input: the renderers must cope."""
    approve_all(rnd, world)
    Report.objects.filter(round=rnd, organization=world.a).update(
        state="submitted", snapshot={}, results="Kết quả\x0bdòng 2", limitations="Hạn\x00 chế\x07 cũ\x1b")
    with inline():
        run = document_tasks.run_start(rnd=rnd, by=world.users.board)
    run.refresh_from_db()
    assert run.status == "done", list(Document.objects.filter(run=run).values_list("error", flat=True))
    doc = Document.objects.get(report__organization=world.a, kind="report")
    text = pdf_text(build.read_bytes(doc, "pdf"))
    assert "Kết quả\ndòng 2" in text and "Hạn chế cũ" in text
    from docx import Document as Docx

    client.force_login(world.users.sec_a)  # the .docx is made when first downloaded
    word = b"".join(client.get(reverse("documents:download", args=[doc.report_id, "docx"])).streaming_content)
    paragraphs = [p.text for p in Docx(io.BytesIO(word)).paragraphs]
    assert "Kết quả" in paragraphs and "dòng 2" in paragraphs and "Hạn chế cũ" in paragraphs


@pytest.mark.parametrize("attempts,status", [(jobs.MAX_ATTEMPTS - 1, "ready"), (jobs.MAX_ATTEMPTS, "failed")])
def test_a_document_that_keeps_killing_its_worker_is_given_up(world, rnd, inline, attempts, status):
    approve(rnd, world.a, world.users.root)
    report = Report.objects.get(round=rnd, organization=world.a)
    doc = Document.objects.create(report=report, depth=build.depth_of(report), status="building",
                                  attempts=attempts, lease_owner=dead_owner(),
                                  lease_until=timezone.now() + leases.LEASE)
    with inline():
        jobs.sweep()
    doc.refresh_from_db()
    assert doc.status == status
    if status == "failed":
        assert "Máy chủ dừng" in doc.error
