"""Year end of a cell: members' classification (with the 20% rule), the cell's grade (by the committee
above), commendations, models and examples."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from directive03.concurrency import EditConflict
from organizations.access import Action, access_for, pick

from .. import selectors, services
from ..forms import CommendationForm, ModelExampleForm, OrganizationGradeForm, set_errors
from ..models import Commendation, Grade, ModelExample, OrganizationClassification
from ..models.yearend import grade_choices, organization_grade_label
from ._common import check_year, get_cell, parse_int, require, split_errors

#: POST action -> the right it needs on the cell.
ACTIONS = {
    "classify": Action.EDIT_CELL, "commend": Action.EDIT_CELL, "model": Action.EDIT_CELL,
    "classify_org": Action.REVIEW,
}


@require_http_methods(["GET", "POST"])
@login_required
def yearend_page(request, cell_id: int, year: int):
    check_year(year)
    cell = get_cell(request.user, cell_id)
    members = list(selectors.members_in_year(cell=cell, year=year))
    if request.method == "GET":
        return _render(request, cell, year, members)
    action = request.POST.get("action")
    if action not in ACTIONS:
        return HttpResponseBadRequest(_("Thao tác không hợp lệ."))
    require(request.user, ACTIONS[action], cell)
    handler = {"classify": _classify, "commend": _commend, "model": _model, "classify_org": _classify_org}[action]
    return handler(request, cell, year, members)


def not_listed(year: int) -> str:
    return _("Hãy chọn một đảng viên trong danh sách của chi bộ năm %(year)s.") % {"year": year}


def _done(cell, year: int, anchor: str):
    return redirect(reverse("pledges:yearend", args=[cell.pk, year]) + anchor)


def _classify(request, cell, year, members):
    typed = {}
    for raw in request.POST.getlist("members"):
        member_id = parse_int(raw)
        if member_id is not None and request.POST.get(f"g-{member_id}"):
            typed[member_id] = request.POST[f"g-{member_id}"]
    try:
        warnings = services.classify_members(cell=cell, year=year, grades=typed, by=request.user,
                                             expected_token=request.POST.get("version", ""))
    except EditConflict as exc:
        return _render(request, cell, year, members, typed_grades=typed, top_errors=[exc.message],
                       conflict=True, version=request.POST.get("version", ""), status=409)
    except ValidationError as exc:
        _fields, by_member, other = split_errors(exc, [])
        known = {m.pk for m in members}
        other += [m for member_id, ms in by_member.items() if member_id not in known for m in ms]
        return _render(request, cell, year, members, typed_grades=typed, grade_errors=by_member,
                       top_errors=[_("Chưa lưu xếp loại; hãy sửa các chỗ được đánh dấu."), *other], status=400)
    messages.success(request, _("Đã lưu xếp loại %(n)s đảng viên.") % {"n": len(typed)})
    for warning in warnings:
        messages.warning(request, warning)
    return _done(cell, year, "#classify")


def _commend(request, cell, year, members):
    form = CommendationForm(request.POST, cell=cell, members=members)
    if form.is_valid():
        data = form.cleaned_data
        recipient = {}
        if data["recipient"] == "cell":
            recipient["recipient_org"] = cell
        elif data["recipient"]:
            # only a member of this cell's year (the page's own list), never an id from elsewhere
            recipient["recipient_member"] = pick(members, data["recipient"])
            if recipient["recipient_member"] is None:
                form.add_error("recipient", not_listed(year))
                return _render(request, cell, year, members, commendation_form=form, status=400)
        try:
            services.record_commendation(
                organization=cell, year=year, awarded_on=data["awarded_on"], kind=data["kind"], issuer=data["issuer"],
                content=data["content"], by=request.user, **recipient,
            )
        except ValidationError as exc:
            by_field, _members, other = split_errors(exc, ["awarded_on", "kind", "issuer", "content", "recipient"])
            set_errors(form, {**by_field, **({"recipient": other} if other else {})})
        else:
            messages.success(request, _("Đã ghi nhận khen thưởng."))
            return _done(cell, year, "#commendations")
    return _render(request, cell, year, members, commendation_form=form, status=400)


def _model(request, cell, year, members):
    form = ModelExampleForm(request.POST, members=members)
    form.is_valid()
    data = form.cleaned_data
    member = None
    if data.get("member"):
        member = pick(members, data["member"])
        if member is None:
            form.add_error("member", not_listed(year))
            return _render(request, cell, year, members, model_form=form, status=400)
    try:
        services.record_model_example(
            organization=cell, year=year, kind=data.get("kind", ""), title=data.get("title", ""),
            description=data.get("description", ""), member=member, by=request.user,
        )
    except ValidationError as exc:
        by_field, _members, other = split_errors(exc, ["kind", "title", "description", "member"])
        set_errors(form, {**by_field, **({"title": other} if other else {})})
        return _render(request, cell, year, members, model_form=form, status=400)
    messages.success(request, _("Đã ghi nhận mô hình, điển hình."))
    return _done(cell, year, "#models")


def _classify_org(request, cell, year, members):
    form = OrganizationGradeForm(request.POST, year=year)
    form.is_valid()
    try:
        services.classify_organization(organization=cell, year=year, grade=form.cleaned_data.get("grade", ""),
                                       by=request.user, expected_token=request.POST.get("version", ""))
    except EditConflict as exc:
        form.add_error("grade", exc.message)
        return _render(request, cell, year, members, grade_form=form,
                       org_version=request.POST.get("version", ""), status=409)
    except ValidationError as exc:
        by_field, _members, other = split_errors(exc, ["grade"])
        set_errors(form, {**by_field, **({"grade": other} if other else {})})
        return _render(request, cell, year, members, grade_form=form, status=400)
    messages.success(request, _("Đã xếp loại chi bộ năm %(year)s.") % {"year": year})
    return _done(cell, year, "#classify-org")


def _render(request, cell, year, members, *, typed_grades=None, grade_errors=None, top_errors=None,
            commendation_form=None, model_form=None, grade_form=None, conflict=False, version=None,
            org_version=None, status=200):
    """The page; after a conflict the forms keep the token they were opened with (`version`,
    `org_version`), so saving again without reloading is refused again rather than overwriting."""
    access = access_for(request.user)
    saved = {c.member_id: c.grade for c in selectors.member_classifications(cell=cell, year=year)}
    grades = {**saved, **(typed_grades or {})}
    grade_errors = grade_errors or {}
    rows = [{"member": m, "grade": grades.get(m.pk, ""), "errors": grade_errors.get(m.pk, [])} for m in members]
    org_grade = OrganizationClassification.objects.filter(organization=cell, year=year).first()
    counts = {g: sum(1 for r in rows if r["grade"] == g) for g in Grade.values}
    return render(request, "pledges/yearend.html", {
        "cell": cell, "year": year, "rows": rows, "grades": grade_choices(year), "counts": counts,
        "quota": selectors.excellence_quota(cell_or_unit=cell, year=year),
        "org_grade": org_grade,
        "org_grade_label": organization_grade_label(org_grade.grade, year) if org_grade else "",
        "commendations": Commendation.objects.filter(organization=cell, year=year)
        .select_related("recipient_member", "recipient_org"),
        "model_examples": ModelExample.objects.filter(organization=cell, year=year).select_related("member"),
        "commendation_form": commendation_form or CommendationForm(cell=cell, members=members),
        "model_form": model_form or ModelExampleForm(members=members),
        "grade_form": grade_form or OrganizationGradeForm(
            year=year, initial={"grade": org_grade.grade if org_grade else ""}),
        "top_errors": top_errors or [], "conflict": conflict,
        "version": version if version is not None else selectors.classification_token(cell=cell, year=year),
        "org_version": org_version if org_version is not None
        else selectors.organization_grade_token(organization=cell, year=year),
        "can_edit": access.can(Action.EDIT_CELL, cell), "can_review": access.can(Action.REVIEW, cell),
    }, status=status)
