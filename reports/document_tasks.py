"""Celery tasks for documents: they take ids, claim their job, retry with backoff, and mark
the document failed (visible, retryable) when they give up."""

from __future__ import annotations

import logging

from celery import shared_task

from .documents import build as B

log = logging.getLogger(__name__)
MAX_RETRIES = 3


@shared_task(bind=True, name="reports.build_document", acks_late=True, max_retries=MAX_RETRIES,
             soft_time_limit=240, time_limit=300, ignore_result=True)
def build_document(self, doc_id: int) -> None:
    if not B.claim(doc_id):
        return  # another worker has it, or it is done
    try:
        B.build(doc_id)
    except Exception as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            B.requeue(doc_id)
            raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 5, 60)) from exc
        log.exception("document %s failed", doc_id)
        B.mark_failed(doc_id, f"{type(exc).__name__}: {exc}")
    doc_run = B.Document.objects.filter(pk=doc_id).values_list("run_id", flat=True).first()
    if doc_run:
        B.run_check(doc_run)
