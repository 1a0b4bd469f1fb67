"""One document: its number, its PDF rendered and written beside the previous ones (its .docx when
first downloaded), what it is built from (`current_key`: out of date or not), and the consolidated
document laid out in parts.

This module knows nothing of tasks, leases or runs: `reports.document_tasks` owns the jobs (who may
build, when, in which order) and calls `build`, then `swap` or `discard`, from here. A build writes
new files under new names; the row points at them only once the job's lease commits them, so the
previous version stays downloadable until then, and a build that lost its lease leaves nothing.
Files go through the "documents" storage (directive03.files): a local folder or an S3 bucket, the
same swap on both (a new object, then the row, then the old objects deleted). The parts of the
consolidated document are stored under a digest of what each is laid out from, and kept: a rebuild
lays out again only the parts whose content changed (`build_in_parts`)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import posixpath
import uuid
from dataclasses import dataclass

from django.conf import settings
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


# -- what a document is built from -----------------------------------------------------------

def round_fingerprint(rnd) -> str:
    """What the province's consolidated tables read from every report of the round: names, states,
    versions, figures (live and approved, not the sections), when sent, and today (lateness)."""
    rows = Report.objects.filter(round=rnd).order_by("pk").values_list(
        "pk", "name", "state", "version", "parent_id", "figures", "typed_figures", "submitted_at",
        "snapshot__figures", "snapshot__at")
    payload = json.dumps([list(rows), str(timezone.localdate())], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def current_key(doc: Document, report: Report, *, fingerprint: str | None = None) -> str:
    """Changes whenever the document's content would: the report's (content.source_key), the issue
    (date, signer, opening) and, for the consolidated document, every report of the round. A document
    whose source_key differs is out of date; a run rebuilds only those and the missing ones."""
    parts = [content.source_key(report), doc.kind, str(issue.document_date(report, doc)), doc.signed_as,
             doc.signer_name, doc.opening]
    if doc.kind == Document.Kind.CONSOLIDATED:
        parts.append(fingerprint or round_fingerprint(report.round))
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def is_out_of_date(doc: Document, report: Report) -> bool:
    return doc.available and doc.source_key != current_key(doc, report)


def needs_build(doc: Document | None, report: Report, *, fingerprint: str | None = None) -> bool:
    """Missing, failed or out of date (what a run rebuilds)."""
    return doc is None or not doc.available or doc.status == Document.Status.FAILED or \
        doc.source_key != current_key(doc, report, fingerprint=fingerprint)


# -- building one document ---------------------------------------------------------------------

@dataclass
class Built:
    """The files of one build, written but not yet the document's. The .docx is made when first
    downloaded (`ensure_docx`): a build writes the PDF only."""

    doc_id: int
    pdf_path: str
    pages: int
    source_key: str
    docx_path: str = ""
    #: the stored parts the PDF was joined from, in order (a document laid out in parts)
    parts: list[str] = dataclasses.field(default_factory=list)

    def fields(self) -> dict:
        return {"pdf_path": self.pdf_path, "docx_path": self.docx_path, "pages": self.pages,
                "source_key": self.source_key, "built_at": timezone.now(), "error": ""}


def _stem(doc: Document) -> str:
    return f"{doc.report_id}-{doc.kind}"


def _folder(doc: Document, round_id: int) -> str:
    """The document's own folder: its builds' files and nothing else, so the clean-up after a build
    lists a few names, not the round's thousands (an S3 listing returns 1,000 keys per request)."""
    return f"round-{round_id}/{_stem(doc)}"


def _new_name(doc: Document, report: Report, suffix: str) -> str:
    return f"{_folder(doc, report.round_id)}/{uuid.uuid4().hex[:10]}.{suffix}"


def document_content(doc: Document) -> tuple[Document, content.DocContent]:
    """The document's content as it is built now (an approved report's document gets its number)."""
    report = doc.report
    src = content.report_source(report)
    # a draft gets neither a number nor a fixed date
    numbered = assign_number(doc.pk, report) if src["approved"] else doc
    body = content.build_content(report, doc=numbered)
    if doc.kind == Document.Kind.CONSOLIDATED:
        body.annexes += annexes.number(annexes.consolidated_annexes(report), body.number_text,
                                       issue.document_date(report, numbered), start=len(body.annexes) + 1)
    return numbered, body


def _load(doc_id: int) -> Document:
    return Document.objects.select_related("report__round__directive", "report__organization").get(pk=doc_id)


def build(doc_id: int, *, send_parts=None) -> Built:
    """Render the document's PDF and write it under a new name; raises on failure. The consolidated
    document is rendered in parts (`build_in_parts`; `send_parts(htmls)` hands parts to other
    workers)."""
    doc = _load(doc_id)
    report = doc.report
    numbered, body = document_content(doc)
    fingerprint = round_fingerprint(report.round) if doc.kind == Document.Kind.CONSOLIDATED else None
    key = current_key(numbered, report, fingerprint=fingerprint)
    parts: list[str] = []
    if doc.kind == Document.Kind.CONSOLIDATED:
        pdf, pages, parts = build_in_parts(doc, body, send_parts=send_parts)
    else:
        pdf, pages = render.render_pdf(body)
    pdf_path = files.write(files.DOCUMENTS, _new_name(doc, report, "pdf"), pdf)
    return Built(doc_id=doc_id, pdf_path=pdf_path, pages=pages, source_key=key, parts=parts)


# -- the consolidated document in parts --------------------------------------------------------

def _cut_at(body: content.DocContent) -> int | None:
    """The index of the annex to cut (marked `cut`, with two groups or more), or None."""
    return next((i for i, a in enumerate(body.annexes) if a.cut and len(a.groups) > 1), None)


def part_count(body: content.DocContent) -> int:
    """How many parts to cut the report and the communes table into: DOCUMENT_PARTS, but each part
    after the first holds at least DOCUMENT_PART_MIN_ROWS rows of the communes table (the tables after
    it are one more small part, see `split`). Every part starts a new page, so a small province's few
    rows stay in one pass (no half-empty pages in the middle of its annex)."""
    parts = getattr(settings, "DOCUMENT_PARTS", 6)
    at = _cut_at(body)
    if parts < 2 or at is None:
        return 1
    rows = sum(len(g.rows) for g in body.annexes[at].groups)
    minimum = max(1, getattr(settings, "DOCUMENT_PART_MIN_ROWS", 150))
    return 1 if rows < 2 * minimum else min(parts, 1 + rows // minimum)


def split(body: content.DocContent, parts: int) -> list[content.DocContent]:
    """The report with its first tables; then the communes table (the annex marked `cut`: the communes
    of each district-level unit) cut between groups into `parts - 1` pieces of about as many rows (its
    title on the first piece, its notes on the last); then the tables after it (the reports' counts),
    a part of their own. Every annex starts a new page (document.css), so the parts end to end are the
    document's pages.

    The cuts follow the groups' row counts only: new figures (an approval) leave them where they were,
    so a change to one district's rows changes its piece and the counts part, and the other parts'
    HTML stays the same (reused by `build_in_parts`). `parts < 2` or no table to cut: [body]."""
    at = _cut_at(body)
    if parts < 2 or at is None:
        return [body]
    big = body.annexes[at]
    total = sum(len(g.rows) + 2 for g in big.groups)
    chunks: list[list] = [[]]
    size = 0
    for group in big.groups:
        if chunks[-1] and size >= total * len(chunks) / (parts - 1):
            chunks.append([])
        chunks[-1].append(group)
        size += len(group.rows) + 2
    pieces = []
    for index, groups in enumerate(chunks):
        first, last = index == 0, index == len(chunks) - 1
        piece = dataclasses.replace(big, groups=groups, notes=big.notes if last else [],
                                    title=big.title if first else "", subtitle=big.subtitle if first else "",
                                    label=big.label if first else "",
                                    rows=big.rows if first else [], total=big.total if first else None)
        pieces.append(dataclasses.replace(body, annexes=[piece]))
    after = body.annexes[at + 1:]
    return [dataclasses.replace(body, annexes=body.annexes[:at]), *pieces,
            *([dataclasses.replace(body, annexes=after)] if after else [])]


#: The folder of the stored parts, "<report>-<kind>-<key>.pdf" (`part_name`).
PARTS = "parts"


def part_name(doc: Document, html: str) -> str:
    """Where the part laid out from `html` is stored: "parts/<report>-<kind>-<first 20 hex digits of
    render.part_key(html)>.pdf". The same HTML, stylesheet and faces give the same name, in every build
    and every worker process."""
    return f"{PARTS}/{_stem(doc)}-{render.part_key(html)[:20]}.pdf"


def _store_part(name: str, data: bytes) -> None:
    stored = files.write(files.DOCUMENTS, name, data)
    if stored != name:  # another process stored it meanwhile (a local folder keeps both): the same part
        files.delete(files.DOCUMENTS, stored)


def write_part(doc: Document, html: str) -> str:
    """Lay out one part (a task of a worker, or the builder itself) and store it for the join, unless
    a part of that name is stored already (`part_name`: same content). Returns its name."""
    name = part_name(doc, html)
    if not files.storage(files.DOCUMENTS).exists(name):
        _store_part(name, render.render_part(html))
    return name


def _complete(data: bytes) -> bool:
    """A whole PDF ends with its "%%EOF" marker; a part a reader came to while it was being written
    to a local folder, or whose writer died halfway, does not."""
    return data.rstrip().endswith(b"%%EOF")


def _part_bytes(name: str, html: str) -> bytes:
    """The stored part `name` for the join. One gone (the cleanup of a build that finished meanwhile,
    see `remove_superseded`) or cut short is laid out again here and stored anew: a lost part costs
    time, never the document."""
    try:
        data = files.read(files.DOCUMENTS, name)
        if _complete(data):
            return data
        log.warning("document part %s is incomplete: laid out again", name)
    except FileNotFoundError:
        pass
    data = render.render_part(html)
    files.delete(files.DOCUMENTS, name)
    _store_part(name, data)
    return data


def build_in_parts(doc: Document, body: content.DocContent, *,
                   send_parts=None) -> tuple[bytes, int, list[str]]:
    """Lay the document out in parts (`split`), then join them (render.join_parts). Returns the PDF,
    its pages and the names of the stored parts it was joined from, in order.

    A part already stored under its name (`part_name`: the same HTML, stylesheet and faces) is not
    laid out again: when one approval changed one district's rows, only that district's piece and the
    counts part are. The parts stay stored after the join, for the next build; those this build did
    not use go once it is the document's (`remove_superseded`).

    Of the missing parts, this job lays out the biggest (the longest HTML: the most rows) at once; the
    others go to the workers (`send_parts(htmls)`, reports.document_tasks: their HTML in the message),
    biggest first, while this job takes them from the smallest up, as long as no worker has stored
    them: alone it lays out all of them, with other workers they meet halfway, and it never waits for
    one. After one approval (a district's piece and the small counts part) the job and one worker
    each lay out one, and nothing is laid out twice."""
    pieces = split(body, part_count(body))
    htmls = [render.render_html(p, linked_css=False, annexes_only=i > 0) for i, p in enumerate(pieces)]
    names = [part_name(doc, html) for html in htmls]
    stored = set(files.listdir(files.DOCUMENTS, PARTS))
    missing = sorted((i for i, name in enumerate(names) if posixpath.basename(name) not in stored),
                     key=lambda i: -len(htmls[i]))
    first, others = missing[:1], missing[1:]
    if send_parts is not None and others:
        send_parts([htmls[i] for i in others])
    for index in first + others[::-1]:
        write_part(doc, htmls[index])
    pdf, pages = render.join_parts([_part_bytes(name, html) for name, html in zip(names, htmls, strict=True)])
    return pdf, pages, names


# -- the .docx, when first downloaded ----------------------------------------------------------

def ensure_docx(doc: Document) -> Document | None:
    """The document's .docx: made from what its PDF was built from when first asked for, then kept
    (until a rebuild). None when the PDF is out of date (the .docx would not match it)."""
    if doc.docx_path:
        return doc
    doc = _load(doc.pk)
    if not doc.available or doc.docx_path:
        return doc if doc.docx_path else None
    report = doc.report
    if doc.source_key != current_key(doc, report):
        return None
    _numbered, body = document_content(doc)
    name = files.write(files.DOCUMENTS, _new_name(doc, report, "docx"), render.render_docx(body))
    if not Document.objects.filter(pk=doc.pk, pdf_path=doc.pdf_path, docx_path="").update(docx_path=name):
        files.delete(files.DOCUMENTS, name)  # another request made it first
    doc.refresh_from_db()
    return doc if doc.docx_path else None


def discard(built: Built) -> None:
    """Remove the files of a build that will not be used (its job lost the lease). Its parts stay:
    they are named by their content, so the next build may use them; the next build that becomes the
    document's removes those it did not use (`remove_superseded`)."""
    for stored in (built.pdf_path, built.docx_path):
        if stored:
            files.delete(files.DOCUMENTS, stored)


def remove_superseded(built: Built, previous: tuple[str, str] = ("", "")) -> None:
    """After the swap: remove the document's earlier files (`previous`: its (pdf, docx) names before the
    swap, read while the build held the lease), then the leftovers of builds that died halfway in the
    document's own folder; for a document laid out in parts, its stored parts but those this build was
    joined from.

    The folder is cleaned only while the document is still this build's and ready: a build that started
    since then writes its new file into the same folder before its swap, and must not lose it."""
    doc = Document.objects.only("report_id", "kind", "status", "pdf_path", "docx_path").get(pk=built.doc_id)
    current = {doc.pdf_path, doc.docx_path} - {""}
    for name in previous:
        if name and name not in current and name != built.pdf_path:
            files.delete(files.DOCUMENTS, name)
    if doc.status == Document.Status.READY and doc.pdf_path == built.pdf_path:
        folder = posixpath.dirname(built.pdf_path)
        for name in files.listdir(files.DOCUMENTS, folder):
            if f"{folder}/{name}" not in current and name.endswith((".pdf", ".docx")):
                files.delete(files.DOCUMENTS, f"{folder}/{name}")
    prefix = f"{_stem(doc)}-"
    if built.parts or doc.kind == Document.Kind.CONSOLIDATED:
        used = {posixpath.basename(name) for name in built.parts}
        # "<report>-<kind>-<key>.pdf", and the "<report>-<kind>-<token>-<index>.pdf" of earlier builds
        for name in files.listdir(files.DOCUMENTS, PARTS):
            if name.startswith(prefix) and name not in used and name.endswith(".pdf"):
                files.delete(files.DOCUMENTS, f"{PARTS}/{name}")


def stored_name(doc: Document, fmt: str) -> str:
    """The document's file of format `fmt` ("pdf" or "docx") in the "documents" storage."""
    return doc.pdf_path if fmt == "pdf" else doc.docx_path


def read_bytes(doc: Document, fmt: str) -> bytes:
    return files.read(files.DOCUMENTS, stored_name(doc, fmt))
