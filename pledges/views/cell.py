"""A cell's home for the current year (themes, pressing issues, the year strip) and its year at a glance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organizations.access import Action, access_for
from organizations.models import Organization, Role
from organizations.text import vi_order

from .. import selectors, services
from ..models import PressingIssue
from ..models.limits import FIRST_YEAR
from ..periods import is_future_month, today
from ._common import check_month, check_year, get_cell, parse_int, split_errors


def year_choices() -> list[int]:
    """The years a picker offers, newest first: from the directive's first year to this one."""
    return list(range(today().year, FIRST_YEAR - 1, -1))


@require_GET
@login_required
def my_cells(request):
    """The cells the user is the secretary of: straight to the cell when there is one."""
    access = access_for(request.user)
    ids = {g.org_id for g in access.grants if g.kind == Role.Kind.CELL_SECRETARY}
    cells = list(Organization.objects.filter(pk__in=ids).order_by(vi_order("name"), "id"))
    if len(cells) == 1:
        return redirect("pledges:cell", cells[0].pk)
    return render(request, "pledges/my_cells.html", {"cells": cells})


def _home(request, cell, *, issue_values=None, issue_errors=None, status=200):
    now = today()
    year = now.year
    grassroots = selectors.grassroots_of(cell)
    overview = selectors.cell_year(cell=cell, year=year)
    registered = sum(1 for m in overview.members if m.pledge_kind)
    context = {
        "cell": cell, "year": year, "month": now.month, "now": now,
        "themes": selectors.themes_for(cell_or_unit=cell, year=year),
        "issues": list(selectors.pressing_issues(organization=cell, year=year)),
        "grassroots": grassroots if grassroots.pk != cell.pk else None,
        "grassroots_issues": list(selectors.pressing_issues(organization=grassroots, year=year))
        if grassroots.pk != cell.pk else [],
        "overview": overview, "registered": registered, "member_count": len(overview.members),
        "can_edit": access_for(request.user).can(Action.EDIT_CELL, cell),
        "issue_values": issue_values or {}, "issue_errors": issue_errors or {},
        "years": year_choices(), "months": range(1, 13),
    }
    return render(request, "pledges/cell_home.html", context, status=status)


@require_GET
@login_required
def cell_home(request, cell_id: int):
    return _home(request, get_cell(request.user, cell_id))


@require_POST
@login_required
def issue_add(request, cell_id: int):
    cell = get_cell(request.user, cell_id, Action.EDIT_CELL)
    values = {"title": request.POST.get("title", ""), "description": request.POST.get("description", "")}
    try:
        services.pressing_issue_add(organization=cell, year=today().year, by=request.user, **values)
    except ValidationError as exc:
        by_field, _members, other = split_errors(exc, ["title", "description"])
        if other:
            by_field.setdefault("title", []).extend(other)
        return _home(request, cell, issue_values=values, issue_errors=by_field, status=400)
    messages.success(request, _("Đã thêm vấn đề bức xúc, nổi cộm."))
    return redirect(reverse("pledges:cell", args=[cell.pk]) + "#issues")


@require_POST
@login_required
def issue_remove(request, cell_id: int, issue_id: int):
    cell = get_cell(request.user, cell_id, Action.EDIT_CELL)
    issue = PressingIssue.objects.filter(pk=issue_id, organization=cell).select_related("organization").first()
    if issue is None:
        raise Http404
    services.pressing_issue_remove(issue=issue, by=request.user)
    messages.success(request, _("Đã xóa vấn đề “%(title)s”.") % {"title": issue.title})
    return redirect(reverse("pledges:cell", args=[cell.pk]) + "#issues")


@require_GET
@login_required
def cell_year(request, cell_id: int, year: int):
    """The 12 months' statuses and the members × months grid of the cell's year."""
    check_year(year)
    cell = get_cell(request.user, cell_id)
    overview = selectors.cell_year(cell=cell, year=year)
    now = today()
    return render(request, "pledges/cell_year.html", {
        "cell": cell, "year": year, "overview": overview,
        "prev_year": year - 1 if year > FIRST_YEAR else None, "next_year": year + 1 if year < now.year else None,
        "months": range(1, 13), "years": year_choices(),
    })


@require_GET
@login_required
def cell_go(request, cell_id: int):
    """The year/month picker: ?nam=2014 opens the year, ?nam=2014&thang=3 the month's record."""
    cell = get_cell(request.user, cell_id)
    year, month = parse_int(request.GET.get("nam")), parse_int(request.GET.get("thang"))
    if year is None:
        raise Http404
    if month is None:
        check_year(year)
        return redirect("pledges:year", cell.pk, year)
    check_month(year, month)
    if is_future_month(year, month):
        messages.info(request, _("Tháng %(month)s/%(year)s chưa đến.") % {"month": month, "year": year})
        return redirect("pledges:year", cell.pk, year)
    return redirect("pledges:review", cell.pk, year, month)
