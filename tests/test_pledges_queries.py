"""The pledges pages run a number of queries that does not grow with the members or the cells.

Each page is measured on the small world, then the world grows (40 more members in cell A, 6 more
cells of 30 members with records under the commune) and the page must not need more queries.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations.models import Level
from pledges import services
from pledges.models import MonthlyReview, ReviewEntry

from .factories import MemberFactory, make_unit
from .test_pledges_views import form_data

TODAY = dt.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def grow(world) -> None:
    MemberFactory.create_batch(40, cell=world.a)
    for i in range(6):
        cell = make_unit(world.c1, Level.CELL, f"Chi bộ thêm {i}")
        members = MemberFactory.create_batch(30, cell=cell)
        for month in (3, 4, 5):
            review = MonthlyReview.objects.create(cell=cell, year=2026, month=month, state="submitted",
                                                  meeting_date=dt.date(2026, month, 5), directive_minutes=40)
            ReviewEntry.objects.bulk_create(ReviewEntry(review=review, member=m, rating="good") for m in members)


def a_year_of_records(world) -> None:
    """Cell A's March and April, with a row for every current member."""
    for month in (3, 4):
        review = services.review_open(cell=world.a, year=2026, month=month, by=world.users.sec_a)
        ReviewEntry.objects.filter(review=review).delete()
        ReviewEntry.objects.bulk_create(ReviewEntry(review=review, member=m, rating="pass")
                                        for m in world.a.members.all())


def count(client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(captured.captured_queries)


PAGES = [
    ("sec_a", "review form", lambda w: reverse("pledges:review", args=[w.a.pk, 2026, 5])),
    ("commune1", "review read-only", lambda w: reverse("pledges:review", args=[w.a.pk, 2026, 4])),
    ("sec_a", "cell home", lambda w: reverse("pledges:cell", args=[w.a.pk])),
    ("sec_a", "cell year", lambda w: reverse("pledges:year", args=[w.a.pk, 2026])),
    ("sec_a", "pledge list", lambda w: reverse("pledges:pledges", args=[w.a.pk, 2026])),
    ("sec_a", "year end", lambda w: reverse("pledges:yearend", args=[w.a.pk, 2026])),
    ("commune1", "committee month", lambda w: reverse("pledges:committee_month", args=[w.c1.pk, 2026, 5])),
    ("commune1", "committee month, not submitted",
     lambda w: reverse("pledges:committee_month", args=[w.c1.pk, 2026, 5]) + "?loc=chua-nop"),
    ("board", "committee month, province", lambda w: reverse("pledges:committee_month", args=[w.p.pk, 2026, 5])),
]


@pytest.mark.parametrize("who,name,url", PAGES, ids=[p[1] for p in PAGES])
def test_pages_do_not_grow_with_members_or_cells(world, client, who, name, url):
    client.force_login(getattr(world.users, who))
    a_year_of_records(world)
    target = url(world)
    client.get(target)  # warm-up (sessions, caches)
    small = count(client, "get", target)
    grow(world)
    a_year_of_records(world)
    big = count(client, "get", target)
    assert big <= small, f"{name}: {small} queries with 3 members, {big} with 43"
    assert big <= 25, f"{name}: {big} queries"


def test_saving_the_review_form_does_not_grow_with_members(world, client):
    client.force_login(world.users.sec_a)
    url = reverse("pledges:review", args=[world.a.pk, 2026, 5])

    def save_twice() -> tuple[int, int]:
        client.get(url)
        review = services.review_open(cell=world.a, year=2026, month=5, by=world.users.sec_a)
        ReviewEntry.objects.filter(review=review).delete()
        members = list(world.a.members.all())
        created = count(client, "post", url, form_data(members, version=review.version))  # rows created
        review.refresh_from_db()
        data = form_data(members, version=review.version, **{f"m-{m.pk}-rating": "pass" for m in members})
        updated = count(client, "post", url, data)  # every row changed
        review.refresh_from_db()
        assert ReviewEntry.objects.filter(review=review, rating="pass").count() == len(members)
        return created, updated

    small = save_twice()
    grow(world)
    big = save_twice()
    assert big[0] <= small[0] and big[1] <= small[1], (small, big)
    assert max(big) <= 25, big


def test_submitting_does_not_grow_with_members(world, client):
    client.force_login(world.users.sec_a)
    url = reverse("pledges:review", args=[world.a.pk, 2026, 5])
    client.get(url)
    review = services.review_open(cell=world.a, year=2026, month=5, by=world.users.sec_a)
    small = count(client, "post", url, form_data(list(world.a.members.all()), version=review.version, action="submit"))
    grow(world)
    url4 = reverse("pledges:review", args=[world.a.pk, 2026, 4])
    client.get(url4)
    review = services.review_open(cell=world.a, year=2026, month=4, by=world.users.sec_a)
    big = count(client, "post", url4, form_data(list(world.a.members.all()), version=review.version,
                                                action="submit", meeting_date="2026-04-10"))
    assert big <= small, (small, big)
