"""A figure opened: the children's values (a committee) or the records behind it (a cell)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from organizations.models import Level

from .. import figures as F_
from .. import permissions, rollup, selectors
from ..models import Report


@require_GET
@login_required
def figure_detail(request, pk: int, code: str):
    """A page, or (htmx) the panel under the report's figures table."""
    report = permissions.get_report_for_user(request.user, pk)
    fig = F_.figure_for(code)
    if fig is None or not F_.shown(fig, report.level):
        raise Http404
    is_committee = report.level != Level.CELL
    children = selectors.children_of(report) if is_committee else []
    parts = []
    if fig.is_ratio:
        values = rollup.effective(report)
        parts = [(F_.figure_for(c), F_.figure_for(c).display_value(values), role)
                 for role, codes in (("numerator", fig.numerator), ("denominator", fig.denominator))
                 for c in codes]
    context = {
        "report": report,
        "rnd": report.round,
        "fig": fig,
        "value": fig.display_value(rollup.effective(report)),
        "computed": fig.display_value(report.figures),
        "is_committee": is_committee,
        "approved": report.state == Report.State.APPROVED,
        "children": selectors.figure_children(report, fig, children),
        "records": None if is_committee else selectors.figure_records(report, fig),
        "parts": parts,
    }
    template = "reports/_figure.html" if request.htmx else "reports/figure.html"
    return render(request, template, context)
