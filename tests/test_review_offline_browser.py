"""On a 390×844 phone the secretary fills a 19-member month; the network drops mid-way, she keeps
typing and reloads; when it comes back everything typed is on the server. Enter in a note does not
submit; a failed send focuses the one summary that names the members."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pledges.models import MonthlyReview, ReviewEntry

from .conftest import browser_login
from .conftest import shot as browser_shot
from .factories import MemberFactory

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    """A screenshot of the step at phone size (conftest.shot: where CHITHI03_SHOTS says)."""
    browser_shot(page, f"phone-{name}")


def nineteen(world):
    return world.members_a + [MemberFactory(cell=world.a, full_name=f"Đỗ Văn Hùng {i:02d}") for i in range(16)]


def review_url(live_server, world, today) -> str:
    return live_server.url + f"/cells/{world.a.pk}/reviews/{today.year}/{today.month}/"


def wait_saved(page) -> None:
    try:
        page.locator("#save-state", has_text=re.compile("^Đã lưu lúc")).wait_for()
    except Exception:
        print("STATE:", page.inner_text("#save-state"), "ERRORS:", page.inner_text("#errors"))
        raise


@pytest.mark.django_db(transaction=True)
def _service_worker_offline(route) -> None:
    if route.request.service_worker is not None:
        route.abort("internetdisconnected")
    else:
        route.fallback()


def offline(page, on: bool) -> None:
    """The phone loses (or finds) its connection. Playwright's offline mode does not reach the requests a
    service worker makes itself (microsoft/playwright#2311): while offline those are refused here too,
    as a phone without a network would, so a page reloaded offline can only come from the worker's cache."""
    if on:
        page.context.set_offline(True)
        page.context.route("**/*", _service_worker_offline)
    else:
        page.context.unroute("**/*", _service_worker_offline)
        page.context.set_offline(False)


def test_a_month_typed_offline_is_saved_when_the_connection_returns(world, live_server, phone):
    members = nineteen(world)
    today = timezone.localdate()
    absent, noted = members[4], members[7]
    browser_login(phone, live_server, "sec_a")
    url = review_url(live_server, world, today)
    phone.goto(url)
    # the service worker takes the page under its wing; the next load is kept for offline use
    assert phone.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")
    phone.reload()
    assert phone.evaluate("!!navigator.serviceWorker.controller")
    counts = phone.locator("[data-counter='rated']")
    assert counts.inner_text() == "0/19 đã đánh giá"

    phone.fill("#id_meeting_date", today.replace(day=1).isoformat())
    phone.fill("#id_directive_minutes", "45")
    phone.get_by_role("button", name="Ai có mặt chưa đánh giá: Tốt").click()
    expect(counts).to_have_text("19/19 đã đánh giá")
    wait_saved(phone)  # in the background: no reload, the page did not move
    assert phone.url == url
    review = MonthlyReview.objects.get(cell=world.a, year=today.year, month=today.month)
    assert review.directive_minutes == 45 and ReviewEntry.objects.filter(review=review, rating="good").count() == 19
    shot(phone, "1-autosaved")

    # -- the network drops: she keeps typing -----------------------------------------------------
    offline(phone, True)
    phone.fill("#id_theme_content", "Học chuyên đề năm; liên hệ trách nhiệm phục vụ Nhân dân.")
    phone.locator(f"label[for='m-{absent.pk}-present']").click()
    phone.fill(f"#m-{absent.pk}-absence_reason", "Đi công tác huyện")
    assert phone.locator("[data-counter='attendance']").inner_text() == "19 đảng viên: 18 có mặt, 1 vắng"
    note = phone.locator(f"input[name='m-{noted.pk}-note']")
    note.fill("Giúp 2 hộ nghèo sửa nhà")
    note.press("Enter")  # the phone keyboard's Go key: never submits
    assert phone.url == url and phone.locator("#review-form").count() == 1
    phone.locator("#offline-banner").wait_for(state="visible")
    phone.locator("#save-state", has_text=re.compile("^Đã giữ trên máy")).wait_for()
    shot(phone, "2-offline-typing")

    # -- reload while offline: the page comes from the service worker, the typing from the phone --
    phone.reload()
    phone.locator("#offline-banner").wait_for(state="visible")
    assert phone.input_value("#id_theme_content").startswith("Học chuyên đề năm")
    assert phone.input_value(f"#m-{absent.pk}-absence_reason") == "Đi công tác huyện"
    assert not phone.is_checked(f"#m-{absent.pk}-present")
    assert phone.input_value(f"input[name='m-{noted.pk}-note']") == "Giúp 2 hộ nghèo sửa nhà"
    shot(phone, "3-offline-reloaded")
    review.refresh_from_db()
    assert review.theme_content == ""  # nothing reached the server yet

    # -- back online: sent by itself -------------------------------------------------------------
    offline(phone, False)
    wait_saved(phone)
    phone.locator("#offline-banner").wait_for(state="hidden")
    review.refresh_from_db()
    assert review.theme_content.startswith("Học chuyên đề năm")
    row = ReviewEntry.objects.get(review=review, member=absent)
    assert not row.present and row.absence_reason == "Đi công tác huyện" and row.rating is None
    assert ReviewEntry.objects.get(review=review, member=noted).note == "Giúp 2 hộ nghèo sửa nhà"
    assert phone.evaluate(f"localStorage.getItem('chithi03:review:{world.users.sec_a.pk}:{world.a.pk}:"
                          f"{today.year}:{today.month}')") is None  # the copy goes once the server has it
    shot(phone, "4-back-online-saved")


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_focuses_one_summary_naming_the_members(world, live_server, phone):
    members = nineteen(world)
    today = timezone.localdate()
    browser_login(phone, live_server, "sec_a")
    phone.goto(review_url(live_server, world, today))
    phone.locator(f"label[for='m-{members[2].pk}-rating-good']").click()
    phone.fill("#id_directive_minutes", "-5")  # wrong, and the date is missing, and 18 are not rated
    dialogs = []
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    phone.get_by_role("button", name="Gửi", exact=True).click()
    summary = phone.locator("#errors")
    summary.wait_for(state="visible")
    assert dialogs and "sau khi gửi" in dialogs[0].lower()  # the confirmation says what will happen
    assert phone.evaluate("document.activeElement.id") == "errors"
    items = summary.locator("li").all_inner_texts()
    assert any(i.startswith("Thời lượng học tập, làm theo (phút)") for i in items)  # all checks in one round:
    assert any(i.startswith("Ngày sinh hoạt") for i in items)
    assert sum("Chưa đánh giá kết quả làm theo của" in i for i in items) == 18  # each member named
    assert members[0].full_name in " ".join(items) and members[2].full_name not in " ".join(items)
    assert phone.locator(".alert:visible").count() == 1  # one summary, not three alerts
    shot(phone, "5-failed-send-summary")
    # a link goes to the member's row, whose fields say what is wrong (for a screen reader)
    summary.get_by_role("link", name=members[0].full_name).first.click()
    assert phone.url.endswith(f"#row-{members[0].pk}")
    note = phone.locator(f"input[name='m-{members[0].pk}-note']")
    described = note.get_attribute("aria-describedby")
    assert described and "Chưa đánh giá" in phone.locator(f"#{described}").inner_text()
    for _ in range(50):  # smooth scrolling (no wait_for_function: the CSP forbids its eval)
        if abs(phone.evaluate(f"document.getElementById('row-{members[0].pk}').getBoundingClientRect().top")) < 60:
            break
        phone.wait_for_timeout(100)
    bar = phone.locator(".save-bar").bounding_box()
    row = phone.locator(f"#row-{members[0].pk}").bounding_box()
    assert row["y"] + 40 < bar["y"]  # not hidden under the sticky save bar
    shot(phone, "6-error-row")


class Taps:
    """Counts the taps of a journey: every tap goes through here."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def tap(self, locator, *, taps: int = 1) -> None:
        locator.click()
        self.count += taps


@pytest.mark.django_db(transaction=True)
def test_a_full_month_in_ten_taps_then_returned_through_the_todo_lists(world, live_server, phone):
    assert len(nineteen(world)) == 19
    today = timezone.localdate()
    label = f"{today.month}/{today.year}"
    phone.on("dialog", lambda d: d.accept())
    browser_login(phone, live_server, "sec_a")
    assert phone.url.endswith("/todo/")  # the landing page of every role
    shot(phone, "7-secretary-todo")

    taps = Taps(phone)
    taps.tap(phone.get_by_role("link", name=f"Ghi và gửi biên bản sinh hoạt tháng {label}"))
    taps.tap(phone.locator("#id_meeting_date"), taps=2)  # the phone's date picker: open, choose the day
    phone.fill("#id_meeting_date", today.replace(day=1).isoformat())
    taps.tap(phone.locator("#id_directive_minutes"))
    phone.keyboard.type("45")
    taps.tap(phone.get_by_role("button", name="Ai có mặt chưa đánh giá: Tốt"))
    # the counter follows the tap (waited for: on a loaded machine the page's script may still be starting)
    expect(phone.locator("[data-counter='rated']")).to_have_text("19/19 đã đánh giá")
    taps.tap(phone.get_by_role("button", name="Gửi", exact=True), taps=2)  # and OK in the confirmation
    phone.get_by_text("Đã gửi, chờ cấp ủy xem xét.").wait_for()
    assert taps.count <= 10, taps.count
    print(f"TAPS for a 19-member month, all present and 'Tốt': {taps.count}")
    review = MonthlyReview.objects.get(cell=world.a, year=today.year, month=today.month)
    assert review.state == "submitted" and ReviewEntry.objects.filter(review=review, rating="good").count() == 19
    shot(phone, "8-sent")

    # -- the commune: the record waits in its list; it returns it -----------------------------------
    phone.context.clear_cookies()
    browser_login(phone, live_server, "commune1")
    item = phone.locator(".todo-item[data-kind='review']")
    assert "Chi bộ ấp Hòn Quéo" in item.inner_text()
    shot(phone, "9-commune-todo")
    item.get_by_role("link", name=f"Duyệt biên bản tháng {label}").click()
    phone.fill("#id_reason", "Chưa ghi nội dung học tập; đề nghị bổ sung.")
    phone.get_by_role("button", name="Trả lại kèm lý do").click()
    phone.get_by_text(f"Đã trả lại biên bản tháng {label}").wait_for()
    shot(phone, "10-commune-returned")

    # -- the secretary: the return first in her list, and a notification ----------------------------
    phone.context.clear_cookies()
    browser_login(phone, live_server, "sec_a")
    first = phone.locator(".todo-item").first
    assert first.get_attribute("data-kind") == "fix" and f"Sửa biên bản tháng {label} bị trả lại" in first.inner_text()
    assert "Chưa ghi nội dung học tập" in first.inner_text()
    news = phone.locator(".todo-news")
    assert "Nguyễn" in news.inner_text() or "đã trả lại biên bản tháng" in news.inner_text()
    assert phone.locator("#nav-notifications .badge").count() == 1
    shot(phone, "11-secretary-sees-return")
    first.get_by_role("link").click()
    assert "Chưa ghi nội dung học tập" in phone.locator("#return-reason").inner_text()
