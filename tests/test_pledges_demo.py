"""pledges.demo.build_year: a year of records on the small demo province, with every invariant the
services keep, deterministic for a seed, and usable by the services afterwards."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from demo import seeding
from organizations import services as org_services
from organizations.models import Membership, Organization
from pledges import demo, selectors, services
from pledges.models import (
    AnnualTheme,
    Commendation,
    Grade,
    MemberClassification,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    PledgeRevision,
    PressingIssue,
    ReviewEntry,
    ReviewEvent,
)
from pledges.periods import month_bounds

from .factories import MemberFactory, make_unit

TODAY = dt.date(2026, 12, 10)
State = MonthlyReview.State


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def province(db, monkeypatch):
    """The small demo province: units, members and users only (the later stages are what is tested)."""
    stages = [s for s in seeding.STAGES if s.__name__ in ("build_tree", "build_members", "build_users")]
    monkeypatch.setattr(seeding, "STAGES", stages)
    seeding.seed_demo(size="small", seed=3, log=lambda message: None)
    return Organization.objects.get(depth=1)


def build(province, *, today=TODAY, seed=7) -> dict:
    admin = get_user_model().objects.get(username="quantri")
    return demo.build_year(province=province, year=2026, today=today, rng=random.Random(seed), user=admin)


def members_by_cell_month(year: int) -> dict[tuple[int, int], set[int]]:
    periods = list(Membership.objects.values_list("cell_id", "member_id", "start", "end"))
    out: dict[tuple[int, int], set[int]] = defaultdict(set)
    for month in range(1, 13):
        first, following = month_bounds(year, month)
        for cell_id, member_id, start, end in periods:
            if start < following and (end is None or end > first):
                out[(cell_id, month)].add(member_id)
    return out


def fingerprint() -> list:
    return sorted(
        list(MonthlyReview.objects.values_list("cell_id", "month", "state", "meeting_date", "directive_minutes",
                                               "version", "theme_content"))
        + list(ReviewEntry.objects.values_list("review__cell_id", "review__month", "member_id", "present", "rating",
                                               "exemplary", "criticised"))
        + list(Pledge.objects.values_list("cell_id", "member_id", "kind", "revisions__valid_from",
                                          "revisions__commitments__content")),
        key=repr,
    )


def test_a_year_of_records_keeps_every_invariant(province):
    started = dt.datetime.now()
    counts = build(province)
    assert (dt.datetime.now() - started).total_seconds() < 60
    cells = {c.pk: c for c in Organization.objects.filter(path__startswith=province.path, level="cell")}
    assert counts["cells"] == len(cells) > 20
    assert AnnualTheme.objects.get(province=province, year=2026).title == demo.PROVINCE_THEME
    per_commune = Counter(PressingIssue.objects.values_list("organization_id", flat=True))
    assert per_commune and all(1 <= n <= 3 for n in per_commune.values())

    # one record per cell and month, never for a month to come; the rows are exactly the month's members
    expected = members_by_cell_month(2026)
    reviews = list(MonthlyReview.objects.all())
    assert len({(r.cell_id, r.month) for r in reviews}) == len(reviews)
    rows = defaultdict(set)
    for review_id, member_id in ReviewEntry.objects.values_list("review_id", "member_id"):
        rows[review_id].add(member_id)
    for r in reviews:
        assert r.year == 2026 and 1 <= r.month <= 12
        assert rows[r.pk] == expected[(r.cell_id, r.month)], (r.cell_id, r.month)
        first, following = month_bounds(2026, r.month)
        assert first <= r.meeting_date < following and r.meeting_date <= TODAY
    assert counts["reviewentry"] == sum(len(v) for v in rows.values()) > 5_000

    # the states: mostly accepted, some of each other, about 3% missing
    states = Counter(r.state for r in reviews)
    assert states[State.ACCEPTED] > 0.7 * len(reviews)
    assert states[State.SUBMITTED] and states[State.DRAFT] and states[State.RETURNED]
    possible = sum(1 for (cell_id, month), members in expected.items() if members and cell_id in cells)
    assert 0.01 < (possible - len(reviews)) / possible < 0.08

    # what a submit would have required, and the audit trail behind each state
    minutes = [r.directive_minutes for r in reviews if r.directive_minutes is not None]
    assert all(0 <= m <= 600 for m in minutes) and any(m < 30 for m in minutes)
    assert sum(1 for m in minutes if 30 <= m <= 60) > 0.85 * len(minutes)
    unrated = set(ReviewEntry.objects.filter(present=True, rating=None).values_list("review_id", flat=True))
    events = defaultdict(list)
    for review_id, action, version, by_id in ReviewEvent.objects.order_by("at", "id").values_list(
        "review_id", "action", "version", "by_id"
    ):
        events[review_id].append((action, version, by_id))
    for r in reviews:
        trail = events[r.pk]
        assert [v for _a, v, _b in trail] == list(range(2, r.version + 1))
        assert trail[0][0] == "save"
        if r.state == State.DRAFT:
            assert [a for a, *_ in trail] == ["save"]
            continue
        assert r.meeting_date and r.directive_minutes is not None and r.pk not in unrated
        assert r.submitted_at and r.submitted_by_id
        last = trail[-1][0]
        assert last == {"submitted": "submit", "accepted": "accept", "returned": "return"}[r.state]
        if r.state == State.RETURNED:
            assert r.return_reason and r.decided_by_id == trail[-1][2]
    assert not ReviewEntry.objects.filter(exemplary=True, exemplary_deed="").exists()
    entries = ReviewEntry.objects.count()
    assert 0.005 < ReviewEntry.objects.filter(exemplary=True).count() / entries < 0.04
    assert 0 < ReviewEntry.objects.filter(criticised=True).count() / entries < 0.015

    # pledges: one per member, in the cell of the registration date; ~10% amended in July
    member_pledges = Pledge.objects.filter(member__isnull=False)
    assert member_pledges.values("member_id").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    for pledge in member_pledges.select_related("member")[:200]:
        first = pledge.revisions.get(number=1)
        assert dt.date(2026, 1, 1) <= first.valid_from <= TODAY
        assert selectors.cell_of_member_on(pledge.member, first.valid_from).pk == pledge.cell_id
        assert pledge.kind == services.propose_kind(pledge.member)
        assert 2 <= first.commitments.count() <= 4
    assert Pledge.objects.filter(organization__isnull=False).count() == len(cells)
    amended = PledgeRevision.objects.filter(number=2)
    assert 0.05 < amended.count() / Pledge.objects.count() < 0.16
    assert all(r.valid_from.month == 7 and r.reason for r in amended)

    # year end: one grade per member, the 20% rule holds in every grassroots organization
    assert MemberClassification.objects.values("member_id").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert MemberClassification.objects.filter(grade=Grade.EXCELLENT).exists()
    for cell in list(cells.values())[::3]:
        assert not selectors.excellence_quota(cell_or_unit=cell, year=2026).exceeded
    assert OrganizationClassification.objects.count() == len(cells)
    for c in Commendation.objects.filter(recipient_member__isnull=False).select_related("organization"):
        assert Membership.objects.filter(member_id=c.recipient_member_id, cell=c.organization).exists()
        assert c.awarded_on <= TODAY


def test_the_same_seed_gives_the_same_year(province):
    build(province, seed=11)
    first = fingerprint()
    demo.reset()
    assert not MonthlyReview.objects.exists() and not Pledge.objects.exists()
    assert AnnualTheme.objects.filter(province=None).exists()  # the national themes stay
    build(province, seed=11)
    assert fingerprint() == first
    demo.reset()
    build(province, seed=12)
    assert fingerprint() != first


def test_in_may_there_is_nothing_after_today_and_no_year_end(province, monkeypatch):
    may = dt.date(2026, 5, 20)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: may)
    build(province, today=may)
    assert set(MonthlyReview.objects.values_list("month", flat=True)) == {1, 2, 3, 4, 5}
    assert not MonthlyReview.objects.filter(meeting_date__gt=may).exists()
    assert not ReviewEvent.objects.filter(at__date__gt=may).exists()
    assert not PledgeRevision.objects.filter(number=2).exists()  # July has not come
    assert not MemberClassification.objects.exists() and not Commendation.objects.exists()
    # the current month is the least finished one
    may_states = Counter(MonthlyReview.objects.filter(month=5).values_list("state", flat=True))
    april_states = Counter(MonthlyReview.objects.filter(month=4).values_list("state", flat=True))
    assert may_states[State.ACCEPTED] < april_states[State.ACCEPTED]


def test_moves_between_cells_and_the_services_on_top(world, monkeypatch):
    """A member moving in June has rows in A until June and in B from June; the services then work."""
    may = dt.date(2026, 5, 20)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: may)
    mover = world.members_a[2]
    org_services.member_transfer(member=mover, to_cell=world.b, on=dt.date(2026, 3, 15))
    late = MemberFactory(cell=world.a, full_name="Võ Minh Mới", membership=dt.date(2026, 4, 10))
    gone = make_unit(world.c1, "cell", "Chi bộ đã giải thể")
    org_services.org_close(org=gone, on=dt.date(2025, 12, 31))
    demo.build_year(province=world.p, year=2026, today=may, rng=random.Random(3), user=world.users.board)

    def members_of(cell, month):
        return set(ReviewEntry.objects.filter(review__cell=cell, review__month=month).values_list("member_id", flat=True))

    for review in MonthlyReview.objects.filter(cell__in=[world.a, world.b]):
        expected = set(selectors.members_in_month(cell=review.cell, year=2026, month=review.month)
                       .values_list("pk", flat=True))
        assert members_of(review.cell, review.month) == expected
    a_months = set(MonthlyReview.objects.filter(cell=world.a).values_list("month", flat=True))
    assert a_months & {1, 2, 3} and a_months & {4, 5}
    if 2 in a_months:
        assert mover.pk in members_of(world.a, 2) and late.pk not in members_of(world.a, 2)
    if 4 in a_months:
        assert mover.pk not in members_of(world.a, 4) and late.pk in members_of(world.a, 4)
    if 3 in set(MonthlyReview.objects.filter(cell=world.b).values_list("month", flat=True)):
        assert mover.pk in members_of(world.b, 3)
    assert not MonthlyReview.objects.filter(cell=gone).exists()
    pledge = Pledge.objects.get(member=mover)
    assert pledge.cell == world.a  # registered in January, in A
    assert Pledge.objects.get(member=late).cell == world.a
    assert Pledge.objects.get(member=late).revisions.get().valid_from >= dt.date(2026, 4, 10)
    # who acted: the cell's secretary saves and submits, the commune reviews
    assert set(ReviewEvent.objects.filter(review__cell=world.a, action="save").values_list("by", flat=True)) == {
        world.users.sec_a.pk}
    decided = set(ReviewEvent.objects.filter(review__cell=world.a, action__in=["accept", "return"])
                  .values_list("by", flat=True))
    assert decided <= {world.users.commune1.pk, world.users.district1.pk}

    # the services take over from the demo data: save a draft, accept what was submitted
    for review in MonthlyReview.objects.filter(cell__in=[world.a, world.b]):
        if review.state == State.SUBMITTED:
            services.review_accept(review=review, by=world.users.commune1)
        elif review.state in (State.DRAFT, State.RETURNED):
            user = world.users.sec_a if review.cell_id == world.a.pk else world.users.sec_b
            rows = [{"member": m.pk, "present": True, "rating": "good"}
                    for m in selectors.members_in_month(cell=review.cell, year=2026, month=review.month)]
            services.review_save(review=review, data={}, entries=rows, expected_version=review.version, by=user)
            services.review_submit(review=review, expected_version=review.version, by=user)
    month = selectors.committee_month(unit=world.c1, year=2026, month=4)
    assert month.total == 2  # A and B; the closed cell is not in the month


def test_a_cell_secretary_of_the_demo_has_a_sensible_year(province, client):
    build(province)
    user = get_user_model().objects.get(username="bithu")
    cell = user.roles.get().organization
    year = selectors.cell_year(cell=cell, year=2026)
    assert sum(1 for slot in year.months if slot.status == "accepted") >= 8
    assert all(row.pledge_kind for row in year.members)
    client.force_login(user)
    assert client.get(f"/cells/{cell.pk}/year/2026/").status_code == 200
    assert client.get(f"/cells/{cell.pk}/reviews/2026/11/").status_code == 200
