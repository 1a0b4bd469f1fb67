"""Template context for every page: the unread notifications badge of the navbar."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from . import notifications


def unread_notifications(request) -> dict:
    """`unread_notifications`: one COUNT query, run only when a template shows it and only for a
    signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: notifications.unread_count(user))}
