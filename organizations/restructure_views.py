"""Restructuring pages (sắp xếp tổ chức), for the province's board and administrators only:
plans, their changes (form or .xlsx), the tree before and after side by side, apply, close a unit."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directive03.concurrency import EditConflict

from .access import access_for, get_org_for_user
from .imports import ImportFileError
from .models import Organization, PlanChange, RestructurePlan
from .restructure_forms import ChangeForm, CloseForm, PlanFileForm, PlanForm
from .restructuring import execute, plans, xlsx
from .restructuring.simulation import simulate_plan
from .restructuring.units import UnitIndex
from .text import undrawable_warning

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Above this many cells the side-by-side trees stop at the committees (cells are counted).
CELLS_SHOWN_MAX = 400


def _provinces(user) -> list[Organization]:
    provinces = plans.provinces_for(user)
    if not provinces:
        if access_for(user).grants:
            raise PermissionDenied
        raise Http404
    return provinces


@require_http_methods(["GET", "POST"])
@login_required
def plan_list(request):
    provinces = _provinces(request.user)
    form = PlanForm(request.POST or None, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.plan_create(province=form.cleaned_data["province"], title=form.cleaned_data["title"],
                                     effective_on=form.cleaned_data["effective_on"], by=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("organizations:plan", pk=plan.pk)
    items = RestructurePlan.objects.filter(province__in=provinces).select_related("province", "created_by")
    return render(request, "organizations/restructure/list.html", {"form": form, "plans": items[:200]})


def _change_form(plan: RestructurePlan, data=None) -> ChangeForm:
    form = ChangeForm(data)
    search = reverse("organizations:plan_units", args=[plan.pk])
    for name in ("unit", "target"):
        form.fields[name].widget.attrs.update({
            "list": f"{name}-options", "autocomplete": "off", "hx-get": search,
            "hx-trigger": "input changed delay:250ms", "hx-target": f"#{name}-options",
        })
    return form


def _render_plan(request, plan, *, change_form=None, file_form=None, file_errors=(), status=200):
    if plan.status in (RestructurePlan.Status.APPLIED, RestructurePlan.Status.DISCARDED):
        return _render_done(request, plan)
    sim = simulate_plan(plan)
    for node in sim.before.values():
        node.closing = sim.after[node.id].closed
    before_root, after_root = sim.tree("before"), sim.tree("after")  # two sides, two sets of nodes
    total_cells = sim.counts("before").cells
    changes = list(plan.changes.select_related("unit", "target", "target_change"))
    index = UnitIndex(plan.province)
    context = {
        "plan": plan,
        "changes": [(c, index.label.get(c.unit_id, c.unit.name if c.unit else ""),
                     index.label.get(c.target_id, c.target.name if c.target else
                                     (c.target_change.new_name if c.target_change else ""))) for c in changes],
        "problems": sim.problems if plan.status != RestructurePlan.Status.APPLIED else [],
        "before": sim.counts("before"), "after": sim.counts("after"),
        "before_root": before_root, "after_root": after_root,
        "show_cells": total_cells <= CELLS_SHOWN_MAX,
        "editable": plan.status in plans.EDITABLE,
        "change_form": change_form or _change_form(plan),
        "file_form": file_form or PlanFileForm(),
        "file_errors": list(file_errors),
        "columns": xlsx.HEADERS,
        "is_future": plan.effective_on > timezone.localdate(),
        "version": plans.plan_token(plan),
    }
    return render(request, "organizations/restructure/plan.html", context, status=status)


def _render_done(request, plan):
    """An applied plan is history: its changes, and the tree as of the day before and the day itself."""
    changes = list(plan.changes.select_related("unit", "target", "target_change"))
    context = {
        "plan": plan, "done": True,
        "changes": [(c, c.unit.name if c.unit else "", c.target.name if c.target else
                     (c.target_change.new_name if c.target_change else "")) for c in changes],
        "day_before": plan.effective_on - dt.timedelta(days=1),
    }
    return render(request, "organizations/restructure/plan.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def plan_detail(request, pk: int):
    plan = plans.get_plan_for_user(request.user, pk)
    if request.method == "GET":
        return _render_plan(request, plan)
    form = _change_form(plan, request.POST)
    if form.is_valid():
        try:
            plans.change_add(plan=plan, row=plans.RowInput(**form.cleaned_data), by=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Đã thêm thay đổi vào phương án."))
            _warn_undrawable(request, [form.cleaned_data])
            return redirect("organizations:plan", pk=plan.pk)
    return _render_plan(request, plan, change_form=form, status=400)


@require_POST
@login_required
def plan_upload(request, pk: int):
    plan = plans.get_plan_for_user(request.user, pk)
    form = PlanFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_plan(request, plan, file_form=form, status=400)
    try:
        rows = xlsx.read_rows(form.cleaned_data["file"])
        added = plans.changes_import(plan=plan, rows=rows, by=request.user)
    except ImportFileError as exc:
        return _render_plan(request, plan, file_errors=[exc.message], status=400)
    except ValidationError as exc:
        return _render_plan(request, plan, file_errors=exc.messages, status=400)
    messages.success(request, _("Đã thêm %(n)s thay đổi từ tệp.") % {"n": added})
    _warn_undrawable(request, [vars(row) for _line, row in rows])
    return redirect("organizations:plan", pk=plan.pk)


def _warn_undrawable(request, changes) -> None:
    """New names and places go into the documents (issuer, place and date line, annexes)."""
    warning = undrawable_warning(*(str(c.get(key) or "") for c in changes for key in ("new_name", "place_name")))
    if warning:
        messages.warning(request, warning)


@require_GET
@login_required
def plan_template(request, pk: int):
    plan = plans.get_plan_for_user(request.user, pk)
    response = HttpResponse(xlsx.template_xlsx(plan.province), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="phuong-an-sap-xep-{plan.pk}.xlsx"'
    return response


@require_GET
@login_required
def plan_units(request, pk: int):
    """htmx: the <option>s of the unit pickers, by full path, for what was typed."""
    plan = plans.get_plan_for_user(request.user, pk)
    query = (request.GET.get("unit") or request.GET.get("target") or request.GET.get("q") or "")[:100]
    options = UnitIndex(plan.province).search(query)
    return render(request, "organizations/restructure/_options.html", {"options": options})


@require_POST
@login_required
def change_delete(request, pk: int, change_id: int):
    plan = plans.get_plan_for_user(request.user, pk)
    if not plan.changes.filter(pk=change_id).exists():  # a change of another plan is not this page's
        raise Http404
    try:
        plans.change_delete(plan=plan, change_id=change_id, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã xóa thay đổi."))
    return redirect("organizations:plan", pk=plan.pk)


@require_POST
@login_required
def plan_apply(request, pk: int):
    plan = plans.get_plan_for_user(request.user, pk)
    try:
        plan = execute.apply_plan(plan=plan, by=request.user, expected_token=request.POST.get("version"))
    except EditConflict as exc:
        messages.error(request, exc.message)
        return redirect("organizations:plan", pk=plan.pk)
    except ValidationError as exc:
        for message in exc.messages[:20]:
            messages.error(request, message)
        return redirect("organizations:plan", pk=plan.pk)
    if plan.status == RestructurePlan.Status.SCHEDULED:
        messages.success(request, _("Phương án sẽ tự áp dụng vào ngày %(date)s; đến ngày đó cây tổ chức và quyền "
                                    "truy cập chưa thay đổi.") % {"date": plan.effective_on.strftime("%d/%m/%Y")})
    else:
        messages.success(request, _("Đã áp dụng phương án sắp xếp tổ chức."))
    return redirect("organizations:plan", pk=plan.pk)


@require_POST
@login_required
def plan_discard(request, pk: int):
    plan = plans.get_plan_for_user(request.user, pk)
    try:
        plans.plan_discard(plan=plan, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("organizations:plan", pk=plan.pk)
    messages.success(request, _("Đã hủy phương án; không có thay đổi nào được áp dụng."))
    return redirect("organizations:plans")


@require_http_methods(["GET", "POST"])
@login_required
def unit_close(request, pk: int):
    """Closing a unit: its screen says what it holds, and makes a plan of it (to add the moves it needs)."""
    org = get_org_for_user(request.user, pk)
    province = Organization.objects.get(path=org.path[: Organization.steplen])
    if not access_for(request.user).restructures(province):
        raise PermissionDenied
    if not org.is_active or org.pk == province.pk:
        raise Http404
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = plans.plan_create(province=province, title=_("Giải thể %(name)s") % {"name": org.name},
                                 effective_on=form.cleaned_data["effective_on"], by=request.user)
        plans.change_add(plan=plan, row=plans.RowInput(op=PlanChange.Op.CLOSE, unit=f"#{org.pk}"), by=request.user)
        return redirect("organizations:plan", pk=plan.pk)
    children = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, valid_to__isnull=True)
    context = {"org": org, "form": form, "children": children.order_by("search_key")[:50],
               "child_count": children.count(), "member_count": org.members.count() if org.is_cell else None}
    return render(request, "organizations/restructure/close.html", context)
