"""A control character and a NUL in EVERY free-text field of every form → saved cleaned (issue 10).

The forms are read from the pages (tests/formwalk.py): every <textarea> and free-text <input> is
filled with a marker holding NUL, Word's manual line break (a vertical tab), a bell and Word's
private-use bullet, then posted as a browser would. Afterwards no text column of the three apps holds a
control character, and each marker is stored cleaned. Runs on SQLite and on PostgreSQL (which refuses
NUL outright).
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from organizations.models import Member, Role
from pledges.models import PressingIssue
from pledges.periods import today as pledges_today
from reports.models import Report, ReportingRound

from .factories import UserFactory, user_with_role
from .formwalk import browser_data, forms_of

APPS = ("organizations", "pledges", "reports")
STORED_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\uf000-\uf0ff]")


class Typist:
    """Fills each field with a numbered marker; remembers what must be found stored."""

    def __init__(self):
        self.numbers = itertools.count(1)
        self.expected: dict[int, str] = {}  # marker number -> "page: field"
        self.page = ""
        self.skip: set[str] = set()  # fields a person leaves alone (hidden by the page in that state)

    def __call__(self, f) -> str:
        if f.name in self.skip:
            return f.value
        i = next(self.numbers)
        marker = f"ư{i}\x00\x0bơ{i}\x07\uf0b7"
        self.expected[i] = f"{self.page}: {f.name}"
        value = f.value.strip()
        if value and (f.maxlength is None or len(value) + 1 + len(marker) <= f.maxlength):
            return f"{value} {marker}"
        return marker


def stored_texts() -> list[tuple[str, str]]:
    out = []
    for model in (m for app in APPS for m in apps.get_app_config(app).get_models()):
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        if not names:
            continue
        for row in model.objects.values_list(*names):
            out += [(f"{model.__name__}.{n}", v) for n, v in zip(names, row, strict=True) if v]
    return out


def submit(client, url: str, typist: Typist, *, form_id: str | None = None, action: str | None = None,
           button: str | None = None, sends: bool = False, extra: dict | None = None, drop=(), expect=(302,)):
    """GET `url`, pick the form (by id, or by its action), fill every free-text field, post it."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    forms = forms_of(page.content.decode())
    form = next(f for f in forms if (form_id and f.attrs.get("id") == form_id) or (action is not None and f.action == action))
    pressed = next((b for b in form.buttons if (button is None or b.get("value") == button)
                    and bool(b.get("formaction")) == sends), None)
    typist.page = url
    data, filled = browser_data(form, typist, pressed)
    assert filled, f"no free-text field in the form of {url}"
    data.update(extra or {})
    for name in drop:
        data.pop(name, None)
    target = (pressed or {}).get("formaction") or form.action or url
    response = client.post(target, data)
    assert response.status_code in expect, (target, response.status_code, errors_in(response))
    return filled


def errors_in(response) -> list[str]:
    """The messages a refused form shows (for the assertion's message)."""
    html = response.content.decode()
    return [" ".join(re.sub(r"<[^>]+>", " ", m).split())[:300]
            for m in re.findall(r'class="[^"]*(?:invalid-feedback|alert|errorlist|text-danger)[^"]*"[^>]*>(.*?)</', html, re.S)]


def check_stored(typist: Typist) -> None:
    texts = stored_texts()
    dirty = [(where, value[:80]) for where, value in texts if STORED_CONTROL.search(value)]
    assert dirty == []
    joined = "\n".join(value for _, value in texts)
    missing = [where for i, where in typist.expected.items() if not re.search(rf"ư{i}[\n ]ơ{i}•", joined)]
    assert missing == [], "\n".join(missing)


@pytest.fixture
def typist():
    return Typist()


def test_the_cells_forms(world, client, typist):
    """Monthly record, its return reason, pledges, collective pledge, year end, pressing issues."""
    cell, member = world.a, world.members_a[0]
    now = pledges_today()
    client.force_login(world.users.sec_a)
    review = reverse("pledges:review", args=[cell.pk, now.year, now.month])
    # every row's texts are kept: the first member absent (a reason), all exemplary and criticised
    present = world.members_a[1:]
    typist.skip = {f"m-{m.pk}-absence_reason" for m in present}  # shown only for an absent member
    submit(client, review, typist, form_id="review-form", button="submit",
           extra={"meeting_date": now.isoformat(), "directive_minutes": "45",
                  **{f"m-{m.pk}-rating": "good" for m in present},
                  **{f"m-{m.pk}-present": "1" for m in present},
                  **{f"m-{m.pk}-{flag}": "1" for m in world.members_a for flag in ("exemplary", "criticised")}},
           drop=[f"m-{world.members_a[0].pk}-present"])
    typist.skip = set()
    submit(client, reverse("pledges:pledge_member", args=[cell.pk, now.year, member.pk]), typist,
           action="", extra={"on": now.isoformat()})
    submit(client, reverse("pledges:pledge_collective", args=[cell.pk, now.year]), typist,
           action="", extra={"on": now.isoformat()})
    year_end = reverse("pledges:yearend", args=[cell.pk, now.year])
    for kind in ("commend", "model"):
        page = forms_of(client.get(year_end).content.decode())
        form = next(f for f in page if any(x.name == "action" and x.value == kind for x in f.fields))
        typist.page = f"{year_end} ({kind})"
        data, filled = browser_data(form, typist)
        assert filled
        if kind == "commend":
            data["awarded_on"] = [now.isoformat()]
        response = client.post(year_end, data)
        assert response.status_code == 302, errors_in(response)
    submit(client, reverse("pledges:cell", args=[cell.pk]), typist,
           action=reverse("pledges:issue_add", args=[cell.pk]))

    client.force_login(world.users.commune1)
    submit(client, review, typist, action=reverse("pledges:decide", args=[cell.pk, now.year, now.month]),
           button="return")
    check_stored(typist)


def test_the_report_forms(world, client, typist):
    """Opening a round, a report's sections and note, the return reasons."""
    client.force_login(world.users.board)
    submit(client, reverse("reports:round_open"), typist, form_id="round-form")
    rnd = ReportingRound.objects.get()
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    detail = reverse("reports:report", args=[report.pk])
    submit(client, detail, typist, form_id="report-form")  # "Lưu"
    submit(client, detail, typist, form_id="report-form", sends=True)  # "Lưu và gửi lên cấp trên"
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    approver = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    client.force_login(approver)
    submit(client, detail, typist, action=reverse("reports:report_return", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED
    check_stored(typist)


def test_every_admin_change_form(world, client, typist):
    """Every model admin of the three apps, on an existing row: every free-text input, posted."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    Member.objects.filter(pk=world.members_a[0].pk).update(card_number="01234567")
    PressingIssue.objects.create(organization=world.a, year=2026, title="Rác thải ở khu dân cư")
    walked = []
    for model in list(admin.site._registry):
        if model._meta.app_label not in APPS:
            continue
        obj = model.objects.order_by("pk").first()
        if obj is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        page = client.get(url)
        form = next(f for f in forms_of(page.content.decode()) if f.attrs.get("id", "").endswith("_form"))
        if not any(f.free_text for f in form.fields):
            continue  # a read-only admin (records are changed through the pages)
        typist.page = url
        typist.skip = {"change_on"}  # a date (the admin's own date inputs carry vDateField)
        data, filled = browser_data(form, typist, {"name": "_save", "value": "Lưu"})
        if model._meta.model_name == "organization":
            data["change_on"] = [timezone.localdate().isoformat()]
        response = client.post(url, data)
        assert response.status_code == 302, (url, errors_in(response))
        walked.append(model.__name__)
    assert {"Organization", "Member", "Directive", "PressingIssue"} <= set(walked), walked
    check_stored(typist)
