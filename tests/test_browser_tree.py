"""A user on a phone logs in, sees their subtree, expands it (htmx) and opens a unit."""

import pytest

from .conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_board_browses_the_province_on_a_phone(world, live_server, phone):
    browser_login(phone, live_server, "board")
    assert phone.locator("h1").inner_text() == "Việc cần làm"  # the landing page of every role
    phone.goto(live_server.url + "/units/")
    assert phone.locator("h1").inner_text() == "Các tổ chức đảng trong phạm vi của tôi"
    assert phone.get_by_text("Huyện ủy Hòn Đất").is_visible()
    assert not phone.get_by_text("Đảng ủy xã Sóc Sơn").is_visible()

    # expand the district: its communes come in through htmx without a reload
    phone.locator(f"button[hx-get='/units/{world.d1.pk}/children/']").click()
    phone.get_by_text("Đảng ủy xã Sóc Sơn").wait_for()
    phone.get_by_text("Đảng ủy xã Sóc Sơn").click()
    phone.wait_for_url(f"**/units/{world.c1.pk}/")
    assert phone.locator("h1").inner_text() == "Đảng ủy xã Sóc Sơn"
    assert phone.get_by_text("Chi bộ ấp Xà Ngách").is_visible()


@pytest.mark.django_db(transaction=True)
def test_cell_secretary_sees_only_their_cell(world, live_server, phone):
    browser_login(phone, live_server, "sec_a")
    assert phone.get_by_text("Chi bộ ấp Hòn Quéo").is_visible()
    assert phone.get_by_text("Huyện ủy Hòn Đất").count() == 0
    phone.goto(live_server.url + f"/units/{world.x.pk}/")
    assert "Không tìm thấy" in phone.content() or "Not Found" in phone.content()
