"""The monthly cell meeting record: the secretary's form, the committee's read-only view and decision.

GET shows the month's record, or an empty form to users who may edit the cell (the draft is created
by its first save, so looking at a month leaves nothing behind); readers see the record read-only, or
that there is none. POST saves (and submits); the decision is a separate POST.
Nothing typed is lost: every refusal renders the page again with the values as they were typed.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organizations.access import Action, access_for

from .. import selectors, services
from ..exceptions import ConcurrencyError
from ..forms import DecideForm, MeetingForm, ReviewInput, parse_review, row_values, set_errors
from ..models import MonthlyReview, ReviewEntry
from ..periods import is_future_month, month_bounds, month_label, review_date, today
from ..templatetags.pledges_ui import RATING_CLASSES
from ._common import check_month, error_messages, get_cell, split_errors
from .review_sync import autosave, conflict_diff, conflict_who, error_summary

State = MonthlyReview.State


def _month_nav(year: int, month: int) -> dict:
    prev = (year, month - 1) if month > 1 else (year - 1, 12)
    nxt = (year, month + 1) if month < 12 else (year + 1, 1)
    return {"prev": prev, "next": None if is_future_month(*nxt) else nxt}


def _rows(review: MonthlyReview, typed: ReviewInput | None, row_errors: dict[int, list[str]]) -> list[dict]:
    """The form's lines: the members of the month with what was typed, else what was saved."""
    rows = []
    ratings = [(value, str(label), RATING_CLASSES[value]) for value, label in ReviewEntry.Rating.choices]
    on = min(month_bounds(review.year, review.month)[1] - dt.timedelta(days=1), today())
    pledged = {p.pledge.member_id: p.commitments
               for p in selectors.pledges_as_of(cell=review.cell, year=review.year, on=on) if p.pledge.member_id}
    for n, row in enumerate(selectors.review_rows(review=review), start=1):
        member = row.member
        values = (typed.rows.get(member.pk) if typed else None) or row_values(row.entry)
        errors = row_errors.get(member.pk, [])
        rarer = (values["absence_reason"] or values["exemplary"] or values["exemplary_deed"]
                 or values["criticised"] or values["criticism_note"] or not values["present"])
        rows.append({
            # strings and precomputed choices: a 60-row form renders each of them ~25 times
            "member": member, "id": str(member.pk), "n": str(n), "v": values, "errors": errors,
            "open": bool(rarer or errors), "saved": row.entry is not None,
            "position": member.get_position_display() if member.position != member.Position.MEMBER else "",
            "ratings": [(value, label, css, values["rating"] == value) for value, label, css in ratings],
            "commitments": pledged.get(member.pk, []),
        })
    return rows


def _render(request, cell, year: int, month: int, *, review: MonthlyReview | None, typed: ReviewInput | None = None,
            form: MeetingForm | None = None, row_errors: dict[int, list[str]] | None = None,
            top_errors: list[str] | None = None, conflict: str | None = None, notice: str | None = None,
            by_field: dict[str, list[str]] | None = None, diff: list[dict[str, str]] | None = None,
            decide_form: DecideForm | None = None, open_errors: list[str] | None = None, status: int = 200):
    access = access_for(request.user)
    can_edit = access.can(Action.EDIT_CELL, cell)
    can_review = access.reviews_on(cell, review_date(year, month))  # the parents in month M decide
    context = {
        "cell": cell, "year": year, "month": month, "label": month_label(year, month), "review": review,
        "can_edit": can_edit, "can_review": can_review,
        # the committee goes on to the next record waiting for it, without going back to the list
        "next_waiting": selectors.reviews_waiting_for(request.user).exclude(pk=review.pk).first()
        if can_review and review is not None and review.pk else None,
        "open_errors": open_errors or [], "nav": _month_nav(year, month),
        "ratings": ReviewEntry.Rating.choices,
    }
    if review is not None:
        editable = can_edit and review.is_editable
        row_errors = row_errors or {}
        rows = _rows(review, typed, row_errors)
        names = {r["member"].pk: r["member"].full_name for r in rows}
        summary = error_summary(names=names, by_field=by_field or {}, by_member=row_errors, other=top_errors or [])
        if form is None:
            form = MeetingForm.for_review(review)
        if not editable and typed is None:
            for r in rows:
                r["open"] = False
        present = sum(1 for r in rows if r["v"]["present"])
        events = list(selectors.review_events(review=review))
        context.update(
            editable=editable, show_form=editable or typed is not None, rows=rows, form=form, version=typed.expected_version if typed else review.version,
            summary=summary, conflict=conflict, conflict_diff=diff or [], notice=notice,
            events=events, decide_form=decide_form or DecideForm(),
            counts={"expected": len(rows), "present": present, "absent": len(rows) - present,
                    "rated": sum(1 for r in rows if r["v"]["present"] and r["v"]["rating"]),
                    "exemplary": sum(1 for r in rows if r["v"]["exemplary"]),
                    "criticised": sum(1 for r in rows if r["v"]["criticised"])},
        )
    return render(request, "pledges/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def review_page(request, cell_id: int, year: int, month: int):
    check_month(year, month)
    if request.method == "POST" and request.headers.get("X-Autosave"):
        return autosave(request, get_cell(request.user, cell_id, Action.EDIT_CELL), year, month)
    if request.method == "POST":
        return _save(request, get_cell(request.user, cell_id, Action.EDIT_CELL), year, month)
    cell = get_cell(request.user, cell_id)
    if not access_for(request.user).can(Action.EDIT_CELL, cell):
        return _render(request, cell, year, month, review=selectors.review_for(cell=cell, year=year, month=month))
    try:
        services.review_check_open(cell=cell, year=year, month=month, by=request.user)
    except ValidationError as exc:
        return _render(request, cell, year, month, review=None, open_errors=error_messages(exc))
    # a month without a record shows an empty form; the record is created by its first save
    review = selectors.review_for(cell=cell, year=year, month=month) or \
        MonthlyReview(cell=cell, year=year, month=month)
    return _render(request, cell, year, month, review=review)


def _save(request, cell, year: int, month: int):
    action = request.POST.get("action")
    if action not in ("save", "submit"):
        return HttpResponseBadRequest(_("Thao tác không hợp lệ."))
    try:
        review = services.review_open(cell=cell, year=year, month=month, by=request.user)
    except ValidationError as exc:
        return _render(request, cell, year, month, review=None, open_errors=error_messages(exc), status=400)
    typed = parse_review(request.POST)
    form = MeetingForm(request.POST)
    again = {"typed": typed, "form": form}
    try:
        result = services.review_save(
            review=review, data=typed.data, entries=typed.entries, expected_version=typed.expected_version,
            by=request.user, submitting=action == "submit",
        )
    except ConcurrencyError as exc:
        return _conflict(request, cell, year, month, review, exc, again)
    except ValidationError as exc:
        by_field, by_member, other = split_errors(exc, MonthlyReview.EDITABLE_FIELDS)
        set_errors(form, by_field)
        return _render(request, cell, year, month, review=review, row_errors=by_member, by_field=by_field,
                       top_errors=other, status=400,
                       notice=_("Biên bản chưa được lưu; nội dung bạn đã nhập vẫn ở bên dưới."), **again)
    for warning in result.warnings:
        messages.warning(request, warning)
    review = result.review
    if action == "submit":
        try:
            services.review_submit(review=review, expected_version=review.version, by=request.user)
        except ConcurrencyError as exc:
            return _conflict(request, cell, year, month, review, exc, again)
        except ValidationError as exc:
            typed.expected_version = review.version  # the draft was saved: continue from it
            by_field, by_member, other = split_errors(exc, MonthlyReview.EDITABLE_FIELDS)
            set_errors(form, by_field)
            return _render(
                request, cell, year, month, review=review, row_errors=by_member, by_field=by_field,
                top_errors=other, status=400,
                notice=_("Đã lưu nháp nhưng chưa gửi được: hãy bổ sung các chỗ được đánh dấu rồi bấm “Gửi” lại."),
                **again,
            )
        # the page's state banner says it was sent: one alert, not two
    else:
        messages.success(request, _("Đã lưu nháp biên bản tháng %(month)s.") % {"month": month_label(year, month)})
    return redirect(reverse("pledges:review", args=[cell.pk, year, month]))


def _conflict(request, cell, year: int, month: int, review: MonthlyReview, exc: ConcurrencyError, again: dict):
    """Both versions side by side; the form keeps what was typed and now carries the saved version,
    so saving again is a deliberate choice to keep the typed one."""
    diff = conflict_diff(review, again["typed"])
    again["typed"].expected_version = review.version
    return _render(request, cell, year, month, review=review, conflict=_conflict_message(review, exc),
                   diff=diff, status=409, **again)


def _conflict_message(review: MonthlyReview, exc: ConcurrencyError) -> str:
    who = conflict_who(review) + " " if exc.current_version > exc.expected_version else ""
    return who + _(
        "Nội dung bạn vừa nhập vẫn ở bên dưới nhưng CHƯA được lưu; bảng dưới đây đặt hai bản cạnh nhau. "
        "Bấm “Lưu nháp” để ghi bản của bạn đè lên, hoặc tải lại trang để dùng bản đã lưu."
    )


@require_http_methods(["GET"])
@login_required
def review_print(request, cell_id: int, year: int, month: int):
    """The record as a "biên bản" to print: the meeting, the members, the signatures; no menu."""
    check_month(year, month)
    cell = get_cell(request.user, cell_id)
    review = selectors.review_for(cell=cell, year=year, month=month)
    if review is None:
        raise Http404
    rows = _rows(review, None, {})
    present = sum(1 for r in rows if r["v"]["present"])
    return render(request, "pledges/review_print.html", {
        "cell": cell, "review": review, "rows": rows, "label": month_label(year, month), "year": year,
        "month": month, "ratings": ReviewEntry.Rating.choices,
        "counts": {"expected": len(rows), "present": present, "absent": len(rows) - present},
    })


@require_POST
@login_required
def review_decide(request, cell_id: int, year: int, month: int):
    """The committee above accepts the record, returns it with a reason, or reopens an accepted one."""
    check_month(year, month)
    cell = get_cell(request.user, cell_id, Action.REVIEW)
    review = selectors.review_for(cell=cell, year=year, month=month)
    if review is None:
        return _render(request, cell, year, month, review=None,
                       open_errors=[_("Chi bộ chưa có biên bản tháng này.")], status=404)
    action = request.POST.get("action")
    form = DecideForm(request.POST)
    try:
        if action == "accept":
            services.review_accept(review=review, by=request.user)
            messages.success(request, _("Đã chấp nhận biên bản tháng %(month)s của %(cell)s.")
                             % {"month": month_label(year, month), "cell": cell.name})
        elif action == "return":
            services.review_return(review=review, reason=request.POST.get("reason", ""), by=request.user)
            messages.success(request, _("Đã trả lại biên bản tháng %(month)s cho %(cell)s.")
                             % {"month": month_label(year, month), "cell": cell.name})
        elif action == "reopen":
            services.review_reopen(review=review, reason=request.POST.get("reason", ""), by=request.user)
            messages.success(request, _("Đã mở lại biên bản tháng %(month)s cho chi bộ sửa.")
                             % {"month": month_label(year, month)})
        else:
            return HttpResponseBadRequest(_("Thao tác không hợp lệ."))
    except ValidationError as exc:
        by_field, _members, other = split_errors(exc, ["reason"])
        set_errors(form, by_field)
        review.refresh_from_db()
        return _render(request, cell, year, month, review=review, decide_form=form, top_errors=other, status=400)
    return redirect(reverse("pledges:review", args=[cell.pk, year, month]))
