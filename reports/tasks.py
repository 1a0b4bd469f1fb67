"""Background tasks of the reports app: thin wrappers that take ids and dates, never model instances."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import notifications


@shared_task(name="reports.send_deadline_reminders", acks_late=True, ignore_result=True,
             soft_time_limit=600, time_limit=660)
def send_deadline_reminders(on: str | None = None) -> dict[str, int]:
    """Daily (beat, 07:00): remind units whose report is due within 3 days or late. Safe to run twice:
    a unit is reminded at most once per round per day. `on` is an ISO date (default: today)."""
    today = dt.date.fromisoformat(on) if on else None
    run = notifications.send_reminders(today=today)
    return {"units": run.units, "emails": run.emails, "notifications": run.notifications}


@shared_task(name="reports.send_notification_digests", acks_late=True, ignore_result=True,
             soft_time_limit=600, time_limit=660)
def send_notification_digests(on: str | None = None) -> dict[str, int]:
    """Daily (beat, 17:30): each user's new notifications in one e-mail, at most one per user per day."""
    from . import digest

    run = digest.send_digests(today=dt.date.fromisoformat(on) if on else None)
    return {"users": run.users, "emails": run.emails, "notifications": run.notifications}


@shared_task(name="reports.refresh_open_rounds", acks_late=True, ignore_result=True,
             soft_time_limit=1800, time_limit=1860)
def refresh_open_rounds(on: str | None = None) -> dict[str, int]:
    """Daily (beat, 00:20, after the restructuring plans of the day): bring the live figures of every open
    round up to date, the stale cells only (rollup.refresh_open_rounds), so that a cell's figures and the
    committees above it follow a member's transfer, an import or a restructuring without anyone opening
    the report, and a new month's meetings are expected. Safe to run twice (nothing stale: nothing
    written). `on` is an ISO date (default: today)."""
    from . import rollup

    return rollup.refresh_open_rounds(today=dt.date.fromisoformat(on) if on else None)
