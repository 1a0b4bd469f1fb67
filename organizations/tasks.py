"""Background work of the organizations app; tasks take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="organizations.check_import", acks_late=True, ignore_result=True,
             soft_time_limit=120, time_limit=150)
def check_import(batch_id: int) -> None:
    """Read and check an uploaded member list (imports.checking.batch_check)."""
    from .imports.checking import batch_check

    batch_check(batch_id)
