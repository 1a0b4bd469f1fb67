"""Template helpers of the pledges pages: status labels and colours, the navigation items."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.access import access_for
from organizations.models import Level, Role

from ..models import MonthlyReview, ReviewEntry
from ..periods import today
from ..selectors import FUTURE, NONE

register = template.Library()

State = MonthlyReview.State

#: How a month's status reads on the strip and in the committee's list.
STATUS_LABELS = {
    NONE: _("Chưa có biên bản"),
    State.DRAFT: _("Nháp"),
    State.SUBMITTED: _("Đã gửi"),
    State.RETURNED: _("Bị trả lại"),
    State.ACCEPTED: _("Đã chấp nhận"),
    FUTURE: _("Chưa đến"),
}
#: Bootstrap colour classes per status (badge and strip box).
STATUS_CLASSES = {
    NONE: "text-bg-light border",
    State.DRAFT: "text-bg-warning",
    State.SUBMITTED: "text-bg-primary",
    State.RETURNED: "text-bg-danger",
    State.ACCEPTED: "text-bg-success",
    FUTURE: "bg-body-tertiary text-body-secondary border",  # readable (4.5:1), not faded
}
#: one letter per rating in the year grid (and its legend)
RATING_SHORT = {
    ReviewEntry.Rating.GOOD: pgettext_lazy("viết tắt: Tốt", "T"),
    ReviewEntry.Rating.PASS: pgettext_lazy("viết tắt: Đạt", "Đ"),
    ReviewEntry.Rating.FAIL: pgettext_lazy("viết tắt: Chưa đạt", "C"),
}
RATING_CLASSES = {
    ReviewEntry.Rating.GOOD: "success", ReviewEntry.Rating.PASS: "primary", ReviewEntry.Rating.FAIL: "danger",
}

COMMITTEE_KINDS = (Role.Kind.REVIEWER, Role.Kind.APPROVER, Role.Kind.BOARD, Role.Kind.ADMIN)


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def rating_short(rating: str | None) -> str:
    return str(RATING_SHORT.get(rating, ""))


@register.filter
def rating_class(rating: str | None) -> str:
    return RATING_CLASSES.get(rating, "secondary")


@register.filter
def get_item(mapping, key):
    """{{ errors|get_item:member.pk }}"""
    if not mapping:
        return None
    return mapping.get(key)


@register.inclusion_tag("pledges/_nav.html", takes_context=True)
def pledges_nav(context) -> dict:
    """'Chi bộ của tôi' for cell secretaries, 'Theo dõi sinh hoạt' for committee roles.

    Built from the user's roles the access layer already loaded for the request: no extra query.
    """
    user = context.get("user")
    items: list[tuple[str, str]] = []
    if user is None or not user.is_authenticated:
        return {"items": items}
    access = access_for(user)
    cells = sorted({g.org_id for g in access.grants if g.kind == Role.Kind.CELL_SECRETARY})
    committees = sorted({
        g.org_id for g in access.grants if g.kind in COMMITTEE_KINDS and g.level != Level.CELL
    })
    if cells:
        url = reverse("pledges:cell", args=[cells[0]]) if len(cells) == 1 else reverse("pledges:mine")
        items.append((url, str(_("Chi bộ của tôi"))))
    if committees or access.is_superuser:
        if len(committees) == 1 and not access.is_superuser:
            now = today()
            url = reverse("pledges:committee_month", args=[committees[0], now.year, now.month])
        else:
            url = reverse("pledges:committee")
        items.append((url, str(_("Theo dõi sinh hoạt"))))
    return {"items": items, "path": getattr(context.get("request"), "path", "")}
