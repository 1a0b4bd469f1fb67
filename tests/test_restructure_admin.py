"""The admin's unit and history pages: checks before saving, so never an error beside a success."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from organizations.admin import organization_token
from organizations.models import Kind, Level, Organization, OrganizationVersion

from .factories import UserFactory


@pytest.fixture
def admin_client(client, world):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _change_data(org, **changes):
    parent = Organization.objects.get_parent(org)
    data = {"name": org.name, "parent": parent.pk if parent else "", "kind": org.kind,
            "issuer_code": org.issuer_code, "place_name": org.place_name, "change_on": "",
            "version": organization_token(Organization.objects.get(pk=org.pk))}
    data.update(changes)
    return data


def _messages(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_rename_and_move_on_the_same_date_both_hold(world, admin_client):
    url = reverse("admin:organizations_organization_change", args=[world.c1.pk])
    response = admin_client.post(url, _change_data(world.c1, name="Đảng ủy xã Sóc Sơn mới", parent=world.p.pk,
                                                   change_on="01/07/2025"))
    assert response.status_code == 302
    assert [level for level, _text in _messages(response)] == ["success"]
    c1 = Organization.objects.get(pk=world.c1.pk)
    assert c1.name == "Đảng ủy xã Sóc Sơn mới" and Organization.objects.get_parent(c1) == world.p
    current = OrganizationVersion.objects.get(organization=c1, valid_to__isnull=True)
    assert (current.valid_from, current.parent_id, current.name) == (dt.date(2025, 7, 1), world.p.pk, c1.name)


def test_a_move_that_cannot_be_made_saves_nothing_and_shows_only_the_error(world, admin_client):
    url = reverse("admin:organizations_organization_change", args=[world.c1.pk])
    response = admin_client.post(url, _change_data(world.c1, name="Tên mới", parent=world.c2.pk,
                                                   change_on="01/07/2025"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "phải ở cấp thấp hơn" in page and 'value="Tên mới"' in page
    assert "thành công" not in page
    assert Organization.objects.get(pk=world.c1.pk).name == "Đảng ủy xã Sóc Sơn"


def test_adding_a_commune_under_a_commune_shows_the_error_and_keeps_the_input(world, admin_client):
    response = admin_client.post(reverse("admin:organizations_organization_add"), {
        "name": "Đảng ủy xã Mới", "parent": world.c1.pk, "level": Level.COMMUNE, "kind": Kind.DANG_UY_XA,
        "issuer_code": "ĐU", "place_name": "Kiên Giang", "valid_from": "2025-07-01", "change_on": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "phải ở cấp thấp hơn" in page and 'value="Đảng ủy xã Mới"' in page
    assert "thành công" not in page and not Organization.objects.filter(name="Đảng ủy xã Mới").exists()


def test_a_future_date_is_refused_in_the_admin(world, admin_client):
    url = reverse("admin:organizations_organization_change", args=[world.c1.pk])
    response = admin_client.post(url, _change_data(world.c1, parent=world.p.pk, change_on="01/07/2999"))
    assert response.status_code == 200 and "phương án sắp xếp" in response.content.decode()
    assert Organization.objects.get_parent(Organization.objects.get(pk=world.c1.pk)) == world.d1


def test_the_parent_picker_shows_full_paths(world, admin_client):
    page = admin_client.get(reverse("admin:organizations_organization_change", args=[world.a.pk])).content.decode()
    assert "Tỉnh ủy Kiên Giang › Huyện ủy Hòn Đất › Đảng ủy xã Sóc Sơn" in page and "select-filter.js" in page


def test_the_history_admin_refuses_overlapping_periods(world, admin_client):
    response = admin_client.post(reverse("admin:organizations_organizationversion_add"), {
        "organization": world.c1.pk, "parent": world.d2.pk, "name": "Sóc Sơn", "place_name": "", "issuer_code": "",
        "valid_from": "2024-01-01", "valid_to": "2024-06-01"})
    page = response.content.decode()
    assert response.status_code == 200 and "chồng lên giai đoạn 01/01/2020" in page
    assert OrganizationVersion.objects.filter(organization=world.c1).count() == 1
