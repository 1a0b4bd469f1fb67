"""A unit's pressing issues for the year (vấn đề bức xúc, nổi cộm)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from organizations.access import Action
from organizations.models import Organization

from ..models import PressingIssue
from ..models.limits import TEXT_MAX, TITLE_MAX
from ._common import Errors, check_year, clean_text, raise_if, require


@transaction.atomic
def pressing_issue_add(*, organization: Organization, year: int, title: str, description: str = "", by) -> PressingIssue:
    """Add an issue at the end of the unit's list for the year. Needs Action.EDIT_CELL on the unit."""
    require(by, Action.EDIT_CELL, organization)
    errors: Errors = {}
    check_year(year, errors=errors, allow_next=True)
    title = clean_text(title, key="title", errors=errors, max_length=TITLE_MAX, required=True,
                       required_message=_("Hãy nhập vấn đề."))
    description = clean_text(description, key="description", errors=errors, max_length=TEXT_MAX)
    raise_if(errors)
    last = PressingIssue.objects.filter(organization=organization, year=year).aggregate(n=Max("position"))["n"]
    return PressingIssue.objects.create(
        organization=organization, year=year, title=title, description=description, position=(last or 0) + 1
    )


@transaction.atomic
def pressing_issue_remove(*, issue: PressingIssue, by) -> None:
    require(by, Action.EDIT_CELL, issue.organization)
    issue.delete()
