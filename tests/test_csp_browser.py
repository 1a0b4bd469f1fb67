"""In a real browser the strict Content-Security-Policy breaks nothing: htmx swaps, Bootstrap's menu,
Chart.js's charts, the pledges scripts and the admin run, and the browser reports no violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pledges.models import Directive
from reports import counts as report_counts
from reports import services
from reports.models import Report

from .conftest import browser_login
from .factories import UserFactory

pytestmark = pytest.mark.browser

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


def watch(page) -> list[str]:
    """Collect CSP violations (the DOM event) and console errors that mention the policy."""
    problems: list[str] = []
    page.add_init_script(LISTEN)
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return problems


def violations(page, problems: list[str]) -> list[str]:
    return problems + page.evaluate("window.__violations || []")


def until(page, expression: str, tries: int = 100) -> None:
    """Wait for `expression` to be true, asking every 100 ms (page.wait_for_function polls with an eval
    inside the page, which this very policy refuses when the first check is not yet true)."""
    for _ in range(tries):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {tries / 10:.0f} s: {expression}")


@pytest.mark.django_db(transaction=True)
def test_pages_run_under_the_policy_without_violations(world, live_server, phone):
    today = timezone.localdate()
    rnd = services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm", kind="half_year", period_start=today - dt.timedelta(days=200),
        period_end=today - dt.timedelta(days=10), cutoff=today - dt.timedelta(days=10),
        deadlines={"cell": today + dt.timedelta(days=5), "commune": today + dt.timedelta(days=10),
                   "district": today + dt.timedelta(days=15), "province": today + dt.timedelta(days=20)},
    )
    Report.objects.filter(round=rnd, organization=world.a).update(
        state="submitted", started_at=timezone.now(), submitted_at=timezone.now())
    report_counts.rebuild(rnd)  # a direct update: the dashboard's kept counts (and its timeline) follow
    problems = watch(phone)

    # the board: tree (htmx expand), Bootstrap's collapsed menu, the dashboard's chart and bars
    browser_login(phone, live_server, "board")
    phone.goto(f"{live_server.url}/units/")  # after login everyone lands on "Việc cần làm"
    phone.locator(f"button[hx-get='/units/{world.d1.pk}/children/']").click()
    phone.get_by_text("Đảng ủy xã Sóc Sơn").wait_for()
    phone.locator(".navbar-toggler").click()
    phone.locator("#mainnav.show").wait_for()
    phone.goto(f"{live_server.url}/dashboard/{rnd.pk}/")
    until(phone, "!!(window.Chart && Chart.getChart(document.getElementById('chart-timeline')))")
    assert phone.locator("#figure-bars .figure-bar").count() == 3  # the figure by child: HTML bars
    assert phone.locator("#children .progress.w-pct-0").count() >= 1
    width = phone.evaluate("document.querySelector('#children .progress-stacked').getBoundingClientRect().width")
    assert width > 0
    assert violations(phone, problems) == []

    # the secretary: the monthly record (pledges.js: "everyone Good" fills the ratings), year end
    phone.context.clear_cookies()
    browser_login(phone, live_server, "sec_a")
    phone.goto(f"{live_server.url}/cells/{world.a.pk}/reviews/{today.year}/{today.month}/")
    phone.get_by_role("button", name="Ai có mặt chưa đánh giá: Tốt").click()
    assert phone.locator("input[type=radio][value=good]:checked").count() == len(world.members_a)
    phone.goto(f"{live_server.url}/cells/{world.a.pk}/year-end/{today.year}/")
    phone.goto(f"{live_server.url}/cells/{world.a.pk}/pledges/{today.year}/{world.members_a[0].pk}/")
    report = Report.objects.get(round=rnd, organization=world.a)
    phone.goto(f"{live_server.url}/rounds/reports/{report.pk}/")
    assert violations(phone, problems) == []

    # the admin's own scripts and styles
    UserFactory(username="root", is_staff=True, is_superuser=True)
    phone.context.clear_cookies()
    phone.goto(f"{live_server.url}/admin/login/")
    phone.fill("input[name=username]", "root")
    phone.fill("input[name=password]", "mat-khau-thu-123")
    phone.click("input[type=submit]")
    phone.wait_for_url("**/admin/")
    phone.goto(f"{live_server.url}/admin/organizations/member/")
    phone.goto(f"{live_server.url}/admin/organizations/member/{world.members_a[0].pk}/change/")
    assert violations(phone, problems) == []

    # the listener is not deaf: an inline style slipped into the page is blocked and reported
    phone.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    until(phone, "window.__violations.length > 0")
    assert any(v.startswith("style-src") for v in violations(phone, problems))
