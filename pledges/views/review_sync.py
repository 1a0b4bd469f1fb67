"""The monthly record saved in the background (autosave), its error summary and its conflict view.

The review page's script posts the whole form with the header X-Autosave; the answer is JSON:
200 saved (the new version), 400 refused (the error summary, nothing saved), 409 another editor
saved first (both versions side by side, nothing discarded). The page keeps its copy in the browser
until a 200 says the server has it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directive03 import formats

from .. import selectors, services
from ..exceptions import ConcurrencyError
from ..forms import MeetingForm, ReviewInput, parse_review, row_values
from ..models import MonthlyReview, ReviewEntry
from ..templatetags.pledges_ui import status_label
from ._common import error_messages, split_errors

ROW_LABELS = {
    "present": gettext_lazy("Có mặt"), "absence_reason": gettext_lazy("Lý do vắng"),
    "rating": gettext_lazy("Kết quả làm theo"), "note": gettext_lazy("Ghi chú"),
    "exemplary": gettext_lazy("Ghi vào sổ người tốt, việc tốt"),
    "exemplary_deed": gettext_lazy("Việc tốt được ghi nhận"), "criticised": gettext_lazy("Phê bình do chưa làm theo"),
    "criticism_note": gettext_lazy("Nội dung phê bình"),
}


def error_summary(*, names: dict[int, str], by_field: dict[str, list[str]], by_member: dict[int, list[str]],
                  other: list[str]) -> list[dict[str, str]]:
    """One list for the top of the page: each item says where (field or member) and links there."""
    labels = {name: str(f.label) for name, f in MeetingForm.base_fields.items()}
    items = [{"href": "", "text": m} for m in other]
    for name, messages in by_field.items():
        for m in messages:
            items.append({"href": f"#id_{name}", "text": f"{labels.get(name, name)}: {m}"})
    for member_id, messages in by_member.items():
        name = names.get(member_id, "")
        for m in messages:
            text = m if not name or name in m else f"{name}: {m}"
            items.append({"href": f"#row-{member_id}" if name else "", "text": text})
    return items


def _shown(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if name == "rating":
        return str(ReviewEntry.Rating(value).label) if value in ReviewEntry.Rating.values else "—"
    if value is None or value == "":
        return "—"
    return str(value)


def conflict_diff(review: MonthlyReview, typed: ReviewInput) -> list[dict[str, str]]:
    """What the user typed next to what is saved now, for every field where the two differ."""
    review.refresh_from_db()
    saved_form = MeetingForm.for_review(review)
    diff = []
    for name, f in MeetingForm.base_fields.items():
        theirs = saved_form.initial.get(name)
        mine = typed.data.get(name, "")
        if hasattr(theirs, "isoformat"):  # a date: compared as dates, shown as dd/mm/yyyy
            try:
                same = formats.parse_date(mine) == theirs
            except ValueError:
                same = False
            theirs = formats.short_date(theirs)
        else:
            theirs = "" if theirs is None else str(theirs)
            same = mine.strip() == theirs.strip()
        if not same:
            diff.append({"label": str(f.label), "mine": mine or "—", "theirs": theirs or "—"})
    for row in selectors.review_rows(review=review):
        saved = row_values(row.entry)
        mine_row = typed.rows.get(row.member.pk)
        if mine_row is None:
            continue
        for key, label in ROW_LABELS.items():
            if (mine_row.get(key) or "") != (saved.get(key) or ""):
                diff.append({"label": f"{row.member.full_name} – {label}", "mine": _shown(key, mine_row.get(key)),
                             "theirs": _shown(key, saved.get(key))})
    return diff


def conflict_who(review: MonthlyReview) -> str:
    last = selectors.review_events(review=review).last()
    if last is None:
        return ""
    return _("%(name)s đã lưu biên bản này lúc %(time)s.") % {
        "name": formats.person_name(last.by),
        "time": formats.short_datetime(last.at),
    }


def autosave(request, cell, year: int, month: int) -> JsonResponse:
    """Save the draft as typed and answer JSON; never a redirect, never a page."""
    try:
        review = services.review_open(cell=cell, year=year, month=month, by=request.user)
    except ValidationError as exc:
        return JsonResponse({"errors": [{"href": "", "text": m} for m in error_messages(exc)], "locked": True},
                            status=400)
    typed = parse_review(request.POST)
    try:
        result = services.review_save(review=review, data=typed.data, entries=typed.entries,
                                      expected_version=typed.expected_version, by=request.user)
    except ConcurrencyError:
        diff = conflict_diff(review, typed)
        if not diff:
            # what was sent is what is saved (a save whose answer was lost on the way back, sent again):
            # nothing to choose between, so no conflict; the page continues from the saved version
            review.refresh_from_db()
            return JsonResponse({"ok": True, "version": review.version, "state": status_label(review.state),
                                 "saved_at": timezone.localtime(review.updated_at).strftime("%H:%M"), "warnings": []})
        return JsonResponse({"conflict": True, "version": review.version, "who": conflict_who(review),
                             "diff": diff}, status=409)
    except ValidationError as exc:
        by_field, by_member, other = split_errors(exc, MonthlyReview.EDITABLE_FIELDS)
        names = {m.pk: m.full_name for m in selectors.members_in_month(cell=cell, year=year, month=month)}
        locked = getattr(exc, "code", None) == "state"
        return JsonResponse({"errors": error_summary(names=names, by_field=by_field, by_member=by_member,
                                                     other=other), "locked": locked}, status=400)
    saved = result.review
    return JsonResponse({
        "ok": True, "version": saved.version, "state": status_label(saved.state),
        "saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M"), "warnings": [str(w) for w in result.warnings],
    })
