"""A member's page: who they are and their cell history, which a manager of their cell may edit."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import memberships
from .access import Action, access_for, get_member_for_user
from .memberships import Period
from .models import Level, Member, Organization

MAX_ROWS = 40
EXTRA_ROWS = 2
OUTSIDE = "0"  # the cell choice "outside the province's cells"
DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
ISO_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_date(text: str) -> dt.date | None:
    """dd/mm/yyyy as Vietnamese users type it (yyyy-mm-dd, what a date picker sends, too). None if empty;
    ValueError if it is not a date."""
    text = (text or "").strip()
    if not text:
        return None
    match = DATE_RE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = ISO_RE.match(text)
        if not match:
            raise ValueError(text)
        year, month, day = (int(g) for g in match.groups())
    return dt.date(year, month, day)


def _label(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _cell_choices(user, member: Member, history: list[Period]) -> list[Organization]:
    """Cells the user may put the member in: the managed cells of the member's history and the
    active cells beside them (under the same committee)."""
    access = access_for(user)
    ids = {p.cell_id for p in history if p.cell_id}
    cells = list(Organization.objects.filter(pk__in=ids))
    beside = Q()
    for c in cells:
        if c.depth > 1:
            beside |= Q(path__startswith=c.path[: len(c.path) - Organization.steplen], depth=c.depth)
    siblings = Organization.objects.filter(beside, level=Level.CELL, valid_to__isnull=True)[:500] if beside else []
    found = {c.pk: c for c in [*cells, *siblings]}
    return sorted((c for c in found.values() if access.can(Action.MANAGE_MEMBERS, c)), key=lambda c: c.path)


def _rows_from_history(history: list[Period], names: dict[int, str], managed: set[int]) -> list[dict]:
    rows = []
    for p in history:
        rows.append({"cell": str(p.cell_id) if p.cell_id else OUTSIDE, "start": _label(p.start), "end": _label(p.end),
                     "locked": bool(p.cell_id) and p.cell_id not in managed,
                     "name": names.get(p.cell_id, "") if p.cell_id else _("Ngoài đảng bộ tỉnh")})
    return rows


def _rows_from_post(post, names: dict[int, str], managed: set[int]) -> tuple[list[dict], list[Period], list[str]]:
    """The typed rows (kept to show them again), the periods they make, and the row errors."""
    try:
        count = min(int(post.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows, periods, errors = [], [], []
    for i in range(count):
        cell = post.get(f"cell_{i}", "").strip()
        start_text, end_text = post.get(f"start_{i}", ""), post.get(f"end_{i}", "")
        cell_id = int(cell) if cell.isdigit() and cell != OUTSIDE else None
        rows.append({"cell": cell, "start": start_text.strip(), "end": end_text.strip(),
                     "locked": cell_id is not None and cell_id not in managed,
                     "name": names.get(cell_id, "") if cell_id else _("Ngoài đảng bộ tỉnh")})
        if not cell and not start_text.strip() and not end_text.strip():
            continue  # an empty extra row
        line = len(periods) + 1
        if cell != OUTSIDE and cell_id is None:
            errors.append(_("Dòng %(line)s: hãy chọn chi bộ.") % {"line": line})
        elif cell_id is not None and cell_id not in names:
            errors.append(_("Dòng %(line)s: chi bộ không hợp lệ.") % {"line": line})
        try:
            start, end = parse_date(start_text), parse_date(end_text)
        except ValueError:
            errors.append(_("Dòng %(line)s: ngày phải ghi theo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 01/07/2010.")
                          % {"line": line})
            continue
        if start is None:
            errors.append(_("Dòng %(line)s: chưa ghi ngày bắt đầu.") % {"line": line})
            continue
        periods.append(Period(cell_id, start, end))
    periods.sort(key=lambda p: p.start)
    if not periods and not errors:
        errors.append(_("Quá trình sinh hoạt phải có ít nhất một chi bộ."))
    return rows, periods, errors


@require_http_methods(["GET", "POST"])
@login_required
def member_detail(request, member_id: int):
    member = get_member_for_user(request.user, member_id)
    access = access_for(request.user)
    home = memberships.managed_cell(member)
    can_edit = home is not None and access.can(Action.MANAGE_MEMBERS, home)
    history = memberships.stored_history(member)
    choices = _cell_choices(request.user, member, history) if can_edit else []
    managed = {c.pk for c in choices}
    history_cells = {c.pk: c for c in Organization.objects.filter(pk__in={p.cell_id for p in history if p.cell_id})}
    names = {pk: c.name if access.reads(c) else _("Chi bộ ngoài phạm vi quản lý") for pk, c in history_cells.items()}
    names.update({c.pk: c.name for c in choices})
    version = memberships.history_version(history)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not can_edit:
            member = get_member_for_user(request.user, member_id, Action.MANAGE_MEMBERS)  # 403
        rows, periods, errors = _rows_from_post(request.POST, names, managed)
        if not errors:
            try:
                memberships.history_set(member=member, periods=periods, version=request.POST.get("version", ""),
                                        by=request.user)
            except ValidationError as exc:
                errors = list(exc.messages)  # on a conflict the table above is the newest history, rows kept
            else:
                messages.success(request, _("Đã lưu quá trình sinh hoạt của %(name)s.") % {"name": member.full_name})
                return redirect("organizations:member", member_id=member.pk)
        status = 400
    else:
        rows = _rows_from_history(history, names, managed)
    if can_edit:
        rows = rows + [{"cell": "", "start": "", "end": "", "locked": False, "name": ""}] * EXTRA_ROWS
    shown = [{"name": names.get(p.cell_id, "") if p.cell_id else _("Ngoài đảng bộ tỉnh"), "period": p,
              "cell": history_cells.get(p.cell_id) if p.cell_id and access.reads(history_cells[p.cell_id]) else None}
             for p in history]
    context = {
        "member": member, "home": home if home and access.reads(home) else None, "history": shown,
        "can_edit": can_edit, "rows": rows, "row_count": len(rows), "choices": choices, "outside": OUTSIDE,
        "version": version, "errors": errors,
    }
    return render(request, "organizations/member_detail.html", context, status=status)
