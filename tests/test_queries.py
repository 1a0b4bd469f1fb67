"""The tree page and the unit page run a number of queries that does not grow with the members."""

import pytest
from django.urls import reverse

from organizations.models import Level

from .factories import MemberFactory, make_unit


def grow(world, n_cells: int, members_per_cell: int):
    for i in range(n_cells):
        cell = make_unit(world.c1, Level.CELL, f"Chi bộ thêm {i}")
        MemberFactory.create_batch(members_per_cell, cell=cell)


@pytest.mark.parametrize("who,url", [
    ("board", lambda w: reverse("organizations:tree")),
    ("board", lambda w: reverse("organizations:tree") + "?q=chi+bo"),
    ("board", lambda w: reverse("organizations:detail", args=[w.p.pk])),
    ("commune1", lambda w: reverse("organizations:detail", args=[w.c1.pk])),
    ("commune1", lambda w: reverse("organizations:children", args=[w.c1.pk])),
    ("sec_a", lambda w: reverse("organizations:detail", args=[w.a.pk])),
])
def test_queries_do_not_grow_with_members(world, client, django_assert_max_num_queries, who, url):
    client.force_login(getattr(world.users, who))
    target = url(world)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    grow(world, n_cells=5, members_per_cell=30)
    MemberFactory.create_batch(40, cell=world.a)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(target).status_code == 200
