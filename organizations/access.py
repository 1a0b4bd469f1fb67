"""The one access layer: every view gets units through here.

A user's roles each reach the subtree of their unit. Outsiders get 404 (the unit is not
theirs to know about); a user who may read but not do the action gets 403.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Level, Member, Membership, Organization, Role
from .selectors import ancestors_as_of, has_history_on, parents_as_of


class Action(enum.StrEnum):
    READ = "read"
    MANAGE_MEMBERS = "manage_members"  # import, edit members
    EDIT_CELL = "edit_cell"  # a cell's own records: pledges, monthly reviews
    EDIT_UNIT = "edit_unit"  # a committee's own records: its report, commendations, pressing issues
    REVIEW = "review"  # accept/return the records of units below


@dataclass(frozen=True)
class Grant:
    kind: str
    org_id: int
    path: str
    level: str
    #: the unit was closed (giải thể, hợp nhất): the role keeps reading what it took part in, writes nothing
    closed: bool = False


class Access:
    """What one user may see and do; built once per request."""

    def __init__(self, user) -> None:
        self.user = user
        self.is_superuser = bool(user.is_authenticated and user.is_superuser)
        if user.is_authenticated:
            rows = Role.objects.filter(user=user).values_list(
                "kind", "organization_id", "organization__path", "organization__level", "organization__valid_to"
            )
            today = timezone.localdate()
            self.grants = [Grant(*row[:4], closed=row[4] is not None and row[4] <= today) for row in rows]
        else:
            self.grants = []

    # -- reading -------------------------------------------------------------------------
    def root_paths(self) -> list[str]:
        """The tops of the user's scope, without paths nested in another."""
        paths = sorted({g.path for g in self.grants})
        roots: list[str] = []
        for p in paths:
            if not any(p.startswith(r) for r in roots):
                roots.append(p)
        return roots

    def reads(self, org: Organization) -> bool:
        return self.is_superuser or any(org.path.startswith(g.path) for g in self.grants)

    def visible(self) -> QuerySet[Organization]:
        qs = Organization.objects.all()
        if self.is_superuser:
            return qs
        roots = self.root_paths()
        if not roots:
            return qs.none()
        return qs.filter(Q(*[Q(path__startswith=p) for p in roots], _connector=Q.OR))

    def roots(self) -> list[Organization]:
        if self.is_superuser:
            return list(Organization.objects.get_root_nodes())
        return list(Organization.objects.filter(path__in=self.root_paths()).order_by("path"))

    # -- acting --------------------------------------------------------------------------
    def can(self, action: Action, org: Organization) -> bool:
        if not self.reads(org):
            return False
        if action == Action.READ or self.is_superuser:
            return True
        for g in self.acting_grants():
            if not org.path.startswith(g.path):
                continue
            if g.kind == Role.Kind.ADMIN:
                return True
            if action in (Action.MANAGE_MEMBERS, Action.EDIT_CELL):
                if g.kind == Role.Kind.CELL_SECRETARY and g.org_id == org.pk:
                    return True
            if action == Action.EDIT_UNIT and g.org_id == org.pk:
                if org.is_cell and g.kind == Role.Kind.CELL_SECRETARY:
                    return True
                if not org.is_cell and g.kind in (Role.Kind.APPROVER, Role.Kind.BOARD):
                    return True
            if action == Action.REVIEW:
                if g.kind in (Role.Kind.REVIEWER, Role.Kind.APPROVER, Role.Kind.BOARD) and g.org_id != org.pk:
                    return True
        return False

    def reviews_on(self, org: Organization, on) -> bool:
        """REVIEW of the records of `org` dated `on` (a month's record, a year's grade): decided by the
        units above it on that date, not by today's parent (a commune that absorbed a cell in 2025 does
        not reopen its 2024 records). Roles on closed units write nothing."""
        if self.is_superuser:
            return True
        if not has_history_on(org.pk, on):
            return self.can(Action.REVIEW, org)
        chain = set(ancestors_as_of(org.pk, on))
        for g in self.acting_grants():
            if g.kind == Role.Kind.ADMIN and (g.org_id == org.pk or g.org_id in chain):
                return True
            if g.kind in (Role.Kind.REVIEWER, Role.Kind.APPROVER, Role.Kind.BOARD) and g.org_id in chain:
                return True
        return False

    def reviews_on_many(self, on):
        """reviews_on for a page of many units: one read of the parents on `on`, then a walk per unit."""
        if self.is_superuser:
            return lambda org: True
        parents = parents_as_of(on)
        kinds = {g.org_id: g.kind for g in self.acting_grants()}
        reviewers = (Role.Kind.REVIEWER, Role.Kind.APPROVER, Role.Kind.BOARD)

        def check(org: Organization) -> bool:
            if org.pk not in parents:
                return self.can(Action.REVIEW, org)
            if kinds.get(org.pk) == Role.Kind.ADMIN:
                return True
            current, seen = parents.get(org.pk), 0
            while current is not None and seen < 20:
                if kinds.get(current) in (*reviewers, Role.Kind.ADMIN):
                    return True
                current, seen = parents.get(current), seen + 1
            return False

        return check

    def acting_grants(self) -> list[Grant]:
        """The grants that may write: those on units that still exist."""
        return [g for g in self.grants if not g.closed]

    def restructures(self, province: Organization) -> bool:
        """The province's board and its administrators prepare and apply restructuring plans."""
        return self.is_superuser or any(
            g.org_id == province.pk and g.kind in (Role.Kind.BOARD, Role.Kind.ADMIN) for g in self.acting_grants()
        )

    def has_kind(self, *kinds: str) -> bool:
        return self.is_superuser or any(g.kind in kinds for g in self.grants)

    def cells(self) -> QuerySet[Organization]:
        return self.visible().filter(level=Level.CELL)


def access_for(user) -> Access:
    cached = getattr(user, "_access_cache", None)
    if cached is None:
        cached = Access(user)
        if user.is_authenticated:
            user._access_cache = cached
    return cached


def name_for(user, org: Organization | None) -> str:
    """A unit's name in a message to `user`: the name if they may read the unit, else a neutral phrase.

    No message names what its reader may not see (a refusal that said "X belongs to <unit>" would
    let anyone read the province by trying ids)."""
    if org is not None and access_for(user).reads(org):
        return org.name
    return _("một đơn vị khác")


def pick(objects, raw) -> object | None:
    """The object among `objects` (already scoped: read through this layer) whose id is `raw`.

    For ids in POST/GET parameters that must name one of a page's own choices (a member of the
    cell, a child unit): anything else, a foreign id included, is None, so nothing is looked up
    outside the scope and no message can name it."""
    value = raw.strip() if isinstance(raw, str) else raw
    if isinstance(value, str):
        if not value.isdigit() or len(value) > 12:
            return None
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return next((o for o in objects if o.pk == value), None)


def get_org_for_user(user, pk, action: Action = Action.READ) -> Organization:
    """The unit `pk` if the user may see it (else 404) and do `action` on it (else 403)."""
    org = Organization.objects.filter(pk=pk).first()
    access = access_for(user)
    if org is None or not access.reads(org):
        raise Http404
    if not access.can(action, org):
        raise PermissionDenied
    return org


def get_member_for_user(user, pk, action: Action = Action.READ) -> Member:
    """The member `pk` if the user may read the cell the member belongs to (or last belonged to, for a
    member who left); else 404. 403 unless the user may do `action` on that cell."""
    member = Member.objects.filter(pk=pk).select_related("cell").first() if str(pk).isdigit() else None
    cell = None
    if member is not None:
        cell = member.cell
        if cell is None:
            last = Membership.objects.filter(member=member).select_related("cell").order_by("-start").first()
            cell = last.cell if last else None
    access = access_for(user)
    if cell is None or not access.reads(cell):
        raise Http404
    if not access.can(action, cell):
        raise PermissionDenied
    return member
