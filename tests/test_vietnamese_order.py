"""Vietnamese alphabetical order (issue 11, item 1) in every list, export and document, through the views.

The names are chosen so that code-point order gets each pair wrong: Đ after T, "khu phố" after
"Trường" (case), ă after â (Lắk/Lâm), ơ before a toned ô (Sơn/Sốp), ư before a toned u (Thường/Thủ),
ê before a toned e (Hên/Hẹn), an upper-case name before the same letters in lower case.
"""

from __future__ import annotations

import datetime as dt
import io
import random

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Kind, Level, Role
from organizations.text import COLLATION, sort_key, vi_order, vi_sorted
from pledges.models import Directive
from reports import services
from reports.models import Document

from .factories import MemberFactory, make_unit, user_with_role
from .test_documents import pdf_text, squash

#: The province's direct children, in Vietnamese order.
TOP = [
    "Chi bộ Ban Quản lý các KCN tỉnh",
    "Đảng ủy Khối các cơ quan tỉnh",
    "Huyện ủy Hòn Đất",
    "Huyện ủy Lắk",
    "Huyện ủy Lâm Hà",
    "Huyện ủy Sốp Cộp",
    "Huyện ủy Sơn Động",
    "Huyện ủy Thủ Thừa",
    "Huyện ủy Thường Xuân",
    "Thành ủy Rạch Giá",
]
#: The cells of one commune, in Vietnamese order.
CELLS = [
    "Chi bộ Ấp Bắc",
    "Chi bộ ấp Dương Hòa",
    "Chi bộ ấp Đông Hòa",
    "Chi bộ khu phố 1",
    "Chi bộ Trường THPT Hòn Đất",
]
#: Members of one cell, in Vietnamese order.
MEMBERS = [
    "Dương Văn Ba",
    "Đỗ Thu Lệ",
    "ĐỖ VĂN EM",
    "Lê Thị Hẹn",
    "Lê Thị Hên",
    "Nguyễn Văn An",
    "Nguyễn Văn Ăn",
    "Nguyễn Văn Ân",
    "Phạm Thị Ốc",
    "Phạm Thị Ơn",
    "Trần Thị Ủ",
    "Trần Thị Ưng",
]


def scrambled(names: list[str]) -> list[str]:
    out = list(names)
    random.Random(3).shuffle(out)
    assert out != names
    return out


def test_the_names_are_wrong_in_code_point_order():
    """The examples defeat a plain sort: otherwise the tests below would prove nothing."""
    for names in (TOP, CELLS, MEMBERS):
        assert sorted(names) != names
        assert vi_sorted(scrambled(names)) == names


def test_the_alphabet_and_the_tones():
    letters = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
    assert vi_sorted(scrambled(letters)) == letters
    tones = ["a", "à", "ả", "ã", "á", "ạ"]  # ICU's Vietnamese tone order, tones after the letters
    assert vi_sorted(list(reversed(tones))) == tones
    assert vi_sorted(["ba", "bà", "Ba", "bá", "BA"])[:1] == ["ba"] and sort_key("ba") < sort_key("bb")
    assert sort_key("Đà") > sort_key("Dz") and sort_key("Đà") < sort_key("E")
    assert sort_key("chi bộ khu phố 1") < sort_key("Chi bộ Trường")  # case-insensitive first


@pytest.fixture
def province(db):
    from .factories import ensure_reference_data

    ensure_reference_data()
    p = make_unit(None, Level.PROVINCE, "Tỉnh ủy Kiên Giang")
    units = {}
    for name in scrambled(TOP):
        level, kind = (Level.CELL, Kind.CHI_BO_CO_SO) if name.startswith("Chi bộ") else (Level.DISTRICT, None)
        units[name] = make_unit(p, level, name, kind=kind)
    commune = make_unit(units["Huyện ủy Hòn Đất"], Level.COMMUNE, "Đảng ủy xã Sóc Sơn")
    cells = {name: make_unit(commune, Level.CELL, name) for name in scrambled(CELLS)}
    for name in scrambled(MEMBERS):
        MemberFactory(cell=cells["Chi bộ khu phố 1"], full_name=name)
    board = user_with_role("board", p, Role.Kind.BOARD)
    return p, units, commune, cells, board


def in_order(text: str, names: list[str]) -> list[str]:
    """The names in the order they first appear in `text` (each searched after the previous one)."""
    found, position = [], 0
    positions = {name: text.find(name) for name in names}
    assert all(pos >= 0 for pos in positions.values()), [n for n, p in positions.items() if p < 0]
    for name in sorted(names, key=lambda n: positions[n]):
        assert positions[name] >= position
        found.append(name)
        position = positions[name]
    return found


def test_tree_unit_page_members_and_committee_month(province, client):
    p, units, commune, cells, board = province
    client.force_login(board)
    tree = client.get(reverse("organizations:tree")).content.decode()
    assert in_order(tree, TOP) == TOP
    children = client.get(reverse("organizations:children", args=[p.pk])).content.decode()
    assert in_order(children, TOP) == TOP
    commune_page = client.get(reverse("organizations:detail", args=[commune.pk])).content.decode()
    assert in_order(commune_page, CELLS) == CELLS
    cell_page = client.get(reverse("organizations:detail", args=[cells["Chi bộ khu phố 1"].pk])).content.decode()
    assert in_order(cell_page, MEMBERS) == MEMBERS

    today = timezone.localdate()
    month = client.get(reverse("pledges:committee_month", args=[commune.pk, today.year, today.month]))
    assert month.status_code == 200
    assert in_order(month.content.decode(), CELLS) == CELLS


def test_members_export_is_in_vietnamese_order(province, client):
    p, units, commune, cells, board = province
    admin = user_with_role("admin_c", commune, Role.Kind.ADMIN)
    client.force_login(admin)
    response = client.get(reverse("organizations:members_export", args=[commune.pk]) + "?format=xlsx")
    assert response.status_code == 200, response.content[:300]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [value for row in ws.iter_rows(values_only=True) for value in row if value in MEMBERS]
    assert names == MEMBERS


@pytest.fixture
def rnd(province):
    p, units, commune, cells, board = province
    today = timezone.localdate()
    return services.round_open(
        by=board, province=p, directive=Directive.objects.get(code="05-CT/TW"), title="Sơ kết 6 tháng",
        kind="half_year", period_start=today - dt.timedelta(days=200), period_end=today - dt.timedelta(days=10),
        cutoff=today - dt.timedelta(days=10),
        deadlines={"cell": today - dt.timedelta(days=2), "commune": today + dt.timedelta(days=2),
                   "district": today + dt.timedelta(days=10), "province": today + dt.timedelta(days=20)},
    )


def test_dashboard_late_units_and_its_export(province, rnd, client):
    p, units, commune, cells, board = province
    client.force_login(board)
    response = client.get(reverse("dashboard:round", args=[rnd.pk]))
    assert response.status_code == 200
    board_data = response.context["board"]
    assert [c.report.name for c in board_data.children] == TOP
    late_cells = [r.report.name for r in board_data.late if r.report.name in CELLS]
    assert late_cells == CELLS
    # the late list: the cells first (earliest deadline), the direct cell of the province among them
    assert [r.report.name for r in board_data.late] == vi_sorted(CELLS + ["Chi bộ Ban Quản lý các KCN tỉnh"])
    html = response.content.decode()
    assert in_order(html, TOP) == TOP

    wb = openpyxl.load_workbook(io.BytesIO(client.get(reverse("dashboard:export", args=[rnd.pk])).content))
    progress = [row[0] for row in wb["Tiến độ theo đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert progress == TOP
    late = [row[0] for row in wb["Đơn vị chậm nộp"].iter_rows(min_row=2, values_only=True)]
    assert late == vi_sorted(CELLS + ["Chi bộ Ban Quản lý các KCN tỉnh"])


def test_round_page_lists_children_in_vietnamese_order(province, rnd, client):
    p, units, commune, cells, board = province
    client.force_login(board)
    page = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert in_order(page, TOP) == TOP


def test_consolidated_pdf_annexes_are_in_vietnamese_order(province, rnd, client, django_capture_on_commit_callbacks):
    p, units, commune, cells, board = province
    board.is_superuser = True  # builds every document of the round
    board.save()
    client.force_login(board)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:start", args=[rnd.pk]))
    assert response.status_code in (200, 302)
    consolidated = Document.objects.get(report__round=rnd, kind=Document.Kind.CONSOLIDATED)
    assert consolidated.status == Document.Status.READY, consolidated.error
    pdf = client.get(reverse("documents:consolidated", args=[rnd.pk, "pdf"]))
    assert pdf.status_code == 200
    text = squash(pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content))
    # the annexes after the signature, found by their titles (the province's own figures come first)
    by_top = squash("SỐ LIỆU THEO ĐƠN VỊ TRỰC THUỘC TỈNH")
    by_commune = squash("SỐ LIỆU THEO CƠ SỞ TRONG TỪNG ĐƠN VỊ TRỰC THUỘC TỈNH")
    completeness = squash("TÌNH HÌNH BÁO CÁO CỦA ĐỢT")
    annex_top = text[text.index(by_top):text.index(by_commune)]
    assert in_order(annex_top, TOP) == TOP
    annex_communes = text[text.index(by_commune):text.index(completeness)]
    assert "Đảng ủy xã Sóc Sơn" in annex_communes
    annex_last = text[text.index(completeness):]
    assert in_order(annex_last, TOP) == TOP


def test_the_database_sorts_like_python(province):
    """The collation on the database (ICU on PostgreSQL, the registered one on SQLite) and sort_key agree."""
    from django.db.models import F
    from django.db.models.functions import Collate

    from organizations.models import Member, Organization

    names = list(Organization.objects.filter(depth=2).order_by(vi_order("name"), "id")
                 .values_list("name", flat=True))
    assert names == TOP
    collated = list(Organization.objects.filter(depth=2).order_by(Collate(F("name"), COLLATION), "id")
                    .values_list("name", flat=True))
    assert collated == TOP
    assert list(Organization.objects.filter(depth=2).order_by(vi_order("name", descending=True))
                .values_list("name", flat=True)) == TOP[::-1]
    members = list(Member.objects.order_by(Collate(F("full_name"), COLLATION), "id").values_list("full_name", flat=True))
    assert members == MEMBERS


def result_table(response) -> str:
    """The rows of an admin change list (not its filters, which list units too)."""
    page = response.content.decode()
    assert response.status_code == 200
    return page[page.index('id="result_list"'):page.index("</table>", page.index('id="result_list"'))]


def test_admin_change_lists_are_in_vietnamese_order(province, client):
    """Units, members, users and roles in the admin, by default and when a name column is clicked
    (ascending and descending), on SQLite (sort-key function) and PostgreSQL (ICU collation)."""
    from .factories import UserFactory

    p, units, commune, cells, board = province
    root = UserFactory(username="quantri", is_staff=True, is_superuser=True, last_name="Quản", first_name="Trị")
    client.force_login(root)
    people = scrambled(MEMBERS)
    for i, name in enumerate(people):
        family, given = name.split(" ", 1)
        user = UserFactory(username=f"user{i:02d}", last_name=family, first_name=given)
        Role.objects.create(user=user, organization=units[TOP[i % len(TOP)]] if i < len(TOP) else cells[CELLS[0]],
                            kind=Role.Kind.BOARD if i < len(TOP) else Role.Kind.CELL_SECRETARY)

    listing = result_table(client.get(reverse("admin:organizations_organization_changelist")))
    assert in_order(listing, TOP) == TOP and in_order(listing, CELLS) == CELLS
    members = reverse("admin:organizations_member_changelist")
    assert in_order(result_table(client.get(members)), MEMBERS) == MEMBERS
    assert in_order(result_table(client.get(members, {"o": "-1"})), MEMBERS) == MEMBERS[::-1]  # "Họ và tên" clicked twice
    assert in_order(result_table(client.get(members, {"o": "1"})), MEMBERS) == MEMBERS
    users = result_table(client.get(reverse("admin:auth_user_changelist")))
    assert in_order(users, MEMBERS) == MEMBERS
    roles = result_table(client.get(reverse("admin:organizations_role_changelist")))
    assert in_order(roles, TOP) == TOP  # by unit, then by person
    # the roles of one cell: by person (the list shows usernames, given in another order than the names)
    usernames = {name: f"user{i:02d}" for i, name in enumerate(people)}
    cell_roles = [usernames[n] for n in MEMBERS if n in people[len(TOP):]]
    assert sorted(cell_roles) != cell_roles and in_order(roles, cell_roles) == cell_roles
