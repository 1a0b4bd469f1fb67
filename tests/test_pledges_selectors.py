"""pledges.selectors: who belonged when, themes, pledges as of a date, and the overview pages.

The overview selectors run a fixed number of queries: the tests fill cells with many members
and many cells and check the count does not move. "Today" is 20-5-2026.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations import services as org_services
from organizations.models import Level, Member
from pledges import selectors, services
from pledges.models import AnnualTheme, Directive, MonthlyReview, Pledge, ReviewEntry

from .factories import MemberFactory, make_unit

TODAY = dt.date(2026, 5, 20)
State = MonthlyReview.State


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def rows(members, **overrides):
    return [{"member": m.pk, "present": True, "rating": "good", **overrides} for m in members]


def record(cell, month, members, *, state=State.DRAFT, absent=(), year=2026):
    """A monthly record with rows written directly (fast), in the given state."""
    review = MonthlyReview.objects.create(
        cell=cell, year=year, month=month, state=state, meeting_date=dt.date(year, month, 5), directive_minutes=45
    )
    ReviewEntry.objects.bulk_create(
        ReviewEntry(review=review, member=m, present=m not in absent, rating=None if m in absent else "good")
        for m in members
    )
    return review


# -- members in a month ---------------------------------------------------------------------------
def test_members_in_month_follow_the_membership_dates(world, django_assert_num_queries):
    a0, a1, a2 = world.members_a
    org_services.member_transfer(member=a2, to_cell=world.b, on=dt.date(2026, 3, 15))
    newcomer = MemberFactory(cell=world.a, full_name="Võ Minh Mới", membership=dt.date(2026, 5, 10))
    with django_assert_num_queries(1):
        march = list(selectors.members_in_month(cell=world.a, year=2026, month=3))
    assert set(march) == {a0, a1, a2}
    assert set(selectors.members_in_month(cell=world.a, year=2026, month=4)) == {a0, a1}
    assert set(selectors.members_in_month(cell=world.a, year=2026, month=5)) == {a0, a1, newcomer}
    assert a2 in set(selectors.members_in_month(cell=world.b, year=2026, month=3))
    assert a2 not in set(selectors.members_in_month(cell=world.b, year=2026, month=2))


def test_members_in_month_are_ordered_by_position_then_name(world):
    MemberFactory(cell=world.a, full_name="Đỗ Văn Phó", position=Member.Position.DEPUTY)
    MemberFactory(cell=world.a, full_name="Bùi Thị Bí Thư", position=Member.Position.SECRETARY)
    MemberFactory(cell=world.a, full_name="An Văn Ủy Viên", position=Member.Position.COMMITTEE)
    names = [m.full_name for m in selectors.members_in_month(cell=world.a, year=2026, month=5)]
    assert names[:3] == ["Bùi Thị Bí Thư", "Đỗ Văn Phó", "An Văn Ủy Viên"]
    assert names[3:] == sorted(m.full_name for m in world.members_a)


def test_review_rows_pair_members_with_their_saved_rows(world):
    assert selectors.review_for(cell=world.a, year=2026, month=5) is None  # reading creates nothing
    review = services.review_open(cell=world.a, year=2026, month=5, by=world.users.sec_a)
    assert selectors.review_for(cell=world.a, year=2026, month=5) == review
    ReviewEntry.objects.create(review=review, member=world.members_a[0], present=False)
    found = selectors.review_rows(review=review)
    assert [r.member for r in found] == world.members_a
    assert found[0].entry is not None and found[0].entry.present is False
    assert found[1].entry is None


# -- directives and themes ------------------------------------------------------------------------
def test_the_directives_and_national_themes_are_loaded(db):
    assert list(Directive.objects.values_list("code", "issued_on", "issuer")) == [
        ("03-CT/TW", dt.date(2011, 5, 14), "Bộ Chính trị khóa XI"),
        ("05-CT/TW", dt.date(2016, 5, 15), "Bộ Chính trị khóa XII"),
    ]
    national = AnnualTheme.objects.filter(province__isnull=True)
    assert sorted(national.values_list("year", flat=True)) == [2013, 2014, 2015, *range(2017, 2026)]
    assert national.get(year=2013).title == (
        "Học tập và làm theo tấm gương đạo đức Hồ Chí Minh về phong cách quần chúng, dân chủ, nêu gương; "
        "nêu cao trách nhiệm gương mẫu của cán bộ, đảng viên, nhất là cán bộ lãnh đạo chủ chốt các cấp"
    )
    assert national.get(year=2015).directive.code == "03-CT/TW"
    assert national.get(year=2023).title.endswith("khát vọng phát triển đất nước phồn vinh, hạnh phúc")


def test_themes_for_a_cell_give_the_directive_the_national_and_the_provincial_theme(world):
    d05 = Directive.objects.get(code="05-CT/TW")
    own = AnnualTheme.objects.create(
        directive=d05, year=2024, province=world.p,
        title="Nâng cao trách nhiệm của cán bộ, đảng viên, công chức, viên chức trong thực thi công vụ",
    )
    other_province = make_unit(None, Level.PROVINCE, "Tỉnh ủy An Giang")
    AnnualTheme.objects.create(directive=d05, year=2024, province=other_province, title="Chuyên đề khác")
    themes = selectors.themes_for(cell_or_unit=world.a, year=2024)
    assert themes.directive == d05
    assert themes.national.year == 2024 and themes.national.province is None
    assert themes.provincial == own
    assert themes.themes == [themes.national, own]

    early = selectors.themes_for(cell_or_unit=world.a, year=2015)
    assert early.directive.code == "03-CT/TW" and early.provincial is None
    assert "trung thực, trách nhiệm" in early.national.title
    assert selectors.themes_for(cell_or_unit=world.p, year=2016).directive == d05  # 05 issued in May 2016
    assert selectors.themes_for(cell_or_unit=world.p, year=2010).directive is None


def test_one_theme_per_directive_year_and_province_also_national(world):
    d05 = Directive.objects.get(code="05-CT/TW")
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualTheme.objects.create(directive=d05, year=2024, title="Chuyên đề toàn quốc thứ hai")
    AnnualTheme.objects.create(directive=d05, year=2024, province=world.p, title="Chuyên đề của tỉnh")
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualTheme.objects.create(directive=d05, year=2024, province=world.p, title="Chuyên đề thứ hai của tỉnh")


# -- pledges as of a date -------------------------------------------------------------------------
COMMITMENTS = [("Không sử dụng xe công vào việc riêng.", "Sổ điều xe.")]


def test_pledges_as_of_a_date_in_bounded_queries(world, django_assert_max_num_queries):
    extra = [MemberFactory(cell=world.a) for _ in range(40)]
    members = world.members_a + extra
    for m in members:
        services.pledge_register(member=m, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                                 on=dt.date(2026, 1, 10))
    services.pledge_register(organization=world.a, year=2026, commitments=COMMITMENTS * 2, by=world.users.sec_a,
                             on=dt.date(2026, 1, 5))
    revised = Pledge.objects.get(member=members[0])
    services.pledge_revise(pledge=revised, commitments=[*COMMITMENTS, ("Học tiếng Anh.", "Chứng chỉ B1.")],
                           reason="Rà soát giữa năm", by=world.users.sec_a, on=dt.date(2026, 4, 1))

    with django_assert_max_num_queries(3):
        march = selectors.pledges_as_of(cell=world.a, year=2026, on=dt.date(2026, 3, 1))
    assert len(march) == len(members) + 1
    assert march[0].pledge.kind == Pledge.Kind.COLLECTIVE and len(march[0].commitments) == 2
    by_member = {row.pledge.member_id: row for row in march[1:]}
    assert by_member[members[0].pk].revision.number == 1 and len(by_member[members[0].pk].commitments) == 1

    april = {row.pledge.member_id: row for row in selectors.pledges_as_of(cell=world.a, year=2026,
                                                                          on=dt.date(2026, 4, 2))}
    assert april[members[0].pk].revision.number == 2 and len(april[members[0].pk].commitments) == 2

    before = selectors.pledges_as_of(cell=world.a, year=2026, on=dt.date(2026, 1, 7))
    assert before[0].revision is not None  # the collective plan, registered on 5-1
    assert all(row.revision is None and row.commitments == [] for row in before[1:])
    assert selectors.pledges_as_of(cell=world.b, year=2026, on=dt.date(2026, 3, 1)) == []


def test_a_member_who_moved_shows_in_the_new_cells_pledges(world):
    member = world.members_a[0]
    services.pledge_register(member=member, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                             on=dt.date(2026, 1, 10))
    org_services.member_transfer(member=member, to_cell=world.b, on=dt.date(2026, 3, 1))
    assert [r.pledge.member for r in selectors.pledges_as_of(cell=world.b, year=2026, on=dt.date(2026, 3, 5))] == [
        member
    ]
    assert selectors.pledges_as_of(cell=world.b, year=2026, on=dt.date(2026, 2, 5)) == []


# -- a cell's year --------------------------------------------------------------------------------
def test_cell_year_shows_each_months_status_including_future_months(world):
    m = world.members_a
    record(world.a, 2, m, state=State.RETURNED)
    record(world.a, 3, m, state=State.ACCEPTED, absent=[m[2]])
    record(world.a, 4, m, state=State.SUBMITTED)
    record(world.a, 5, m)
    year = selectors.cell_year(cell=world.a, year=2026)
    assert [s.status for s in year.months] == [
        "none", "returned", "accepted", "submitted", "draft", *["future"] * 7,
    ]
    assert (year.months[2].present, year.months[2].absent) == (2, 1)
    assert year.counts == {"none": 1, "draft": 1, "submitted": 1, "returned": 1, "accepted": 1, "future": 7}
    assert selectors.cell_year(cell=world.a, year=2025).counts["none"] == 12


def test_cell_year_grid_shows_members_only_in_the_months_they_belonged(world):
    a0, a1, a2 = world.members_a
    org_services.member_transfer(member=a2, to_cell=world.b, on=dt.date(2026, 3, 15))
    newcomer = MemberFactory(cell=world.a, full_name="Võ Minh Mới", membership=dt.date(2026, 4, 1))
    record(world.a, 3, [a0, a1, a2], state=State.ACCEPTED)
    record(world.a, 4, [a0, a1, newcomer], absent=[newcomer])
    services.pledge_register(member=a0, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                             on=dt.date(2026, 1, 10))

    grid = {row.member: row for row in selectors.cell_year(cell=world.a, year=2026).members}
    assert set(grid) == {a0, a1, a2, newcomer}
    assert [c.month for c in grid[a2].months if c.belonged] == [1, 2, 3]
    assert [c.month for c in grid[newcomer].months if c.belonged] == list(range(4, 13))
    assert grid[a2].months[2].rating == "good" and grid[a2].months[3].rating is None
    assert grid[newcomer].months[3].present is False and grid[newcomer].months[3].rating is None
    assert grid[a0].months[0].present is None  # belonged, no record in January
    assert grid[a0].pledge_kind == Pledge.Kind.EXEMPLARY and grid[a1].pledge_kind is None

    in_b = {row.member: row for row in selectors.cell_year(cell=world.b, year=2026).members}
    assert [c.month for c in in_b[a2].months if c.belonged] == list(range(3, 13))


def test_cell_year_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    def measure():
        with django_assert_max_num_queries(4) as captured:
            selectors.cell_year(cell=world.a, year=2026)
        return len(captured.captured_queries)

    record(world.a, 1, world.members_a)
    few = measure()
    members = world.members_a + [MemberFactory(cell=world.a) for _ in range(60)]
    for month in (2, 3, 4, 5):
        record(world.a, month, members, state=State.ACCEPTED)
    for m in members[:30]:
        services.pledge_register(member=m, year=2026, commitments=COMMITMENTS, by=world.users.sec_a,
                                 on=dt.date(2026, 1, 10))
    assert measure() == few
    assert len(selectors.cell_year(cell=world.a, year=2026).members) == 63


# -- a committee's month --------------------------------------------------------------------------
def test_committee_month_lists_every_cell_of_the_subtree_with_its_status(world):
    record(world.a, 5, world.members_a, state=State.SUBMITTED, absent=[world.members_a[0]])
    record(world.x, 5, world.members_x, state=State.ACCEPTED)  # another branch
    month = selectors.committee_month(unit=world.c1, year=2026, month=5)
    assert [(r.cell, r.status) for r in month.rows] == [(world.a, "submitted"), (world.b, "none")]
    a_row = month.rows[0]
    assert (a_row.expected, a_row.present, a_row.absent, a_row.parent) == (3, 2, 1, world.c1)
    assert (month.rows[1].expected, month.rows[1].present) == (2, 0)
    assert month.counts["submitted"] == 1 and month.counts["none"] == 1 and month.total == 2

    province = selectors.committee_month(unit=world.p, year=2026, month=5)
    assert {r.cell for r in province.rows} == {world.a, world.b, world.x, world.y}
    assert province.counts == {"none": 2, "draft": 0, "submitted": 1, "returned": 0, "accepted": 1, "future": 0}


def test_committee_month_can_show_only_the_cells_that_have_not_submitted(world):
    record(world.a, 5, world.members_a, state=State.SUBMITTED)
    record(world.x, 5, world.members_x, state=State.RETURNED)
    missing = selectors.committee_month(unit=world.p, year=2026, month=5, only_missing=True)
    assert {r.cell for r in missing.rows} == {world.b, world.x, world.y}
    assert missing.counts["submitted"] == 1 and missing.total == 4  # counts cover every cell


def test_committee_month_leaves_out_cells_that_did_not_exist_that_month(world):
    closed = make_unit(world.c1, Level.CELL, "Chi bộ ấp cũ", valid_from=dt.date(2020, 1, 1))
    org_services.org_close(org=closed, on=dt.date(2026, 4, 1))
    later = make_unit(world.c1, Level.CELL, "Chi bộ ấp mới", valid_from=dt.date(2026, 5, 3))
    march = {r.cell for r in selectors.committee_month(unit=world.c1, year=2026, month=3).rows}
    may = {r.cell for r in selectors.committee_month(unit=world.c1, year=2026, month=5).rows}
    assert closed in march and later not in march
    assert closed not in may and later in may


def test_a_future_month_shows_future(world):
    month = selectors.committee_month(unit=world.c1, year=2026, month=7)
    assert {r.status for r in month.rows} == {"future"} and month.counts["future"] == 2
    assert list(selectors.committee_month(unit=world.c1, year=2026, month=7, only_missing=True).rows) == []


def test_committee_month_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    def measure():
        with django_assert_max_num_queries(3) as captured:
            result = selectors.committee_month(unit=world.p, year=2026, month=5)
            rows = list(result.rows)  # the counts, then every row and their parents
        return len(captured.captured_queries), (result, rows)

    few, _ = measure()
    communes = [make_unit(world.d1, Level.COMMUNE) for _ in range(3)]
    for i in range(30):
        cell = make_unit(communes[i % 3], Level.CELL)
        members = [MemberFactory(cell=cell) for _ in range(3)]
        if i % 2:
            record(cell, 5, members, state=State.SUBMITTED)
    count, (result, rows) = measure()
    assert count == few == 3
    assert result.total == 34 and result.counts["submitted"] == 15
    assert len(rows) == 34 and all(r.parent is not None for r in rows)
