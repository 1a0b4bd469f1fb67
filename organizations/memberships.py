"""A member's cell history (quá trình sinh hoạt): read it, check a new one, write it.

The one home of the rules on Membership periods: the import and the member's page both go through
check_history(). A history is a list of Periods in date order; each period's end is the next one's
start (no overlap, no gap). A period with no cell is time spent outside the province's cells
(chuyển sinh hoạt ra ngoài): it is how a gap is typed on purpose, and it is not stored.

Records kept in a higher app (pledges, monthly records, year end) must stay inside the history:
those apps register a guard (register_guard) from their AppConfig.ready, so this lower app never
imports them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import Action, access_for
from .models import Member, Membership, Organization


def date_label(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Period:
    """One period of a history: in `cell_id` (None: outside the province's cells) from start to end
    (exclusive; None: still)."""

    cell_id: int | None
    start: dt.date
    end: dt.date | None = None

    def overlaps(self, start: dt.date, end: dt.date) -> bool:
        return self.start < end and (self.end is None or self.end > start)


#: guard(histories: {member_id: [Period]}) -> {member_id: [message]}: records that would fall outside.
Guard = Callable[[dict[int, list[Period]]], dict[int, list[str]]]
_guards: list[Guard] = []


def register_guard(guard: Guard) -> None:
    if guard not in _guards:
        _guards.append(guard)


# -- reading -----------------------------------------------------------------------------------

def stored_history(member: Member) -> list[Period]:
    """The member's stored periods, with the gaps between them as periods outside (cell None)."""
    rows = list(Membership.objects.filter(member=member).order_by("start", "pk").values_list("cell_id", "start", "end"))
    return with_gaps([Period(*row) for row in rows], left_on=member.left_on)


def with_gaps(periods: list[Period], *, left_on: dt.date | None = None) -> list[Period]:
    out: list[Period] = []
    for period in periods:
        if out and out[-1].end is not None and out[-1].end < period.start:
            out.append(Period(None, out[-1].end, period.start))
        out.append(period)
    if out and out[-1].end is not None:
        out.append(Period(None, out[-1].end, None))
    elif not out and left_on is not None:
        out.append(Period(None, left_on, None))
    return out


def history_version(periods: Iterable[Period]) -> str:
    """A short token of a history, so that an editor opened earlier cannot overwrite a newer one."""
    text = ";".join(f"{p.cell_id}:{p.start}:{p.end}" for p in periods)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- checking ----------------------------------------------------------------------------------

def check_history(histories: dict[int, list[Period]], *, members: dict[int, Member],
                  cells: dict[int, Organization], today: dt.date | None = None) -> dict[int, list[str]]:
    """The messages that refuse each member's new history ({} when every history is right).

    `cells` holds every cell the histories name. Checks: dates in order, no overlap and no gap
    between consecutive periods, only the last period open, no future date, not before the member
    joined the Party, each period inside its cell's life; then the guards of the higher apps.
    """
    today = today or timezone.localdate()
    problems: dict[int, list[str]] = {}
    for member_id, periods in histories.items():
        member = members[member_id]
        messages = problems.setdefault(member_id, [])
        for i, period in enumerate(periods):
            line = i + 1
            if period.end is not None and period.end <= period.start:
                messages.append(_("Dòng %(line)s: ngày kết thúc %(end)s phải sau ngày bắt đầu %(start)s.") % {
                    "line": line, "end": date_label(period.end), "start": date_label(period.start)})
            if period.start > today or (period.end is not None and period.end > today):
                messages.append(_("Dòng %(line)s: chưa ghi được ngày trong tương lai (sau %(today)s).") % {
                    "line": line, "today": date_label(today)})
            if period.cell_id is not None and period.start < member.joined_on:
                messages.append(_("Dòng %(line)s: ngày %(start)s trước ngày vào Đảng %(joined)s.") % {
                    "line": line, "start": date_label(period.start), "joined": date_label(member.joined_on)})
            if i + 1 < len(periods):
                following = periods[i + 1]
                if period.end is None:
                    messages.append(_("Dòng %(line)s: chỉ dòng cuối cùng mới được để trống ngày kết thúc.")
                                    % {"line": line})
                elif following.start < period.end:
                    messages.append(_("Dòng %(line)s và dòng %(next)s trùng nhau: từ %(start)s đến %(end)s đảng viên "
                                      "ở hai nơi.") % {"line": line, "next": line + 1,
                                                       "start": date_label(following.start),
                                                       "end": date_label(period.end)})
                elif following.start > period.end:
                    messages.append(_("Giữa dòng %(line)s và dòng %(next)s bị hở: từ %(start)s đến %(end)s không rõ "
                                      "đảng viên sinh hoạt ở đâu. Nếu khi đó đảng viên ở ngoài tỉnh, hãy thêm một "
                                      "dòng “Ngoài đảng bộ tỉnh”.") % {
                                          "line": line, "next": line + 1, "start": date_label(period.end),
                                          "end": date_label(following.start)})
            cell = cells.get(period.cell_id) if period.cell_id is not None else None
            if cell is not None:
                if period.start < cell.valid_from or (
                        cell.valid_to is not None and (period.end is None or period.end > cell.valid_to)):
                    values = {"line": line, "cell": cell.name, "from": date_label(cell.valid_from)}
                    if cell.valid_to is None:
                        messages.append(_("Dòng %(line)s: %(cell)s chỉ hoạt động từ %(from)s.") % values)
                    else:
                        messages.append(_("Dòng %(line)s: %(cell)s chỉ hoạt động từ %(from)s đến %(to)s.")
                                        % {**values, "to": date_label(cell.valid_to)})
        if not messages:
            del problems[member_id]
    clean = {k: v for k, v in histories.items() if k not in problems}
    if clean:
        for guard in _guards:
            for member_id, messages in guard(clean).items():
                problems.setdefault(member_id, []).extend(messages)
    return problems


# -- writing -----------------------------------------------------------------------------------

def managed_cell(member: Member) -> Organization | None:
    """The cell whose managers manage the member: the current one, or the last one."""
    if member.cell_id is not None:
        return member.cell
    last = Membership.objects.filter(member=member).select_related("cell").order_by("-start").first()
    return last.cell if last else None


@transaction.atomic
def history_set(*, member: Member, periods: list[Period], version: str, by) -> Member:
    """Replace the member's cell history with `periods` (as typed on the member's page).

    Refused (ValidationError, nothing written) when the history changed since the page was opened
    (`version`), when a period the user may not manage was changed, or when check_history refuses it.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    current = stored_history(member)
    if history_version(current) != version:
        raise ValidationError(_("Quá trình sinh hoạt vừa được người khác sửa. Trang đã hiện bản mới nhất; "
                                "hãy xem lại và nhập lại thay đổi."), code="conflict")
    access = access_for(by)
    cell_ids = {p.cell_id for p in [*current, *periods] if p.cell_id is not None}
    cells = {c.pk: c for c in Organization.objects.filter(pk__in=cell_ids)}
    managed = {pk for pk, c in cells.items() if access.can(Action.MANAGE_MEMBERS, c)}
    locked_before = [p for p in current if p.cell_id is not None and p.cell_id not in managed]
    locked_after = [p for p in periods if p.cell_id is not None and p.cell_id not in managed]
    if locked_before != locked_after:
        raise ValidationError(_("Chỉ sửa được quá trình sinh hoạt tại các chi bộ mình quản lý; các dòng của "
                                "chi bộ khác phải giữ nguyên."), code="not_managed")
    if not any(p.cell_id is not None for p in periods):
        raise ValidationError(_("Quá trình sinh hoạt phải có ít nhất một chi bộ."), code="empty")
    problems = check_history({member.pk: periods}, members={member.pk: member}, cells=cells)
    if problems:
        raise ValidationError(problems[member.pk], code="invalid")
    Membership.objects.filter(member=member).delete()
    Membership.objects.bulk_create(
        [Membership(member=member, cell_id=p.cell_id, start=p.start, end=p.end) for p in periods if p.cell_id]
    )
    last = periods[-1]
    if last.cell_id is not None and last.end is None:
        member.cell_id, member.left_on = last.cell_id, None
    else:
        member.cell_id, member.left_on = None, last.start if last.cell_id is None else last.end
    member.save(update_fields=["cell", "left_on"])
    return member
