"""A member's page: the cell history shown to readers, edited by the managers of the member's cell.

Members of the world fixture are in their cell since 01/01/2020 (tests/factories.START).
"""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse

from organizations import memberships, services
from organizations.models import Member, Membership, Organization, OrganizationVersion
from pledges import selectors
from pledges import services as pledge_services

from .factories import MemberFactory


def member_url(member):
    return reverse("organizations:member", kwargs={"member_id": member.pk})


def history(member):
    return list(Membership.objects.filter(member=member).order_by("start").values_list("cell_id", "start", "end"))


def post_rows(client, member, rows, *, version=None):
    """rows: (cell id or "0" for outside, start text, end text)."""
    if version is None:
        version = memberships.history_version(memberships.stored_history(Member.objects.get(pk=member.pk)))
    data = {"version": version, "rows": str(len(rows))}
    for i, (cell, start, end) in enumerate(rows):
        data.update({f"cell_{i}": str(cell), f"start_{i}": start, f"end_{i}": end})
    return client.post(member_url(member), data)


def body(response) -> str:
    return unescape(response.content.decode())


def since(*units, on=dt.date(2005, 1, 1)):
    """The units existed since `on` (the fixture creates them on 01/01/2020)."""
    for unit in units:
        Organization.objects.filter(pk=unit.pk).update(valid_from=on)
        OrganizationVersion.objects.filter(organization=unit).update(valid_from=on)
        unit.refresh_from_db()


@pytest.fixture
def sec_a(client, world):
    since(world.a, world.b, world.x)
    client.force_login(world.users.sec_a)
    return client


@pytest.fixture
def admin_c1(client, world):
    since(world.a, world.b, world.x)
    client.force_login(world.users.admin_c1)
    return client


def test_the_page_shows_the_history_and_the_unit_page_links_to_it(sec_a, world):
    member = world.members_a[0]
    page = body(sec_a.get(reverse("organizations:detail", kwargs={"pk": world.a.pk})))
    assert member_url(member) in page
    page = body(sec_a.get(member_url(member)))
    assert "Quá trình sinh hoạt" in page and "Chi bộ ấp Hòn Quéo" in page and "01/01/2020" in page
    assert "Lưu quá trình sinh hoạt" in page


def test_a_manager_moves_the_start_back_and_past_years_see_the_member(sec_a, world):
    member = world.members_a[0]
    assert member not in selectors.members_in_year(cell=world.a, year=2011)
    response = post_rows(sec_a, member, [(world.a.pk, "01/06/2010", "")])
    assert response.status_code == 302
    assert history(member) == [(world.a.pk, dt.date(2010, 6, 1), None)]
    assert member in selectors.members_in_year(cell=world.a, year=2011)
    page = body(sec_a.get(reverse("pledges:year", args=[world.a.pk, 2011])))
    assert member.full_name in page


def test_a_transfer_in_and_out_with_dates(admin_c1, world):
    member = world.members_a[1]
    rows = [(world.b.pk, "15/03/2012", "01/07/2018"), (world.a.pk, "01/07/2018", "01/02/2024"), ("0", "01/02/2024", "")]
    assert post_rows(admin_c1, member, rows).status_code == 302
    assert history(member) == [(world.b.pk, dt.date(2012, 3, 15), dt.date(2018, 7, 1)),
                               (world.a.pk, dt.date(2018, 7, 1), dt.date(2024, 2, 1))]
    member.refresh_from_db()
    assert (member.cell, member.left_on) == (None, dt.date(2024, 2, 1))
    # the member who left is still on the page of the last cell's managers, and can come back
    rows = rows[:2] + [("0", "01/02/2024", "01/03/2025"), (world.a.pk, "01/03/2025", "")]
    assert post_rows(admin_c1, member, rows).status_code == 302
    member.refresh_from_db()
    assert (member.cell, member.left_on) == (world.a, None)
    assert len(history(member)) == 3


@pytest.mark.parametrize("rows,message", [
    ([("a", "01/06/2010", "01/01/2016"), ("b", "01/06/2015", "")],
     "Dòng 1 và dòng 2 trùng nhau: từ 01/06/2015 đến 01/01/2016 đảng viên ở hai nơi."),
    ([("a", "01/06/2010", "01/01/2015"), ("b", "01/06/2015", "")],
     "Giữa dòng 1 và dòng 2 bị hở: từ 01/01/2015 đến 01/06/2015 không rõ đảng viên sinh hoạt ở đâu."),
    ([("a", "01/06/2010", ""), ("b", "01/06/2015", "")], "Dòng 1: chỉ dòng cuối cùng mới được để trống ngày kết thúc."),
    ([("a", "31/02/2010", "")], "Dòng 1: ngày phải ghi theo dạng ngày/tháng/năm (dd/mm/yyyy)"),
    ([("a", "2010-13-01", "")], "Dòng 1: ngày phải ghi theo dạng ngày/tháng/năm (dd/mm/yyyy)"),
    ([("a", "01/01/2009", "")], "Dòng 1: ngày 01/01/2009 trước ngày vào Đảng 19/05/2010."),
    ([("a", "01/01/2099", "")], "chưa ghi được ngày trong tương lai"),
    ([("a", "01/01/2016", "01/01/2015"), ("b", "01/01/2015", "")], "ngày kết thúc 01/01/2015 phải sau ngày bắt đầu"),
    ([("", "01/01/2016", "")], "Dòng 1: hãy chọn chi bộ."),
    ([("a", "", "")], "Dòng 1: chưa ghi ngày bắt đầu."),
])
def test_bad_histories_are_refused_with_the_typed_rows_kept(admin_c1, world, rows, message):
    member = world.members_a[2]
    cells = {"a": world.a.pk, "b": world.b.pk, "": ""}
    typed = [(cells[c], s, e) for c, s, e in rows]
    before = history(member)
    response = post_rows(admin_c1, member, typed)
    assert response.status_code == 400
    page = body(response)
    assert message in page
    for _cell, start, end in typed:
        assert f'value="{start}"' in page and f'value="{end}"' in page
    assert history(member) == before


def test_a_cell_before_it_existed_is_refused(admin_c1, world):
    since(world.a, on=dt.date(2020, 1, 1))
    member = MemberFactory(cell=world.a, joined_on=dt.date(1990, 1, 1))
    response = post_rows(admin_c1, member, [(world.a.pk, "01/01/2015", "")])
    assert response.status_code == 400
    assert "Dòng 1: Chi bộ ấp Hòn Quéo chỉ hoạt động từ 01/01/2020." in body(response)


def test_records_keep_the_member_inside_the_history(sec_a, world):
    member = world.members_a[0]
    pledge_services.pledge_register(member=member, year=2021, commitments=["Gương mẫu"], by=world.users.sec_a,
                                    on=dt.date(2021, 1, 10))
    response = post_rows(sec_a, member, [(world.a.pk, "01/01/2022", "")])
    assert response.status_code == 400
    assert "Đảng viên đã có bản đăng ký năm 2021 tại Chi bộ ấp Hòn Quéo" in body(response)
    assert history(member) == [(world.a.pk, dt.date(2020, 1, 1), None)]


def test_periods_in_cells_the_user_does_not_manage_stay_as_they_are(sec_a, world):
    member = world.members_a[0]
    Membership.objects.filter(member=member).update(start=dt.date(2022, 1, 1))
    Membership.objects.create(member=member, cell=world.x, start=dt.date(2020, 1, 1), end=dt.date(2022, 1, 1))
    page = body(sec_a.get(member_url(member)))
    assert "Chi bộ khu phố 3" not in page and "Chi bộ ngoài phạm vi quản lý" in page
    # moving the transfer date into the other cell's period is refused
    response = post_rows(sec_a, member, [(world.x.pk, "01/01/2020", "01/01/2022"), (world.a.pk, "01/06/2021", "")])
    assert response.status_code == 400 and "trùng nhau" in body(response)
    response = post_rows(sec_a, member, [(world.x.pk, "01/01/2020", "01/06/2021"), (world.a.pk, "01/06/2021", "")])
    assert response.status_code == 400
    assert "Chỉ sửa được quá trình sinh hoạt tại các chi bộ mình quản lý" in body(response)
    assert len(history(member)) == 2


def test_two_editors_the_second_gets_a_conflict_and_keeps_what_it_typed(sec_a, world):
    member = world.members_a[0]
    stale = memberships.history_version(memberships.stored_history(member))
    assert post_rows(sec_a, member, [(world.a.pk, "01/01/2012", "")]).status_code == 302
    response = post_rows(sec_a, member, [(world.a.pk, "01/01/2011", "")], version=stale)
    assert response.status_code == 400
    page = body(response)
    assert "vừa được người khác sửa" in page and 'value="01/01/2011"' in page
    assert history(member) == [(world.a.pk, dt.date(2012, 1, 1), None)]


def test_access(client, world):
    since(world.a)
    member = world.members_a[0]
    for name, get_status, post_status in [("outsider", 404, 404), ("sec_b", 404, 404), ("district2", 404, 404),
                                          ("commune1", 200, 403), ("board", 200, 403), ("sec_a", 200, 302)]:
        client.force_login(getattr(world.users, name))
        response = client.get(member_url(member))
        assert response.status_code == get_status, name
        if get_status == 200:
            assert ("Lưu quá trình sinh hoạt" in body(response)) == (post_status == 302), name
        assert post_rows(client, member, [(world.a.pk, "01/01/2020", "")]).status_code == post_status, name
    assert client.get(reverse("organizations:member", kwargs={"member_id": 999999})).status_code == 404
    assert client.put(member_url(member)).status_code == 405


def test_a_member_who_left_is_read_through_their_last_cell(client, world):
    member = world.members_x[0]
    services.member_transfer(member=member, to_cell=None, on=dt.date(2024, 1, 1))
    client.force_login(world.users.district2)
    assert client.get(member_url(member)).status_code == 200
    client.force_login(world.users.sec_a)
    assert client.get(member_url(member)).status_code == 404
