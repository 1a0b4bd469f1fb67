"""The round dashboard (where a subtree's reports stand), its .xlsx export, and the notifications page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from directive03 import formats
from directive03.downloads import attach, download_filename
from directive03.redirects import redirect_next

from . import dashboard, exports, notifications
from . import figures as F_
from .permissions import get_round_for_user


def _unit_param(request) -> int | None:
    raw = request.GET.get("unit", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise Http404
    return int(raw)


def _build(request, round_id: int, **kwargs) -> dashboard.Dashboard:
    rnd = get_round_for_user(request.user, round_id)
    return dashboard.build(user=request.user, rnd=rnd, unit_id=_unit_param(request),
                           figure_code=request.GET.get("figure"), **kwargs)


@require_GET
@login_required
def index(request):
    """The rounds the user can follow (those of the provinces they hold a role in)."""
    rounds = dashboard.rounds_for(request.user)
    return render(request, "reports/dashboard_index.html", {"rounds": rounds})


def figure_bars(board: dashboard.Dashboard) -> list[dict]:
    """One horizontal bar per child unit, every one of them (a unit without a value gets an empty
    bar with its name): the width is the percentage itself for a percentage, else the value over the
    largest value shown."""
    values = [c.figure_value for c in board.children]
    if board.figure.is_ratio and board.figure.display == "percent":
        scale = 100
    else:
        scale = max((v for v in values if v is not None), default=0)
    bars = []
    for child, value in zip(board.children, values, strict=True):
        width = 0
        if value is not None and scale:
            width = max(0, min(100, int(formats.ratio(value, scale, decimals=0))))
        bars.append({"child": child, "value": value, "width": width})
    return bars


@require_GET
@login_required
def round_dashboard(request, round_id: int):
    board = _build(request, round_id)
    return render(request, "reports/dashboard.html", {
        "board": board,
        "figure_groups": F_.groups(),
        "figure_bars": figure_bars(board),
        "chart_data": board.chart_data(),
    })


@require_GET
@login_required
def round_export(request, round_id: int):
    board = _build(request, round_id, late_limit=None)
    content = exports.dashboard_workbook(board)
    filename = download_filename(pgettext("download file name", "Tiến độ"), board.unit.name, f"{timezone.localdate():%d-%m-%Y}",
                                 extension="xlsx")
    return attach(HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE), filename)


@require_GET
@login_required
def notification_list(request):
    page = Paginator(notifications.for_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "reports/notifications.html", {"page": page})


@require_POST
@login_required
def notification_read(request, pk: int):
    """Mark one notification read (only the user's own: anything else changes nothing), then follow
    its link when asked ("next")."""
    notifications.mark_read(user=request.user, pk=pk)
    return redirect_next(request, request.POST.get("next"), "dashboard:notifications")


@require_POST
@login_required
def notifications_read_all(request):
    notifications.mark_read(user=request.user)
    return redirect("dashboard:notifications")
