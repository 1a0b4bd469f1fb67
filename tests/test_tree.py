"""Tree rules, the 2025 restructuring and the tree as of a date."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from organizations import selectors, services
from organizations.models import Kind, Level, Member, Membership, Organization, OrganizationVersion

from .factories import MemberFactory, make_unit

CUTOVER = dt.date(2025, 7, 1)


def names(units):
    return sorted(u.name for u in units)


def test_a_cell_has_no_children(world):
    with pytest.raises(ValidationError) as err:
        make_unit(world.a, Level.CELL, "Chi bộ con")
    assert err.value.code == "cell_parent"


def test_a_child_is_lower_than_its_parent(world):
    with pytest.raises(ValidationError) as err:
        make_unit(world.c1, Level.DISTRICT, "Huyện trong xã")
    assert err.value.code == "level_order"


def test_kind_must_fit_the_level(db):
    with pytest.raises(ValidationError) as err:
        make_unit(None, Level.PROVINCE, "Tỉnh lạ", kind=Kind.HUYEN_UY)
    assert err.value.code == "kind"


def test_only_a_province_is_a_root(db):
    with pytest.raises(ValidationError):
        make_unit(None, Level.COMMUNE, "Xã mồ côi")


def test_depth_is_not_fixed(world):
    # a cell directly under the province, one under a district, and one under a commune
    assert Organization.objects.get_parent(world.y) == world.p
    direct = make_unit(world.d1, Level.CELL, "Chi bộ Trường THPT Hòn Đất", kind=Kind.CHI_BO_CO_SO)
    assert Organization.objects.get_parent(direct).pk == world.d1.pk
    assert Organization.objects.get_parent(world.a).pk == world.c1.pk


def test_no_cycles(world):
    with pytest.raises(ValidationError) as err:
        services.org_move(org=world.d1, new_parent=world.c1, on=dt.date(2024, 1, 1))
    assert err.value.code == "cycle"
    with pytest.raises(ValidationError):
        services.org_move(org=world.c1, new_parent=world.c1, on=dt.date(2024, 1, 1))


def test_names_are_stored_nfc(db):
    decomposed = "Chi bo\u0302\u0323 a\u0302\u0301p Mo\u0302\u0323t"  # "Chi bộ ấp Một" in NFD
    province = make_unit(None, Level.PROVINCE, "Tỉnh ủy Kiên Giang")
    cell = make_unit(province, Level.CELL, decomposed, kind=Kind.CHI_BO_CO_SO)
    cell.refresh_from_db()
    assert cell.name == "Chi bộ ấp Một"
    member = MemberFactory(cell=cell, full_name="Nguye\u0302\u0303n   Thi\u0323 Đào ")
    member.refresh_from_db()
    assert member.full_name == "Nguyễn Thị Đào"
    assert member.search_key == "nguyen thi dao"


def restructure_2025(world):
    """Close both districts on 1-7-2025 and move their communes under the province."""
    for district in (world.d1, world.d2):
        for commune in selectors.children_of(district):
            services.org_move(org=commune, new_parent=world.p, on=CUTOVER)
        services.org_close(org=district, on=CUTOVER)


def test_2025_restructuring_and_the_tree_as_of_a_date(world):
    restructure_2025(world)
    world.c1.refresh_from_db()
    assert Organization.objects.get_parent(world.c1).pk == world.p.pk
    # cells came along with their commune
    assert Organization.objects.get(pk=world.a.pk).path.startswith(world.c1.path)

    before = selectors.tree_as_of(dt.date(2025, 6, 30))
    assert names(before) == ["Tỉnh ủy Kiên Giang"]
    province = before[0]
    assert names(province.children) == ["Chi bộ Ban Quản lý các KCN tỉnh", "Huyện ủy Hòn Đất", "Thành ủy Rạch Giá"]
    hon_dat = next(c for c in province.children if c.name == "Huyện ủy Hòn Đất")
    assert names(hon_dat.children) == ["Đảng ủy xã Sóc Sơn"]
    assert names(hon_dat.children[0].children) == ["Chi bộ ấp Hòn Quéo", "Chi bộ ấp Xà Ngách"]

    after = selectors.tree_as_of(CUTOVER)[0]
    assert names(after.children) == [
        "Chi bộ Ban Quản lý các KCN tỉnh", "Đảng ủy phường Vĩnh Thanh", "Đảng ủy xã Sóc Sơn",
    ]
    assert selectors.parent_as_of(world.c1.pk, dt.date(2025, 6, 30)) == world.d1.pk
    assert selectors.parent_as_of(world.c1.pk, CUTOVER) == world.p.pk
    # before the units existed there was no tree
    assert selectors.tree_as_of(dt.date(2019, 12, 31)) == []


def test_a_district_with_open_children_cannot_close(world):
    with pytest.raises(ValidationError) as err:
        services.org_close(org=world.d1, on=CUTOVER)
    assert err.value.code == "has_children"
    assert Organization.objects.get(pk=world.d1.pk).valid_to is None


def test_rename_keeps_the_old_name_for_earlier_dates(world):
    services.org_rename(org=world.c1, name="Đảng ủy xã Sóc Sơn mới", on=dt.date(2024, 1, 1))
    old = OrganizationVersion.objects.get(organization=world.c1, valid_to=dt.date(2024, 1, 1))
    assert old.name == "Đảng ủy xã Sóc Sơn"
    as_of = {u.id: u.name for u in selectors.tree_as_of(dt.date(2023, 6, 1))[0].walk()}
    assert as_of[world.c1.pk] == "Đảng ủy xã Sóc Sơn"


def test_member_transfer_keeps_history(world):
    member = world.members_a[0]
    services.member_transfer(member=member, to_cell=world.b, on=dt.date(2024, 3, 1))
    member.refresh_from_db()
    assert member.cell_id == world.b.pk
    periods = list(Membership.objects.filter(member=member).order_by("start").values_list("cell_id", "end"))
    assert periods == [(world.a.pk, dt.date(2024, 3, 1)), (world.b.pk, None)]
    services.member_transfer(member=member, to_cell=None, on=dt.date(2025, 1, 1))
    member.refresh_from_db()
    assert member.cell_id is None and member.left_on == dt.date(2025, 1, 1)
    assert not Member.objects.filter(cell=world.b, pk=member.pk).exists()


def test_transfer_to_a_committee_is_refused(world):
    with pytest.raises(ValidationError):
        services.member_transfer(member=world.members_a[0], to_cell=world.c1, on=dt.date(2024, 3, 1))


def test_subtree_counts(world):
    units = selectors.with_counts(list(selectors.children_of(world.p)))
    by_name = {u.name: (u.cell_count, u.member_count) for u in units}
    assert by_name == {
        "Huyện ủy Hòn Đất": (2, 5),
        "Thành ủy Rạch Giá": (1, 1),
        "Chi bộ Ban Quản lý các KCN tỉnh": (1, 0),
    }
