"""Reads of the hierarchy: subtree counts, search, and the tree as of a date."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Substr

from .models import Level, Member, Membership, Organization, OrganizationVersion
from .text import fold, sort_key, vi_order

STEPLEN = Organization.steplen


def children_of(org: Organization) -> QuerySet[Organization]:
    """The unit's children in the current tree: closed units (giải thể, hợp nhất) are history, shown by
    the tree as of a date (tree_as_of), not here."""
    return Organization.objects.filter(
        path__startswith=org.path, depth=org.depth + 1, valid_to__isnull=True
    ).order_by(vi_order("name"), "id")


def with_counts(units: list[Organization]) -> list[Organization]:
    """Attach .member_count and .cell_count (of each unit's whole subtree) to the units.

    One query whatever the number of units and their depths, summed by the database: for each depth
    asked for, the active cells under the units' common path prefix grouped by their ancestor at that
    depth (`SUBSTR(path)`), with their kept member counts (MemberCount, kept by the database); the cells
    asked for (closed ones too: history asked for by name) with their own counts. A few rows come back,
    not one per cell.
    """
    if not units:
        return units
    common = os.path.commonprefix([u.path for u in units])
    common = common[: len(common) - len(common) % STEPLEN]
    wanted: dict[int, set[str]] = defaultdict(set)
    for u in units:
        if not u.is_cell:
            wanted[len(u.path)].add(u.path)
    members = Coalesce(Sum("member_tally__members"), 0)
    parts = [
        Organization.objects.filter(level=Level.CELL, valid_to__isnull=True, path__startswith=common)
        .annotate(prefix=Substr("path", 1, length)).filter(prefix__in=sorted(paths))
        .values("prefix").annotate(n_cells=Count("id"), n_members=members).values_list("prefix", "n_cells", "n_members")
        .order_by()
        for length, paths in sorted(wanted.items())
    ]
    cell_ids = [u.pk for u in units if u.is_cell]
    if cell_ids:
        parts.append(Organization.objects.filter(pk__in=cell_ids)
                     .annotate(prefix=F("path"), n_cells=Value(1), n_members=Coalesce(F("member_tally__members"), 0))
                     .values_list("prefix", "n_cells", "n_members").order_by())
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    totals = {prefix: (cells, n) for prefix, cells, n in query}
    for u in units:
        u.cell_count, u.member_count = totals.get(u.path, (0, 0))
        if u.is_cell:
            u.cell_count = 1
    return units


def member_counts_recomputed() -> dict[int, int]:
    """Every cell's member count counted from the members (what MemberCount keeps; for checks)."""
    return dict(
        Member.objects.filter(cell__isnull=False).values("cell_id").annotate(n=Count("id")).order_by()
        .values_list("cell_id", "n")
    )


def search_units(scope: QuerySet[Organization], query: str, limit: int = 50) -> list[Organization]:
    key = fold(query)
    if not key:
        return []
    return list(scope.filter(search_key__contains=key).order_by("path")[:limit])


def ancestors_by_path(units: list[Organization]) -> dict[str, Organization]:
    """All ancestors of the given units, in one query, keyed by path."""
    paths = {u.path[: i * STEPLEN] for u in units for i in range(1, u.depth)}
    if not paths:
        return {}
    return {o.path: o for o in Organization.objects.filter(path__in=paths)}


@dataclass
class UnitAsOf:
    """A unit as it stood on a date: its name and parent then."""

    id: int
    name: str
    level: str
    kind: str
    parent_id: int | None
    children: list[UnitAsOf] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def tree_as_of(on: dt.date, root_id: int | None = None) -> list[UnitAsOf]:
    """The tree as it was on `on` (roots first, children in name order).

    Built from OrganizationVersion, so a district closed on 1-7-2025 and its communes
    moved under the province still appear as before for an earlier date.
    """
    versions = (
        OrganizationVersion.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("organization")
        .only("organization_id", "parent_id", "name", "organization__level", "organization__kind")
    )
    nodes = {
        v.organization_id: UnitAsOf(
            id=v.organization_id, name=v.name, level=v.organization.level,
            kind=v.organization.kind, parent_id=v.parent_id,
        )
        for v in versions
    }
    roots = []
    for node in sorted(nodes.values(), key=lambda n: sort_key(n.name)):
        parent = nodes.get(node.parent_id) if node.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    if root_id is not None:
        return [nodes[root_id]] if root_id in nodes else []
    return roots


def subtrees_as_of(on: dt.date, root_ids: list[int] | None) -> list[UnitAsOf]:
    """The subtrees of the given units as they stood on `on` (all roots when root_ids is None), each
    node with .cell_count and .member_count (members whose membership covered that day): three queries."""
    roots = tree_as_of(on)
    nodes = {n.id: n for root in roots for n in root.walk()}
    if root_ids is not None:
        picked = [nodes[pk] for pk in root_ids if pk in nodes]
        inside = {n.id for top in picked for n in top.walk() if n is not top}
        roots = [top for top in picked if top.id not in inside]
    members = dict(
        Membership.objects.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gt=on))
        .values("cell_id").annotate(n=Count("id")).order_by().values_list("cell_id", "n")
    )

    def total(node: UnitAsOf) -> None:
        node.is_cell = node.level == Level.CELL
        node.cell_count = 1 if node.is_cell else 0
        node.member_count = members.get(node.id, 0) if node.is_cell else 0
        for child in node.children:
            total(child)
            node.cell_count += child.cell_count
            node.member_count += child.member_count

    for root in roots:
        total(root)
    return roots


@dataclass(frozen=True)
class NamesAsOf:
    """What a document prints about a unit, as it was on the document's date."""

    name: str
    place_name: str
    issuer_code: str


def names_as_of(org: Organization, on: dt.date) -> NamesAsOf:
    """The unit's name, place ("Hưng Yên, ngày …") and issuer code on `on`: a 2024 document rebuilt
    after the province was renamed keeps the 2024 name and place. Falls back to today's values where
    the history does not say (before the unit's first period, or a period recorded without them)."""
    version = (
        OrganizationVersion.objects.filter(organization_id=org.pk, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on)).first()
    )
    if version is None:
        return NamesAsOf(org.name, org.place_name, org.issuer_code)
    return NamesAsOf(version.name, version.place_name or org.place_name, version.issuer_code or org.issuer_code)


def parent_as_of(org_id: int, on: dt.date) -> int | None:
    version = (
        OrganizationVersion.objects.filter(organization_id=org_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .first()
    )
    return version.parent_id if version else None


def parents_as_of(on: dt.date) -> dict[int, int | None]:
    """Every unit's parent on `on` (one light query)."""
    return dict(
        OrganizationVersion.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .values_list("organization_id", "parent_id")
    )


def ancestors_as_of(org_id: int, on: dt.date) -> list[int]:
    """The ids of the unit's ancestors on `on`, parent first (one query per level). Empty when the
    history does not hold the unit on that date."""
    chain: list[int] = []
    current = parent_as_of(org_id, on)
    while current is not None and current not in chain and len(chain) < 20:
        chain.append(current)
        current = parent_as_of(current, on)
    return chain


def has_history_on(org_id: int, on: dt.date) -> bool:
    return (
        OrganizationVersion.objects.filter(organization_id=org_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on)).exists()
    )


def members_of_cell(cell: Organization) -> QuerySet[Member]:
    return Member.objects.filter(cell=cell).order_by(vi_order("full_name"), "id")


_POSITION_ORDER = Case(
    *[When(position=p, then=Value(i)) for i, p in enumerate(Member.Position.values)],
    output_field=IntegerField(),
)


def cell_officers(cell: Organization) -> QuerySet[Member]:
    """The cell's secretary, deputy and committee members, in that order."""
    return (
        Member.objects.filter(cell=cell)
        .exclude(position=Member.Position.MEMBER)
        .order_by(_POSITION_ORDER, vi_order("full_name"), "id")
    )
