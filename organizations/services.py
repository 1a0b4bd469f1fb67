"""Writes to the hierarchy: every structural change goes through here and keeps the dated history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03.formats import short_date

from .models import (
    KINDS_BY_LEVEL,
    LEVEL_RANK,
    Level,
    Member,
    Membership,
    Organization,
    OrganizationVersion,
    Role,
)


def check_placement(*, parent: Organization | None, level: str, kind: str) -> None:
    if kind not in KINDS_BY_LEVEL[Level(level)]:
        raise ValidationError(_("Loại hình không phù hợp với cấp của tổ chức."), code="kind")
    if parent is None:
        if level != Level.PROVINCE:
            raise ValidationError(_("Chỉ cấp tỉnh mới không có tổ chức cấp trên."), code="root")
        return
    if parent.level == Level.CELL:
        raise ValidationError(_("Chi bộ không thể có tổ chức trực thuộc."), code="cell_parent")
    if LEVEL_RANK[Level(level)] >= LEVEL_RANK[Level(parent.level)]:
        raise ValidationError(
            _("Tổ chức trực thuộc phải ở cấp thấp hơn tổ chức cấp trên."), code="level_order"
        )
    if not parent.is_active:
        raise ValidationError(_("Tổ chức cấp trên đã thôi hoạt động."), code="parent_closed")


@transaction.atomic
def org_create(
    *, parent: Organization | None, name: str, level: str, kind: str, issuer_code: str,
    place_name: str, valid_from: dt.date,
) -> Organization:
    check_placement(parent=parent, level=level, kind=kind)
    fields = dict(name=name, level=level, kind=kind, issuer_code=issuer_code,
                  place_name=place_name, valid_from=valid_from)
    if parent is None:
        org = Organization.objects.add_root(fields)
    else:
        parent.refresh_from_db()
        org = Organization.objects.add_child(parent, fields)
    OrganizationVersion.objects.create(organization=org, parent=parent, name=org.name, place_name=org.place_name,
                                       issuer_code=org.issuer_code, valid_from=valid_from)
    return org


def _open_version(org: Organization) -> OrganizationVersion:
    return OrganizationVersion.objects.select_for_update().get(organization=org, valid_to__isnull=True)


def check_not_future(on: dt.date) -> None:
    """A structural change dated in the future would change the live tree and everyone's access today:
    refused here; a restructuring plan waits for its date instead (organizations.restructuring)."""
    if on > timezone.localdate():
        raise ValidationError(
            _("Ngày %(date)s chưa đến. Thay đổi có hiệu lực trong tương lai hãy lập thành phương án sắp xếp "
              "tổ chức: phương án sẽ tự áp dụng vào đúng ngày đó.") % {"date": short_date(on)},
            code="future",
        )


def _roll_version(org: Organization, *, on: dt.date, parent: Organization | None, name: str) -> None:
    check_not_future(on)
    current = _open_version(org)
    if on == current.valid_from:  # a second change on the same date amends that period
        current.parent, current.name = parent, name
        current.save(update_fields=["parent", "name"])
        return
    if on < current.valid_from:
        raise ValidationError(
            _("Ngày hiệu lực phải sau ngày %(date)s của lần thay đổi trước.")
            % {"date": short_date(current.valid_from)},
            code="date_order",
        )
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    OrganizationVersion.objects.create(organization=org, parent=parent, name=name, place_name=org.place_name,
                                       issuer_code=org.issuer_code, valid_from=on)


@transaction.atomic
def org_move(*, org: Organization, new_parent: Organization, on: dt.date) -> Organization:
    """Place org (and its subtree) under new_parent from date `on`; earlier dates keep the old parent."""
    org.refresh_from_db()
    new_parent.refresh_from_db()
    if not org.is_active:
        raise ValidationError(_("Tổ chức đã thôi hoạt động."), code="closed")
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ValidationError(_("Không thể chuyển một tổ chức vào chính nó hoặc tổ chức trực thuộc nó."), code="cycle")
    check_placement(parent=new_parent, level=org.level, kind=org.kind)
    _roll_version(org, on=on, parent=new_parent, name=org.name)
    Organization.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    return org


@transaction.atomic
def org_rename(*, org: Organization, name: str, on: dt.date) -> Organization:
    org.refresh_from_db()
    parent = Organization.objects.get_parent(org)
    _roll_version(org, on=on, parent=parent, name=name)
    org.name = name
    org.save(update_fields=["name", "search_key"])
    return org


@transaction.atomic
def org_close(*, org: Organization, on: dt.date) -> Organization:
    """The unit stops existing on `on` (e.g. a district on 1-7-2025); its children must have moved."""
    org.refresh_from_db()
    if not org.is_active:
        raise ValidationError(_("Tổ chức đã thôi hoạt động."), code="closed")
    if Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1, valid_to__isnull=True).exists():
        raise ValidationError(
            _("Còn tổ chức trực thuộc đang hoạt động; hãy chuyển chúng trước khi giải thể."), code="has_children"
        )
    if org.is_cell and org.members.exists():
        raise ValidationError(_("Chi bộ còn đảng viên đang sinh hoạt."), code="has_members")
    check_not_future(on)
    current = _open_version(org)
    if on <= current.valid_from:
        raise ValidationError(_("Ngày giải thể phải sau ngày hiệu lực hiện tại."), code="date_order")
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    org.valid_to = on
    org.save(update_fields=["valid_to"])
    return org


@transaction.atomic
def member_transfer(*, member: Member, to_cell: Organization | None, on: dt.date) -> Member:
    """Move a member to another cell from `on`, or out of the province (to_cell=None)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if to_cell is not None and (not to_cell.is_cell or not to_cell.is_active):
        raise ValidationError(_("Đơn vị chuyển đến phải là chi bộ đang hoạt động."), code="not_cell")
    if to_cell is not None and to_cell.pk == member.cell_id:
        raise ValidationError(_("Đảng viên đã sinh hoạt tại chi bộ này."), code="same_cell")
    current = Membership.objects.filter(member=member, end__isnull=True).first()
    if current is not None:
        if on <= current.start:
            raise ValidationError(_("Ngày chuyển phải sau ngày bắt đầu sinh hoạt tại chi bộ hiện tại."), code="date_order")
        current.end = on
        current.save(update_fields=["end"])
    if to_cell is None:
        member.cell = None
        member.left_on = on
    else:
        Membership.objects.create(member=member, cell=to_cell, start=on)
        member.cell = to_cell
        member.left_on = None
    member.save(update_fields=["cell", "left_on"])
    return member


def role_check(*, organization: Organization, kind: str) -> None:
    if kind == Role.Kind.CELL_SECRETARY and not organization.is_cell:
        raise ValidationError(_("Vai trò bí thư chi bộ chỉ gán cho chi bộ."), code="role_level")
    if kind in (Role.Kind.REVIEWER, Role.Kind.APPROVER) and organization.is_cell:
        raise ValidationError(_("Vai trò của cấp ủy không gán cho chi bộ."), code="role_level")
    if kind == Role.Kind.BOARD and organization.level != Level.PROVINCE:
        raise ValidationError(_("Vai trò Ban Tuyên giáo chỉ gán cho cấp tỉnh."), code="role_level")


def role_grant(*, user, organization: Organization, kind: str) -> Role:
    role_check(organization=organization, kind=kind)
    role, _created = Role.objects.get_or_create(user=user, organization=organization, kind=kind)
    return role
