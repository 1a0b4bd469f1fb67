"""Reads of year-end classification."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from organizations.models import Organization

from ..models import Grade, MemberClassification
from .members import grassroots_of


@dataclass(frozen=True)
class ExcellenceQuota:
    """The 20% rule of a grassroots organization: EXCELLENT members ≤ 20% of GOOD members."""

    unit: Organization
    year: int
    excellent: int
    good: int

    @property
    def limit(self) -> int:
        return self.good // 5

    @property
    def exceeded(self) -> bool:
        return self.excellent > self.limit


def excellence_quota(*, cell_or_unit: Organization, year: int) -> ExcellenceQuota:
    """Counts for the 20% rule over the grassroots organization of `cell_or_unit`. Two queries at most."""
    unit = grassroots_of(cell_or_unit)
    counts = MemberClassification.objects.filter(year=year, cell__path__startswith=unit.path).aggregate(
        excellent=Count("id", filter=Q(grade=Grade.EXCELLENT)),
        good=Count("id", filter=Q(grade=Grade.GOOD)),
    )
    return ExcellenceQuota(unit=unit, year=year, **counts)


def member_classifications(*, cell: Organization, year: int) -> QuerySet[MemberClassification]:
    return MemberClassification.objects.filter(cell=cell, year=year).select_related("member")
