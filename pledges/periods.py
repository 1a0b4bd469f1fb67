"""Months, years and dates as the app counts them (half-open periods, local date)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from directive03 import formats


def today() -> dt.date:
    """Today in the project's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.localdate()


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First day of the month and first day of the next month (exclusive)."""
    first = dt.date(year, month, 1)
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return first, following


def review_date(year: int, month: int) -> dt.date:
    """The day whose tree decides who reviews a month's record: its last day (the parent then)."""
    return month_bounds(year, month)[1] - dt.timedelta(days=1)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def overlaps(start: dt.date, end: dt.date, *, prefix: str = "") -> Q:
    """A Membership (start, end exclusive, end null = open) that overlaps [start, end)."""
    return Q(**{f"{prefix}start__lt": end}) & (
        Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": start})
    )


def covers(on: dt.date, *, prefix: str = "") -> Q:
    """A Membership that is current on `on`."""
    return Q(**{f"{prefix}start__lte": on}) & (Q(**{f"{prefix}end__isnull": True}) | Q(**{f"{prefix}end__gt": on}))


def is_future_month(year: int, month: int, *, now: dt.date | None = None) -> bool:
    now = now or today()
    return (year, month) > (now.year, now.month)


def month_label(year: int, month: int) -> str:
    """'5/2026', as Vietnamese users write a month."""
    return f"{month}/{year}"


def date_label(value: dt.date) -> str:
    """'05/11/2026' (directive03.formats.short_date)."""
    return formats.short_date(value)
