"""Document jobs: runs of a whole round (level by level, deepest first), single documents, the
Celery tasks that build them, and the sweep that resumes whatever a dead worker, a lost message or a
restart left behind.

- A task claims its document with a lease (`leases`), builds it (`documents.build`), and stores the
  result only if it still holds the lease. Tasks take ids, are idempotent and are sent on commit.
- One failed document never stops its run: the run moves on to the next level (a parent's document
  is built from the database, not from its children's files), ends "with errors", and lists the
  failure with a retry. A document that was ready stays downloadable while it is rebuilt.
- The sweep (beat, every DOCUMENT_SWEEP_SECONDS; in-process mode: a thread of the web process, also
  once at start-up) takes over lapsed leases, sends again the documents whose messages were lost
  (a broker restarted empty), and moves a run whose level is done to the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03.dispatch import send_many
from organizations.access import access_for

from .. import permissions
from ..documents import build as B
from ..models import Document, DocumentRun, Report, ReportingRound
from . import leases

log = logging.getLogger(__name__)
MAX_RETRIES = 3
#: Claims of one document in one job before it is given up (a document that kills its worker).
MAX_ATTEMPTS = 5
#: A level with waiting documents and no claim, build or dispatch for this long has lost its messages.
STALL_AFTER = dt.timedelta(seconds=20)
PENDING = (Document.Status.QUEUED, Document.Status.BUILDING)


def _send(doc_ids) -> None:
    send_many(build_document, [(doc_id,) for doc_id in doc_ids])


def send_parts(doc_id: int, owner: str, htmls: list[str]) -> None:
    """Give parts of a document built in parts to the workers, by their HTML, in the order given
    (build.build_in_parts: the missing parts but the one its job lays out first, biggest first)."""
    send_many(build_document_part, [(doc_id, owner, html) for html in htmls])


# -- runs --------------------------------------------------------------------------------------

def documents_for_round(rnd: ReportingRound, run: DocumentRun | None) -> int:
    """One Document per report (and the province's consolidated one), in `run`; only those missing,
    failed or out of date (build.needs_build) are queued: a document built when its report was
    approved (`follow`) is not built again. A document that was built keeps its files (downloadable)
    until the rebuild swaps the new ones in; one being built already goes on, now in the run.
    Returns how many were queued."""
    reports = list(Report.objects.filter(round=rnd).select_related("organization"))
    existing = {(d.report_id, d.kind): d for d in Document.objects.filter(report__round=rnd)}
    fingerprint = B.round_fingerprint(rnd)
    now = timezone.now()
    to_create, to_update, current, going = [], [], [], []
    for r in reports:
        r.round = rnd
        kinds = [(Document.Kind.REPORT, B.depth_of(r))]
        if r.parent_id is None:
            kinds.append((Document.Kind.CONSOLIDATED, 0))
        for kind, depth in kinds:
            doc = existing.get((r.pk, kind))
            if doc is None:
                to_create.append(Document(report=r, kind=kind, run=run, depth=depth, queued_at=now))
            elif doc.status in PENDING and not (doc.status == Document.Status.BUILDING and leases.lapsed(doc)):
                going.append(doc.pk)  # followed the data and not done yet: it finishes in the run
            elif B.needs_build(doc, r, fingerprint=fingerprint):
                doc.run, doc.depth, doc.status, doc.error, doc.attempts, doc.queued_at = (
                    run, depth, Document.Status.QUEUED, "", 0, now)
                doc.lease_owner, doc.lease_until = "", None
                to_update.append(doc)
            else:
                current.append(doc.pk)
    Document.objects.bulk_create(to_create, batch_size=2000)
    Document.objects.bulk_update(to_update, ["run", "depth", "status", "error", "attempts", "queued_at",
                                             "lease_owner", "lease_until"], batch_size=2000)
    # up to date: counted as ready in the run's progress; going: only their run changes (their lease stays)
    Document.objects.filter(pk__in=current + going).update(run=run)
    Document.objects.filter(pk__in=going, status=Document.Status.QUEUED).update(queued_at=now)
    return len(to_create) + len(to_update)


def follow(report: Report) -> Document | None:
    """The report's document follows its data: queued (built by a worker, after the commit) when the
    report is submitted or approved, so that when the last approval lands only the committees above
    and the consolidated document are left for the round's run (settings.DOCUMENTS_FOLLOW_DATA)."""
    if not getattr(settings, "DOCUMENTS_FOLLOW_DATA", True):
        return None
    with transaction.atomic():
        doc, _created = Document.objects.select_for_update().get_or_create(
            report=report, kind=Document.Kind.REPORT, defaults={"depth": B.depth_of(report)})
        if doc.status == Document.Status.QUEUED and not _created or (
                doc.status == Document.Status.BUILDING and not leases.lapsed(doc)):
            return doc  # on its way: a build that started before this change leaves it out of date,
            # which the round's run sees
        Document.objects.filter(pk=doc.pk).update(status=Document.Status.QUEUED, error="", attempts=0,
                                                  queued_at=timezone.now(), lease_owner="", lease_until=None)
        _send([doc.pk])
    return doc


def run_start(*, rnd: ReportingRound, by) -> DocumentRun:
    """Start building every document of the round. A run already going is returned, after sending
    again what it may have lost (the button is the user's way to say "it looks stuck")."""
    if not permissions.opens_rounds(access_for(by), rnd.province_id):
        raise PermissionDenied
    with transaction.atomic():
        ReportingRound.objects.select_for_update().get(pk=rnd.pk)
        running = DocumentRun.objects.filter(round=rnd, status=DocumentRun.Status.RUNNING).first()
        if running is None:
            run = DocumentRun.objects.create(round=rnd, started_by=by)
            documents_for_round(rnd, run)
            deepest = Document.objects.filter(run=run, status__in=PENDING).aggregate(m=Max("depth"))["m"]
            if deepest is None:
                run_check(run.pk)  # every document is up to date: the run is done
            else:
                _dispatch_level(run, deepest)
            return run
    resume_run(running)
    return running


def _dispatch_level(run: DocumentRun, depth: int) -> None:
    DocumentRun.objects.filter(pk=run.pk).update(current_depth=depth, dispatched_at=timezone.now())
    run.current_depth = depth
    _send(Document.objects.filter(run=run, depth=depth, status=Document.Status.QUEUED)
          .values_list("pk", flat=True))


def run_check(run_id: int) -> None:
    """Called when a document of the run is done (ready or failed) and by the sweep: once nothing of
    the current level is pending, move to the next level that has documents waiting, or finish.
    A conditional update claims each move, so two finishing workers never both make it."""
    run = DocumentRun.objects.filter(pk=run_id, status=DocumentRun.Status.RUNNING).first()
    if run is None:
        return
    depth = run.current_depth
    docs = Document.objects.filter(run_id=run_id)
    if docs.filter(depth=depth, status__in=PENDING).exists():
        return
    lower = docs.filter(depth__lt=depth, status=Document.Status.QUEUED).aggregate(m=Max("depth"))["m"]
    if lower is None:
        if docs.filter(status__in=PENDING).exists():
            return  # retried documents of deeper levels are still going: the last one finishes the run
        failed = docs.filter(status=Document.Status.FAILED).exists()
        DocumentRun.objects.filter(pk=run_id, status=DocumentRun.Status.RUNNING, current_depth=depth).update(
            status=DocumentRun.Status.FAILED if failed else DocumentRun.Status.DONE,
            finished_at=timezone.now(), current_depth=0)
        return
    with transaction.atomic():
        moved = DocumentRun.objects.filter(pk=run_id, current_depth=depth, status=DocumentRun.Status.RUNNING) \
            .update(current_depth=lower)
        if moved:
            _dispatch_level(run, lower)


def run_retry(*, run: DocumentRun, by) -> DocumentRun:
    """Queue the run's failed documents again; a finished run resumes, a running one takes them in."""
    if not permissions.opens_rounds(access_for(by), run.round.province_id):
        raise PermissionDenied
    with transaction.atomic():
        run = DocumentRun.objects.select_for_update().get(pk=run.pk)
        failed = Document.objects.filter(run=run, status=Document.Status.FAILED)
        depths = set(failed.values_list("depth", flat=True))
        if not depths:
            raise ValidationError(_("Không có văn bản nào bị lỗi để tạo lại."), code="state")
        if run.status != DocumentRun.Status.RUNNING and DocumentRun.objects.filter(
                round=run.round, status=DocumentRun.Status.RUNNING).exists():
            raise ValidationError(_("Đang có một lượt tạo văn bản khác."), code="busy")
        ids = list(failed.filter(depth__gte=run.current_depth).values_list("pk", flat=True))
        failed.update(status=Document.Status.QUEUED, error="", attempts=0, queued_at=timezone.now(),
                      lease_owner="", lease_until=None)
        if run.status == DocumentRun.Status.RUNNING:
            _send(ids)  # the levels not reached yet get theirs when the run comes to them
        else:
            DocumentRun.objects.filter(pk=run.pk).update(status=DocumentRun.Status.RUNNING, finished_at=None)
            run.status, run.finished_at = DocumentRun.Status.RUNNING, None
            _dispatch_level(run, max(depths))
    return run


def single_start(*, report: Report, by) -> Document:
    """Build (or rebuild) one report's document outside a run, e.g. from the report page."""
    if not permissions.reads(access_for(by), report):
        raise PermissionDenied
    with transaction.atomic():
        doc, created = Document.objects.select_for_update().get_or_create(
            report=report, kind=Document.Kind.REPORT, defaults={"depth": B.depth_of(report)})
        if not created and doc.status == Document.Status.QUEUED or (
                doc.status == Document.Status.BUILDING and not leases.lapsed(doc)):
            return doc  # already on its way (the sweep sends again what a broker lost)
        Document.objects.filter(pk=doc.pk).update(status=Document.Status.QUEUED, error="", attempts=0,
                                                  run=None, queued_at=timezone.now(), lease_owner="",
                                                  lease_until=None)
        _send([doc.pk])
    doc.refresh_from_db()
    return doc


# -- the sweep ---------------------------------------------------------------------------------

def _last_move(run: DocumentRun) -> dt.datetime:
    marks = Document.objects.filter(run=run).aggregate(started=Max("started_at"), built=Max("built_at"))
    return max(t for t in (run.dispatched_at, run.started_at, marks["started"], marks["built"]) if t)


def time_left(run: DocumentRun, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long the run's waiting documents should still take at the pace of this run so far: the
    documents built since the waiting ones were queued, over the time since then, times those still
    waiting. None before anything is built (no pace yet) and once nothing waits. Two queries."""
    if run.status != DocumentRun.Status.RUNNING:
        return None
    docs = Document.objects.filter(run=run)
    pending = docs.filter(status__in=PENDING).aggregate(n=Count("id"), since=Min("queued_at"))
    if not pending["n"]:
        return None
    since = pending["since"]
    built = docs.filter(status=Document.Status.READY, built_at__gte=since).count()
    if not built:
        return None
    elapsed = (now or timezone.now()) - since
    return elapsed / built * pending["n"]


def stalled(run: DocumentRun) -> bool:
    """Documents wait and nothing moved for STALL_AFTER: the sweep is about to send them again."""
    return timezone.now() - _last_move(run) >= STALL_AFTER and Document.objects.filter(
        run=run, depth__gte=run.current_depth, status=Document.Status.QUEUED).exists()


def resume_run(run: DocumentRun, *, force: bool = False) -> int:
    """Send again the run's waiting documents if nothing moved for STALL_AFTER (or `force`), and
    move the run on if its level is done. Returns how many documents were sent again."""
    run_check(run.pk)
    run.refresh_from_db()
    if run.status != DocumentRun.Status.RUNNING:
        return 0
    now = timezone.now()
    last = _last_move(run)
    if not force and now - last < STALL_AFTER:
        return 0
    waiting = list(Document.objects.filter(run=run, depth__gte=run.current_depth, status=Document.Status.QUEUED)
                   .values_list("pk", flat=True))
    if waiting:
        log.warning("document run %s: nothing moved since %s, sending %d documents again", run.pk, last,
                    len(waiting))
        DocumentRun.objects.filter(pk=run.pk).update(dispatched_at=now)
        _send(waiting)
    return len(waiting)


def sweep(*, force: bool = False) -> dict[str, int]:
    """Resume abandoned document jobs; safe to run at any time, any number of times at once."""
    now = timezone.now()
    stats = {"taken_over": 0, "given_up": 0, "sent_again": 0, "runs": 0}
    for doc in Document.objects.filter(status=Document.Status.BUILDING).only(
            "pk", "status", "lease_owner", "lease_until", "attempts", "run_id"):
        if not leases.lapsed(doc, now):
            continue
        mine = Document.objects.filter(pk=doc.pk, status=Document.Status.BUILDING, lease_owner=doc.lease_owner)
        if doc.attempts >= MAX_ATTEMPTS:
            stats["given_up"] += mine.update(
                status=Document.Status.FAILED, lease_owner="", lease_until=None,
                error=_("Máy chủ dừng %(n)d lần khi đang tạo văn bản này.") % {"n": doc.attempts})
            if doc.run_id:
                run_check(doc.run_id)
        elif mine.update(status=Document.Status.QUEUED, lease_owner="", lease_until=None, queued_at=now):
            log.warning("document %s: the job of %s lapsed; queued again", doc.pk, doc.lease_owner)
            stats["taken_over"] += 1
            _send([doc.pk])
    for run in DocumentRun.objects.filter(status=DocumentRun.Status.RUNNING):
        stats["runs"] += 1
        stats["sent_again"] += resume_run(run, force=force)
    lost = Document.objects.filter(status=Document.Status.QUEUED) \
        .filter(Q(run__isnull=True) | ~Q(run__status=DocumentRun.Status.RUNNING))
    if not force:
        lost = lost.filter(queued_at__lt=now - STALL_AFTER)
    single = list(lost.values_list("pk", flat=True))
    if single:
        Document.objects.filter(pk__in=single).update(queued_at=now)
        stats["sent_again"] += len(single)
        _send(single)
    return stats


# -- the tasks ---------------------------------------------------------------------------------

def _after(doc_id: int) -> None:
    """Move the document's run on; if the database is away, the sweep does it later."""
    for attempt in range(5):  # a busy or restarting database: try a few times before leaving it to the sweep
        try:
            run_id = Document.objects.filter(pk=doc_id).values_list("run_id", flat=True).first()
            if run_id:
                run_check(run_id)
            return
        except DatabaseError:
            close_old_connections()
            time.sleep(0.5 * (attempt + 1))
    log.warning("document %s: could not check its run now; the sweep will", doc_id)


@shared_task(bind=True, name="reports.build_document", acks_late=True, max_retries=MAX_RETRIES,
             soft_time_limit=240, time_limit=300, ignore_result=True)
def build_document(self, doc_id: int) -> None:
    eager = self.request.is_eager
    try:
        owner = leases.claim(doc_id)
    except DatabaseError as exc:  # the database is restarting: try again soon (the sweep is the net)
        close_old_connections()
        if eager:
            raise
        raise self.retry(exc=exc, countdown=5, max_retries=MAX_RETRIES + 20) from exc
    if owner is None:
        _after(doc_id)  # done already, or another live worker has it (a redelivery after a crash)
        return
    try:
        if Document.objects.filter(pk=doc_id, attempts__gt=MAX_ATTEMPTS).exists():
            leases.release(doc_id, owner, status=Document.Status.FAILED,
                           error=_("Máy chủ dừng %(n)d lần khi đang tạo văn bản này.") % {"n": MAX_ATTEMPTS})
        else:
            built = B.build(doc_id, send_parts=lambda htmls: send_parts(doc_id, owner, htmls))
            # the files this build replaces: the lease holder is the only one who swaps them
            previous = Document.objects.values_list("pdf_path", "docx_path").get(pk=doc_id)
            if leases.finish(doc_id, owner, **built.fields()):
                B.remove_superseded(built, previous)
            else:
                log.warning("document %s: lost its lease while building; the result is discarded", doc_id)
                B.discard(built)
    except Exception as exc:  # SoftTimeLimitExceeded too
        retrying = self.request.retries < self.max_retries and not eager
        try:
            if retrying:
                leases.release(doc_id, owner, status=Document.Status.QUEUED)
            else:
                log.exception("document %s failed", doc_id)
                leases.release(doc_id, owner, status=Document.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        except DatabaseError:
            close_old_connections()
            leases.drop(doc_id)  # not renewed any more: the lease lapses and the sweep takes over
        if retrying:
            raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 5, 60)) from exc
    finally:
        leases.drop(doc_id)
    _after(doc_id)


@shared_task(name="reports.build_document_part", ignore_result=True, soft_time_limit=240, time_limit=300)
def build_document_part(doc_id: int, owner: str, html: str) -> None:
    """One part of a document built in parts, stored under its content's name (build.part_name), while
    its job holds the lease; nothing once the job is over (it lays out the parts nobody stored itself,
    so a lost part costs time, never the document). A part stored after the job is over stays for the
    next build, which uses it or removes it after its swap (build.remove_superseded)."""
    doc = Document.objects.filter(pk=doc_id, status=Document.Status.BUILDING, lease_owner=owner) \
        .only("pk", "report_id", "kind").first()
    if doc is not None:
        B.write_part(doc, html)


@shared_task(name="reports.sweep_documents", ignore_result=True, soft_time_limit=120, time_limit=150)
def sweep_documents(force: bool = False) -> dict[str, int]:
    """Beat, every DOCUMENT_SWEEP_SECONDS: resume document jobs abandoned by dead workers or lost
    messages. `force` (start-up of the in-process mode) sends every waiting document again."""
    try:
        return sweep(force=force)
    except DatabaseError:  # the database is restarting: the next sweep does the work
        log.warning("document sweep: the database is not reachable now", exc_info=True)
        close_old_connections()
        return {}
