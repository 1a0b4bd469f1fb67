"""A report's page and its workflow: save, submit, approve, return with reasons, reopen.

The page serves cells and committees alike (a committee writes its own narrative on top of the
figures rolled up from its approved children). Every POST reads the report through
reports.permissions (404 for outsiders, 403 without the right) and calls one service; a refused
action renders the page again with what was typed, and the messages beside the fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organizations.access import access_for
from organizations.models import Level
from organizations.text import undrawable_warning

from .. import permissions, rollup, selectors, services
from ..document_views import panel_context
from ..forms import ReasonInput, ReportInput, split_errors
from ..models import Report

State = Report.State


def _rights(access, report: Report) -> dict[str, bool]:
    is_open = report.round.is_open
    can_write = permissions.writes(access, report)
    can_approve = permissions.approves(access, report)
    return {
        "can_write": can_write,
        "can_approve": can_approve,
        "editable": can_write and report.is_editable,
        "can_decide": can_approve and is_open and report.state == State.SUBMITTED,
        "can_reopen": is_open and report.state == State.APPROVED
        and (can_approve or (report.parent_id is None and can_write)),
    }


def _render(request, report: Report, *, data: ReportInput | None = None, errors: dict | None = None,
            reasons: ReasonInput | None = None, reopen_note: str | None = None,
            reopen_errors: list[str] | None = None, status: int = 200):
    access = access_for(request.user)
    if report.round.is_open:
        rollup.refresh_report(report)
    rights = _rights(access, report)
    errors = errors or {}
    children = selectors.children_of(report) if report.level != Level.CELL else []
    events = selectors.events_of(report)
    reasons_open = selectors.open_reasons(report, events)
    by_target = selectors.reasons_by_target(reasons_open)
    typed_back = data is not None
    data = data or ReportInput.from_report(report)
    show_input = rights["editable"] or typed_back
    sections = [
        {
            "code": code,
            "label": label,
            "value": data.sections.get(code, "") if show_input else saved,
            "errors": errors.get(f"section:{code}", []),
            "reasons": by_target.get(f"section:{code}", []),
        }
        for code, label, saved in report.sections()
    ]
    groups = selectors.figure_groups(report, reasons=by_target, typed_input=data.typed if show_input else None)
    for _group, rows in groups:
        for row in rows:
            row.errors = errors.get(f"figure:{row.figure.code}", [])
    context = {
        "report": report,
        "rnd": report.round,
        **rights,
        "show_input": show_input,
        "version": data.version if data.version is not None else report.version,
        "note": data.note,
        "sections": sections,
        "groups": groups,
        "children": children,
        "coverage": selectors.coverage(children) if report.level != Level.CELL else None,
        "events": events,
        "general_reasons": by_target.get("", []),
        "open_reasons": reasons_open,
        "changes": rollup.changed_since_approval(report),
        "errors": errors,
        "top_errors": errors.get("", []),
        "reason_rows": (reasons.rows if reasons and reasons.rows else [("", "")]),
        "reason_targets": selectors.reason_targets(),
        "reopen_note": reopen_note if reopen_note is not None else "",
        "reopen_errors": reopen_errors or [],
        # the document panel is part of the page (htmx then polls it while a build runs), so the
        # page links to a file only when one exists, with or without JavaScript
        **panel_context(report, request.user),
    }
    return render(request, "reports/report_detail.html", context, status=status)


@require_GET
@login_required
def report_detail(request, pk: int):
    report = permissions.get_report_for_user(request.user, pk)
    return _render(request, report)


def _has_sections(post) -> bool:
    return all(code in post for code in Report.SECTIONS)


@require_POST
@login_required
def report_save(request, pk: int):
    report = permissions.get_report_for_user(request.user, pk, write=True)
    data = ReportInput.from_post(request.POST)
    if data.version is None or not _has_sections(request.POST):
        return HttpResponseBadRequest(_("Thiếu nội dung báo cáo hoặc phiên bản; hãy tải lại trang."))
    try:
        report = services.report_save(report=report, sections=data.sections, typed=data.typed,
                                      expected_version=data.version, by=request.user)
    except ValidationError as exc:
        return _render(request, report, data=data, errors=split_errors(exc))
    warning = undrawable_warning(*(getattr(report, code) for code in Report.SECTIONS))
    if warning:
        messages.warning(request, warning)
    else:
        messages.success(request, _("Đã lưu báo cáo."))
    return redirect("reports:report", pk=report.pk)


@require_POST
@login_required
def report_submit(request, pk: int):
    """Save what is in the form (if it was posted), then send the report up."""
    report = permissions.get_report_for_user(request.user, pk, write=True)
    data = ReportInput.from_post(request.POST)
    if data.version is None:
        return HttpResponseBadRequest(_("Thiếu phiên bản báo cáo; hãy tải lại trang."))
    saved = False
    try:
        if _has_sections(request.POST):
            report = services.report_save(report=report, sections=data.sections, typed=data.typed,
                                          expected_version=data.version, by=request.user)
            saved, data.version = True, report.version
        report = services.report_submit(report=report, by=request.user, note=data.note,
                                        expected_version=data.version)
    except ValidationError as exc:
        if saved:
            messages.warning(request, _("Đã lưu nội dung nhưng chưa gửi được báo cáo."))
        if not _has_sections(request.POST):  # a submit without the text: keep the note typed
            data = ReportInput.from_report(report)
            data.note = request.POST.get("note", "")
        return _render(request, report, data=data, errors=split_errors(exc))
    warning = saved and undrawable_warning(*(getattr(report, code) for code in Report.SECTIONS))
    if warning:
        messages.warning(request, warning)
    if report.state == State.APPROVED:
        messages.success(request, _("Đã hoàn thành báo cáo của %(name)s.") % {"name": report.name})
    else:
        messages.success(request, _("Đã gửi báo cáo lên cấp trên."))
    return redirect("reports:report", pk=report.pk)


@require_POST
@login_required
def report_approve(request, pk: int):
    report = permissions.get_report_for_user(request.user, pk, approve=True)
    try:
        services.report_approve(report=report, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã duyệt báo cáo của %(name)s.") % {"name": report.name})
    return redirect("reports:report", pk=report.pk)


@require_POST
@login_required
def report_return(request, pk: int):
    report = permissions.get_report_for_user(request.user, pk, approve=True)
    reasons = ReasonInput.from_post(request.POST)
    try:
        services.report_return(report=report, by=request.user, reasons=reasons.rows)
    except ValidationError as exc:
        return _render(request, report, errors={"reasons": [m for ms in split_errors(exc).values() for m in ms]},
                       reasons=reasons)
    messages.success(request, _("Đã trả lại báo cáo của %(name)s kèm lý do.") % {"name": report.name})
    return redirect("reports:report", pk=report.pk)


@require_GET
@login_required
def reason_row(request, pk: int):
    """htmx partial: one more line (target + text) in the return form."""
    permissions.get_report_for_user(request.user, pk, approve=True)
    return render(request, "reports/_reason_row.html", {"target": "", "text": "",
                                                         "reason_targets": selectors.reason_targets()})


@require_POST
@login_required
def report_reopen(request, pk: int):
    """The approver (for the province's own report: its writer) reopens an approved report; the
    service checks the right before anything else (403)."""
    report = permissions.get_report_for_user(request.user, pk)
    note = request.POST.get("note", "")
    try:
        services.report_reopen(report=report, by=request.user, note=note)
    except ValidationError as exc:
        return _render(request, report, reopen_note=note,
                       reopen_errors=[m for ms in split_errors(exc).values() for m in ms])
    messages.success(request, _("Đã mở lại báo cáo; đơn vị có thể sửa và gửi lại."))
    return redirect("reports:report", pk=report.pk)
