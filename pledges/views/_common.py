"""What the pledges views share: the cell through the access layer, URL periods, error splitting."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from organizations.access import Action, access_for, get_org_for_user
from organizations.models import Organization

from ..models.limits import FIRST_YEAR
from ..periods import today


def get_cell(user, cell_id: int, action: Action = Action.READ) -> Organization:
    """The cell `cell_id` if the user may read it (else 404; a unit that is not a cell is 404 too)
    and may do `action` on it (else 403)."""
    org = get_org_for_user(user, cell_id, Action.READ)
    if not org.is_cell:
        raise Http404
    if action != Action.READ:
        require(user, action, org)
    return org


def get_committee(user, unit_id: int) -> Organization:
    """A committee (any unit above the cells) the user may read; 404 otherwise."""
    org = get_org_for_user(user, unit_id, Action.READ)
    if org.is_cell:
        raise Http404
    return org


def require(user, action: Action, org: Organization) -> None:
    """403 unless the user may do `action` on `org` (the unit was already read through the access layer)."""
    if not access_for(user).can(action, org):
        raise PermissionDenied


def check_year(year: int) -> None:
    """A year in the URL outside 2011..next year is a page that does not exist."""
    if not FIRST_YEAR <= year <= today().year + 1:
        raise Http404


def check_month(year: int, month: int) -> None:
    check_year(year)
    if not 1 <= month <= 12:
        raise Http404


def error_messages(exc: ValidationError) -> list[str]:
    """All messages of a ValidationError, whatever its shape."""
    return [str(m) for m in exc.messages]


def split_errors(exc: ValidationError, fields: Iterable[str]) -> tuple[dict[str, list[str]], dict[int, list[str]], list[str]]:
    """(field -> messages, member id -> messages, the rest) of a service's ValidationError."""
    known = set(fields)
    by_field: dict[str, list[str]] = {}
    by_member: dict[int, list[str]] = {}
    other: list[str] = []
    if not hasattr(exc, "error_dict"):
        return by_field, by_member, error_messages(exc)
    for key, errors in exc.error_dict.items():
        messages = [str(m) for e in errors for m in e.messages]
        if isinstance(key, int) and not isinstance(key, bool):
            by_member.setdefault(key, []).extend(messages)
        elif key in known:
            by_field.setdefault(key, []).extend(messages)
        else:
            other.extend(messages)
    return by_field, by_member, other


def parse_int(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
        return int(value)
    return None
