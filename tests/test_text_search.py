"""Search folds like the public pages, in the admin too (issue 11, item 2): NFD, lower case, "Ð" (U+00D0)."""

from __future__ import annotations

import unicodedata

import pytest
from django.contrib import admin
from django.urls import reverse

from organizations.admin_search import FoldedSearchMixin
from pledges.models import PressingIssue

from .factories import MemberFactory, UserFactory

SPELLINGS = [
    "Đỗ Thu Lệ",
    unicodedata.normalize("NFD", "Đỗ Thu Lệ"),  # typed decomposed
    "đỗ thu lệ",  # lower case (SQLite's LIKE folds ASCII only)
    unicodedata.normalize("NFD", "đỗ thu lệ"),
    "\u00d0ỗ Thu Lệ",  # Ð (U+00D0) instead of Đ
    "ĐỖ THU LỆ",
    "do thu le",
    "thu lệ",
]


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.mark.parametrize("typed", SPELLINGS)
def test_the_member_admin_finds_every_spelling(world, root, client, typed):
    wanted = MemberFactory(cell=world.a, full_name="Đỗ Thu Lệ")
    MemberFactory(cell=world.a, full_name="Đỗ Văn Lê")
    client.force_login(root)
    response = client.get(reverse("admin:organizations_member_changelist"), {"q": typed})
    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert found == [wanted]


@pytest.mark.parametrize("typed", ["ĐẢNG ỦY XÃ SÓC SƠN", "đảng ủy xã sóc sơn", "\u00d0ảng ủy xã Sóc Sơn",
                                   unicodedata.normalize("NFD", "Đảng ủy xã Sóc Sơn"), "dang uy xa soc son"])
def test_the_unit_admin_and_a_free_text_admin_fold_too(world, root, client, typed):
    client.force_login(root)
    units = client.get(reverse("admin:organizations_organization_changelist"), {"q": typed})
    assert [o.pk for o in units.context["cl"].result_list] == [world.c1.pk]
    # a column without a search key (a pressing issue's title): folded by the database's function
    issue = PressingIssue.objects.create(organization=world.c1, year=2026, title="Đảng ủy xã Sóc Sơn chậm trễ")
    issues = client.get(reverse("admin:pledges_pressingissue_changelist"), {"q": typed})
    assert issue in list(issues.context["cl"].result_list)


def test_every_admin_with_search_folds():
    """A new admin with search_fields that forgets the mixin fails here."""
    searching = [type(a).__name__ for m, a in admin.site._registry.items() if a.search_fields]
    assert len(searching) >= 10
    forgotten = [type(a).__name__ for m, a in admin.site._registry.items()
                 if a.search_fields and not isinstance(a, FoldedSearchMixin)
                 and m._meta.app_label in ("organizations", "pledges", "reports", "auth")]
    assert forgotten == []


@pytest.mark.parametrize("typed", ["\u00d0ảng ủy", "đảng ủy xã sóc", unicodedata.normalize("NFD", "Đảng ủy xã Sóc")])
def test_public_search_folds_u00d0_and_nfd(world, client, typed):
    client.force_login(world.users.board)
    response = client.get(reverse("organizations:tree"), {"q": typed})
    assert "Đảng ủy xã Sóc Sơn" in response.content.decode()
    assert world.c1 in response.context["results"]
