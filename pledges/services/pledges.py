"""Registering and amending pledges (bản đăng ký học tập và làm theo)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from directive03.concurrency import check_token
from organizations.access import Action
from organizations.models import Member, Organization

from ..models import Pledge, PledgeCommitment, PledgeRevision
from ..models.limits import COMMITMENT_MAX
from ..periods import date_label
from ..selectors import cell_of_member_on, directive_for_year, pledge_token
from ._common import Errors, add_error, check_not_future, check_year, clean_text, may, raise_if, require

#: More than this in one pledge is a paste accident, not a plan.
MAX_COMMITMENTS = 50


def propose_kind(member: Member) -> str:
    """'Nêu gương' for key cadres and the cell's secretary or deputy, else 'gương mẫu thực hiện'.

    A proposal: the cell secretary may register another kind.
    """
    if member.is_key_cadre or member.position in (Member.Position.SECRETARY, Member.Position.DEPUTY):
        return Pledge.Kind.SET_EXAMPLE
    return Pledge.Kind.EXEMPLARY


def _clean_commitments(commitments: Sequence, errors: Errors) -> list[tuple[str, str]]:
    """At least one commitment; each content non-empty and ≤ 1,000 characters."""
    if isinstance(commitments, (str, bytes)) or not isinstance(commitments, Sequence):
        raise TypeError("commitments must be a list of (content, verification) pairs")
    if not commitments:
        add_error(errors, "commitments", _("Cần ít nhất một nội dung cam kết."))
        return []
    if len(commitments) > MAX_COMMITMENTS:
        add_error(
            errors, "commitments",
            _("Tối đa %(max)s nội dung cam kết trong một bản đăng ký.") % {"max": MAX_COMMITMENTS},
        )
        return []
    cleaned = []
    for i, item in enumerate(commitments, start=1):
        if isinstance(item, str):
            content, verification = item, ""
        else:
            content, verification = item
        item_errors: Errors = {}
        content = clean_text(
            content, key="content", errors=item_errors, max_length=COMMITMENT_MAX, required=True,
            required_message=_("nội dung cam kết không được để trống."),
        )
        verification = clean_text(verification, key="verification", errors=item_errors, max_length=COMMITMENT_MAX)
        for messages in item_errors.values():
            for message in messages:
                add_error(errors, "commitments", _("Cam kết thứ %(n)s: %(message)s") % {"n": i, "message": message})
        cleaned.append((content, verification))
    return cleaned


def _create_revision(
    *, pledge: Pledge, number: int, on: dt.date, reason: str, commitments: list[tuple[str, str]], by
) -> PledgeRevision:
    revision = PledgeRevision.objects.create(
        pledge=pledge, number=number, valid_from=on, reason=reason, created_by=by
    )
    PledgeCommitment.objects.bulk_create(
        PledgeCommitment(revision=revision, position=i, content=content, verification=verification)
        for i, (content, verification) in enumerate(commitments, start=1)
    )
    return revision


@transaction.atomic
def pledge_register(
    *, member: Member | None = None, organization: Organization | None = None, year: int,
    kind: str | None = None, commitments: Sequence, by, on: dt.date, expected_token: str | None = None,
) -> Pledge:
    """Register a member's pledge (kind proposed by propose_kind unless given) or a cell's collective plan.

    `on` is the registration date, in `year` or late in the year before, not in the future.
    Needs Action.EDIT_CELL on the member's cell on that date (or on the collective's cell).
    """
    if (member is None) == (organization is None):
        raise ValueError("give exactly one of member or organization")
    errors: Errors = {}
    if member is not None:
        cell = cell_of_member_on(member, on)
        if cell is None:
            raise ValidationError({"member": [
                _("Đảng viên %(name)s không sinh hoạt tại chi bộ nào vào ngày %(date)s.")
                % {"name": member.full_name, "date": date_label(on)}
            ]})
    else:
        cell = organization
        if not cell.is_cell:
            raise ValidationError({"organization": [_("Bản đăng ký tập thể ở đây dành cho chi bộ.")]})
    require(by, Action.EDIT_CELL, cell)

    if check_year(year, errors=errors, allow_next=True) and on.year not in (year - 1, year):
        add_error(errors, "on", _("Ngày đăng ký phải thuộc năm %(year)s hoặc cuối năm trước.") % {"year": year})
    check_not_future(on, key="on", errors=errors, what=_("Ngày đăng ký"))
    if member is None and not cell.active_on(on):
        add_error(errors, "on", _("Chi bộ không hoạt động vào ngày %(date)s.") % {"date": date_label(on)})
    if member is not None:
        kind = kind or propose_kind(member)
        if kind not in (Pledge.Kind.SET_EXAMPLE, Pledge.Kind.EXEMPLARY):
            add_error(errors, "kind", _("Hình thức đăng ký của đảng viên là nêu gương hoặc gương mẫu thực hiện."))
    else:
        if kind not in (None, Pledge.Kind.COLLECTIVE):
            add_error(errors, "kind", _("Bản đăng ký của chi bộ là bản đăng ký tập thể."))
        kind = Pledge.Kind.COLLECTIVE
    cleaned = _clean_commitments(commitments, errors)
    directive = directive_for_year(year) if "year" not in errors else None
    if directive is None and "year" not in errors:
        add_error(errors, "year", _("Chưa có chỉ thị nào áp dụng cho năm %(year)s.") % {"year": year})
    raise_if(errors)

    owner = {"member": member} if member is not None else {"organization": organization}
    duplicate = _("%(owner)s đã có bản đăng ký năm %(year)s; hãy bổ sung bản đăng ký đó.") % {
        "owner": member.full_name if member is not None else cell.name, "year": year,
    }
    existing = Pledge.objects.filter(year=year, **owner).first()
    if existing is not None:
        # the page showed "not registered" (expected_token of no pledge): someone registered since
        check_token(expected_token, pledge_token(existing))
        raise ValidationError({"year": [duplicate]})
    try:
        with transaction.atomic():
            pledge = Pledge.objects.create(year=year, cell=cell, directive=directive, kind=kind, **owner)
    except IntegrityError:  # registered at the same moment by someone else
        raise ValidationError({"year": [duplicate]}) from None
    _create_revision(pledge=pledge, number=1, on=on, reason="", commitments=cleaned, by=by)
    return pledge


@transaction.atomic
def pledge_revise(*, pledge: Pledge, commitments: Sequence, reason: str, by, on: dt.date,
                  expected_token: str | None = None) -> PledgeRevision:
    """Amend a pledge from `on` (rà soát, bổ sung): a new revision; the earlier ones stay as they were.

    `on` must be after the previous revision's date, within the pledge's year, not in the future.
    Needs Action.EDIT_CELL on the pledge's cell, or on the cell the member belongs to on `on`.
    `expected_token` (selectors.pledge_token when the page was opened): EditConflict if someone
    amended the pledge since, so an amendment is never made from commitments that are out of date.
    """
    pledge = Pledge.objects.select_for_update(of=("self",)).select_related("cell", "member").get(pk=pledge.pk)
    cells = [pledge.cell]
    if pledge.member_id is not None:
        current = cell_of_member_on(pledge.member, on)
        if current is not None and current.pk != pledge.cell_id:
            cells.append(current)
    if not any(may(by, Action.EDIT_CELL, c) for c in cells):
        require(by, Action.EDIT_CELL, pledge.cell)  # raises PermissionDenied

    check_token(expected_token, pledge_token(pledge))
    errors: Errors = {}
    last = pledge.revisions.order_by("-number").first()
    if last is not None and on <= last.valid_from:
        add_error(
            errors, "on",
            _("Ngày hiệu lực phải sau ngày %(date)s của lần đăng ký trước.") % {"date": date_label(last.valid_from)},
        )
    if on.year > pledge.year:
        add_error(errors, "on", _("Ngày hiệu lực phải thuộc năm %(year)s.") % {"year": pledge.year})
    check_not_future(on, key="on", errors=errors, what=_("Ngày hiệu lực"))
    reason = clean_text(
        reason, key="reason", errors=errors, max_length=COMMITMENT_MAX, required=True,
        required_message=_("Hãy nêu lý do bổ sung, điều chỉnh."),
    )
    cleaned = _clean_commitments(commitments, errors)
    raise_if(errors)
    number = (last.number if last else 0) + 1
    return _create_revision(pledge=pledge, number=number, on=on, reason=reason, commitments=cleaned, by=by)
