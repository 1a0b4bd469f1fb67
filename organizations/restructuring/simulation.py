"""Play a plan on a copy of the live tree: the tree after, the counts, every problem. No writes.

The province's active units are loaded in three queries (units, members per cell, open history
periods); the plan's changes are then applied in memory, in their order, so a rename, a move and a
closure on the same date combine, and a merge moves the absorbed unit's children (and, for a cell,
its members) into the absorbing one before closing it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from directive03.formats import number

from ..models import (
    KINDS_BY_LEVEL,
    LEVEL_RANK,
    Level,
    Member,
    Membership,
    Organization,
    OrganizationVersion,
    PlanChange,
)
from ..text import clean_name, fold
from .checks import closure_problems

Op = PlanChange.Op
STEPLEN = Organization.steplen


@dataclass
class ChangeSpec:
    """One change as the engine reads it (from a PlanChange row, an .xlsx row or an admin form)."""

    op: str
    unit_id: int | None = None
    target_id: int | None = None
    #: the position (1-based) of a CREATE change of the same plan, used as the target
    target_ref: int | None = None
    new_name: str = ""
    place_name: str = ""
    level: str = ""
    unit_kind: str = ""
    issuer_code: str = ""
    position: int = 0

    @classmethod
    def of(cls, change: PlanChange, positions: dict[int, int]) -> ChangeSpec:
        return cls(
            op=change.op, unit_id=change.unit_id, target_id=change.target_id,
            target_ref=positions.get(change.target_change_id) if change.target_change_id else None,
            new_name=change.new_name, place_name=change.place_name, level=change.level,
            unit_kind=change.unit_kind, issuer_code=change.issuer_code, position=change.position,
        )


@dataclass
class Node:
    id: int  # negative for a unit the plan creates
    parent_id: int | None
    name: str
    level: str
    kind: str
    place_name: str
    issuer_code: str
    path: str = ""
    members: int = 0
    version_from: dt.date | None = None
    closed: bool = False
    moved: bool = False
    renamed: bool = False
    created: bool = False
    absorbed_into: int | None = None
    children: list[Node] = field(default_factory=list)
    cell_count: int = 0
    member_count: int = 0

    @property
    def is_cell(self) -> bool:
        return self.level == Level.CELL

    @property
    def touched(self) -> bool:
        return self.moved or self.renamed or self.created or self.closed


@dataclass
class Counts:
    units: int
    cells: int
    members: int


@dataclass
class Simulation:
    province_id: int
    on: dt.date
    before: dict[int, Node]
    after: dict[int, Node]
    problems: list[str]
    #: (absorbed cell, absorbing cell) pairs whose members move
    member_moves: list[tuple[int, int]]
    #: creation order of the new units (negative ids)
    created: list[int]

    def counts(self, side: str) -> Counts:
        nodes = [n for n in getattr(self, side).values() if not n.closed]
        return Counts(
            units=sum(1 for n in nodes if not n.is_cell),
            cells=sum(1 for n in nodes if n.is_cell),
            members=sum(n.members for n in nodes if n.is_cell),
        )

    def tree(self, side: str) -> Node | None:
        """The side's tree (active units), children in name order, with subtree counts."""
        nodes = getattr(self, side)
        for n in nodes.values():
            n.children = []
        for n in sorted(nodes.values(), key=lambda n: fold(n.name)):
            if not n.closed and n.parent_id in nodes and n.id != self.province_id:
                nodes[n.parent_id].children.append(n)
        root = nodes.get(self.province_id)

        def total(node: Node) -> None:
            node.cell_count = 1 if node.is_cell else 0
            node.member_count = node.members if node.is_cell else 0
            for child in node.children:
                total(child)
                node.cell_count += child.cell_count
                node.member_count += child.member_count

        if root is not None:
            total(root)
        return root

    def cells_reached(self, side: str) -> list[int]:
        """The ids of the cells reachable from the province on that side (each once if sound)."""
        root = self.tree(side)
        out: list[int] = []
        stack = [root] if root else []
        while stack:
            node = stack.pop()
            if node.is_cell:
                out.append(node.id)
            stack.extend(node.children)
        return out


def load(province: Organization) -> dict[int, Node]:
    """The province's active units as nodes (three queries)."""
    rows = list(
        Organization.objects.filter(path__startswith=province.path, valid_to__isnull=True)
        .order_by("path")
        .values_list("id", "path", "name", "level", "kind", "place_name", "issuer_code")
    )
    by_path = {row[1]: row[0] for row in rows}
    members = dict(
        Member.objects.filter(cell__path__startswith=province.path, cell__valid_to__isnull=True)
        .values("cell_id").annotate(n=Count("id")).order_by().values_list("cell_id", "n")
    )
    since = dict(
        OrganizationVersion.objects.filter(
            organization__path__startswith=province.path, organization__valid_to__isnull=True, valid_to__isnull=True,
        ).values_list("organization_id", "valid_from")
    )
    nodes = {}
    for pk, path, name, level, kind, place, issuer in rows:
        parent = by_path.get(path[:-STEPLEN]) if len(path) > STEPLEN else None
        nodes[pk] = Node(pk, parent, name, level, kind, place, issuer, path=path,
                         members=members.get(pk, 0), version_from=since.get(pk))
    return nodes


def _copy(nodes: dict[int, Node]) -> dict[int, Node]:
    return {pk: Node(**{**vars(n), "children": []}) for pk, n in nodes.items()}


class _Player:
    def __init__(self, province: Organization, on: dt.date, before: dict[int, Node]) -> None:
        self.province = province
        self.on = on
        self.before = before
        self.after = _copy(before)
        self.problems: list[str] = []
        self.member_moves: list[tuple[int, int]] = []
        self.created: list[int] = []
        self.created_by_position: dict[int, int] = {}

    def problem(self, spec: ChangeSpec, message: str) -> None:
        prefix = _("Thay đổi %(n)s") % {"n": spec.position} if spec.position else ""
        self.problems.append(f"{prefix}: {message}" if prefix else message)

    def is_below(self, node: Node, ancestor: Node) -> bool:
        """node is ancestor or lies under it in the tree after (so far)."""
        seen = 0
        while node is not None and seen < 100:
            if node.id == ancestor.id:
                return True
            node = self.after.get(node.parent_id) if node.parent_id else None
            seen += 1
        return False

    def unit(self, spec: ChangeSpec) -> Node | None:
        node = self.after.get(spec.unit_id) if spec.unit_id else None
        if node is None:
            self.problem(spec, _("đơn vị không thuộc tỉnh hoặc đã thôi hoạt động."))
            return None
        if node.closed:
            self.problem(spec, _("“%(name)s” đã giải thể hoặc hợp nhất ở một thay đổi trước.") % {"name": node.name})
            return None
        return node

    def target(self, spec: ChangeSpec) -> Node | None:
        if spec.target_ref:
            pk = self.created_by_position.get(spec.target_ref)
            node = self.after.get(pk) if pk else None
        else:
            node = self.after.get(spec.target_id) if spec.target_id else None
        if node is None:
            self.problem(spec, _("hãy chọn đơn vị đích đang hoạt động trong tỉnh."))
            return None
        if node.closed:
            self.problem(spec, _("đơn vị đích “%(name)s” đã giải thể trong phương án.") % {"name": node.name})
            return None
        return node

    def placement_ok(self, spec: ChangeSpec, level: str, parent: Node) -> bool:
        if parent.is_cell:
            self.problem(spec, _("chi bộ “%(name)s” không thể có tổ chức trực thuộc.") % {"name": parent.name})
            return False
        if LEVEL_RANK[Level(level)] >= LEVEL_RANK[Level(parent.level)]:
            self.problem(spec, _("tổ chức trực thuộc phải ở cấp thấp hơn “%(name)s”.") % {"name": parent.name})
            return False
        return True

    def play(self, spec: ChangeSpec) -> None:
        if spec.op == Op.CREATE:
            return self.create(spec)
        node = self.unit(spec)
        if node is None:
            return None
        if node.id == self.province.pk and spec.op != Op.RENAME:
            return self.problem(spec, _("không thể chuyển, hợp nhất hay giải thể chính tỉnh."))
        if spec.op == Op.RENAME:
            name = clean_name(spec.new_name or "")
            if not name:
                return self.problem(spec, _("hãy nhập tên mới."))
            node.name, node.renamed = name, True
            if spec.place_name.strip():
                node.place_name = clean_name(spec.place_name)
        elif spec.op == Op.MOVE:
            target = self.target(spec)
            if target is None:
                return None
            if self.is_below(target, node):
                return self.problem(spec, _("không thể chuyển “%(name)s” vào chính nó hoặc đơn vị trực thuộc nó.")
                                    % {"name": node.name})
            if self.placement_ok(spec, node.level, target):
                node.parent_id, node.moved = target.id, True
        elif spec.op == Op.MERGE:
            target = self.target(spec)
            if target is None:
                return None
            if target.id == node.id or self.is_below(target, node):
                return self.problem(spec, _("không thể hợp nhất “%(name)s” vào chính nó hoặc đơn vị trực thuộc nó.")
                                    % {"name": node.name})
            if target.level != node.level:
                return self.problem(spec, _("chỉ hợp nhất được hai đơn vị cùng cấp (“%(a)s” và “%(b)s”).")
                                    % {"a": node.name, "b": target.name})
            for child in self.after.values():
                if child.parent_id == node.id and not child.closed:
                    child.parent_id, child.moved = target.id, True
            if node.is_cell:
                target.members += node.members
                node.members = 0
                self.member_moves.append((node.id, target.id))
            node.closed, node.absorbed_into = True, target.id
        elif spec.op == Op.CLOSE:
            node.closed = True
        else:
            self.problem(spec, _("loại thay đổi không hợp lệ."))
        return None

    def create(self, spec: ChangeSpec) -> None:
        name = clean_name(spec.new_name or "")
        parent = self.target(spec)
        if not name:
            return self.problem(spec, _("hãy nhập tên đơn vị mới."))
        if spec.level not in Level.values or spec.level == Level.PROVINCE:
            return self.problem(spec, _("hãy chọn cấp của đơn vị mới (cấp huyện, cơ sở hoặc chi bộ)."))
        if spec.unit_kind not in KINDS_BY_LEVEL[Level(spec.level)]:
            return self.problem(spec, _("loại hình không phù hợp với cấp của đơn vị mới."))
        if not spec.issuer_code.strip():
            return self.problem(spec, _("hãy nhập ký hiệu cơ quan ban hành (ví dụ ĐU, CB)."))
        if parent is None or not self.placement_ok(spec, spec.level, parent):
            return None
        pk = -(len(self.created) + 1)
        self.after[pk] = Node(
            pk, parent.id, name, spec.level, spec.unit_kind,
            clean_name(spec.place_name) or parent.place_name, spec.issuer_code.strip(), created=True,
        )
        self.created.append(pk)
        self.created_by_position[spec.position] = pk
        return None

    def final_checks(self) -> None:
        after = self.after
        children: dict[int, list[Node]] = defaultdict(list)
        for n in after.values():
            if n.parent_id is not None and not n.closed:
                children[n.parent_id].append(n)
        closed = [n for n in after.values() if n.closed]
        for n in closed:
            left = children.get(n.id, [])
            if left:
                names = ", ".join(c.name for c in sorted(left, key=lambda c: fold(c.name))[:5])
                self.problems.append(
                    _("“%(name)s” giải thể nhưng vẫn còn %(n)s đơn vị trực thuộc (%(names)s%(more)s): "
                      "các đơn vị này sẽ không còn cấp trên; hãy chuyển hoặc hợp nhất chúng.")
                    % {"name": n.name, "n": number(len(left)), "names": names, "more": "…" if len(left) > 5 else ""}
                )
            if n.is_cell and n.members and n.absorbed_into is None:
                self.problems.append(
                    _("Chi bộ “%(name)s” giải thể nhưng còn %(n)s đảng viên; hãy hợp nhất vào một chi bộ khác.")
                    % {"name": n.name, "n": number(n.members)}
                )
            if n.created:
                self.problems.append(_("“%(name)s” vừa thành lập, không thể giải thể cùng ngày.") % {"name": n.name})
        for n in after.values():
            if n.touched and not n.created and n.version_from and n.version_from > self.on:
                self.problems.append(
                    _("“%(name)s” đã có thay đổi từ ngày %(date)s, sau ngày hiệu lực của phương án.")
                    % {"name": n.name, "date": n.version_from.strftime("%d/%m/%Y")}
                )
        for parent_id, kids in children.items():
            by_name: dict[str, list[Node]] = defaultdict(list)
            for kid in kids:
                by_name[fold(kid.name)].append(kid)
            for same in by_name.values():
                if len(same) > 1 and any(k.touched for k in same):
                    self.problems.append(
                        _("Hai đơn vị trực thuộc “%(parent)s” cùng tên “%(name)s”; hãy đổi tên một đơn vị.")
                        % {"parent": after[parent_id].name, "name": same[0].name}
                    )
        closed_ids = {n.id for n in closed if not n.created}
        self.problems.extend(closure_problems(closed_ids, self.on))
        moved_cells = {a for a, _b in self.member_moves}
        if moved_cells:
            late = (Membership.objects.filter(cell_id__in=moved_cells, end__isnull=True, start__gt=self.on)
                    .select_related("member").order_by("member__search_key")[:5])
            for m in late:
                self.problems.append(
                    _("Đảng viên %(name)s bắt đầu sinh hoạt tại chi bộ sau ngày hiệu lực (%(date)s).")
                    % {"name": m.member.full_name, "date": m.start.strftime("%d/%m/%Y")}
                )


def simulate(province: Organization, on: dt.date, changes: Iterable[ChangeSpec],
             before: dict[int, Node] | None = None) -> Simulation:
    """The plan played on the live tree: nothing is written."""
    before = before if before is not None else load(province)
    player = _Player(province, on, before)
    specs = list(changes)
    if not specs:
        player.problems.append(_("Phương án chưa có thay đổi nào."))
    for spec in specs:
        player.play(spec)
    player.final_checks()
    return Simulation(province.pk, on, before, player.after, player.problems, player.member_moves, player.created)


def plan_specs(plan) -> list[ChangeSpec]:
    changes = list(plan.changes.all())
    positions = {c.pk: c.position for c in changes}
    return [ChangeSpec.of(c, positions) for c in changes]


def simulate_plan(plan) -> Simulation:
    return simulate(plan.province, plan.effective_on, plan_specs(plan))
