"""Kept counts of a round (ReportCount): how many reports of each unit's subtree, per level, are in
each state, kept where they change.

- `rebuild(rnd)`: all of a round's counts from its reports (when the round opens; after the demo or a
  bench writes states in bulk). Two queries.
- `move(report, before)`: a report changed state (save, submit, approve, return, reopen): one UPDATE of
  the rows of its unit and its ancestors for its level. The services call it inside their transaction.

A report's place in the counts is its `key`: its state bucket and whether it was sent late. "Late" as
the dashboard shows it also counts the reports not sent once the level's deadline has passed: that
part depends on today, so it is derived when read (`late`), never kept.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Report, ReportCount, ReportingRound

State = Report.State
DONE_STATES = (State.SUBMITTED, State.APPROVED)
BUCKETS = ("not_started", "draft", "submitted", "returned", "approved")
FIELDS = ("total", *BUCKETS, "sent_late")


def day_after_start(day: dt.date) -> dt.datetime:
    """The first instant of the day after `day`, in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def bucket(state: str, started_at) -> str:
    if state == State.DRAFT:
        return "draft" if started_at is not None else "not_started"
    return str(state)


def key(rnd: ReportingRound, level: str, state: str, started_at, submitted_at) -> tuple[str, bool]:
    """Where a report stands in the counts: its bucket, and whether it was sent after its deadline."""
    late = (state in DONE_STATES and submitted_at is not None
            and submitted_at >= day_after_start(rnd.deadline_for(level)))
    return bucket(state, started_at), late


def key_of(report: Report) -> tuple[str, bool]:
    return key(report.round, report.level, report.state, report.started_at, report.submitted_at)


def unit_ids(tree_path: str) -> list[int]:
    """The ids in a report's tree_path, "/1/7/31/" -> [1, 7, 31]: its unit and every ancestor."""
    return [int(part) for part in tree_path.strip("/").split("/")]


def recomputed(rnd: ReportingRound, rows: Iterable[tuple] | None = None) -> dict[tuple[int, str], dict[str, int]]:
    """Every count of the round computed from its reports: {(unit id, level): {field: n}}.
    `rows`: (tree_path, level, state, started_at, submitted_at) of each report (default: read them)."""
    if rows is None:
        rows = Report.objects.filter(round=rnd).values_list(
            "tree_path", "level", "state", "started_at", "submitted_at").iterator(chunk_size=5000)
    out: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for tree_path, level, state, started_at, submitted_at in rows:
        b, late = key(rnd, level, state, started_at, submitted_at)
        for unit in unit_ids(tree_path):
            counts = out[(unit, level)]
            counts["total"] += 1
            counts[b] += 1
            counts["sent_late"] += late
    return dict(out)


def kept(rnd: ReportingRound) -> dict[tuple[int, str], dict[str, int]]:
    """The counts as kept in ReportCount (for checks)."""
    return {(row["organization_id"], row["level"]): {f: row[f] for f in FIELDS}
            for row in ReportCount.objects.filter(round=rnd).values("organization_id", "level", *FIELDS)}


@transaction.atomic
def rebuild(rnd: ReportingRound) -> int:
    """Write all of the round's counts again from its reports; returns the number of rows."""
    counts = recomputed(rnd)
    ReportCount.objects.filter(round=rnd).delete()
    ReportCount.objects.bulk_create(
        [ReportCount(round=rnd, organization_id=unit, level=level, **values) for (unit, level), values in counts.items()],
        batch_size=2000,
    )
    return len(counts)


def move(report: Report, before: tuple[str, bool]) -> None:
    """The report left `before` (its key_of before the change) for where it stands now: one UPDATE of
    its unit's and ancestors' counts for its level (nothing when it did not move)."""
    after = key_of(report)
    if after == before:
        return
    delta: dict[str, int] = defaultdict(int)
    delta[before[0]] -= 1
    delta[after[0]] += 1
    delta["sent_late"] += int(after[1]) - int(before[1])
    changes = {name: F(name) + n for name, n in delta.items() if n}
    ReportCount.objects.filter(
        round_id=report.round_id, organization_id__in=unit_ids(report.tree_path), level=report.level,
    ).update(**changes)
