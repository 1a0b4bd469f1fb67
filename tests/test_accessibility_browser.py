"""axe-core (vendored from npm, static/vendor/axe-core) on every page of the README's "What users do"
(the sign-in page, every role's pages, the restructuring plans, the tree on a date, a member's history,
the document issue page and the admin's lists and forms), at phone size (390×844) and on a desktop: no
serious or critical violation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.models import PlanChange, RestructurePlan
from pledges.models import Directive, MonthlyReview
from reports import services
from reports.models import Report

from .conftest import browser_login, shot

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
    member = world.members_a[0]
    plan = RestructurePlan.objects.create(province=world.p, title="Sắp xếp các xã", effective_on=dt.date(2025, 7, 1),
                                          created_by=world.users.board)
    PlanChange.objects.create(plan=plan, op=PlanChange.Op.CLOSE, unit=world.b)
    get_user_model().objects.create_superuser("quantri", password="mat-khau-thu-123")
    y, m = today.year, today.month
    MonthlyReview.objects.create(cell=world.a, year=y, month=m)  # the print view prints a record
    pages = {
        None: ["/accounts/login/"],
        "sec_a": ["/todo/", "/units/", f"/units/{world.a.pk}/", "/units/?ngay=01/07/2025",
                  f"/units/members/{member.pk}/", "/cells/", f"/cells/{world.a.pk}/",
                  f"/cells/{world.a.pk}/reviews/{y}/{m}/", f"/cells/{world.a.pk}/reviews/{y}/{m}/print/",
                  f"/cells/{world.a.pk}/year/{y}/", f"/cells/{world.a.pk}/pledges/{y}/",
                  f"/cells/{world.a.pk}/pledges/{y}/{member.pk}/", f"/cells/{world.a.pk}/year-end/{y}/",
                  f"/rounds/reports/{cell_report.pk}/", f"/rounds/reports/{cell_report.pk}/figures/members/",
                  f"/documents/reports/{cell_report.pk}/issue/", "/dashboard/notifications/"],
        "commune1": ["/cells/committee/", f"/cells/committee/{world.c1.pk}/{y}/{m}/"],
        "admin_c1": [f"/units/{world.a.pk}/members/import/"],
        "board": ["/rounds/", f"/rounds/{rnd.pk}/", "/rounds/new/", "/dashboard/", f"/dashboard/{rnd.pk}/",
                  f"/documents/rounds/{rnd.pk}/", "/units/restructure/", f"/units/restructure/{plan.pk}/",
                  f"/units/{world.b.pk}/close/"],
        "quantri": ["/admin/", "/admin/organizations/organization/",
                    f"/admin/organizations/organization/{world.a.pk}/change/", "/admin/organizations/member/",
                    f"/admin/organizations/member/{member.pk}/change/", "/admin/organizations/role/",
                    "/admin/auth/user/", f"/admin/auth/user/{world.users.sec_a.pk}/change/"],
    }
    problems = []
    for size, viewport in SIZES.items():
        context = chromium.new_context(viewport=viewport, locale="vi-VN", is_mobile=size == "phone",
                                       has_touch=size == "phone")
        page = context.new_page()
        page.set_default_timeout(30_000)
        for user, urls in pages.items():
            context.clear_cookies()
            if user:
                browser_login(page, live_server, user)
            for url in urls:
                response = page.goto(live_server.url + url)
                assert response.status == 200, (url, response.status)
                problems += [f"{size} {url}: {v}" for v in violations(page, live_server)]
                shot(page, f"{size}-{user or 'anonymous'}-" + re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-"))
        context.close()
    assert not problems, "\n".join(problems)
