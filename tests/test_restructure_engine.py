"""The restructuring engine on the two-district world: simulate (no writes), apply all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from organizations.models import Member, Membership, Organization, OrganizationVersion, PlanChange
from organizations.restructuring.execute import PlanProblems, apply_changes
from organizations.restructuring.simulation import ChangeSpec, simulate
from organizations.selectors import tree_as_of

D = dt.date(2025, 7, 1)
Op = PlanChange.Op


def _cells(on):
    return sorted(n.id for root in tree_as_of(on) for n in root.walk() if n.level == "cell")


def test_rename_move_and_close_on_the_same_date(world):
    before_cells = _cells(D - dt.timedelta(days=1))
    changes = [
        ChangeSpec(Op.RENAME, world.c1.pk, new_name="Đảng ủy xã Sóc Sơn (mới)", position=1),
        ChangeSpec(Op.MOVE, world.c1.pk, world.p.pk, position=2),
        ChangeSpec(Op.MOVE, world.c2.pk, world.p.pk, position=3),
        ChangeSpec(Op.CLOSE, world.d1.pk, position=4),
        ChangeSpec(Op.CLOSE, world.d2.pk, position=5),
    ]
    sim = simulate(world.p, D, changes)
    assert sim.problems == []
    assert sim.counts("after").units == sim.counts("before").units - 2
    apply_changes(province=world.p, on=D, changes=changes)
    c1 = Organization.objects.get(pk=world.c1.pk)
    assert c1.name == "Đảng ủy xã Sóc Sơn (mới)" and Organization.objects.get_parent(c1) == world.p
    assert Organization.objects.get(pk=world.d1.pk).valid_to == D
    assert _cells(D) == before_cells == _cells(D - dt.timedelta(days=1))
    assert all(not problem for problem in Organization.objects.find_problems())  # paths, depths, numchild sound
    assert [c.pk for c in Organization.objects.get_children(Organization.objects.get(pk=world.c1.pk))] == [world.a.pk, world.b.pk]
    old = {n.id: n for root in tree_as_of(D - dt.timedelta(days=1)) for n in root.walk()}
    assert old[world.c1.pk].name == "Đảng ủy xã Sóc Sơn" and old[world.c1.pk].parent_id == world.d1.pk


def test_merge_moves_cells_and_members_then_closes(world):
    changes = [ChangeSpec(Op.MERGE, world.b.pk, world.a.pk, position=1)]
    apply_changes(province=world.p, on=D, changes=changes)
    assert Member.objects.filter(cell=world.a).count() == 5
    assert not Member.objects.filter(cell=world.b).exists()
    moved = world.members_b[0]
    periods = list(Membership.objects.filter(member=moved).order_by("start").values_list("cell_id", "end"))
    assert periods[-2:] == [(world.b.pk, D), (world.a.pk, None)]
    assert Organization.objects.get(pk=world.b.pk).valid_to == D
    assert all(not problem for problem in Organization.objects.find_problems())


def test_problems_are_listed_and_nothing_is_written(world):
    changes = [
        ChangeSpec(Op.CLOSE, world.d1.pk, position=1),  # still has C1
        ChangeSpec(Op.CLOSE, world.b.pk, position=2),  # still has members
        ChangeSpec(Op.MOVE, world.x.pk, world.c1.pk, position=3),
        ChangeSpec(Op.RENAME, world.x.pk, new_name="Chi bộ ấp Hòn Quéo", position=4),  # same name as A
    ]
    sim = simulate(world.p, D, changes)
    text = "\n".join(sim.problems)
    assert "Huyện ủy Hòn Đất" in text and "Đảng ủy xã Sóc Sơn" in text
    assert "còn 2 đảng viên" in text
    assert "cùng tên" in text
    versions = OrganizationVersion.objects.count()
    with pytest.raises(PlanProblems):
        apply_changes(province=world.p, on=D, changes=changes)
    assert OrganizationVersion.objects.count() == versions
    assert Organization.objects.get(pk=world.d1.pk).valid_to is None


def test_a_future_date_is_refused_for_direct_changes(world):
    with pytest.raises(Exception) as exc:
        apply_changes(province=world.p, on=dt.date(2999, 1, 1), changes=[ChangeSpec(Op.CLOSE, world.y.pk)])
    assert "chưa đến" in str(exc.value)
