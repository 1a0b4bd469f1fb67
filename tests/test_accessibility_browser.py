"""axe-core (vendored from npm, static/vendor/axe-core) on every main page of the README's "What users
do", at phone size (390×844) and on a desktop: no serious or critical violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pledges.models import Directive
from reports import services
from reports.models import Report

from .conftest import browser_login

pytestmark = pytest.mark.browser
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
BAD = ("serious", "critical")


def violations(page, live_server) -> list[str]:
    page.add_script_tag(url=live_server.url + "/static/vendor/axe-core/axe.min.js")
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').slice(0, 160))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found if v["impact"] in BAD]


@pytest.mark.django_db(transaction=True)
def test_no_serious_or_critical_violation_on_the_main_pages(world, live_server, chromium):
    today = timezone.localdate()
    rnd = services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng", kind="half_year", period_start=dt.date(today.year, 1, 1),
        period_end=today, cutoff=today, deadlines={level: today + dt.timedelta(days=20)
                                                   for level in ("cell", "commune", "district", "province")},
    )
    cell_report = Report.objects.get(round=rnd, organization=world.a)
    y, m = today.year, today.month
    pages = {
        "sec_a": ["/todo/", "/units/", f"/units/{world.a.pk}/", f"/cells/{world.a.pk}/",
                  f"/cells/{world.a.pk}/reviews/{y}/{m}/", f"/cells/{world.a.pk}/year/{y}/",
                  f"/cells/{world.a.pk}/pledges/{y}/", f"/cells/{world.a.pk}/year-end/{y}/",
                  f"/rounds/reports/{cell_report.pk}/", "/dashboard/notifications/"],
        "commune1": [f"/cells/committee/{world.c1.pk}/{y}/{m}/"],
        "board": ["/rounds/", f"/rounds/{rnd.pk}/", "/rounds/new/", f"/dashboard/{rnd.pk}/",
                  f"/documents/rounds/{rnd.pk}/"],
    }
    problems = []
    for size, viewport in SIZES.items():
        context = chromium.new_context(viewport=viewport, locale="vi-VN", is_mobile=size == "phone",
                                       has_touch=size == "phone")
        page = context.new_page()
        page.set_default_timeout(30_000)
        for user, urls in pages.items():
            context.clear_cookies()
            browser_login(page, live_server, user)
            for url in urls:
                response = page.goto(live_server.url + url)
                assert response.status == 200, (url, response.status)
                problems += [f"{size} {url}: {v}" for v in violations(page, live_server)]
        context.close()
    assert not problems, "\n".join(problems)
