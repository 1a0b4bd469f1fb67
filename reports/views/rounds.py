"""Rounds: the list of a province's rounds, opening one (the board), a round's page, closing it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directive03 import formats
from organizations.access import access_for
from organizations.text import undrawable_warning
from pledges.selectors import directive_for_year

from .. import permissions, selectors, services
from ..forms import RoundOpenForm, round_defaults
from ..models import Report, ReportingRound
from ._common import dashboard_url, provinces_opened_by


@require_GET
@login_required
def round_list(request):
    access = access_for(request.user)
    rounds = list(selectors.rounds_for(access))
    own = selectors.own_reports(access, rounds)
    for rnd in rounds:
        rnd.own_reports = own.get(rnd.pk, [])
    context = {"rounds": rounds, "can_open": provinces_opened_by(access).exists()}
    return render(request, "reports/round_list.html", context)


def _default_kind_year(today) -> tuple[str, int]:
    """What a board usually opens at this time of year: the half-year review until September, then
    the year's review (in January still the past year's)."""
    if today.month == 1:
        return ReportingRound.Kind.YEAR, today.year - 1
    if today.month <= 9:
        return ReportingRound.Kind.HALF_YEAR, today.year
    return ReportingRound.Kind.YEAR, today.year


def _initial(params, provinces) -> dict:
    kind, year = _default_kind_year(timezone.localdate())
    if params.get("kind") in ReportingRound.Kind.values:
        kind = params["kind"]
    raw_year, raw_years = params.get("year", ""), params.get("years", "")
    if raw_year.isdigit() and 2011 <= int(raw_year) <= 2100:
        year = int(raw_year)
    years = int(raw_years) if raw_years.isdigit() and len(raw_years) <= 2 else None
    initial = round_defaults(kind, year, years)
    directive = directive_for_year(year)
    if directive is not None:
        initial["directive"] = directive.pk
    province = params.get("province", "")
    if province.isdigit() and provinces.filter(pk=int(province)).exists():
        initial["province"] = int(province)
    elif provinces:
        initial["province"] = provinces[0].pk
    return initial


@require_http_methods(["GET", "POST"])
@login_required
def round_open(request):
    """The board opens a round. GET with ?kind=&year= (the "fill in" button) gives the usual dates."""
    access = access_for(request.user)
    province_qs = provinces_opened_by(access)
    if not province_qs.exists():
        raise PermissionDenied
    if request.method == "POST":
        form = RoundOpenForm(request.POST, provinces=province_qs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                rnd = services.round_open(
                    by=request.user, province=data["province"], directive=data["directive"],
                    title=data["title"], kind=data["kind"], period_start=data["period_start"],
                    period_end=data["period_end"], cutoff=data["cutoff"], deadlines=form.deadlines(),
                    years=data["years"] or 1,
                )
            except ValidationError as exc:
                form.apply_service_errors(exc)
            else:
                count = Report.objects.filter(round=rnd).count()
                messages.success(request, _("Đã mở đợt “%(title)s” cho %(n)s đơn vị.") % {
                    "title": rnd.title, "n": formats.number(count)})
                warning = undrawable_warning(rnd.title)  # the title is the documents' subject
                if warning:
                    messages.warning(request, warning)
                return redirect("reports:round", pk=rnd.pk)
        form.mark_invalid()
    else:
        form = RoundOpenForm(initial=_initial(request.GET, province_qs), provinces=province_qs)
    template = "reports/_round_form.html" if request.htmx else "reports/round_open.html"
    return render(request, template, {"form": form})


@require_GET
@login_required
def round_detail(request, pk: int):
    rnd = permissions.get_round_for_user(request.user, pk)
    access = access_for(request.user)
    today = timezone.localdate()
    context = {
        "rnd": rnd,
        "mine": selectors.round_reports(rnd=rnd, access=access),
        "can_close": rnd.is_open and permissions.opens_rounds(access, rnd.province_id),
        "close_allowed": today > rnd.last_deadline,
        "submitted_any": Report.objects.filter(round=rnd, submitted_at__isnull=False).exists(),
        "dashboard_url": dashboard_url(rnd),
        "deadlines": [
            (_("Chi bộ"), rnd.deadline_cell), (_("Cấp cơ sở"), rnd.deadline_commune),
            (_("Cấp huyện"), rnd.deadline_district), (_("Cấp tỉnh"), rnd.deadline_province),
        ],
    }
    return render(request, "reports/round_detail.html", context)


def _board_action(request, pk: int, action):
    """Run `action(rnd=…, by=…)` on a round of the user's province as its board: the round, or None with
    the refusal's messages shown. PermissionDenied for anyone who may not open rounds there."""
    rnd = permissions.get_round_for_user(request.user, pk)
    if not permissions.opens_rounds(access_for(request.user), rnd.province_id):
        raise PermissionDenied
    try:
        action(rnd=rnd, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return None
    return rnd


@require_POST
@login_required
def round_withdraw(request, pk: int):
    """Withdraw a round opened by mistake (nothing submitted yet)."""
    rnd = _board_action(request, pk, services.round_withdraw)
    if rnd is None:
        return redirect("reports:round", pk=pk)
    messages.success(request, _("Đã rút đợt báo cáo “%(title)s”.") % {"title": rnd.title})
    return redirect("reports:rounds")


@require_POST
@login_required
def round_close(request, pk: int):
    if _board_action(request, pk, services.round_close) is not None:
        messages.success(request, _("Đã khóa đợt báo cáo; mọi báo cáo trong đợt chỉ còn xem được."))
    return redirect("reports:round", pk=pk)
