"""The import's column "Sinh hoạt tại chi bộ từ ngày": members in their cell since a past date.

Cells of the world fixture are made to exist since 01/01/2005 here; members since 01/01/2020.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organizations import imports
from organizations.models import Member, Membership
from pledges import services as pledge_services

from .factories import MemberFactory
from .test_import import confirm, latest_batch, upload, url, xlsx_file
from .test_memberships import since as existed_since

SINCE = "Sinh hoạt tại chi bộ từ ngày"


def row(card, name="Nguyễn Văn Mới", *, year=1985, joined="19/05/2010", position="Đảng viên", key="Không",
        cell="", since=""):
    return [card, name, "Nam", year, joined, "Chính thức", position, key, cell, since]


def periods(card):
    return list(Membership.objects.filter(member__card_number=card).order_by("start")
                .values_list("cell__name", "start", "end"))


@pytest.fixture
def sec_a(client, world):
    existed_since(world.a, world.b)
    client.force_login(world.users.sec_a)
    return client


@pytest.fixture
def admin_c1(client, world):
    existed_since(world.a, world.b)
    client.force_login(world.users.admin_c1)
    return client


def test_the_template_and_the_export_have_the_column(sec_a, world):
    assert imports.HEADERS[-1] == SINCE
    import io

    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(sec_a.get(url("import_template", world.a)).content))
    assert [c.value for c in wb["Đảng viên"][1]][-1] == SINCE
    guide = [r[0].value for r in wb["Hướng dẫn"].iter_rows()]
    assert SINCE in guide
    wb = openpyxl.load_workbook(io.BytesIO(sec_a.get(url("members_export", world.a)).content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][-1] == SINCE and rows[1][-1] == dt.datetime(2020, 1, 1)


def test_new_members_since_a_past_date_and_since_today_by_default(sec_a, world):
    response = upload(sec_a, world.a, xlsx_file([row("30000001", joined="03/02/2005", since="01/01/2010"),
                                                 row("30000002", since=dt.date(2012, 3, 4)),
                                                 row("30000003")]))
    assert "3 mới, 0 cập nhật" in response.content.decode()
    confirm(sec_a, world.a, latest_batch())
    assert periods("30000001") == [("Chi bộ ấp Hòn Quéo", dt.date(2010, 1, 1), None)]
    assert periods("30000002") == [("Chi bộ ấp Hòn Quéo", dt.date(2012, 3, 4), None)]
    assert periods("30000003") == [("Chi bộ ấp Hòn Quéo", timezone.localdate(), None)]


def test_a_file_made_before_the_column_existed_still_imports(sec_a, world):
    header = imports.HEADERS[:-1]
    response = upload(sec_a, world.a, xlsx_file([row("30100001")[:-1]], header=header))
    assert "1 mới, 0 cập nhật" in response.content.decode()


def test_a_known_member_gets_an_earlier_start(sec_a, world):
    member = world.members_a[0]
    rows = [row(member.card_number, member.full_name, year=member.birth_year, since="01/06/2010")]
    response = upload(sec_a, world.a, xlsx_file(rows))
    body = response.content.decode()
    assert "0 mới, 1 cập nhật" in body and SINCE in body
    confirm(sec_a, world.a, latest_batch())
    assert periods(member.card_number) == [("Chi bộ ấp Hòn Quéo", dt.date(2010, 6, 1), None)]
    # the same file again changes nothing
    assert "0 mới, 0 cập nhật" in upload(sec_a, world.a, xlsx_file(rows)).content.decode()


def test_a_move_between_the_communes_cells_on_a_date(admin_c1, world):
    member = world.members_a[1]
    rows = [row(member.card_number, member.full_name, year=member.birth_year, cell="Chi bộ ấp Xà Ngách",
                since="01/07/2023")]
    assert "Chuyển từ Chi bộ ấp Hòn Quéo" in upload(admin_c1, world.c1, xlsx_file(rows)).content.decode()
    confirm(admin_c1, world.c1, latest_batch())
    assert periods(member.card_number) == [("Chi bộ ấp Hòn Quéo", dt.date(2020, 1, 1), dt.date(2023, 7, 1)),
                                           ("Chi bộ ấp Xà Ngách", dt.date(2023, 7, 1), None)]


@pytest.mark.parametrize("since,message", [
    ("01/01/2009", "Ngày sinh hoạt tại chi bộ 01/01/2009 trước ngày vào Đảng 19/05/2010."),
    ("01/01/2099", "Ngày sinh hoạt tại chi bộ 01/01/2099 ở sau ngày hôm nay."),
    ("31/02/2015", "Ngày “31/02/2015” không có trên lịch."),
    ("2015-01-01", "không đúng dạng ngày/tháng/năm"),
])
def test_bad_dates_are_refused(sec_a, world, since, message):
    response = upload(sec_a, world.a, xlsx_file([row("30200001", since=since)]))
    assert message in response.content.decode()
    assert latest_batch().errors


def test_a_date_before_the_cell_existed(sec_a, world):
    existed_since(world.a, on=dt.date(2015, 1, 1))
    response = upload(sec_a, world.a, xlsx_file([row("30300001", since="01/01/2012")]))
    assert "trước ngày Chi bộ ấp Hòn Quéo bắt đầu hoạt động (01/01/2015)" in response.content.decode()


def test_a_move_dated_before_the_current_start(admin_c1, world):
    member = world.members_a[1]
    rows = [row(member.card_number, member.full_name, year=member.birth_year, cell="Chi bộ ấp Xà Ngách",
                since="01/07/2019")]
    body = upload(admin_c1, world.c1, xlsx_file(rows)).content.decode()
    assert "Ngày chuyển đến 01/07/2019 phải sau ngày bắt đầu sinh hoạt tại Chi bộ ấp Hòn Quéo (01/01/2020)." in body


def test_a_start_that_would_leave_records_outside_is_refused(sec_a, world):
    member = world.members_a[0]
    pledge_services.pledge_register(member=member, year=2021, commitments=["Gương mẫu"], by=world.users.sec_a,
                                    on=dt.date(2021, 1, 10))
    rows = [row(member.card_number, member.full_name, year=member.birth_year, since="01/01/2022")]
    body = upload(sec_a, world.a, xlsx_file(rows)).content.decode()
    assert "Đảng viên đã có bản đăng ký năm 2021 tại Chi bộ ấp Hòn Quéo" in body
    assert latest_batch().errors


def test_a_member_with_an_earlier_cell_is_sent_to_their_page(admin_c1, world):
    member = MemberFactory(cell=world.b, card_number="30400001", membership=dt.date(2015, 1, 1))
    Membership.objects.filter(member=member).update(end=dt.date(2018, 1, 1))
    Membership.objects.create(member=member, cell=world.a, start=dt.date(2018, 1, 1))
    Member.objects.filter(pk=member.pk).update(cell=world.a)
    rows = [row(member.card_number, member.full_name, year=member.birth_year, cell="Chi bộ ấp Hòn Quéo",
                since="01/01/2017")]
    body = upload(admin_c1, world.c1, xlsx_file(rows)).content.decode()
    assert "hãy sửa ngày trên trang của đảng viên" in body


def test_a_member_who_left_comes_back_after_leaving_not_before(sec_a, world):
    from organizations import services

    leaver = world.members_x[0]
    services.member_transfer(member=leaver, to_cell=None, on=dt.date(2024, 1, 1))
    rows = [row(leaver.card_number, leaver.full_name, year=leaver.birth_year, since="01/06/2023")]
    body = upload(sec_a, world.a, xlsx_file(rows)).content.decode()
    assert "Ngày sinh hoạt tại chi bộ 01/06/2023 trước ngày đảng viên chuyển đi (01/01/2024)." in body
    rows = [row(leaver.card_number, leaver.full_name, year=leaver.birth_year, since="01/03/2024")]
    assert "Chuyển đến" in upload(sec_a, world.a, xlsx_file(rows)).content.decode()
    confirm(sec_a, world.a, latest_batch())
    assert periods(leaver.card_number) == [("Chi bộ khu phố 3", dt.date(2020, 1, 1), dt.date(2024, 1, 1)),
                                           ("Chi bộ ấp Hòn Quéo", dt.date(2024, 3, 1), None)]
