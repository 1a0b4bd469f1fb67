"""The stages of this app's demo: the tree, the members, one user per role, the committees' secretaries;
the demo logins; resetting what they wrote."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection
from django.db.models import ProtectedError, RestrictedError

from directive03 import formats

from .. import services
from ..models import Kind, Level, Member, Membership, Organization, OrganizationVersion, Role
from .plan import UNITS_VALID_FROM, CardNumbers, PlannedUnit, Size, person_name, plan_members, plan_tree

DEMO_PASSWORD = "chithi03-demo"
BATCH_SIZE = 5_000

# ---------------------------------------------------------------------------------------------
# Stages.


@dataclass
class DemoContext:
    """What one run builds, handed from stage to stage."""

    size_name: str
    seed: int
    size: Size
    log: Callable[[str], None] = print
    units: list[PlannedUnit] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)  # username -> User
    counts: Counter = field(default_factory=Counter)
    timings: dict[str, float] = field(default_factory=dict)

    def rng(self, stage: str) -> random.Random:
        """A generator per stage: adding a stage does not change what the others produce."""
        return random.Random(f"chithi03:{self.seed}:{stage}")

    @property
    def province(self) -> PlannedUnit:
        return self.units[0]

    def cells(self) -> Iterator[PlannedUnit]:
        return (u for u in self.units if u.level == Level.CELL)


def _bulk(model, objs: list) -> list:
    return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)


def build_tree(ctx: DemoContext) -> None:
    ctx.units = plan_tree(ctx.size, ctx.rng("tree"))
    for start in range(0, len(ctx.units), BATCH_SIZE):
        chunk = ctx.units[start:start + BATCH_SIZE]
        created = _bulk(Organization, [
            Organization(
                path=u.path, depth=u.depth, numchild=u.numchild, name=u.name, level=u.level, kind=u.kind,
                issuer_code=u.issuer_code, place_name=u.place_name, valid_from=UNITS_VALID_FROM,
            )
            for u in chunk
        ])
        for unit, org in zip(chunk, created, strict=True):
            unit.pk = org.pk
    _bulk(OrganizationVersion, [
        OrganizationVersion(organization_id=u.pk, parent_id=u.parent.pk if u.parent else None, name=u.name,
                            valid_from=UNITS_VALID_FROM)
        for u in ctx.units
    ])
    ctx.counts.update(f"units:{u.kind}" for u in ctx.units)
    ctx.counts["organizations"] = ctx.counts["versions"] = len(ctx.units)


def build_members(ctx: DemoContext) -> None:
    rng = ctx.rng("members")
    cards = CardNumbers(ctx.size.card_prefix, rng)
    pending: list[tuple[Member, dt.date]] = []

    def flush() -> None:
        members = _bulk(Member, [m for m, _start in pending])
        _bulk(Membership, [Membership(member_id=m.pk, cell_id=m.cell_id, start=s)
                           for m, (_m, s) in zip(members, pending, strict=True)])
        pending.clear()

    for cell in ctx.cells():
        for fields in plan_members(rng, cell, ctx.size.member_scale, cards):
            start = fields.pop("start")
            pending.append((Member(cell_id=cell.pk, **fields), start))
            ctx.counts["members"] += 1
            ctx.counts[f"members:{fields['status']}"] += 1
            ctx.counts["members:key_cadre"] += fields["is_key_cadre"]
        if len(pending) >= BATCH_SIZE:
            flush()
    if pending:
        flush()
    ctx.counts["memberships"] = ctx.counts["members"]


DEMO_USERNAMES = ("quantri", "bantuyengiao", "huyenuy", "xauy", "bithu", "phobithu", "bithu2")


def _officer(cell: PlannedUnit, position: str) -> Member:
    """The cell's member in `position`; a deputy is promoted from the members if the cell has none."""
    found = Member.objects.filter(cell_id=cell.pk, position=position).order_by("pk").first()
    if found is None:
        found = Member.objects.filter(
            cell_id=cell.pk, position=Member.Position.MEMBER, status=Member.Status.OFFICIAL,
        ).order_by("pk").first()
        found.position, found.is_key_cadre = position, True
        found.save(update_fields=["position", "is_key_cadre"])
    return found


def _children(ctx: DemoContext, parent: PlannedUnit) -> list[PlannedUnit]:
    return [u for u in ctx.units if u.parent is parent]


def _first_commune(ctx: DemoContext, district: PlannedUnit) -> PlannedUnit:
    """The district's first "Đảng ủy xã …" (its cells are hamlets), else its first commune."""
    communes = [u for u in _children(ctx, district) if u.kind == Kind.DANG_UY_XA]
    return next((u for u in communes if u.name.startswith("Đảng ủy xã ")), communes[0])


def build_users(ctx: DemoContext) -> None:
    """One user per role, all with DEMO_PASSWORD; the cell secretaries carry their member's name."""
    rng = ctx.rng("users")
    province = ctx.province
    districts = [u for u in _children(ctx, province) if u.kind == Kind.HUYEN_UY]
    district = districts[0]
    commune = _first_commune(ctx, district)
    cell = _children(ctx, commune)[0]
    other_district = next(u for u in _children(ctx, province) if u.level == Level.DISTRICT
                          and u.kind != Kind.DANG_UY_KHOI and u is not district)
    other_cell = _children(ctx, _first_commune(ctx, other_district))[0]
    R = Role.Kind
    plan = [
        ("quantri", province, [R.ADMIN], None),
        ("bantuyengiao", province, [R.BOARD], None),
        ("huyenuy", district, [R.APPROVER, R.REVIEWER], None),
        ("xauy", commune, [R.APPROVER, R.REVIEWER], None),
        ("bithu", cell, [R.CELL_SECRETARY], _officer(cell, Member.Position.SECRETARY)),
        ("phobithu", cell, [R.CELL_SECRETARY], _officer(cell, Member.Position.DEPUTY)),
        ("bithu2", other_cell, [R.CELL_SECRETARY], _officer(other_cell, Member.Position.SECRETARY)),
    ]
    password = make_password(DEMO_PASSWORD)  # hashing is slow: once for all
    User = get_user_model()
    for username, unit, kinds, member in plan:
        if member is not None:
            full_name = member.full_name
        else:
            full_name = person_name(rng, rng.choice(list(Member.Gender)))
        family_and_middle, given = full_name.rsplit(" ", 1)
        is_admin = username == "quantri"
        user, _created = User.objects.update_or_create(username=username, defaults=dict(
            last_name=family_and_middle, first_name=given,  # họ "Nguyễn Văn", tên "An": formats.person_name
            password=password, is_active=True, is_staff=is_admin, is_superuser=is_admin,
        ))
        org = Organization.objects.get(pk=unit.pk)
        for kind in kinds:
            services.role_grant(user=user, organization=org, kind=kind)
        ctx.users[username] = user
    ctx.counts["users"] = len(plan)
    ctx.counts["roles"] = sum(len(p[2]) for p in plan)


def demo_logins() -> list[dict]:
    """The demo users as they are now: roles, unit, and whether the password is still the demo one."""
    users = list(get_user_model().objects.filter(username__in=DEMO_USERNAMES))
    users.sort(key=lambda u: DEMO_USERNAMES.index(u.username))
    roles = Role.objects.filter(user__in=users).select_related("organization").order_by("kind")
    by_user: dict[int, list[Role]] = {}
    for role in roles:
        by_user.setdefault(role.user_id, []).append(role)
    # the demo users share one hash until someone changes a password: check it once
    demo_hash = next((u.password for u in users if check_password(DEMO_PASSWORD, u.password)), None)
    rows = []
    for user in users:
        user_roles = by_user.get(user.pk, [])
        units = []
        for role in user_roles:
            org = role.organization
            if org.is_cell:
                parent = Organization.objects.get_parent(org)
                label = f"{org.name} ({parent.name})" if parent else org.name
            else:
                label = org.name
            if label not in units:
                units.append(label)
        rows.append(dict(
            username=user.username,
            password=DEMO_PASSWORD if demo_hash and user.password == demo_hash else "(changed)",
            roles=", ".join(_role_label(r, user) for r in user_roles) or "–",
            unit="; ".join(units) or "–", name=formats.person_name(user),
        ))
    return rows


#: How a cell officer is printed: both hold the cell secretary's rights, but they are not the same person.
OFFICER_LABELS = {Member.Position.SECRETARY: "Bí thư chi bộ", Member.Position.DEPUTY: "Phó Bí thư chi bộ"}


def _role_label(role: Role, user) -> str:
    """The role's name; for a cell's rights, what the user is in the cell (Bí thư or Phó Bí thư), found
    as the cell's officer who carries the user's name (the demo names its users after them)."""
    if role.kind == Role.Kind.CELL_SECRETARY:
        officer = Member.objects.filter(
            cell_id=role.organization_id, position__in=list(OFFICER_LABELS), full_name=formats.person_name(user),
        ).values_list("position", flat=True).first()
        if officer:
            return OFFICER_LABELS[officer]
    return str(Role.Kind(role.kind).label)


def build_secretaries(ctx: DemoContext) -> None:
    """Committees sign their documents with their secretary's name (cells use their Bí thư member)."""
    rng = ctx.rng("secretaries")
    committees = list(Organization.objects.exclude(level=Level.CELL).order_by("path"))
    for org in committees:
        org.secretary_name = person_name(rng, rng.choice(list(Member.Gender)))
    Organization.objects.bulk_update(committees, ["secretary_name"], batch_size=2000)
    ctx.counts["secretaries"] = len(committees)


#: This app's stages, in order; the whole demo (pledges, reports) is put together by demo.seeding.
STAGES: list[Callable[[DemoContext], None]] = [build_tree, build_members, build_users, build_secretaries]

#: Deleted by a reset, in this order (rows that point at others first), after the higher apps' rows.
RESET_MODELS = [Membership, Member, Role, OrganizationVersion, Organization]


class DemoRefused(Exception):
    """The database already holds units and no reset was asked for, or a reset is blocked."""


def delete_all(querysets) -> dict[str, int]:
    """Delete each queryset's rows in batches (Django collects what it deletes: keep that bounded).

    Through the ORM, so rows that cascade go too; rows that protect one (e.g. reports) stop it with
    DemoRefused: their app's demo must list them in its RESET_MODELS.
    """
    deleted: dict[str, int] = {}
    try:
        for queryset in querysets:
            model = queryset.model
            total = 0
            while True:
                pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
                if not pks:
                    break
                total += model.objects.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)
            deleted[model._meta.label] = deleted.get(model._meta.label, 0) + total
    except (ProtectedError, RestrictedError) as exc:
        objs = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        blocking = sorted({obj._meta.label for obj in objs})
        raise DemoRefused(
            f"--reset cannot delete the demo data: {', '.join(blocking)} rows still point at it. "
            "Add those models to their app's demo RESET_MODELS (before the ones they point at)."
        ) from exc
    return deleted


def reset() -> dict[str, int]:
    """Delete the hierarchy, its members and roles, and the demo users that are not superusers."""
    deleted = delete_all([m.objects.all() for m in RESET_MODELS])
    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_superuser=False)
    deleted["users"] = users.delete()[0]
    return deleted


#: Tables whose planner statistics are refreshed after the load (stages may add theirs).
ANALYZE_MODELS = [Organization, OrganizationVersion, Member, Membership, Role]


def analyze(models) -> None:
    """Fresh planner statistics after a bulk load: without them PostgreSQL plans the first queries
    for empty tables (nested loops, on-disk sorts) until autovacuum gets round to it."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
