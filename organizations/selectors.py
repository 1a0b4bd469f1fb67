"""Reads of the hierarchy: subtree counts, search, and the tree as of a date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from .models import Level, Member, Organization, OrganizationVersion
from .text import fold

STEPLEN = Organization.steplen


def children_of(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")


def subtree_counts(parents: list[Organization]) -> dict[str, dict[str, int]]:
    """For every unit in `parents`' child level: members, cells and sub-units in its subtree.

    Keyed by path. One query per figure whatever the size of the subtree: members and cells are
    grouped by the prefix of their path that names the unit.
    """
    if not parents:
        return {}
    depth = parents[0].depth
    assert all(p.depth == depth for p in parents), "units must be at one depth"
    prefix_len = depth * STEPLEN
    under = Q()
    for p in parents:
        under |= Q(path__startswith=p.path)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"members": 0, "cells": 0})
    member_rows = (
        Member.objects.filter(cell__isnull=False)
        .filter(Q(*[Q(cell__path__startswith=p.path) for p in parents], _connector=Q.OR))
        .annotate(unit=Substr("cell__path", 1, prefix_len))
        .values("unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in member_rows:
        counts[row["unit"]]["members"] = row["n"]
    cell_rows = (
        Organization.objects.filter(under, level=Level.CELL, valid_to__isnull=True)
        .annotate(unit=Substr("path", 1, prefix_len))
        .values("unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in cell_rows:
        counts[row["unit"]]["cells"] = row["n"]
    return counts


def with_counts(units: list[Organization]) -> list[Organization]:
    """Attach .member_count and .cell_count (of the whole subtree) to each unit, in 2 queries per depth."""
    by_depth: dict[int, list[Organization]] = defaultdict(list)
    for u in units:
        by_depth[u.depth].append(u)
    for group in by_depth.values():
        counts = subtree_counts(group)
        for u in group:
            c = counts.get(u.path, {"members": 0, "cells": 0})
            u.member_count = c["members"]
            u.cell_count = c["cells"] if not u.is_cell else 1
    return units


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
    for node in sorted(nodes.values(), key=lambda n: n.name):
        parent = nodes.get(node.parent_id) if node.parent_id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)
    if root_id is not None:
        return [nodes[root_id]] if root_id in nodes else []
    return roots


def parent_as_of(org_id: int, on: dt.date) -> int | None:
    version = (
        OrganizationVersion.objects.filter(organization_id=org_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .first()
    )
    return version.parent_id if version else None


def members_of_cell(cell: Organization) -> QuerySet[Member]:
    return Member.objects.filter(cell=cell).order_by("search_key", "id")


_POSITION_ORDER = Case(
    *[When(position=p, then=Value(i)) for i, p in enumerate(Member.Position.values)],
    output_field=IntegerField(),
)


def cell_officers(cell: Organization) -> QuerySet[Member]:
    """The cell's secretary, deputy and committee members, in that order."""
    return (
        Member.objects.filter(cell=cell)
        .exclude(position=Member.Position.MEMBER)
        .order_by(_POSITION_ORDER, "search_key")
    )
