"""What the report views share."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from organizations.access import Access
from organizations.models import Level, Organization

from .. import permissions
from ..models import ReportingRound


def provinces_opened_by(access: Access) -> QuerySet[Organization]:
    """The provinces whose rounds the user may open and close (permissions.opens_rounds)."""
    qs = Organization.objects.filter(level=Level.PROVINCE).order_by("path")
    if access.is_superuser:
        return qs
    ids = [g.org_id for g in access.grants if permissions.opens_rounds(access, g.org_id)]
    return qs.filter(pk__in=ids)


def dashboard_url(rnd: ReportingRound) -> str | None:
    """The round's dashboard, if that page exists (it is built separately)."""
    for name in ("reports:dashboard", "dashboard:round"):
        try:
            return reverse(name, args=[rnd.pk])
        except NoReverseMatch:
            continue
    return None
