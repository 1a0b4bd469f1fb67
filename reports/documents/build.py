"""Document runs: numbering, claiming, building, and advancing level by level (deepest first)."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.access import access_for

from .. import permissions
from ..models import Document, DocumentCounter, DocumentRun, Report, ReportingRound
from . import content, render

log = logging.getLogger(__name__)
DOC_TYPE = "BC"
#: A claim older than this is considered abandoned (the worker died): the job may be claimed again.
STALE_CLAIM = dt.timedelta(minutes=15)


def depth_of(report: Report) -> int:
    return report.tree_path.strip("/").count("/") + 1


# -- numbering ---------------------------------------------------------------------------------

def assign_number(doc: Document, report: Report, issued_on: dt.date) -> None:
    """'Số 12-BC/HU': the next number of this type in the unit's term; kept on rebuilds."""
    if doc.number:
        return
    with transaction.atomic():
        counter, _ = DocumentCounter.objects.get_or_create(
            organization_id=report.organization_id, doc_type=DOC_TYPE, term_start=content.term_start(issued_on))
        DocumentCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        counter.refresh_from_db()
        number = counter.last_number
    doc.number = number
    doc.number_text = f"Số {number:02d}-{DOC_TYPE}/{report.organization.issuer_code}"
    doc.issued_on = issued_on


# -- runs --------------------------------------------------------------------------------------

def documents_for_round(rnd: ReportingRound, run: DocumentRun | None) -> int:
    """One Document per report (and the province's consolidated one), queued for `run`."""
    reports = list(Report.objects.filter(round=rnd).only("id", "tree_path", "parent_id"))
    existing = {(d.report_id, d.kind): d for d in Document.objects.filter(report__round=rnd)}
    now = timezone.now()
    to_create, to_update = [], []
    for r in reports:
        kinds = [(Document.Kind.REPORT, depth_of(r))]
        if r.parent_id is None:
            kinds.append((Document.Kind.CONSOLIDATED, 0))
        for kind, depth in kinds:
            doc = existing.get((r.pk, kind))
            if doc is None:
                to_create.append(Document(report=r, kind=kind, run=run, depth=depth, queued_at=now))
            else:
                doc.run, doc.depth, doc.status, doc.error, doc.attempts, doc.queued_at = (
                    run, depth, Document.Status.QUEUED, "", 0, now)
                to_update.append(doc)
    Document.objects.bulk_create(to_create, batch_size=2000)
    Document.objects.bulk_update(to_update, ["run", "depth", "status", "error", "attempts", "queued_at"],
                                 batch_size=2000)
    return len(to_create) + len(to_update)


def run_start(*, rnd: ReportingRound, by) -> DocumentRun:
    """Start building every document of the round; a run already going is returned as it is."""
    if not permissions.opens_rounds(access_for(by), rnd.province_id):
        raise PermissionDenied
    with transaction.atomic():
        ReportingRound.objects.select_for_update().get(pk=rnd.pk)
        running = DocumentRun.objects.filter(round=rnd, status=DocumentRun.Status.RUNNING).first()
        if running is not None:
            return running
        run = DocumentRun.objects.create(round=rnd, started_by=by)
        documents_for_round(rnd, run)
        deepest = Document.objects.filter(run=run).aggregate(m=Max("depth"))["m"] or 0
        run.current_depth = deepest
        run.save(update_fields=["current_depth"])
        _dispatch_level(run.pk, deepest)
    return run


def _dispatch_level(run_id: int, depth: int) -> None:
    from directive03.dispatch import send

    from ..document_tasks import build_document

    for doc_id in Document.objects.filter(run_id=run_id, depth=depth, status=Document.Status.QUEUED) \
            .values_list("pk", flat=True):
        send(build_document, doc_id)


def run_check(run_id: int) -> None:
    """Called when a document of the run finishes: move to the next level once this one is ready.
    A conditional update claims the move, so two finishing workers never both dispatch it."""
    run = DocumentRun.objects.filter(pk=run_id).first()
    if run is None or run.status != DocumentRun.Status.RUNNING:
        return
    depth = run.current_depth
    counts = dict(
        Document.objects.filter(run_id=run_id, depth=depth).values_list("status").annotate(n=Count("id"))
    )
    if counts.get(Document.Status.QUEUED) or counts.get(Document.Status.BUILDING):
        return
    if counts.get(Document.Status.FAILED):
        DocumentRun.objects.filter(pk=run_id, status=DocumentRun.Status.RUNNING).update(
            status=DocumentRun.Status.FAILED, finished_at=timezone.now())
        return
    lower = Document.objects.filter(run_id=run_id, depth__lt=depth).aggregate(m=Max("depth"))["m"]
    if lower is None:
        DocumentRun.objects.filter(pk=run_id, status=DocumentRun.Status.RUNNING, current_depth=depth).update(
            status=DocumentRun.Status.DONE, finished_at=timezone.now(), current_depth=0)
        return
    with transaction.atomic():
        moved = DocumentRun.objects.filter(pk=run_id, current_depth=depth, status=DocumentRun.Status.RUNNING) \
            .update(current_depth=lower)
        if moved:
            _dispatch_level(run_id, lower)


def run_retry(*, run: DocumentRun, by) -> DocumentRun:
    """Queue the failed documents of a run again and resume it."""
    if not permissions.opens_rounds(access_for(by), run.round.province_id):
        raise PermissionDenied
    with transaction.atomic():
        run = DocumentRun.objects.select_for_update().get(pk=run.pk)
        if run.status != DocumentRun.Status.FAILED:
            raise ValidationError(_("Chỉ chạy lại được lượt tạo văn bản bị lỗi."), code="state")
        if DocumentRun.objects.filter(round=run.round, status=DocumentRun.Status.RUNNING).exists():
            raise ValidationError(_("Đang có một lượt tạo văn bản khác."), code="busy")
        Document.objects.filter(run=run, status=Document.Status.FAILED).update(
            status=Document.Status.QUEUED, error="", attempts=0, queued_at=timezone.now())
        run.status, run.finished_at = DocumentRun.Status.RUNNING, None
        run.save(update_fields=["status", "finished_at"])
        _dispatch_level(run.pk, run.current_depth)
    return run


def single_start(*, report: Report, by) -> Document:
    """Build (or rebuild) one report's document outside a run, e.g. from the report page."""
    if not permissions.reads(access_for(by), report):
        raise PermissionDenied
    with transaction.atomic():
        doc, created = Document.objects.select_for_update().get_or_create(
            report=report, kind=Document.Kind.REPORT, defaults={"depth": depth_of(report)})
        if doc.status == Document.Status.BUILDING and not _stale(doc):
            return doc
        Document.objects.filter(pk=doc.pk).update(status=Document.Status.QUEUED, error="", attempts=0,
                                                  run=None, queued_at=timezone.now())
        from directive03.dispatch import send

        from ..document_tasks import build_document

        send(build_document, doc.pk)
    doc.refresh_from_db()
    return doc


def _stale(doc: Document) -> bool:
    return bool(doc.started_at and timezone.now() - doc.started_at > STALE_CLAIM)


# -- building one document ---------------------------------------------------------------------

def claim(doc_id: int) -> bool:
    """Take the job: only one worker wins, whatever the number of deliveries of the task."""
    now = timezone.now()
    return bool(
        Document.objects.filter(pk=doc_id)
        .filter(Q(status=Document.Status.QUEUED)
                | Q(status=Document.Status.BUILDING, started_at__lt=now - STALE_CLAIM))
        .update(status=Document.Status.BUILDING, started_at=now, attempts=F("attempts") + 1)
    )


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def build(doc_id: int) -> Document:
    """Render the document's PDF and .docx and store them; raises on failure (the task retries)."""
    doc = Document.objects.select_related("report__round__directive", "report__organization").get(pk=doc_id)
    report = doc.report
    src = content.report_source(report)
    issued_on = timezone.localdate(report.decided_at) if src["approved"] and report.decided_at \
        else timezone.localdate()
    assign_number(doc, report, issued_on)
    body = content.build_content(report, number_text=doc.number_text, issued_on=doc.issued_on or issued_on)
    if doc.kind == Document.Kind.CONSOLIDATED:
        body.annexes = content.consolidated_annexes(report)
    pdf, pages = render.render_pdf(body)
    docx = render.render_docx(body)
    folder = Path(settings.DOCUMENTS_ROOT) / f"round-{report.round_id}"
    stem = f"{report.pk}-{doc.kind}"
    _write_atomic(folder / f"{stem}.pdf", pdf)
    _write_atomic(folder / f"{stem}.docx", docx)
    doc.pdf_path = str(Path(f"round-{report.round_id}") / f"{stem}.pdf")
    doc.docx_path = str(Path(f"round-{report.round_id}") / f"{stem}.docx")
    doc.pages, doc.source_key, doc.built_at = pages, content.source_key(report), timezone.now()
    doc.status, doc.error = Document.Status.READY, ""
    doc.save(update_fields=["number", "number_text", "issued_on", "pdf_path", "docx_path", "pages",
                            "source_key", "built_at", "status", "error"])
    return doc


def mark_failed(doc_id: int, error: str) -> None:
    Document.objects.filter(pk=doc_id).update(status=Document.Status.FAILED, error=error[:2000])


def requeue(doc_id: int) -> None:
    Document.objects.filter(pk=doc_id, status=Document.Status.BUILDING).update(status=Document.Status.QUEUED)


def is_out_of_date(doc: Document, report: Report) -> bool:
    return doc.status == Document.Status.READY and doc.source_key != content.source_key(report)


def file_path(doc: Document, fmt: str) -> Path:
    relative = doc.pdf_path if fmt == "pdf" else doc.docx_path
    root = Path(settings.DOCUMENTS_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise PermissionDenied
    return path
