"""On a phone, the cell secretary records this month's meeting for 8 members and submits it; the
commune returns it with a reason; the secretary sees the reason, fixes the record and sends it again."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from pledges.models import MonthlyReview, ReviewEntry

from .conftest import browser_login
from .factories import MemberFactory

pytestmark = pytest.mark.browser


def open_nav(page, label: str) -> None:
    """The menu is collapsed on a phone: open it, then follow the item."""
    page.locator(".navbar-toggler").click()
    page.get_by_role("link", name=label).click()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def switch_user(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    browser_login(page, live_server, username)


@pytest.mark.django_db(transaction=True)
def test_secretary_records_the_month_on_a_phone_and_the_commune_returns_it(world, live_server, phone):
    members = world.members_a + [MemberFactory(cell=world.a, full_name=f"Đỗ Văn Hùng {i}") for i in range(5)]
    assert len(members) == 8
    today = timezone.localdate()
    absent, exemplary = members[3], members[5]

    # -- the secretary: from the menu to this month's form -------------------------------------
    phone.on("dialog", lambda dialog: dialog.accept())  # "Gửi" and "Trả lại" ask first
    browser_login(phone, live_server, "sec_a")
    open_nav(phone, "Chi bộ của tôi")
    phone.wait_for_url(f"**/cells/{world.a.pk}/")
    assert fits_the_screen(phone)
    phone.get_by_role("link", name=f"Sinh hoạt tháng {today.month}/{today.year}").click()
    phone.wait_for_url(f"**/cells/{world.a.pk}/reviews/{today.year}/{today.month}/")
    assert phone.locator(".member-row").count() == 8
    assert fits_the_screen(phone)
    save_bar = phone.locator(".save-bar").bounding_box()
    assert save_bar is not None and save_bar["y"] + save_bar["height"] <= 844  # sticky: always in reach

    phone.fill("#id_meeting_date", today.isoformat())
    phone.fill("#id_directive_minutes", "45")
    phone.fill("#id_theme_content", "Học tập chuyên đề năm, liên hệ trách nhiệm phục vụ Nhân dân của từng đảng viên.")
    phone.fill("#id_thrift_item", "Tiết kiệm điện, nước, văn phòng phẩm tại trụ sở ấp.")
    phone.locator(f"label[for='m-{absent.pk}-present']").click()  # off: the absence reason opens
    phone.fill(f"#m-{absent.pk}-absence_reason", "Đi khám bệnh")
    phone.locator(f"label[for='m-{members[1].pk}-rating-pass']").click()
    phone.locator(f"label[for='m-{members[2].pk}-rating-good']").click()
    phone.get_by_role("button", name="Ai có mặt chưa đánh giá: Tốt").click()  # the other five in one tap
    phone.locator(f"#row-{exemplary.pk} .row-more summary").click()
    phone.locator(f"label[for='m-{exemplary.pk}-exemplary']").click()
    phone.fill(f"textarea[name='m-{exemplary.pk}-exemplary_deed']", "Vận động bà con hiến đất làm đường")
    phone.get_by_role("button", name="Lưu nháp").click()  # saved in the background: no reload
    phone.locator("#save-state", has_text=re.compile("^Đã lưu lúc")).wait_for()
    review = MonthlyReview.objects.get(cell=world.a, year=today.year, month=today.month)
    assert review.state == "draft" and review.directive_minutes == 45
    assert ReviewEntry.objects.get(review=review, member=absent).absence_reason == "Đi khám bệnh"
    assert ReviewEntry.objects.filter(review=review, rating="good").count() == 6
    assert ReviewEntry.objects.get(review=review, member=members[1]).rating == "pass"
    assert ReviewEntry.objects.get(review=review, member=absent).rating is None

    phone.get_by_role("button", name="Gửi", exact=True).click()
    phone.get_by_text("Đã gửi, chờ cấp ủy xem xét.").wait_for()
    assert phone.locator("#review-form").count() == 0  # locked for the cell
    assert phone.get_by_role("button", name="Lưu nháp").count() == 0

    # -- the commune: its month, the cell's record, returned with a reason ---------------------
    switch_user(phone, live_server, "commune1")
    open_nav(phone, "Theo dõi sinh hoạt")
    phone.wait_for_url(f"**/cells/committee/{world.c1.pk}/{today.year}/{today.month}/")
    row = phone.locator(f".committee-rows li[data-cell='{world.a.pk}']")
    assert row.get_attribute("data-status") == "submitted"
    row.get_by_role("link", name="Xem và duyệt").click()
    phone.get_by_text("Vận động bà con hiến đất làm đường").wait_for()  # the record, read-only
    reason = "Chưa ghi biện pháp tháng tới; đề nghị bổ sung."
    phone.fill("#id_reason", reason)
    phone.get_by_role("button", name="Trả lại kèm lý do").click()
    phone.get_by_text(f"Đã trả lại biên bản tháng {today.month}/{today.year}").wait_for()

    # -- the secretary: the reason on top, the form editable again, sent again ------------------
    switch_user(phone, live_server, "sec_a")
    phone.goto(live_server.url + f"/cells/{world.a.pk}/reviews/{today.year}/{today.month}/")
    banner = phone.locator("#return-reason")
    assert reason in banner.inner_text()
    assert banner.bounding_box()["y"] < phone.locator("#review-form").bounding_box()["y"]
    assert phone.input_value("#id_theme_content").startswith("Học tập chuyên đề năm")  # nothing lost
    phone.fill("#id_next_month_measures", "Ra quân dọn vệ sinh tuyến kênh; thăm hỏi 3 hộ nghèo.")
    phone.get_by_role("button", name="Gửi", exact=True).click()
    phone.get_by_text("Đã gửi, chờ cấp ủy xem xét.").wait_for()
    review.refresh_from_db()
    assert review.state == "submitted" and review.next_month_measures.startswith("Ra quân dọn vệ sinh")
    assert "Trả lại" in phone.locator("#audit").inner_text()


@pytest.mark.django_db(transaction=True)
def test_secretary_registers_a_pledge_adding_rows_and_reads_the_year_grid(world, live_server, phone):
    today = timezone.localdate()
    member = world.members_a[1]
    browser_login(phone, live_server, "sec_a")
    phone.goto(live_server.url + f"/cells/{world.a.pk}/pledges/{today.year}/")
    phone.locator(f"#m-{member.pk}").get_by_role("link", name="Đăng ký").click()
    assert phone.locator(".commitment").count() == 2
    phone.get_by_role("button", name="+ Thêm nội dung").click()  # a third row, without a reload
    assert phone.locator(".commitment").count() == 3
    assert phone.locator(".commitment .n").all_inner_texts() == ["1", "2", "3"]
    contents = ["Đi làm đúng giờ", "Giúp đỡ 1 hộ khó khăn", "Không uống rượu, bia trong giờ làm việc"]
    for i, text in enumerate(contents):
        phone.locator("textarea[name=content]").nth(i).fill(text)
    phone.locator("input[name=verification]").nth(1).fill("Xác nhận của ấp")
    phone.get_by_role("button", name="Đăng ký", exact=True).click()
    phone.get_by_text("Đã đăng ký bản cam kết").wait_for()
    revision = member.pledges.get(year=today.year).revisions.get()
    assert [c.content for c in revision.commitments.order_by("position")] == contents
    assert fits_the_screen(phone)

    # the year grid: one line per member, twelve months across (scrolls sideways inside its box)
    phone.goto(live_server.url + f"/cells/{world.a.pk}/year/{today.year}/")
    row = phone.locator(".year-grid tbody tr").first
    first, last = row.locator("td").nth(2).bounding_box(), row.locator("td").nth(13).bounding_box()
    assert abs(first["y"] - last["y"]) < 2 and last["x"] > first["x"]
    assert fits_the_screen(phone)
