"""A committee follows its cells' monthly records: the state of every cell in a month, counts, filters."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from organizations.access import access_for
from organizations.models import Level, Organization
from organizations.text import vi_order

from .. import selectors
from ..models.limits import FIRST_YEAR
from ..periods import is_future_month, month_label, review_date, today
from ..templatetags.pledges_ui import COMMITTEE_KINDS
from ._common import check_month, get_committee, parse_int
from .cell import year_choices

PAGE_SIZE = 200
#: ?loc=chua-nop: only the cells that have not submitted; ?loc=cho-duyet: only those waiting for a decision.
NOT_SUBMITTED = "chua-nop"
WAITING = "cho-duyet"


@require_GET
@login_required
def committee_index(request):
    """The committees the user follows: straight to the month page when there is one."""
    access = access_for(request.user)
    if access.is_superuser:
        units = [u for u in access.roots() if not u.is_cell]
    else:
        ids = {g.org_id for g in access.grants if g.kind in COMMITTEE_KINDS and g.level != Level.CELL}
        units = list(Organization.objects.filter(pk__in=ids).order_by(vi_order("name"), "id"))
    now = today()
    if len(units) == 1:
        return redirect("pledges:committee_month", units[0].pk, now.year, now.month)
    return render(request, "pledges/committee_index.html", {"units": units, "now": now})


@require_GET
@login_required
def committee_month(request, unit_id: int, year: int, month: int):
    check_month(year, month)
    unit = get_committee(request.user, unit_id)
    only_missing = request.GET.get("loc") == NOT_SUBMITTED
    only_waiting = request.GET.get("loc") == WAITING
    search = request.GET.get("q", "")[:100]
    overview = selectors.committee_month(unit=unit, year=year, month=month, only_missing=only_missing,
                                         only_waiting=only_waiting, search=search)
    page = Paginator(overview.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    access = access_for(request.user)
    reviews = access.reviews_on_many(review_date(year, month))  # the parents in that month decide
    prev = (year, month - 1) if month > 1 else (year - 1, 12)
    nxt = (year, month + 1) if month < 12 else (year + 1, 1)
    missing = sum(overview.counts[s] for s in selectors.MISSING)
    return render(request, "pledges/committee_month.html", {
        "unit": unit, "year": year, "month": month, "label": month_label(year, month), "overview": overview,
        "page": page, "only_missing": only_missing, "missing": missing, "filter_value": NOT_SUBMITTED,
        "only_waiting": only_waiting, "waiting_value": WAITING, "search": search,
        "loc": request.GET.get("loc", "") if only_missing or only_waiting else "",
        "rows": [(row, reviews(row.cell)) for row in page.object_list],
        "prev": prev if prev[0] >= FIRST_YEAR else None, "next": None if is_future_month(*nxt) else nxt,
        "statuses": selectors.STATUSES, "years": year_choices(), "months": range(1, 13),
    })


@require_GET
@login_required
def committee_go(request, unit_id: int):
    """The year/month picker: ?nam=2014&thang=3 opens that month (a future month: this one)."""
    unit = get_committee(request.user, unit_id)
    year, month = parse_int(request.GET.get("nam")), parse_int(request.GET.get("thang")) or 12
    if year is None:
        raise Http404
    check_month(year, month)
    if is_future_month(year, month):
        now = today()
        year, month = now.year, now.month
    suffix = "?loc=" + NOT_SUBMITTED if request.GET.get("loc") == NOT_SUBMITTED else ""
    return redirect(reverse("pledges:committee_month", args=[unit.pk, year, month]) + suffix)
