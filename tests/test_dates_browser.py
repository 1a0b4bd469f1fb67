"""In a browser whose language is English (en-US), a date is still typed and shown as dd/mm/yyyy:
the round form's dates are text inputs, "01/07/2025" is 1 July, and the interface in English too."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.models import ReportingRound

from .conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def english_browser(chromium):
    context = chromium.new_context(locale="en-US", timezone_id="America/New_York",
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.mark.parametrize("interface", ["vi", "en"])
@pytest.mark.django_db(transaction=True)
def test_an_english_browser_types_and_reads_dates_as_dd_mm_yyyy(world, live_server, english_browser, interface):
    page = english_browser
    assert page.evaluate("navigator.language") == "en-US"
    browser_login(page, live_server, "board")
    if interface == "en":
        page.locator("#language-switch button[value=en]").click()
        page.wait_for_load_state()
    page.goto(live_server.url + "/rounds/new/")
    start = page.locator("#id_period_start")
    assert start.get_attribute("type") == "text"
    assert start.get_attribute("placeholder") == "dd/mm/yyyy"
    shown = start.input_value()
    assert dt.datetime.strptime(shown, "%d/%m/%Y")  # the default date, as dd/mm/yyyy
    page.fill("#id_title", "Tổng kết năm 2025 – thử ngày")
    for field, value in [("period_start", "01/07/2025"), ("period_end", "31/12/2025"), ("cutoff", "31/12/2025"),
                         ("deadline_cell", "05/01/2026"), ("deadline_commune", "10/01/2026"),
                         ("deadline_district", "15/01/2026"), ("deadline_province", "20/01/2026")]:
        page.fill(f"#id_{field}", value)
    assert page.locator("#id_period_start").input_value() == "01/07/2025"  # what the user sees, as typed
    page.locator("#round-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/rounds/new/" not in url)
    rnd = ReportingRound.objects.get(title="Tổng kết năm 2025 – thử ngày")
    assert (rnd.period_start, rnd.period_end, rnd.deadline_cell) == (
        dt.date(2025, 7, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 5))
    assert "01/07/2025" in page.content()  # the round's page shows the dates the same way
