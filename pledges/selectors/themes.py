"""The directive in force, the year's themes and a unit's pressing issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from organizations.models import Organization

from ..models import AnnualTheme, Directive, PressingIssue
from .members import root_of


@dataclass(frozen=True)
class YearThemes:
    """What a unit studies in a year: the directive, the national theme, its province's own theme."""

    directive: Directive | None
    national: AnnualTheme | None
    provincial: AnnualTheme | None

    @property
    def themes(self) -> list[AnnualTheme]:
        return [t for t in (self.national, self.provincial) if t is not None]


def directive_for_year(year: int) -> Directive | None:
    """The directive in force in `year`: the latest one issued by the end of that year."""
    return Directive.objects.filter(issued_on__lte=dt.date(year, 12, 31)).order_by("-issued_on").first()


def themes_for(*, cell_or_unit: Organization, year: int) -> YearThemes:
    """The directive in force, the national theme and the province's theme for `year`. Three queries."""
    directive = directive_for_year(year)
    if directive is None:
        return YearThemes(directive=None, national=None, provincial=None)
    province = root_of(cell_or_unit)
    national = provincial = None
    for theme in AnnualTheme.objects.filter(
        Q(province__isnull=True) | Q(province=province), directive=directive, year=year
    ):
        if theme.province_id is None:
            national = theme
        else:
            provincial = theme
    return YearThemes(directive=directive, national=national, provincial=provincial)


def pressing_issues(*, organization: Organization, year: int) -> QuerySet[PressingIssue]:
    return PressingIssue.objects.filter(organization=organization, year=year).order_by("position", "id")
