"""One document: its number, its PDF and .docx rendered and written beside the previous ones.

This module knows nothing of tasks, leases or runs: `reports.document_tasks` owns the jobs (who may
build, when, in which order) and calls `build`, then `swap` or `discard`, from here. A build writes
new files under new names; the row points at them only once the job's lease commits them, so the
previous version stays downloadable until then, and a build that lost its lease leaves nothing."""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from organizations.selectors import names_as_of

from ..models import Document, DocumentCounter, Report
from . import annexes, content, issue, render

log = logging.getLogger(__name__)
DOC_TYPE = "BC"


def depth_of(report: Report) -> int:
    return report.tree_path.strip("/").count("/") + 1


# -- numbering ---------------------------------------------------------------------------------

def assign_number(doc_id: int, report: Report) -> Document:
    """'Số 12-BC/HU': the next number of this type in the unit's term of the issue date (see
    issue.document_date); the number and the date are fixed together and kept on rebuilds. The counter
    and the document's number are written in one transaction, so a build that dies afterwards never
    burns a number (the next build finds it on the row). The province's consolidated document is its
    report with the annexes: it takes the report's number."""
    with transaction.atomic():
        doc = Document.objects.select_for_update().get(pk=doc_id)
        if doc.number:
            return doc
        if doc.kind == Document.Kind.CONSOLIDATED:
            own = Document.objects.filter(report=report, kind=Document.Kind.REPORT, number__isnull=False).first()
            if own is not None:
                doc.number, doc.number_text, doc.issued_on = own.number, own.number_text, own.issued_on
                doc.save(update_fields=["number", "number_text", "issued_on"])
                return doc
        issued_on = issue.document_date(report, doc)
        counter, _ = DocumentCounter.objects.get_or_create(
            organization_id=report.organization_id, doc_type=DOC_TYPE, term_start=issue.term_start(issued_on))
        DocumentCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        counter.refresh_from_db()
        doc.number = counter.last_number
        issuer_code = names_as_of(report.organization, content.names_date(report)).issuer_code  # as then
        doc.number_text = f"Số {doc.number:02d}-{DOC_TYPE}/{issuer_code}"
        doc.issued_on = issued_on
        doc.save(update_fields=["number", "number_text", "issued_on"])
    return doc


# -- building one document ---------------------------------------------------------------------

@dataclass
class Built:
    """The files of one build, written but not yet the document's."""

    doc_id: int
    pdf_path: str
    docx_path: str
    pages: int
    source_key: str

    def fields(self) -> dict:
        return {"pdf_path": self.pdf_path, "docx_path": self.docx_path, "pages": self.pages,
                "source_key": self.source_key, "built_at": timezone.now(), "error": ""}


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _stem(doc: Document) -> str:
    return f"{doc.report_id}-{doc.kind}"


def build(doc_id: int) -> Built:
    """Render the document's PDF and .docx and write them under new names; raises on failure."""
    doc = Document.objects.select_related("report__round__directive", "report__organization").get(pk=doc_id)
    report = doc.report
    src = content.report_source(report)
    # a draft gets neither a number nor a fixed date
    numbered = assign_number(doc_id, report) if src["approved"] else doc
    body = content.build_content(report, doc=numbered)
    if doc.kind == Document.Kind.CONSOLIDATED:
        body.annexes += annexes.number(annexes.consolidated_annexes(report), body.number_text,
                                       issue.document_date(report, numbered), start=len(body.annexes) + 1)
    pdf, pages = render.render_pdf(body)
    docx = render.render_docx(body)
    folder = Path(f"round-{report.round_id}")
    name = f"{_stem(doc)}-{uuid.uuid4().hex[:10]}"
    root = Path(settings.DOCUMENTS_ROOT)
    _write_atomic(root / folder / f"{name}.pdf", pdf)
    _write_atomic(root / folder / f"{name}.docx", docx)
    return Built(doc_id=doc_id, pdf_path=str(folder / f"{name}.pdf"), docx_path=str(folder / f"{name}.docx"),
                 pages=pages, source_key=content.source_key(report))


def discard(built: Built) -> None:
    """Remove the files of a build that will not be used (its job lost the lease)."""
    root = Path(settings.DOCUMENTS_ROOT)
    for relative in (built.pdf_path, built.docx_path):
        (root / relative).unlink(missing_ok=True)


def remove_superseded(built: Built) -> None:
    """After the swap: remove the document's earlier files, and those of builds that died halfway."""
    root = Path(settings.DOCUMENTS_ROOT)
    current = {Path(built.pdf_path).name, Path(built.docx_path).name}
    doc = Document.objects.only("report_id", "kind").get(pk=built.doc_id)
    folder = root / Path(built.pdf_path).parent
    prefix = f"{_stem(doc)}-"
    legacy = {f"{_stem(doc)}.pdf", f"{_stem(doc)}.docx"}  # the names before builds had a token
    for path in [*folder.glob(f"{prefix}*"), *(folder / name for name in legacy)]:
        # "<report>-<kind>-<token>.pdf|.docx": another report's or kind's stem never has this prefix
        if path.name not in current and path.suffix in (".pdf", ".docx"):
            path.unlink(missing_ok=True)


def is_out_of_date(doc: Document, report: Report) -> bool:
    return doc.available and doc.source_key != content.source_key(report)


def file_path(doc: Document, fmt: str) -> Path:
    relative = doc.pdf_path if fmt == "pdf" else doc.docx_path
    root = Path(settings.DOCUMENTS_ROOT).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise PermissionDenied
    return path
