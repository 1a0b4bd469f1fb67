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

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Report, ReportCount, ReportDayCount, ReportingRound

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


def key_of(report: Report) -> tuple[str, bool, dt.date | None, dt.date | None]:
    """key(), and the days the report counts on in the timeline: the day it was sent (if it stands
    sent) and the day it was approved (if it stands approved)."""
    return (*key(report.round, report.level, report.state, report.started_at, report.submitted_at),
            *days(report.state, report.submitted_at, report.decided_at))


def days(state: str, submitted_at, decided_at) -> tuple[dt.date | None, dt.date | None]:
    sent = timezone.localdate(submitted_at) if state in DONE_STATES and submitted_at is not None else None
    approved = timezone.localdate(decided_at) if state == State.APPROVED and decided_at is not None else None
    return sent, approved


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


def recomputed_days(rnd: ReportingRound, rows: Iterable[tuple] | None = None
                    ) -> dict[tuple[int, dt.date], dict[str, int]]:
    """The round's timeline per unit computed from its reports: {(unit id, day): {"sent": n, "approved": n}}.
    `rows`: (tree_path, state, submitted_at, decided_at) of each report (default: read them)."""
    if rows is None:
        rows = Report.objects.filter(round=rnd).values_list(
            "tree_path", "state", "submitted_at", "decided_at").iterator(chunk_size=5000)
    out: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(lambda: {"sent": 0, "approved": 0})
    for tree_path, state, submitted_at, decided_at in rows:
        sent, approved = days(state, submitted_at, decided_at)
        for unit in unit_ids(tree_path) if sent or approved else ():
            if sent:
                out[(unit, sent)]["sent"] += 1
            if approved:
                out[(unit, approved)]["approved"] += 1
    return dict(out)


def kept_days(rnd: ReportingRound) -> dict[tuple[int, dt.date], dict[str, int]]:
    return {(row["organization_id"], row["day"]): {"sent": row["sent"], "approved": row["approved"]}
            for row in ReportDayCount.objects.filter(round=rnd).values("organization_id", "day", "sent", "approved")
            if row["sent"] or row["approved"]}


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
    timeline = recomputed_days(rnd)
    ReportDayCount.objects.filter(round=rnd).delete()
    ReportDayCount.objects.bulk_create(
        [ReportDayCount(round=rnd, organization_id=unit, day=day, **values) for (unit, day), values in timeline.items()],
        batch_size=2000,
    )
    return len(counts)


def move(report: Report, before: tuple) -> None:
    """The report left `before` (its key_of before the change) for where it stands now: one UPDATE of
    its unit's and ancestors' counts for its level, and of their timeline days that changed (nothing
    when it did not move)."""
    after = key_of(report)
    if after == before:
        return
    units = unit_ids(report.tree_path)
    if after[:2] != before[:2]:
        delta: dict[str, int] = defaultdict(int)
        delta[before[0]] -= 1
        delta[after[0]] += 1
        delta["sent_late"] += int(after[1]) - int(before[1])
        changes = {name: F(name) + n for name, n in delta.items() if n}
        if changes:
            ReportCount.objects.filter(round_id=report.round_id, organization_id__in=units,
                                       level=report.level).update(**changes)
    day_delta: dict[tuple[dt.date, str], int] = defaultdict(int)
    for i, column in ((2, "sent"), (3, "approved")):
        if before[i] != after[i]:
            if before[i] is not None:
                day_delta[(before[i], column)] -= 1
            if after[i] is not None:
                day_delta[(after[i], column)] += 1
    by_day: dict[dt.date, dict[str, int]] = defaultdict(lambda: {"sent": 0, "approved": 0})
    for (day, column), n in day_delta.items():
        if n:
            by_day[day][column] += n
    if by_day:
        _add_days(report.round_id, units, by_day)


def _add_days(round_id: int, units: list[int], by_day: dict[dt.date, dict[str, int]]) -> None:
    """Add to the units' timeline days, creating the days they lack: one upsert."""
    table = ReportDayCount._meta.db_table
    rows, params = [], []
    for day, values in by_day.items():
        for unit in units:
            rows.append("(%s, %s, %s, %s, %s)")
            params += [round_id, unit, day.isoformat(), values["sent"], values["approved"]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, organization_id, day, sent, approved) VALUES {', '.join(rows)} "
            f"ON CONFLICT (round_id, organization_id, day) DO UPDATE SET sent = {table}.sent + excluded.sent, "
            f"approved = {table}.approved + excluded.approved",
            params,
        )
