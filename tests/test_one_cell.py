"""One cell's change up to the province: a cell's figures counted in ONE statement, compiled once per
process and run with another cell's id (rollup.cell_figures of one cell), equal the figures of one ORM
query per Source (rollup.cell_figures_per_source) in every kind of round, also once the window has moved
or the cut-off changed; and refresh_upward takes a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Level, Member, Membership, Role
from pledges.models import (
    Commendation,
    Directive,
    Grade,
    MemberClassification,
    ModelExample,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    ReviewEntry,
)
from reports import rollup, services
from reports.models import Report

from .factories import MemberFactory, make_unit, user_with_role

YEARS = (2023, 2024, 2025)
STATES = list(MonthlyReview.State.values)
KINDS = [Pledge.Kind.SET_EXAMPLE, Pledge.Kind.EXEMPLARY, None]
COMMENDATION_KINDS = list(Commendation.Kind.values)
ROUNDS = {
    # kind: (period start, end, cut-off, years)
    "half_year": (dt.date(2025, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 6, 30), 1),
    "year": (dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 20), 1),
    "multi_year": (dt.date(2023, 1, 1), dt.date(2025, 12, 31), dt.date(2025, 12, 31), 3),
}
#: the window in the middle of 2025, then the whole period
TODAYS = (dt.date(2025, 4, 15), dt.date(2026, 2, 1))


def records(world) -> list:
    """Three years of every kind of record for the world's cells and a cell formed on 01/03/2025: member
    and collective pledges, monthly records in every state with their rows, commendations decided in the
    year or the next, models and examples, member and cell classifications; a key cadre; a member who
    left on 01/03/2025 and one who came on 01/05/2024. Returns the cells."""
    directive = Directive.objects.get(code="05-CT/TW")
    user = world.users.board
    late = make_unit(world.c2, Level.CELL, "Chi bộ khu phố 7", valid_from=dt.date(2025, 3, 1))
    members = {
        world.a.pk: world.members_a, world.b.pk: world.members_b, world.x.pk: world.members_x,
        world.y.pk: [MemberFactory(cell=world.y, is_key_cadre=i == 0) for i in range(4)],
        late.pk: [MemberFactory(cell=late) for _ in range(2)],
    }
    Member.objects.filter(pk__in=[world.members_a[0].pk, world.members_b[1].pk]).update(is_key_cadre=True)
    Membership.objects.filter(member=world.members_a[2]).update(end=dt.date(2025, 3, 1))
    Membership.objects.filter(member=world.members_b[0]).update(start=dt.date(2024, 5, 1))
    cells = [world.a, world.b, world.x, world.y, late]
    pledges, reviews, classes, org_classes, commendations, models = [], [], [], [], [], []
    for i, cell in enumerate(cells):
        for y in YEARS:
            for j, m in enumerate(members[cell.pk]):
                kind = KINDS[(i + j + y) % 3]
                if kind:
                    pledges.append(Pledge(member=m, cell=cell, year=y, kind=kind, directive=directive))
                classes.append(MemberClassification(member=m, cell=cell, year=y, grade=Grade.values[(i + j + y) % 4],
                                                    classified_by=user))
            if (i + y) % 2:
                pledges.append(Pledge(organization=cell, cell=cell, year=y, kind=Pledge.Kind.COLLECTIVE,
                                      directive=directive))
            org_classes.append(OrganizationClassification(organization=cell, year=y, grade=Grade.values[(i + y) % 4],
                                                          classified_by=user))
            for k in range(2 + (i + y) % 2):
                decided = dt.date(y, 5, 20) if k % 2 else dt.date(y + 1, 1, 15)  # in its year, or the next
                commendations.append(Commendation(
                    organization=cell, year=y, awarded_on=decided, kind=COMMENDATION_KINDS[(i + k + y) % 3],
                    issuer="Đảng ủy xã", content="Thành tích", recorded_by=user,
                    recipient_org=cell if k % 2 == 0 else None,
                    recipient_member=None if k % 2 == 0 else members[cell.pk][0]))
                models.append(ModelExample(organization=cell, year=y, kind=ModelExample.Kind.values[(i + k) % 2],
                                           title=f"Mô hình {k}", recorded_by=user))
            for month in range(1, 13):
                if dt.date(y, month, 1) < cell.valid_from or (i + month) % 5 == 0:
                    continue
                reviews.append(MonthlyReview(cell=cell, year=y, month=month, state=STATES[(i + month + y) % len(STATES)],
                                             meeting_date=dt.date(y, month, 10), directive_minutes=30 + month + i))
    Pledge.objects.bulk_create(pledges)
    MemberClassification.objects.bulk_create(classes)
    OrganizationClassification.objects.bulk_create(org_classes)
    Commendation.objects.bulk_create(commendations)
    ModelExample.objects.bulk_create(models)
    entries = []
    for review in MonthlyReview.objects.bulk_create(reviews):
        review = MonthlyReview.objects.get(cell=review.cell, year=review.year, month=review.month)
        for j, m in enumerate(members[review.cell_id]):
            exemplary, criticised = (j + review.month) % 3 == 0, (j * review.month) % 4 == 1
            entries.append(ReviewEntry(review=review, member=m, present=(j + review.month) % 4 != 0,
                                       exemplary=exemplary, exemplary_deed="Giúp dân" if exemplary else "",
                                       criticised=criticised, criticism_note="Chậm" if criticised else ""))
    ReviewEntry.objects.bulk_create(entries)
    return cells


def open_round(world, kind: str):
    start, end, cutoff, years = ROUNDS[kind]
    deadlines = {"cell": end + dt.timedelta(days=10), "commune": end + dt.timedelta(days=15),
                 "district": end + dt.timedelta(days=20), "province": end + dt.timedelta(days=25)}
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title=f"Đợt {kind}", kind=kind, period_start=start, period_end=end, cutoff=cutoff, deadlines=deadlines,
        years=years)


def compare(rnd, cells, today) -> dict[int, dict[str, int]]:
    """For each cell, the one statement (the same SQL, another id) equals one query per Source over all
    the cells, whether the cell's dates are given or read by the statement (as refresh_upward does
    without the cell's unit loaded)."""
    plain = rollup.cell_figures_per_source(rnd, cells, today=today)
    for cell in cells:
        assert rollup.cell_figures(rnd, [cell], today=today) == {cell.pk: plain[cell.pk]}
        assert rollup._one_cell(rnd, cell.pk, today=today) == {cell.pk: plain[cell.pk]}
    return plain


@pytest.mark.parametrize("kind", list(ROUNDS))
def test_one_statement_gives_the_figures_of_one_query_per_source(world, kind):
    cells = records(world)
    rnd = open_round(world, kind)
    mid, after = (compare(rnd, cells, today) for today in TODAYS)
    # what the figures cover: not zeros, and the window moved between the two days
    a = after[world.a.pk]
    assert a["members"] > 0 and a["pledged"] > 0 and a["attendance_expected"] > 0 and a["commendations_individual"] > 0
    assert sum(mid[c.pk]["meetings_held"] for c in cells) < sum(after[c.pk]["meetings_held"] for c in cells)
    assert mid[cells[-1].pk]["meetings_expected"] < after[cells[-1].pk]["meetings_expected"]
    if kind == "multi_year":  # each year's pledges and members, the classifications of each year
        assert {"pledged-2023", "members-2024", "collective_pledges-2024", "members_good-2023",
                "cells_excellent-2025"} <= set(a)
        assert sum(after[c.pk]["pledged-2023"] for c in cells) > 0
        assert sum(after[c.pk]["cells_excellent-2025"] + after[c.pk]["cells_good-2025"] for c in cells) > 0
    elif kind == "year":
        assert sum(a[f"members_{g}"] for g in Grade.values) > 0 and "pledged-2025" not in a
    else:
        # a half-year round counts no classification (2025's are recorded)
        assert sum(after[c.pk][f"members_{g}"] for c in cells for g in Grade.values) == 0

    # the cut-off moves back within its month, before a member of Y left: the window stays, the SQL
    # differs (a new statement), the figures are those of one query per source
    cutoff, window = rnd.cutoff, rollup.review_window(rnd, TODAYS[1])
    leaving = Membership.objects.filter(cell=world.y).order_by("pk").first()
    Membership.objects.filter(pk=leaving.pk).update(end=cutoff - dt.timedelta(days=5))
    before = compare(rnd, cells, TODAYS[1])
    rnd.cutoff = cutoff - dt.timedelta(days=10)
    rnd.save(update_fields=["cutoff"])
    assert rollup.review_window(rnd, TODAYS[1]) == window
    moved = compare(rnd, cells, TODAYS[1])
    assert moved[world.y.pk]["members"] == before[world.y.pk]["members"] + 1

    # refresh_upward of a cell whose organization is not loaded: the same figures, its dates read in SQL
    report = Report.objects.select_related("round").get(round=rnd, organization=world.a)
    rollup.refresh_upward(report, today=TODAYS[1])
    assert Report.objects.get(pk=report.pk).figures == moved[world.a.pk]


def test_refresh_upward_takes_three_queries_and_sums_as_the_whole_round(world):
    """The chain with its children and kept counts, the cell's records, one UPDATE: 3 queries (2 when
    nothing changed), whatever the depth and whether the cell's unit is loaded. The committees' sums equal
    refresh_round's, over a child approved with its frozen figures and one approved without a snapshot
    (its live and typed figures)."""
    records(world)
    rnd = open_round(world, "half_year")
    today = TODAYS[1]
    approver = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    report = Report.objects.get(round=rnd, organization=world.a)  # approved through the services: frozen
    report = services.report_save(report=report, sections={"results": "Kết quả tốt."}, typed={},
                                  expected_version=report.version, by=world.users.sec_a)
    services.report_approve(report=services.report_submit(report=report, by=world.users.sec_a, note="x"),
                            by=approver)
    Report.objects.filter(round=rnd, organization=world.b).update(state=Report.State.APPROVED, snapshot=None,
                                                                  typed_figures={"inspections": 2})
    rollup.refresh_round(rnd, today=today)

    def one_cell(org, *, loaded=True) -> tuple[int, list[Report]]:
        related = ("round", "organization") if loaded else ("round",)
        report = Report.objects.select_related(*related).get(round=rnd, organization=org)
        with CaptureQueriesContext(connection) as queries:
            chain = rollup.refresh_upward(report, today=today)
        return len(queries), chain

    for minutes, org, loaded in [(5, world.a, True), (7, world.y, False), (9, world.a, False)]:
        MonthlyReview.objects.filter(cell=org, year=2025, month__lte=6, state__in=rollup.HELD_STATES).update(
            directive_minutes=minutes)
        n, chain = one_cell(org, loaded=loaded)
        assert n == 3, "the chain, the cell's records, one UPDATE"
        assert chain[0].figures["directive_minutes"] == minutes * MonthlyReview.objects.filter(
            cell=org, year=2025, month__lte=6, state__in=rollup.HELD_STATES).count()
        assert [r.organization_id for r in chain][-1] == world.p.pk
        assert rollup.refresh_round(rnd, today=today) == 0  # the chain was brought up to date as a whole refresh
    n, chain = one_cell(world.a)
    assert n == 2, "nothing changed: no UPDATE"
    assert [r.organization_id for r in chain] == [world.a.pk, world.c1.pk, world.d1.pk, world.p.pk]
    c1 = chain[1]
    assert c1.figures["inspections"] == 2  # b's typed figure, summed though b has no snapshot
    assert c1.figures["cells_reporting"] == 2 and c1.figures["cells_expected"] == 2

    # a committee's chain: the chain's statement and no cell statement
    commune = Report.objects.select_related("round").get(round=rnd, organization=world.c1)
    Report.objects.filter(pk=commune.pk).update(figures={})
    commune.figures = {}
    with CaptureQueriesContext(connection) as queries:
        rollup.refresh_upward(commune, today=today)
    assert len(queries) == 2, [q["sql"][:120] for q in queries.captured_queries]
    assert rollup.refresh_round(rnd, today=today) == 0
