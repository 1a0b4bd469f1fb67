"""Seed the whole demo province: each app's demo stages, in one transaction, in the apps' order.

organizations.demo builds the tree, members, users and secretaries; pledges.demo a year of records;
reports.demo a reporting round. A reset deletes the higher apps' rows first (they point at the lower
ones'). Only this module knows all three, so no app imports one above it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from organizations import demo as org_demo
from organizations.demo import DemoContext, DemoRefused
from organizations.models import Organization
from pledges import demo as pledges_demo
from pledges.models import AnnualTheme
from reports import demo as reports_demo

__all__ = ["STAGES", "DemoRefused", "reset_demo", "seed_demo"]


def _demo_today() -> dt.date:
    """Records of the demo year run up to today: the demo always shows a year in progress."""
    return timezone.localdate()


def build_pledges(ctx: DemoContext) -> None:
    """This year's themes, pledges, monthly records and (in December) year end, for every cell."""
    today = _demo_today()
    province = Organization.objects.get(pk=ctx.province.pk)
    counts = pledges_demo.build_year(province=province, year=today.year, today=today, rng=ctx.rng("pledges"),
                                     user=ctx.users["quantri"])
    ctx.counts.update({f"pledges.{k}": v for k, v in counts.items() if isinstance(v, int)})


def build_reports(ctx: DemoContext) -> None:
    """A reporting round of this year with reports in every state."""
    today = _demo_today()
    province = Organization.objects.get(pk=ctx.province.pk)
    made = reports_demo.build_round(province=province, year=today.year, today=today, rng=ctx.rng("reports"),
                                    board_user=ctx.users["bantuyengiao"])
    ctx.counts.update({f"reports.{k}": v for k, v in made.items() if isinstance(v, int)})


#: The stages, in order: each app's own, then the next app's.
STAGES: list[Callable[[DemoContext], None]] = [*org_demo.STAGES, build_pledges, build_reports]


def _higher_querysets() -> list:
    """What the pledges and reports stages made, deleted before the units and members they point at."""
    models = [*reports_demo.RESET_MODELS, *pledges_demo.RESET_MODELS]
    # national themes come from a data migration: only the provinces' own go
    return [m.objects.all() for m in models] + [AnnualTheme.objects.filter(province__isnull=False)]


def reset_demo() -> dict[str, int]:
    """Delete the whole demo: reports, pledges, then the hierarchy, members, roles and demo users."""
    deleted = org_demo.delete_all(_higher_querysets())
    deleted.update(org_demo.reset())
    return deleted


def seed_demo(*, size: str, seed: int, reset: bool = False, log: Callable[[str], None] = print) -> DemoContext:
    ctx = DemoContext(size_name=size, seed=seed, size=org_demo.SIZES[size], log=log)
    with transaction.atomic():
        existing = Organization.objects.count()
        if existing and not reset:
            raise DemoRefused(
                f"The database already has {existing} party organizations. seed_demo only fills an empty "
                "database; run it with --reset to delete the existing units, members, memberships, roles "
                "and demo users first."
            )
        if reset:
            started = time.perf_counter()
            deleted = reset_demo()
            ctx.timings["reset"] = time.perf_counter() - started
            log("Deleted: " + ", ".join(f"{n} {label}" for label, n in deleted.items()))
        for stage in STAGES:
            started = time.perf_counter()
            stage(ctx)
            ctx.timings[stage.__name__] = time.perf_counter() - started
            log(f"  {stage.__name__}: {ctx.timings[stage.__name__]:.1f} s")
    started = time.perf_counter()
    org_demo.analyze(org_demo.ANALYZE_MODELS + [qs.model for qs in _higher_querysets()])
    ctx.timings["analyze"] = time.perf_counter() - started
    return ctx
