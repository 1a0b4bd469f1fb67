"""Background work of the organizations app; tasks take ids and are safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from .restructuring.execute import apply_due_plans as _apply_due_plans


@shared_task(name="organizations.check_import", acks_late=True, ignore_result=True,
             soft_time_limit=120, time_limit=150)
def check_import(batch_id: int) -> None:
    """Read and check an uploaded member list (imports.checking.batch_check)."""
    from .imports.checking import batch_check

    batch_check(batch_id)


@shared_task(name="organizations.apply_due_plans", acks_late=True, ignore_result=True,
             soft_time_limit=1800, time_limit=1900)
def apply_due_plans(on: str | None = None) -> dict[str, int]:
    """Daily (beat, 00:05): apply the restructuring plans whose date has come. Safe to run twice: an
    applied plan is not applied again. `on` is an ISO date (default: today)."""
    return _apply_due_plans(dt.date.fromisoformat(on) if on else None)
