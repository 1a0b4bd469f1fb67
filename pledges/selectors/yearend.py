"""Reads of year-end classification."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from directive03.concurrency import edit_token
from organizations.models import Organization

from ..models import Grade, MemberClassification, OrganizationClassification
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


def classification_token(*, cell: Organization, year: int) -> str:
    """The optimistic lock of the cell's member classification for the year (directive03.concurrency)."""
    rows = MemberClassification.objects.filter(cell=cell, year=year).values_list("member_id", "grade", "classified_at")
    return edit_token(rows)


def organization_grade_token(*, organization: Organization, year: int) -> str:
    """The optimistic lock of an organization's grade for the year."""
    rows = OrganizationClassification.objects.filter(organization=organization, year=year) \
        .values_list("grade", "classified_at")
    return edit_token(rows)
