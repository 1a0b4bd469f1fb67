"""The dashboard read on a 390×844 phone and on a desktop: the figure by child unit is one horizontal
bar per unit, every unit's name shown in full (a unit without data too, with an empty bar), nothing
slanted or cut; the late units link to their reports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organizations.models import Level
from reports.models import Report

from .conftest import browser_login, shot
from .factories import MemberFactory, make_unit
from .test_dashboard import force, noon, open_round

pytestmark = pytest.mark.browser
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LONG_NAMES = [f"Chi bộ ấp {name}" for name in (
    "Hòn Đất Mới số 1", "Kinh Tư Bình Giang", "Vàm Rầy Thổ Sơn", "Tà Săng Nam Thái Sơn", "Bà Lụa Mỹ Lâm",
    "Mỹ Phú Mỹ Thái Hiệp", "Sơn Tiến Lình Huỳnh", "Ba Hòn Thị trấn Kiên Lương", "Tám Ngàn Phú Lợi", "Cây Dương")]


@pytest.mark.django_db(transaction=True)
def test_every_child_unit_has_a_readable_bar_at_phone_and_desktop_width(world, live_server, chromium):
    today = timezone.localdate()
    cells = [make_unit(world.c1, Level.CELL, name) for name in LONG_NAMES]
    for i, cell in enumerate(cells[:-1]):  # the last one has no member: no data for a percentage
        for k in range(i % 4 + 1):
            MemberFactory(cell=cell, full_name=f"Nguyễn Văn {i}-{k}")
    rnd = open_round(world, today)
    force(rnd, world.a, "approved", started=noon(today - dt.timedelta(days=9)),
          submitted=noon(today - dt.timedelta(days=8)), decided=noon(today - dt.timedelta(days=1)),
          snapshot={"figures": {"members": 3, "pledged": 3}, "sections": {}})
    names = ["Chi bộ ấp Hòn Quéo", "Chi bộ ấp Xà Ngách", *LONG_NAMES]
    late = Report.objects.get(round=rnd, organization=cells[0])  # the cells' deadline has passed

    for size, viewport in SIZES.items():
        context = chromium.new_context(viewport=viewport, locale="vi-VN", is_mobile=size == "phone",
                                       has_touch=size == "phone")
        page = context.new_page()
        page.set_default_timeout(20_000)
        browser_login(page, live_server, "board")
        page.goto(f"{live_server.url}/dashboard/{rnd.pk}/?unit={world.c1.pk}&figure=pledged_pct")
        bars = page.locator("#figure-bars .figure-bar")
        assert bars.count() == len(names)
        shown = bars.locator(".figure-bar-name").all_inner_texts()
        assert sorted(shown) == sorted(names)  # every unit, the one without data included
        for i in range(bars.count()):
            bar = bars.nth(i)
            name = bar.locator(".figure-bar-name")
            name.scroll_into_view_if_needed()
            box = name.bounding_box()
            # whole, on screen, not clipped, and on top (nothing drawn over it)
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (size, shown[i], box)
            assert name.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1")
            assert name.evaluate("e => { const r = e.getBoundingClientRect();"
                                 " return e.contains(document.elementFromPoint(r.left + 2, r.top + r.height / 2)); }")
            assert bar.locator(".figure-bar-track").is_visible()
        empty = bars.filter(has_text=LONG_NAMES[-1])
        assert "chưa có số liệu" in empty.inner_text()
        assert empty.locator(".figure-bar-fill").evaluate("e => e.getBoundingClientRect().width") == 0
        full = bars.filter(has_text="Chi bộ ấp Hòn Quéo")  # 3 of 3 pledged: the whole track
        assert full.locator(".figure-bar-fill").evaluate(
            "e => Math.abs(e.getBoundingClientRect().width - e.parentElement.getBoundingClientRect().width)") < 1
        page.locator("#figure-bars").scroll_into_view_if_needed()
        shot(page, f"dashboard-bars-{size}", element=page.locator("#figure-bars"))
        # the timeline's day labels lie flat
        assert page.evaluate("Chart.getChart('chart-timeline').scales.x.labelRotation") == 0
        shot(page, f"dashboard-{size}", full_page=True)
        # the late list: each unit links to its report
        link = page.locator("#late").get_by_role("link", name=late.name)
        link.click()
        page.wait_for_url(f"**/rounds/reports/{late.pk}/")
        context.close()
