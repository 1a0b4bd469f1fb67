"""seed_demo: a small demo province that keeps every invariant of the tree, the members and the users."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from directive03 import formats
from organizations import demo
from organizations.models import Kind, Level, Member, Membership, Organization, OrganizationVersion, Role
from organizations.text import fold

from .factories import UserFactory, make_unit


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", size="small", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def small(db):
    return seed(seed=3)


def parent_path(org: Organization) -> str:
    return org.path[: -Organization.steplen]


def test_the_tree_is_valid(small):
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    orgs = list(Organization.objects.all())
    by_path = {o.path: o for o in orgs}
    children = Counter(parent_path(o) for o in orgs if o.depth > 1)
    for org in orgs:
        assert org.numchild == children[org.path], org.name
        assert org.depth == len(org.path) // Organization.steplen
        if org.depth > 1:
            parent = by_path[parent_path(org)]
            assert {"province": 4, "district": 3, "commune": 2, "cell": 1}[org.level] < {
                "province": 4, "district": 3, "commune": 2, "cell": 1}[parent.level]
        assert org.valid_from == demo.UNITS_VALID_FROM and org.valid_to is None
        assert org.search_key == fold(org.name)


def test_every_unit_has_one_open_version_with_its_parent(small):
    versions = {v.organization_id: v for v in OrganizationVersion.objects.all()}
    assert OrganizationVersion.objects.count() == Organization.objects.count() == len(versions)
    for org in Organization.objects.all():
        version = versions[org.pk]
        parent = Organization.objects.get_parent(org)
        assert version.parent_id == (parent.pk if parent else None)
        assert (version.name, version.valid_from, version.valid_to) == (org.name, org.valid_from, None)


def test_the_shape_of_the_small_province(small):
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds[Kind.TINH_UY] == 1
    assert kinds[Kind.HUYEN_UY] + kinds[Kind.THANH_UY] == 2
    assert kinds[Kind.DANG_UY_KHOI] == 1
    assert 5 <= kinds[Kind.DANG_UY_XA] + kinds[Kind.DANG_BO_CO_SO] <= 8
    assert set(kinds) >= {Kind.DANG_BO_CO_SO, Kind.CHI_BO_CO_SO, Kind.CHI_BO_TRUC_THUOC}
    cells = Organization.objects.filter(level=Level.CELL)
    assert 25 <= cells.count() <= 45
    assert 450 <= Member.objects.count() <= 800
    # depth is not fixed: cells under a commune, under a district and directly under the province
    assert {c.depth for c in cells} == {2, 3, 4}
    assert "Tỉnh ủy Kiên Giang (Kiên Giang, TU)" in {
        f"{o.name} ({o.place_name}, {o.issuer_code})" for o in Organization.objects.filter(depth=1)}
    codes = {(o.level, o.kind): o.issuer_code for o in Organization.objects.all()}
    assert codes[(Level.DISTRICT, Kind.HUYEN_UY)] == "HU" and codes[(Level.DISTRICT, Kind.DANG_UY_KHOI)] == "ĐU"
    assert codes[(Level.COMMUNE, Kind.DANG_UY_XA)] == "ĐU" and codes[(Level.CELL, Kind.CHI_BO_TRUC_THUOC)] == "CB"


def test_names_are_nfc_vietnamese(small):
    names = list(Organization.objects.values_list("name", flat=True))
    names += list(Member.objects.values_list("full_name", flat=True))
    assert all(n == unicodedata.normalize("NFC", n) == " ".join(n.split()) for n in names)
    assert any(n.startswith("Chi bộ ấp ") for n in names) and any(n.startswith("Đảng ủy xã ") for n in names)
    surnames = Counter(n.split()[0] for n in Member.objects.values_list("full_name", flat=True))
    assert surnames.most_common(1)[0][0] == "Nguyễn"
    assert {m.search_key for m in Member.objects.all()[:50]} == {fold(m.full_name) for m in Member.objects.all()[:50]}


def test_every_cell_has_one_secretary_and_its_officers(small):
    for cell in Organization.objects.filter(level=Level.CELL):
        positions = Counter(Member.objects.filter(cell=cell).values_list("position", flat=True))
        assert positions[Member.Position.SECRETARY] == 1, cell.name
        assert positions[Member.Position.DEPUTY] <= 1
        assert positions[Member.Position.COMMITTEE] <= 3
        assert sum(positions.values()) >= 3
        secretary = Member.objects.get(cell=cell, position=Member.Position.SECRETARY)
        assert secretary.is_key_cadre and secretary.status == Member.Status.OFFICIAL


def test_members_are_plausible(small):
    members = list(Member.objects.all())
    assert len({m.card_number for m in members}) == len(members)
    assert all(len(m.card_number) == 8 and m.card_number.isdigit() for m in members)
    year_ago = demo.REFERENCE_DATE - dt.timedelta(days=365)
    for m in members:
        assert 1950 <= m.birth_year <= 2002
        assert m.joined_on >= dt.date(m.birth_year + 19, 1, 1)  # after the 18th birthday
        assert m.joined_on <= demo.REFERENCE_DATE
        assert (m.status == Member.Status.PROBATIONARY) == (m.joined_on > year_ago), m
        assert m.cell_id is not None and m.left_on is None
    share = Counter(m.status for m in members)[Member.Status.PROBATIONARY] / len(members)
    assert 0.01 <= share <= 0.10
    key = sum(m.is_key_cadre for m in members) / len(members)
    assert 0.08 <= key <= 0.20
    assert {m.gender for m in members} == {Member.Gender.MALE, Member.Gender.FEMALE}


def test_every_member_has_one_open_membership_in_their_cell(small):
    memberships = {ms.member_id: ms for ms in Membership.objects.filter(end__isnull=True)}
    assert Membership.objects.count() == Member.objects.count() == len(memberships)
    for m in Member.objects.all():
        membership = memberships[m.pk]
        assert membership.cell_id == m.cell_id
        assert membership.start >= m.joined_on and membership.start >= demo.UNITS_VALID_FROM


EXPECTED_ROLES = {
    "quantri": ({Role.Kind.ADMIN}, Level.PROVINCE),
    "bantuyengiao": ({Role.Kind.BOARD}, Level.PROVINCE),
    "huyenuy": ({Role.Kind.APPROVER, Role.Kind.REVIEWER}, Level.DISTRICT),
    "xauy": ({Role.Kind.APPROVER, Role.Kind.REVIEWER}, Level.COMMUNE),
    "bithu": ({Role.Kind.CELL_SECRETARY}, Level.CELL),
    "phobithu": ({Role.Kind.CELL_SECRETARY}, Level.CELL),
    "bithu2": ({Role.Kind.CELL_SECRETARY}, Level.CELL),
}


def role_of(username: str) -> tuple[set[str], Organization]:
    roles = list(Role.objects.filter(user__username=username).select_related("organization"))
    assert len({r.organization_id for r in roles}) == 1
    return {r.kind for r in roles}, roles[0].organization


def test_demo_users_have_their_roles(small):
    for username, (kinds, level) in EXPECTED_ROLES.items():
        got, org = role_of(username)
        assert (got, org.level) == (kinds, level), username
    assert {k for kinds, _level in EXPECTED_ROLES.values() for k in kinds} == set(Role.Kind.values)
    User = get_user_model()
    admin = User.objects.get(username="quantri")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(is_superuser=True).exclude(username="quantri").exists()

    _, district = role_of("huyenuy")
    _, commune = role_of("xauy")
    _, cell = role_of("bithu")
    _, cell2 = role_of("bithu2")
    assert district.name.startswith("Huyện ủy ") and commune.name.startswith("Đảng ủy xã ")
    assert Organization.objects.get_parent(commune) == district
    assert Organization.objects.get_parent(cell) == commune and role_of("phobithu")[1] == cell
    assert not cell2.path.startswith(district.path)  # another district
    assert cell2.path[:8] != cell.path[:8]

    for username, position, unit in [("bithu", Member.Position.SECRETARY, cell),
                                     ("phobithu", Member.Position.DEPUTY, cell),
                                     ("bithu2", Member.Position.SECRETARY, cell2)]:
        user = User.objects.get(username=username)
        member = Member.objects.get(cell=unit, position=position)
        assert formats.person_name(user) == member.full_name, username  # họ + tên, in that order
    assert all(u.first_name and u.last_name for u in User.objects.all())


def test_demo_users_log_in_with_the_demo_password(small, client):
    for username in EXPECTED_ROLES:
        response = client.post(reverse("login"), {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get(reverse("organizations:tree")).status_code == 200
        client.post(reverse("logout"))


def test_the_command_prints_the_users_and_the_counts(db):
    out = seed(seed=3)
    assert "Done in" in out and "organizations" in out and "members" in out
    for username in EXPECTED_ROLES:
        assert f"{username} " in out
    assert out.count(demo.DEMO_PASSWORD) == len(EXPECTED_ROLES)


def test_if_empty_and_show_logins(db):
    """What ./dev.sh run does: seed only an empty database, then show the logins."""
    seed(seed=3, if_empty=True)
    units = Organization.objects.count()
    skipped = seed(seed=4, if_empty=True)
    assert "nothing to seed" in skipped
    assert "DEMO_RESET=1 DEMO_SIZE=small ./dev.sh run" in skipped  # how to start over
    assert all(f"{username} " in skipped for username in EXPECTED_ROLES)  # ./dev.sh run shows them
    assert Organization.objects.count() == units
    out = seed(show_logins=True)
    assert "Done in" not in out
    assert all(f"{username} " in out for username in EXPECTED_ROLES)
    user = get_user_model().objects.get(username="bithu")
    user.set_password("mat-khau-moi-2025")
    user.save()
    rows = {row["username"]: row for row in demo.demo_logins()}
    assert rows["bithu"]["password"] == "(changed)" and rows["xauy"]["password"] == demo.DEMO_PASSWORD
    assert rows["huyenuy"]["roles"] == "Cấp ủy phê duyệt, Cấp ủy theo dõi"
    # the secretary and the deputy of the same cell, printed as what each is
    assert (rows["bithu"]["roles"], rows["phobithu"]["roles"]) == ("Bí thư chi bộ", "Phó Bí thư chi bộ")
    assert rows["bithu"]["unit"] == rows["phobithu"]["unit"]
    assert "Phó Bí thư chi bộ" in skipped
    assert rows["bithu"]["unit"].startswith("Chi bộ ") and "(Đảng ủy xã " in rows["bithu"]["unit"]


def snapshot() -> list[tuple[str, str, str]]:
    return list(Member.objects.order_by("pk").values_list("card_number", "full_name", "cell__name"))


def test_the_same_seed_gives_the_same_data(db):
    seed(seed=7)
    first = snapshot()
    first_tree = list(Organization.objects.order_by("path").values_list("path", "name"))
    seed(seed=7, reset=True)
    assert snapshot() == first
    assert list(Organization.objects.order_by("path").values_list("path", "name")) == first_tree
    seed(seed=8, reset=True)
    assert snapshot() != first


def test_refuses_a_database_that_has_units(db):
    make_unit(None, Level.PROVINCE, "Tỉnh ủy Hậu Giang")
    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert Organization.objects.count() == 1 and not Member.objects.exists()


def test_reset_replaces_the_demo_and_keeps_other_users(db):
    seed(seed=3)
    other = UserFactory(username="nguoidung")
    get_user_model().objects.filter(username="bithu").update(first_name="Đã đổi")
    out = seed(seed=3, reset=True)
    assert "Deleted:" in out
    assert get_user_model().objects.filter(pk=other.pk).exists()
    assert get_user_model().objects.get(username="bithu").first_name != "Đã đổi"
    assert Organization.objects.filter(depth=1).count() == 1
    assert Role.objects.count() == sum(len(kinds) for kinds, _level in EXPECTED_ROLES.values())


@pytest.mark.parametrize("size,cells,members", [("medium", (3_500, 4_500), (80_000, 100_000)),
                                                 ("large", (10_000, 13_000), (270_000, 340_000))])
def test_the_bigger_sizes_are_planned_to_scale(size, cells, members):
    """The plan only (no database): medium is one real province, large a merged one."""
    spec = demo.SIZES[size]
    units = demo.plan_tree(spec, random.Random(1))
    planned_cells = [u for u in units if u.level == Level.CELL]
    assert cells[0] <= len(planned_cells) <= cells[1]
    assert len({u.path for u in units}) == len(units)
    mean = sum(sum(demo.PROFILES[c.profile].members) / 2 for c in planned_cells) * spec.member_scale
    assert members[0] <= mean <= members[1]
