"""Headers every response carries: a Content-Security-Policy with nothing inline allowed, and
`Cache-Control: no-store` on whatever a signed-in user receives (pages, exports, downloads).

The policy can only hold if no template needs 'unsafe-inline': a scan of every template a browser
receives refuses inline <script>, <style>, style="" and on*="" handlers; the browser test runs the
pages that use htmx, Bootstrap and Chart.js and listens for CSP violations.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from pledges.models import Directive
from reports import services

ROOT = Path(__file__).resolve().parent.parent
#: Templates rendered for WeasyPrint only (never sent to a browser) keep their print styles.
PRINT_ONLY = {ROOT / "templates" / "documents"}

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style=\"\" attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*=\"\" handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def browser_templates() -> list[Path]:
    dirs = [ROOT / "templates", *[p for p in ROOT.glob("*/templates") if ".venv" not in p.parts]]
    found = []
    for d in dirs:
        for path in d.rglob("*.html"):
            if not any(path.is_relative_to(p) for p in PRINT_ONLY):
                found.append(path)
    return found


def test_no_template_needs_unsafe_inline():
    templates = browser_templates()
    assert len(templates) > 30  # the scan sees the project's templates
    offences = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert offences == []


def test_the_scan_catches_what_it_must():
    """The patterns are not vacuous: each one finds its kind of inline code."""
    samples = ['<script>alert(1)</script>', '<style>p{}</style>', '<div style="width: 5%">',
               '<button onclick="go()">', '<a href="javascript:go()">']
    for (pattern, _what), sample in zip(INLINE, samples, strict=True):
        assert pattern.search(sample), sample
    assert not INLINE[0][0].search('<script src="/static/js/app.js" defer></script>')
    assert not INLINE[0][0].search('<script id="d" type="application/json">{}</script>')
    assert not INLINE[3][0].search('<button hx-on="x" data-bs-toggle="collapse">')


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


def assert_strict_policy(response) -> None:
    assert "Content-Security-Policy" in response, response.request["PATH_INFO"]
    policy = policy_of(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert policy[directive] == ["'self'"], (directive, policy)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def assert_no_store(response) -> None:
    cache = {p.strip() for p in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= cache, (response.request["PATH_INFO"], response.get("Cache-Control"))


@pytest.fixture
def rnd(world):
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30), cutoff=dt.date(2026, 6, 30),
        deadlines={"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10),
                   "district": dt.date(2026, 7, 15), "province": dt.date(2026, 7, 20)},
    )


def test_anonymous_pages_carry_the_policy(client, db):
    for url in (reverse("login"), "/cells/"):
        response = client.get(url)
        assert_strict_policy(response)
    assert client.get(reverse("login")).status_code == 200


def test_signed_in_pages_exports_and_downloads_are_never_stored(world, rnd, client, django_capture_on_commit_callbacks):
    from reports.models import Report

    year = dt.date.today().year
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    pages = [
        reverse("organizations:tree"), reverse("organizations:detail", args=[world.a.pk]),
        reverse("pledges:cell", args=[world.a.pk]), reverse("pledges:yearend", args=[world.a.pk, year]),
        reverse("pledges:pledges", args=[world.a.pk, year]), reverse("reports:report", args=[report.pk]),
        reverse("dashboard:notifications"), reverse("documents:panel", args=[report.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert_no_store(response)
    # refusals too: a 404 for someone else's unit is no more cacheable than the page
    assert_no_store(client.get(reverse("organizations:detail", args=[world.x.pk])))

    export = client.get(reverse("organizations:members_export", args=[world.a.pk]))
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert_no_store(export)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:build", args=[report.pk]))
    pdf = client.get(reverse("documents:download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert_no_store(pdf)

    client.force_login(world.users.board)
    xlsx = client.get(reverse("dashboard:export", args=[rnd.pk]))
    assert xlsx.status_code == 200
    assert_no_store(xlsx)
    assert_strict_policy(client.get(reverse("dashboard:round", args=[rnd.pk])))


def test_the_admin_runs_under_the_policy(world, client):
    from .factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    for url in ("/admin/", "/admin/organizations/organization/", f"/admin/auth/user/{root.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert_no_store(response)


def test_htmx_is_told_not_to_inject_styles(world, client):
    client.force_login(world.users.sec_a)
    page = client.get(reverse("organizations:tree")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in page
    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_middleware_order_puts_the_policy_on_every_response():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert "directive03.middleware.NoStoreMiddleware" in settings.MIDDLEWARE
