"""One document: its number, its PDF and .docx rendered and written beside the previous ones.

This module knows nothing of tasks, leases or runs: `reports.document_tasks` owns the jobs (who may
build, when, in which order) and calls `build`, then `swap` or `discard`, from here. A build writes
new files under new names; the row points at them only once the job's lease commits them, so the
previous version stays downloadable until then, and a build that lost its lease leaves nothing.
Files go through the "documents" storage (directive03.files): a local folder or an S3 bucket, the
same swap on both (a new object, then the row, then the old objects deleted)."""

from __future__ import annotations

import logging
import posixpath
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from directive03 import files
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
    folder = f"round-{report.round_id}"
    name = f"{_stem(doc)}-{uuid.uuid4().hex[:10]}"
    pdf_path = files.write(files.DOCUMENTS, f"{folder}/{name}.pdf", pdf)
    try:
        docx_path = files.write(files.DOCUMENTS, f"{folder}/{name}.docx", docx)
    except BaseException:
        files.delete(files.DOCUMENTS, pdf_path)
        raise
    return Built(doc_id=doc_id, pdf_path=pdf_path, docx_path=docx_path, pages=pages,
                 source_key=content.source_key(report))


def discard(built: Built) -> None:
    """Remove the files of a build that will not be used (its job lost the lease)."""
    for stored in (built.pdf_path, built.docx_path):
        files.delete(files.DOCUMENTS, stored)


def remove_superseded(built: Built) -> None:
    """After the swap: remove the document's earlier files, and those of builds that died halfway."""
    current = {posixpath.basename(built.pdf_path), posixpath.basename(built.docx_path)}
    doc = Document.objects.only("report_id", "kind").get(pk=built.doc_id)
    folder = posixpath.dirname(built.pdf_path)
    prefix = f"{_stem(doc)}-"
    legacy = {f"{_stem(doc)}.pdf", f"{_stem(doc)}.docx"}  # the names before builds had a token
    for name in files.listdir(files.DOCUMENTS, folder):
        # "<report>-<kind>-<token>.pdf|.docx": another report's or kind's stem never has this prefix
        if (name.startswith(prefix) or name in legacy) and name not in current \
                and name.endswith((".pdf", ".docx")):
            files.delete(files.DOCUMENTS, f"{folder}/{name}")


def is_out_of_date(doc: Document, report: Report) -> bool:
    return doc.available and doc.source_key != content.source_key(report)


def stored_name(doc: Document, fmt: str) -> str:
    """The document's file of format `fmt` ("pdf" or "docx") in the "documents" storage."""
    return doc.pdf_path if fmt == "pdf" else doc.docx_path


def read_bytes(doc: Document, fmt: str) -> bytes:
    return files.read(files.DOCUMENTS, stored_name(doc, fmt))
