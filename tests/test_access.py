"""Who may see what: every view × every role × own subtree / other subtree / anonymous.

Readers of a unit get 200; users whose subtree does not hold the unit get 404 (they do not learn it
exists); readers who may not do the action get 403; anonymous users are sent to the login page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.access import Action, access_for

#: (name, url name, action the view needs, method)
UNIT_VIEWS = [
    ("unit page", "organizations:detail", Action.READ, "get"),
    ("tree children", "organizations:children", Action.READ, "get"),
]

ROLES = ["sec_a", "sec_b", "commune1", "district1", "district2", "board", "admin_c1", "outsider"]

#: unit -> the users who can read it
READERS = {
    "a": {"sec_a", "commune1", "district1", "board", "admin_c1"},
    "x": {"district2", "board"},
    "c1": {"commune1", "district1", "board", "admin_c1"},
    "p": {"board"},
}
#: (action, unit) -> the readers who may also act
ACTORS = {
    (Action.MANAGE_MEMBERS, "a"): {"sec_a", "admin_c1"},
    (Action.EDIT_CELL, "a"): {"sec_a", "admin_c1"},
    (Action.REVIEW, "a"): {"commune1", "district1", "board", "admin_c1"},
    (Action.MANAGE_MEMBERS, "c1"): {"admin_c1"},
    (Action.REVIEW, "c1"): {"district1", "board", "admin_c1"},
    (Action.EDIT_UNIT, "a"): {"sec_a", "admin_c1"},
    (Action.EDIT_UNIT, "c1"): {"admin_c1"},
    (Action.EDIT_UNIT, "p"): {"board"},
    (Action.MANAGE_MEMBERS, "p"): set(),
}


def expected_status(role: str, unit: str, action: Action) -> int:
    if role not in READERS[unit]:
        return 404
    if action == Action.READ:
        return 200
    return 200 if role in ACTORS[(action, unit)] else 403


@pytest.mark.parametrize("unit", ["a", "x", "c1", "p"])
@pytest.mark.parametrize("name,url_name,action,method", UNIT_VIEWS, ids=[v[0] for v in UNIT_VIEWS])
def test_view_access_matrix(world, client, unit, name, url_name, action, method):
    url = reverse(url_name, args=[getattr(world, unit).pk])
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    for role in ROLES:
        client.force_login(getattr(world.users, role))
        response = getattr(client, method)(url)
        assert response.status_code == expected_status(role, unit, action), (role, unit, name)


@pytest.mark.parametrize("url_name", ["organizations:detail", "organizations:children"])
def test_read_views_refuse_other_methods(world, client, url_name):
    client.force_login(world.users.sec_a)
    response = client.post(reverse(url_name, args=[world.a.pk]))
    assert response.status_code == 405


def test_unknown_unit_is_404(world, client):
    client.force_login(world.users.board)
    assert client.get(reverse("organizations:detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("action,unit", sorted(ACTORS, key=str))
def test_access_layer_actions(world, action, unit):
    for role in ROLES:
        allowed = access_for(getattr(world.users, role)).can(action, getattr(world, unit))
        assert allowed == (expected_status(role, unit, action) == 200), (role, action, unit)


def test_tree_page_shows_exactly_my_subtree(world, client):
    url = reverse("organizations:tree")
    client.force_login(world.users.sec_a)
    page = client.get(url).content.decode()
    assert "Chi bộ ấp Hòn Quéo" in page
    assert "Chi bộ ấp Xà Ngách" not in page and "Huyện ủy Hòn Đất" not in page

    client.force_login(world.users.commune1)
    page = client.get(url).content.decode()
    assert "Đảng ủy xã Sóc Sơn" in page and "Chi bộ ấp Xà Ngách" in page
    assert "Thành ủy Rạch Giá" not in page and "Chi bộ khu phố 3" not in page

    client.force_login(world.users.board)
    page = client.get(url).content.decode()
    for name in ("Tỉnh ủy Kiên Giang", "Huyện ủy Hòn Đất", "Thành ủy Rạch Giá", "Chi bộ Ban Quản lý các KCN tỉnh"):
        assert name in page

    client.force_login(world.users.outsider)
    page = client.get(url).content.decode()
    assert "chưa được giao vai trò" in page and "Kiên Giang" not in page


def test_search_stays_inside_my_subtree(world, client):
    client.force_login(world.users.commune1)
    page = client.get(reverse("organizations:tree"), {"q": "chi bo"}).content.decode()
    assert "Chi bộ ấp Hòn Quéo" in page and "Chi bộ ấp Xà Ngách" in page
    assert "Chi bộ khu phố 3" not in page and "Chi bộ Ban Quản lý" not in page
    # diacritics-insensitive
    page = client.get(reverse("organizations:tree"), {"q": "XA NGACH"}).content.decode()
    assert "Chi bộ ấp Xà Ngách" in page


def test_unit_page_lists_members_and_officers(world, client):
    from organizations.models import Member

    Member.objects.filter(pk=world.members_a[0].pk).update(position=Member.Position.SECRETARY)
    client.force_login(world.users.commune1)
    page = client.get(reverse("organizations:detail", args=[world.a.pk])).content.decode()
    for m in world.members_a:
        assert m.full_name in page
    assert "Bí thư: <strong>Trần Thị Ánh 0</strong>" in page
    assert "Bí thư chi bộ: sec_a" in page
    assert "Lê Văn Bình" not in page
