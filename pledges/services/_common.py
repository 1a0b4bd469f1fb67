"""What every service needs: the right check, text cleaning, and Vietnamese error helpers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from directive03 import formats
from directive03.forms import DATE_INVALID
from organizations import text as organizations_text
from organizations.access import Action, access_for, name_for
from organizations.models import Organization

from ..models.limits import FIRST_YEAR
from ..periods import today

Errors = dict[Any, list[str]]


def may(by, action: Action, org: Organization) -> bool:
    return access_for(by).can(action, org)


def require_review_on(by, org: Organization, on: dt.date) -> None:
    """PermissionDenied unless `by` reviews the records of `org` dated `on`: the units above it then
    (organizations.access.Access.reviews_on), with a role on a unit that still exists."""
    if not access_for(by).reviews_on(org, on):
        raise PermissionDenied(_("Bạn không có quyền duyệt hồ sơ của %(org)s.") % {"org": org.name})


def require(by, action: Action, org: Organization) -> None:
    """PermissionDenied unless `by` may do `action` on `org` (through organizations.access)."""
    if not may(by, action, org):
        if action == Action.REVIEW:
            raise PermissionDenied(_("Bạn không có quyền duyệt hồ sơ của %(org)s.") % {"org": name_for(by, org)})
        raise PermissionDenied(_("Bạn không có quyền cập nhật hồ sơ của %(org)s.") % {"org": name_for(by, org)})


def add_error(errors: Errors, key: Any, message: str) -> None:
    errors.setdefault(key, []).append(message)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def clean_text(
    value: Any, *, key: Any, errors: Errors, max_length: int, required: bool = False,
    required_message: str | None = None,
) -> str:
    """Clean text (organizations.text.clean_text) without outer blanks; errors are added, never raised.

    Markup is kept as typed (templates escape it on output).
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        add_error(errors, key, _("Giá trị không hợp lệ."))
        return ""
    text = organizations_text.clean_text(value).strip()
    if required and not text:
        add_error(errors, key, required_message or _("Không được để trống."))
    elif len(text) > max_length:
        add_error(
            errors, key,
            _("Nội dung quá dài: %(length)s ký tự, tối đa %(max)s ký tự.")
            % {"length": formats.number(len(text)), "max": formats.number(max_length)},
        )
    return text


def check_year(year: Any, *, errors: Errors, key: str = "year", allow_next: bool = False) -> bool:
    """A year between 2011 and this year (or next year when registering ahead)."""
    last = today().year + (1 if allow_next else 0)
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        add_error(
            errors, key,
            _("Năm phải từ %(first)s đến %(last)s.") % {"first": FIRST_YEAR, "last": last},
        )
        return False
    return True


def check_not_future(value: dt.date, *, key: str, errors: Errors, what: str) -> None:
    now = today()
    if value > now:
        add_error(
            errors, key,
            _("%(what)s không được sau ngày hôm nay (%(today)s).") % {"what": what, "today": formats.short_date(now)},
        )


def as_date(value: Any, *, key: str, errors: Errors) -> dt.date | None:
    """A date, a 'dd/mm/yyyy' (or ISO 'yyyy-mm-dd') string, or None; anything else is an error."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        add_error(errors, key, str(DATE_INVALID))
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return formats.parse_date(value)
        except ValueError:
            pass
    add_error(errors, key, str(DATE_INVALID))
    return None


def as_int(value: Any, *, key: str, errors: Errors) -> int | None:
    """An int, a string of digits (with an optional sign), or None; anything else is an error."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        add_error(errors, key, _("Phải là một số nguyên."))
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", value):
        return int(value)
    add_error(errors, key, _("Phải là một số nguyên."))
    return None


def as_bool(value: Any, *, key: Any, errors: Errors) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    add_error(errors, key, _("Giá trị không hợp lệ."))
    return False


def choice(value: Any, choices, *, key: Any, errors: Errors, allow_empty: bool = False) -> str | None:
    if allow_empty and value in (None, ""):
        return None
    if value in choices.values:
        return str(value)
    add_error(errors, key, _("Lựa chọn không hợp lệ."))
    return None
