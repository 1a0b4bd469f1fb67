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


# -- ids in POST parameters: the year-end example of the attack -----------------------------------------
def _yearend(world):
    import datetime as dt

    return reverse("pledges:yearend", args=[world.a.pk, dt.date.today().year])


@pytest.mark.parametrize("data", [
    {"action": "model", "kind": "example", "title": "t"},
    {"action": "commend", "kind": "certificate", "issuer": "Chi bộ", "content": "Thành tích",
     "awarded_on": "__today__"},
])
def test_year_end_never_names_a_member_of_another_district(world, client, data):
    """POST member=<id of a member of another district> (or recipient=<id>) to one's own cell's year
    end: refused with a Vietnamese message, the name is not on the page, nothing recorded."""
    import datetime as dt

    from pledges.models import Commendation, ModelExample

    stranger = world.members_x[0]
    data = {k: (dt.date.today().isoformat() if v == "__today__" else v) for k, v in data.items()}
    field = "member" if data["action"] == "model" else "recipient"
    client.force_login(world.users.sec_a)
    response = client.post(_yearend(world), {**data, field: str(stranger.pk)})
    page = response.content.decode()
    assert response.status_code == 400
    assert stranger.full_name not in page and world.x.name not in page
    assert "Hãy chọn một đảng viên trong danh sách của chi bộ năm" in page
    assert not ModelExample.objects.exists() and not Commendation.objects.exists()
    # an id that exists nowhere reads the same as a foreign one
    response = client.post(_yearend(world), {**data, field: "999999"})
    assert response.status_code == 400 and "Hãy chọn một đảng viên trong danh sách" in response.content.decode()
    # the cell's own member is accepted: the refusal is about scope, not the form
    response = client.post(_yearend(world), {**data, field: str(world.members_a[0].pk)})
    assert response.status_code == 302
    assert ModelExample.objects.count() + Commendation.objects.count() == 1


def test_services_never_name_someone_outside_the_unit(world):
    """Called directly (an import, a future view), the services refuse without naming the person."""
    import datetime as dt

    from django.core.exceptions import ValidationError

    from pledges import services

    stranger = world.members_x[0]
    year = dt.date.today().year
    with pytest.raises(ValidationError) as err:
        services.record_model_example(organization=world.a, year=year, kind="example", title="t",
                                      member=stranger, by=world.users.sec_a)
    assert stranger.full_name not in str(err.value.messages)
    with pytest.raises(ValidationError) as err:
        services.record_commendation(organization=world.a, year=year, awarded_on=dt.date.today(),
                                     kind="certificate", issuer="Chi bộ", content="x",
                                     recipient_member=stranger, by=world.users.sec_a)
    assert stranger.full_name not in str(err.value.messages)
    with pytest.raises(ValidationError) as err:
        services.record_commendation(organization=world.a, year=year, awarded_on=dt.date.today(),
                                     kind="certificate", issuer="Chi bộ", content="x",
                                     recipient_org=world.x, by=world.users.sec_a)
    assert world.x.name not in str(err.value.messages)


def test_name_for_hides_units_the_reader_may_not_see(world):
    from organizations.access import name_for

    assert name_for(world.users.sec_a, world.a) == world.a.name
    assert name_for(world.users.sec_a, world.x) == "một đơn vị khác"
    assert name_for(world.users.board, world.x) == world.x.name
