"""The monthly cell meeting record: open, save (optimistic lock), submit, accept, return, reopen.

Every write checks the record's state and the user's right, and runs in one transaction; each
write bumps `version` and leaves a ReviewEvent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.access import Action
from organizations.models import Member, Organization

from ..exceptions import ConcurrencyError
from ..models import MonthlyReview, ReviewEntry, ReviewEvent
from ..models.limits import COMMITMENT_MAX, MINUTES_ADVISED, MINUTES_MAX, NOTE_MAX, TEXT_MAX
from ..periods import date_label, is_future_month, month_bounds, month_label, review_date, today
from ..selectors import members_in_month
from ..signals import review_decided
from ._common import (
    Errors,
    add_error,
    as_bool,
    as_date,
    as_int,
    check_year,
    choice,
    clean_text,
    raise_if,
    require,
    require_review_on,
)

State = MonthlyReview.State
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
ENTRY_KEYS = frozenset({
    "member", "present", "absence_reason", "rating", "note",
    "exemplary", "exemplary_deed", "criticised", "criticism_note",
})
ENTRY_FIELDS = (
    "present", "absence_reason", "rating", "note", "exemplary", "exemplary_deed", "criticised", "criticism_note",
)


@dataclass(frozen=True)
class SaveResult:
    """The saved record and the warnings the secretary should see (not errors: it was saved)."""

    review: MonthlyReview
    warnings: list[str] = field(default_factory=list)


# -- helpers ------------------------------------------------------------------------------------
def _lock(review: MonthlyReview) -> MonthlyReview:
    return MonthlyReview.objects.select_for_update(of=("self",)).select_related("cell").get(pk=review.pk)


def _sync(target: MonthlyReview, source: MonthlyReview) -> None:
    """Copy the saved state into the caller's instance so it is not stale."""
    for f in MonthlyReview._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _check_version(review: MonthlyReview, expected_version: int) -> None:
    if review.version != expected_version:
        raise ConcurrencyError(
            _(
                "Biên bản sinh hoạt tháng %(month)s đã được cập nhật sau khi bạn mở (bạn sửa phiên bản "
                "%(expected)s, hiện là phiên bản %(current)s). Thay đổi của bạn chưa được lưu; hãy tải lại "
                "trang để xem nội dung mới nhất rồi nhập lại."
            ) % {"month": month_label(review.year, review.month), "expected": expected_version,
                 "current": review.version},
            current_version=review.version, expected_version=expected_version,
        )


def _check_editable(review: MonthlyReview) -> None:
    if review.state not in EDITABLE_STATES:
        raise ValidationError(
            _("Biên bản đang ở trạng thái “%(state)s” nên không thể sửa hay gửi lại.")
            % {"state": review.get_state_display()},
            code="state",
        )


def _bump(review: MonthlyReview, fields: list[str], *, action: str, by, reason: str = "") -> None:
    review.version += 1
    review.save(update_fields=[*fields, "version", "updated_at"])
    ReviewEvent.objects.create(review=review, action=action, by=by, reason=reason, version=review.version)


def _member_id(value: Any) -> int | None:
    if isinstance(value, Member):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


# -- open ---------------------------------------------------------------------------------------
def review_check_open(*, cell: Organization, year: int, month: int, by) -> None:
    """Raise what review_open would refuse: no right to edit the cell, not a cell, a bad or future
    month, a month the cell did not exist. The page checks this before showing an empty form."""
    require(by, Action.EDIT_CELL, cell)
    errors: Errors = {}
    if not cell.is_cell:
        add_error(errors, "cell", _("Chỉ chi bộ mới có biên bản sinh hoạt chi bộ."))
    check_year(year, errors=errors)
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        add_error(errors, "month", _("Tháng phải từ 1 đến 12."))
    raise_if(errors)
    if is_future_month(year, month):
        raise ValidationError(
            {"month": [_("Tháng %(month)s chưa đến, chưa thể lập biên bản.") % {"month": month_label(year, month)}]}
        )
    start, end = month_bounds(year, month)
    if not (cell.valid_from < end and (cell.valid_to is None or cell.valid_to > start)):
        raise ValidationError(
            {"month": [_("Chi bộ không hoạt động trong tháng %(month)s.") % {"month": month_label(year, month)}]}
        )


@transaction.atomic
def review_open(*, cell: Organization, year: int, month: int, by) -> MonthlyReview:
    """The cell's record for the month, created as a draft if there is none (on the first save: only
    looking at a month creates nothing). A future month is refused."""
    review_check_open(cell=cell, year=year, month=month, by=by)
    review, _created = MonthlyReview.objects.get_or_create(cell=cell, year=year, month=month)
    return review


# -- save ---------------------------------------------------------------------------------------
def _clean_fields(review: MonthlyReview, data: Mapping[str, Any], errors: Errors, warnings: list[str]) -> dict:
    unknown = set(data) - set(MonthlyReview.EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"review_save: unknown fields {sorted(unknown)}")
    merged = {name: getattr(review, name) for name in MonthlyReview.EDITABLE_FIELDS}
    merged.update(data)
    cleaned: dict[str, Any] = {}

    meeting_date = as_date(merged["meeting_date"], key="meeting_date", errors=errors)
    if meeting_date is not None:
        start, end = month_bounds(review.year, review.month)
        if not start <= meeting_date < end:
            add_error(
                errors, "meeting_date",
                _("Ngày sinh hoạt phải nằm trong tháng %(month)s.") % {"month": month_label(review.year, review.month)},
            )
        elif meeting_date > today():
            add_error(
                errors, "meeting_date",
                _("Ngày sinh hoạt không được sau ngày hôm nay (%(today)s).") % {"today": date_label(today())},
            )
    cleaned["meeting_date"] = meeting_date

    minutes = as_int(merged["directive_minutes"], key="directive_minutes", errors=errors)
    if minutes is not None:
        if minutes < 0:
            add_error(errors, "directive_minutes", _("Thời lượng không được là số âm."))
        elif minutes > MINUTES_MAX:
            add_error(
                errors, "directive_minutes",
                _("Thời lượng tối đa là %(max)s phút.") % {"max": MINUTES_MAX},
            )
        elif minutes < MINUTES_ADVISED:
            warnings.append(
                _("Thời lượng học tập, làm theo chỉ %(minutes)s phút, ít hơn %(advised)s phút theo hướng dẫn.")
                % {"minutes": minutes, "advised": MINUTES_ADVISED}
            )
    cleaned["directive_minutes"] = minutes

    for name in MonthlyReview.TEXT_FIELDS:
        cleaned[name] = clean_text(merged[name], key=name, errors=errors, max_length=TEXT_MAX)
    return cleaned


def _clean_entry(raw: Mapping[str, Any], member: Member, errors: Errors) -> dict[str, Any]:
    key = member.pk
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise ValueError(f"review_save: unknown entry keys {sorted(unknown)}")
    row: dict[str, Any] = {}
    row["present"] = as_bool(raw.get("present", True), key=key, errors=errors)
    row["absence_reason"] = clean_text(raw.get("absence_reason"), key=key, errors=errors, max_length=NOTE_MAX)
    row["rating"] = choice(raw.get("rating"), ReviewEntry.Rating, key=key, errors=errors, allow_empty=True)
    row["note"] = clean_text(raw.get("note"), key=key, errors=errors, max_length=NOTE_MAX)
    row["exemplary"] = as_bool(raw.get("exemplary"), key=key, errors=errors)
    deed = clean_text(raw.get("exemplary_deed"), key=key, errors=errors, max_length=COMMITMENT_MAX)
    if row["exemplary"] and not deed:
        add_error(errors, key, _("%(name)s: ghi vào sổ người tốt, việc tốt cần nêu việc tốt.") % {"name": member.full_name})
    row["exemplary_deed"] = deed if row["exemplary"] else ""
    row["criticised"] = as_bool(raw.get("criticised"), key=key, errors=errors)
    criticism = clean_text(raw.get("criticism_note"), key=key, errors=errors, max_length=COMMITMENT_MAX)
    if row["criticised"] and not criticism:
        add_error(errors, key, _("%(name)s: phê bình cần ghi nội dung phê bình.") % {"name": member.full_name})
    row["criticism_note"] = criticism if row["criticised"] else ""
    if row["present"]:
        row["absence_reason"] = ""
    return row


def _clean_entries(review: MonthlyReview, entries: Sequence[Mapping[str, Any]], errors: Errors) -> dict[int, dict]:
    """Exactly one row per member who belonged to the cell in the month; no row for anyone else."""
    if isinstance(entries, (str, bytes)) or not isinstance(entries, Sequence):
        raise TypeError("entries must be a list of dicts")
    label = month_label(review.year, review.month)
    members = {m.pk: m for m in members_in_month(cell=review.cell, year=review.year, month=review.month)}
    rows: dict[int, dict] = {}
    for raw in entries:
        if not isinstance(raw, Mapping):
            raise TypeError("each entry must be a dict")
        member_id = _member_id(raw.get("member"))
        if member_id is None:
            add_error(errors, "entries", _("Có dòng không xác định được đảng viên."))
            continue
        member = members.get(member_id)
        if member is None:
            add_error(
                errors, member_id,
                _("Đảng viên (mã %(id)s) không sinh hoạt tại chi bộ này trong tháng %(month)s.")
                % {"id": member_id, "month": label},
            )
            continue
        if member_id in rows:
            add_error(errors, member_id, _("%(name)s có nhiều hơn một dòng.") % {"name": member.full_name})
            continue
        rows[member_id] = _clean_entry(raw, member, errors)
    for member_id, member in members.items():
        if member_id not in rows and member_id not in errors:
            add_error(
                errors, member_id,
                _("Thiếu dòng của đảng viên %(name)s (sinh hoạt tại chi bộ trong tháng %(month)s).")
                % {"name": member.full_name, "month": label},
            )
    return rows


def _write_entries(review: MonthlyReview, rows: dict[int, dict]) -> None:
    """Update changed rows in place, create new ones, delete rows of members no longer in the month.

    bulk_update writes only the fields that changed in some row: its CASE per field and row is most
    of the time of a save (all 8 fields of 60 rows took ~150 ms of Python; one field, a fraction).
    """
    existing = {e.member_id: e for e in ReviewEntry.objects.filter(review=review)}
    to_update, to_create, changed = [], [], set()
    for member_id, row in rows.items():
        entry = existing.pop(member_id, None)
        if entry is None:
            to_create.append(ReviewEntry(review=review, member_id=member_id, **row))
            continue
        fields = {k for k, v in row.items() if getattr(entry, k) != v}
        if fields:
            for k in fields:
                setattr(entry, k, row[k])
            changed |= fields
            to_update.append(entry)
    if existing:  # rows of members no longer in the month (membership corrected since)
        ReviewEntry.objects.filter(pk__in=[e.pk for e in existing.values()]).delete()
    if to_update:
        ReviewEntry.objects.bulk_update(to_update, [f for f in ENTRY_FIELDS if f in changed])
    if to_create:
        ReviewEntry.objects.bulk_create(to_create)


@transaction.atomic
def review_save(
    *, review: MonthlyReview, data: Mapping[str, Any], entries: Sequence[Mapping[str, Any]],
    expected_version: int, by, submitting: bool = False,
) -> SaveResult:
    """Save a draft or returned record and its rows, all or nothing.

    `data` holds any of MonthlyReview.EDITABLE_FIELDS (missing keys keep their value); `entries`
    has one dict per member of the month: member (id or Member), present, absence_reason, rating,
    note, exemplary, exemplary_deed, criticised, criticism_note.

    Raises PermissionDenied (no Action.EDIT_CELL on the cell), ValidationError with code "state"
    (not DRAFT/RETURNED), ConcurrencyError (`expected_version` is stale), or ValidationError with a
    dict: field name -> messages, member id (int) -> messages for that member's row.
    `submitting`: the save is the first half of a submission; when it is refused, the refusal also
    names what the submission would miss, so the secretary gets every check at once, not in two rounds.
    """
    require(by, Action.EDIT_CELL, review.cell)
    locked = _lock(review)
    _check_editable(locked)
    _check_version(locked, expected_version)
    errors: Errors = {}
    warnings: list[str] = []
    values = _clean_fields(locked, data, errors, warnings)
    rows = _clean_entries(locked, entries, errors)
    if errors and submitting:
        _missing_for_submit(locked, values, rows, errors)
    raise_if(errors)
    for name, value in values.items():
        setattr(locked, name, value)
    _write_entries(locked, rows)
    _bump(locked, list(values), action=ReviewEvent.Action.SAVE, by=by)
    _sync(review, locked)
    return SaveResult(review=locked, warnings=warnings)


def _missing_for_submit(review: MonthlyReview, values: Mapping[str, Any], rows: Mapping[int, Mapping[str, Any]],
                        errors: Errors) -> None:
    """Add what review_submit would refuse in what was typed (fields already in error are skipped)."""
    if values.get("meeting_date") is None and "meeting_date" not in errors:
        add_error(errors, "meeting_date", _("Chưa nhập ngày sinh hoạt."))
    if values.get("directive_minutes") is None and "directive_minutes" not in errors:
        add_error(errors, "directive_minutes", _("Chưa nhập thời lượng học tập, làm theo."))
    members = {m.pk: m for m in members_in_month(cell=review.cell, year=review.year, month=review.month)}
    for member_id, row in rows.items():
        if row["present"] and not row["rating"] and member_id in members:
            add_error(errors, member_id, _("Chưa đánh giá kết quả làm theo của %(name)s.")
                      % {"name": members[member_id].full_name})


# -- transitions --------------------------------------------------------------------------------
@transaction.atomic
def review_submit(*, review: MonthlyReview, expected_version: int, by) -> MonthlyReview:
    """Send the record to the committee. Needs the meeting date, the minutes, a row for every member
    of the month and a rating for every member present."""
    require(by, Action.EDIT_CELL, review.cell)
    locked = _lock(review)
    _check_editable(locked)
    _check_version(locked, expected_version)
    errors: Errors = {}
    if locked.meeting_date is None:
        add_error(errors, "meeting_date", _("Chưa nhập ngày sinh hoạt."))
    if locked.directive_minutes is None:
        add_error(errors, "directive_minutes", _("Chưa nhập thời lượng học tập, làm theo."))
    members = {m.pk: m for m in members_in_month(cell=locked.cell, year=locked.year, month=locked.month)}
    entries = {e.member_id: e for e in ReviewEntry.objects.filter(review=locked).select_related("member")}
    for member_id, member in members.items():
        entry = entries.get(member_id)
        if entry is None:
            add_error(errors, member_id, _("Thiếu dòng của đảng viên %(name)s.") % {"name": member.full_name})
        elif entry.present and not entry.rating:
            add_error(errors, member_id, _("Chưa đánh giá kết quả làm theo của %(name)s.") % {"name": member.full_name})
    for member_id, entry in entries.items():
        if member_id not in members:
            add_error(
                errors, member_id,
                _("%(name)s không còn sinh hoạt tại chi bộ trong tháng này; hãy lưu lại biên bản.")
                % {"name": entry.member.full_name},
            )
    raise_if(errors)
    locked.state = State.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.decided_at = None
    locked.decided_by = None
    locked.return_reason = ""
    _bump(
        locked, ["state", "submitted_at", "submitted_by", "decided_at", "decided_by", "return_reason"],
        action=ReviewEvent.Action.SUBMIT, by=by,
    )
    _sync(review, locked)
    review_decided.send(sender=MonthlyReview, review=locked, action=ReviewEvent.Action.SUBMIT, by=by)
    return locked


def _decide(review: MonthlyReview, *, by, from_state: str, to_state: str, action: str, reason: str = "") -> MonthlyReview:
    require_review_on(by, review.cell, review_date(review.year, review.month))
    locked = _lock(review)
    if locked.state != from_state:
        raise ValidationError(
            _("Biên bản đang ở trạng thái “%(state)s”, không thể %(action)s.")
            % {"state": locked.get_state_display(), "action": ReviewEvent.Action(action).label.lower()},
            code="state",
        )
    locked.state = to_state
    locked.decided_at = timezone.now()
    locked.decided_by = by
    fields = ["state", "decided_at", "decided_by"]
    if reason:
        locked.return_reason = reason
        fields.append("return_reason")
    _bump(locked, fields, action=action, by=by, reason=reason)
    _sync(review, locked)
    review_decided.send(sender=MonthlyReview, review=locked, action=action, by=by)
    return locked


def _reason(reason: Any) -> str:
    errors: Errors = {}
    text = clean_text(
        reason, key="reason", errors=errors, max_length=COMMITMENT_MAX, required=True,
        required_message=_("Hãy nêu lý do."),
    )
    raise_if(errors)
    return text


@transaction.atomic
def review_accept(*, review: MonthlyReview, by) -> MonthlyReview:
    """The committee above accepts a submitted record (Action.REVIEW on the cell)."""
    return _decide(review, by=by, from_state=State.SUBMITTED, to_state=State.ACCEPTED, action=ReviewEvent.Action.ACCEPT)


@transaction.atomic
def review_return(*, review: MonthlyReview, reason: str, by) -> MonthlyReview:
    """The committee above returns a submitted record with its reason; the cell can then fix and resubmit."""
    require_review_on(by, review.cell, review_date(review.year, review.month))
    return _decide(
        review, by=by, from_state=State.SUBMITTED, to_state=State.RETURNED,
        action=ReviewEvent.Action.RETURN, reason=_reason(reason),
    )


@transaction.atomic
def review_reopen(*, review: MonthlyReview, reason: str, by) -> MonthlyReview:
    """The committee above reopens an accepted record (it becomes RETURNED, with the reason)."""
    require_review_on(by, review.cell, review_date(review.year, review.month))
    return _decide(
        review, by=by, from_state=State.ACCEPTED, to_state=State.RETURNED,
        action=ReviewEvent.Action.REOPEN, reason=_reason(reason),
    )


__all__ = [
    "SaveResult", "review_accept", "review_check_open", "review_open", "review_reopen", "review_return", "review_save", "review_submit",
]
