"""Every `next` the project follows goes through one rule (directive03.redirects.safe_next_url):
a path on this site is followed, anything else falls back to a known page; never a 500, never
another site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from directive03.redirects import safe_next_url
from reports.models import Notification

BAD = ["foo", "-1", "a b", "", " ", "//evil.example/x", "https://evil.example/", "http://testserver.evil/",
       "javascript:alert(1)", "/\\evil.example", "\\\\evil.example", "/units/\nSet-Cookie: x=1",
       "/units/ x", "/" + "a" * 3000, "data:text/html,hi", "%2F%2Fevil.example"]
GOOD = ["/units/", "/dashboard/notifications/?page=2", "/cells/12/reviews/2026/5/#row-3"]


@pytest.mark.parametrize("value", BAD)
def test_the_rule_refuses_what_is_not_a_local_path(value):
    request = RequestFactory().get("/")
    assert safe_next_url(request, value) is None


@pytest.mark.parametrize("value", GOOD)
def test_the_rule_keeps_local_paths(value):
    assert safe_next_url(RequestFactory().get("/"), value) == value


def test_non_strings_are_refused():
    request = RequestFactory().get("/")
    assert safe_next_url(request, None) is None and safe_next_url(request, 5) is None


def notification(user, url="/units/"):
    return Notification.objects.create(user=user, text="Nhắc hạn báo cáo", url=url)


@pytest.mark.parametrize("value", [*BAD, "-1", "a b"])
def test_reading_a_notification_with_a_bad_next_goes_to_the_list(world, client, value):
    n = notification(world.users.sec_a)
    client.force_login(world.users.sec_a)
    response = client.post(reverse("dashboard:notification_read", args=[n.pk]), {"next": value})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:notifications")
    n.refresh_from_db()
    assert n.read_at is not None


def test_reading_a_notification_follows_its_link(world, client):
    n = notification(world.users.sec_a, url=f"/units/{world.a.pk}/")
    client.force_login(world.users.sec_a)
    response = client.post(reverse("dashboard:notification_read", args=[n.pk]), {"next": n.url})
    assert response.status_code == 302 and response["Location"] == f"/units/{world.a.pk}/"


@pytest.mark.parametrize("value", BAD)
def test_login_with_a_bad_next_lands_home(world, client, value):
    page = client.get(reverse("login"), {"next": value})
    assert page.status_code == 200
    response = client.post(reverse("login"), {"username": "sec_a", "password": "mat-khau-thu-123", "next": value})
    assert response.status_code == 302
    assert response["Location"] == reverse("todo")  # the landing page after login ("Việc cần làm")


def test_login_follows_a_local_next(world, client):
    response = client.post(reverse("login") + "?next=/cells/",
                           {"username": "sec_a", "password": "mat-khau-thu-123", "next": "/cells/"})
    assert response.status_code == 302 and response["Location"] == "/cells/"


@pytest.mark.parametrize("value", ["foo", "-1", "a b", "//evil.example/", "https://evil.example/"])
def test_logout_and_language_switch_with_a_bad_next(world, client, value):
    response = client.post(reverse("set_language"), {"language": "en", "next": value})
    assert response.status_code == 302 and response["Location"] == "/"
    client.force_login(world.users.sec_a)
    response = client.post(reverse("logout"), {"next": value})
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_language_switch_comes_back_to_the_page(world, client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/units/"})
    assert response.status_code == 302 and response["Location"] == "/units/"
