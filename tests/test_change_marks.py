"""Change marks kept by the database (reports.CellChange, triggers of migration reports 0008): after every
kind of change a user can make, the default refresh of a round (the stale cells and the committees above
them) leaves every report's figures equal to a whole-round recompute (`full=True` then changes nothing);
with nothing changed it runs one query and writes nothing, whatever the size of the round.

Two open rounds throughout: the first half of 2026 (cut-off 30/06) and 2025–2026 (cut-off 31/12/2026, so
transfers made "today", 10/12/2026, count; per-year pledges and classifications). Run on SQLite and on
PostgreSQL (row-level and statement-level triggers)."""

from __future__ import annotations

import datetime as dt
import importlib
import random

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations import services as org_services
from organizations.models import Level, Member, Membership, Organization, PlanChange, Role
from organizations.restructuring.execute import apply_changes
from organizations.restructuring.simulation import ChangeSpec
from pledges import demo as pledges_demo
from pledges import services as pledge_services
from pledges.models import Commendation, Directive, Grade, ModelExample, MonthlyReview, Pledge
from reports import rollup, services, tasks
from reports.models import CellChange, Report

from .factories import MemberFactory, UserFactory, make_unit, user_with_role
from .test_import import confirm, latest_batch, row, upload, xlsx_file

MIGRATION = importlib.import_module("reports.migrations.0008_cell_changes")
TODAY = dt.date(2026, 12, 10)
COMMITMENTS = [("Gương mẫu thực hiện nếp sống văn minh ở khu dân cư.", "Chi bộ đánh giá hằng quý.")]


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def open_round(world, *, kind: str, period: tuple[dt.date, dt.date], years: int = 1):
    end = period[1]
    deadlines = {level: end + dt.timedelta(days=5 * (i + 1))
                 for i, level in enumerate(("cell", "commune", "district", "province"))}
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title=f"Đợt {kind} {period[0].year}", kind=kind, period_start=period[0], period_end=end, cutoff=end,
        deadlines=deadlines, years=years,
    )


@pytest.fixture
def rounds(world):
    half = open_round(world, kind="half_year", period=(dt.date(2026, 1, 1), dt.date(2026, 6, 30)))
    term = open_round(world, kind="multi_year", period=(dt.date(2025, 1, 1), dt.date(2026, 12, 31)), years=2)
    return half, term


def figures(rnd, org) -> dict[str, int]:
    return Report.objects.get(round=rnd, organization=org).figures


def marks() -> dict[int, int]:
    return dict(CellChange.objects.values_list("cell_id", "version"))


def moved(before: dict[int, int]) -> set[int]:
    """The units whose mark moved since `before`."""
    return {cell for cell, version in marks().items() if version > before.get(cell, 0)}


def stale_cells(rnd, today=None) -> set[int]:
    key = rollup.figures_key(rnd, today)
    return set(Report.objects.filter(round=rnd, level=Level.CELL).annotate(mark=rollup.change_mark())
               .filter(rollup.stale(key)).values_list("organization_id", flat=True))


def in_step(*rounds, today=None) -> int:
    """The default refresh of each round, then: no cell is stale, and recomputing every report of the round
    (full=True) changes nothing. Returns how many reports the default refreshes changed."""
    changed = 0
    for rnd in rounds:
        changed += rollup.refresh_round(rnd, today)
        assert stale_cells(rnd, today) == set()
        incremental = {r.organization_id: r.figures for r in Report.objects.filter(round=rnd)}
        assert rollup.refresh_round(rnd, today, full=True) == 0
        assert {r.organization_id: r.figures for r in Report.objects.filter(round=rnd)} == incremental
    return changed


# -- nothing changed ------------------------------------------------------------------------------

def bigger(world, cells: int) -> None:
    """More cells with members and records under the commune (none of them in the rounds opened before)."""
    for _ in range(cells):
        cell = make_unit(world.c1, Level.CELL)
        for m in [MemberFactory(cell=cell) for _ in range(3)]:
            Pledge.objects.create(member=m, cell=cell, year=2026, kind=Pledge.Kind.EXEMPLARY,
                                  directive=Directive.objects.get(code="05-CT/TW"))
        MonthlyReview.objects.create(cell=cell, year=2026, month=3, state=MonthlyReview.State.ACCEPTED,
                                     meeting_date=dt.date(2026, 3, 5), directive_minutes=30)


def refresh_queries(rnd) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        rollup.refresh_round(rnd)
    return [q["sql"] for q in captured.captured_queries]


def writes(queries: list[str]) -> list[str]:
    return [q for q in queries if q.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE", "WITH"))]


@pytest.mark.parametrize("extra_cells", [0, 6])
def test_nothing_changed_reads_once_and_writes_nothing(world, extra_cells):
    bigger(world, extra_cells)
    half = open_round(world, kind="half_year", period=(dt.date(2026, 1, 1), dt.date(2026, 6, 30)))
    term = open_round(world, kind="multi_year", period=(dt.date(2025, 1, 1), dt.date(2026, 12, 31)), years=2)
    in_step(half, term)
    for rnd in (half, term):
        queries = refresh_queries(rnd)
        assert len(queries) == 1 and writes(queries) == [], queries
        assert rollup.refresh_round(rnd) == 0
    # one cell's change: the same queries whatever the number of cells (its sources, the committees above)
    before = marks()
    pledge_services.record_model_example(organization=world.a, year=2026, kind=ModelExample.Kind.MODEL,
                                         title="Mô hình “Dân vận khéo”", by=world.users.sec_a)
    assert moved(before) == {world.a.pk}
    queries = refresh_queries(term)
    # the stale cells; one stale cell's sources in one statement (rollup._one_cell); the reports above, the
    # kept counts; the UPDATE
    assert len(queries) == 1 + 1 + 2 + 1, queries
    assert figures(term, world.a)["models"] == 1
    in_step(half, term)


# -- every kind of change -------------------------------------------------------------------------

def test_a_monthly_record_opened_saved_submitted_accepted(world, rounds):
    half, term = rounds
    u = world.users
    before = marks()
    review = pledge_services.review_open(cell=world.a, year=2026, month=5, by=u.sec_a)  # a draft: counts nothing
    assert moved(before) == {world.a.pk}
    assert in_step(*rounds) == 0
    entries = [{"member": m.pk, "present": i != 2, "rating": "good", "exemplary": i == 0,
                "exemplary_deed": "Giúp hộ nghèo" if i == 0 else ""} for i, m in enumerate(world.members_a)]
    pledge_services.review_save(review=review, data={"meeting_date": dt.date(2026, 5, 5), "directive_minutes": 45,
                                                     "theme_content": "Nêu gương.", "thrift_item": "Tiết kiệm điện."},
                                entries=entries, expected_version=review.version, by=u.sec_a)
    in_step(*rounds)
    review.refresh_from_db()
    before = marks()
    pledge_services.review_submit(review=review, expected_version=review.version, by=u.sec_a)
    assert moved(before) == {world.a.pk}
    # sent to the committee: the service refreshed the cell's reports and stored the marks it read
    assert stale_cells(half) == stale_cells(term) == set()
    assert in_step(*rounds) == 0
    for rnd in rounds:
        figs = figures(rnd, world.a)
        assert (figs["meetings_held"], figs["directive_minutes"], figs["attendance_expected"],
                figs["attendance_present"], figs["exemplary_records"]) == (1, 45, 3, 2, 1)
    pledge_services.review_accept(review=review, by=u.commune1)  # the services refresh the chain at once
    assert in_step(*rounds) == 0
    pledge_services.review_reopen(review=review, reason="Bổ sung số liệu.", by=u.commune1)
    in_step(*rounds)
    assert figures(half, world.a)["meetings_held"] == 0


def test_a_member_transferred_between_cells_and_out(world, rounds, client):
    half, term = rounds
    before = marks()
    org_services.member_transfer(member=world.members_a[0], to_cell=world.b, on=dt.date(2026, 3, 1))
    assert moved(before) == {world.a.pk, world.b.pk}
    # the report's page refreshes the cell's report (refresh_report) and stores the mark it read
    client.force_login(world.users.sec_a)
    assert client.get(reverse("reports:report", args=[Report.objects.get(round=half, organization=world.a).pk])
                      ).status_code == 200
    assert stale_cells(half) == {world.b.pk} and stale_cells(term) == {world.a.pk, world.b.pk}
    assert in_step(*rounds) == 3
    for rnd in rounds:
        assert (figures(rnd, world.a)["members"], figures(rnd, world.b)["members"]) == (2, 3)
    # moved today: after the first round's cut-off, before the second's
    before = marks()
    org_services.member_transfer(member=world.members_b[0], to_cell=None, on=TODAY)
    assert moved(before) == {world.b.pk}
    in_step(*rounds)
    assert (figures(half, world.b)["members"], figures(term, world.b)["members"]) == (3, 2)


def test_the_key_cadre_flag_through_an_import_and_a_save(world, rounds, client):
    half, term = rounds
    member = world.members_a[0]
    before = marks()
    client.force_login(world.users.sec_a)
    upload(client, world.a, xlsx_file([row(member.card_number, member.full_name, year=member.birth_year,
                                           joined=member.joined_on.strftime("%d/%m/%Y"), key="Có")]))
    confirm(client, world.a, latest_batch())
    assert Member.objects.get(pk=member.pk).is_key_cadre
    assert moved(before) == {world.a.pk}
    in_step(*rounds)
    assert figures(half, world.a)["key_cadres"] == figures(term, world.a)["key_cadres"] == 1
    # what the figures do not read does not mark the cell
    before = marks()
    Member.objects.filter(pk=member.pk).update(full_name="Trần Thị Ánh Mới", birth_year=1981)
    assert moved(before) == set()
    # the admin's change form saves the whole row
    member.refresh_from_db()
    member.is_key_cadre = False
    member.save()
    assert moved(before) == {world.a.pk}
    in_step(*rounds)
    assert figures(term, world.a)["key_cadres"] == 0


def test_pledges_registered_changed_and_removed(world, rounds):
    half, term = rounds
    u = world.users
    member = world.members_a[0]
    before = marks()
    pledge = pledge_services.pledge_register(member=member, year=2026, kind=Pledge.Kind.SET_EXAMPLE,
                                             commitments=COMMITMENTS, by=u.sec_a, on=dt.date(2026, 1, 15))
    assert moved(before) == {world.a.pk}
    in_step(*rounds)
    assert figures(half, world.a)["pledged_set_example"] == figures(term, world.a)["pledged_set_example-2026"] == 1
    # the member moves: the pledge counts where they are at the cut-off
    org_services.member_transfer(member=member, to_cell=world.b, on=dt.date(2026, 3, 1))
    in_step(*rounds)
    assert (figures(half, world.a)["pledged"], figures(half, world.b)["pledged"]) == (0, 1)
    # the kind changed (the admin), then the pledge removed: every cell the member belonged to is marked
    before = marks()
    Pledge.objects.filter(pk=pledge.pk).update(kind=Pledge.Kind.EXEMPLARY)
    assert moved(before) == {world.a.pk, world.b.pk}
    in_step(*rounds)
    assert figures(half, world.b)["pledged_exemplary"] == 1
    pledge.revisions.all().delete()
    Pledge.objects.filter(pk=pledge.pk).delete()
    in_step(*rounds)
    assert figures(half, world.b)["pledged"] == 0
    # a cell's collective plan
    before = marks()
    pledge_services.pledge_register(organization=world.x, year=2026, commitments=COMMITMENTS, by=UserFactory(
        username="root", is_superuser=True), on=dt.date(2026, 1, 20))
    assert moved(before) == {world.x.pk}
    in_step(*rounds)
    assert figures(half, world.x)["collective_pledges"] == 1


def test_commendations_and_models(world, rounds):
    half, term = rounds
    u = world.users
    before = marks()
    commendation = pledge_services.record_commendation(
        organization=world.a, year=2026, awarded_on=dt.date(2026, 2, 3), kind=Commendation.Kind.CERTIFICATE,
        issuer="Bí thư Chi bộ", content="Tiêu biểu làm theo", recipient_member=world.members_a[0], by=u.sec_a)
    pledge_services.record_model_example(organization=world.a, year=2025, kind=ModelExample.Kind.EXAMPLE,
                                         title="Gương hiến đất làm đường", member=world.members_a[1], by=u.sec_a)
    assert moved(before) == {world.a.pk}
    in_step(*rounds)
    assert figures(half, world.a)["commendations_individual"] == figures(term, world.a)["commendations_certificate"] == 1
    assert (figures(half, world.a)["examples"], figures(term, world.a)["examples"]) == (0, 1)
    Commendation.objects.filter(pk=commendation.pk).update(kind=Commendation.Kind.MERIT)
    in_step(*rounds)
    assert figures(term, world.a)["commendations_merit"] == 1
    Commendation.objects.filter(pk=commendation.pk).delete()
    in_step(*rounds)
    assert figures(term, world.a)["commendations_individual"] == 0


def test_classifications_of_members_and_cells(world, rounds):
    half, term = rounds
    u = world.users
    before = marks()
    pledge_services.classify_members(cell=world.a, year=2026, grades={m.pk: Grade.GOOD for m in world.members_a},
                                     by=u.sec_a)
    pledge_services.classify_organization(organization=world.a, year=2025, grade=Grade.EXCELLENT, by=u.commune1)
    assert moved(before) == {world.a.pk}
    in_step(*rounds)
    assert figures(half, world.a).get("members_good", 0) == 0  # a half-year round counts no classification
    term_a = figures(term, world.a)
    assert (term_a["members_good"], term_a["members_good-2026"], term_a["cells_excellent-2025"]) == (3, 3, 1)
    pledge_services.classify_members(cell=world.a, year=2026, grades={world.members_a[0].pk: Grade.EXCELLENT},
                                     by=u.sec_a)
    in_step(*rounds)
    assert figures(term, world.a)["members_excellent"] == 1


def test_a_unit_closed_and_a_cell_merged(world, rounds):
    half, term = rounds
    before = marks()
    org_services.org_close(org=world.y, on=dt.date(2026, 4, 1))  # no members; it met until March
    assert moved(before) == {world.y.pk}
    in_step(*rounds)
    assert (figures(half, world.y)["meetings_expected"], figures(term, world.y)["meetings_expected"]) == (3, 15)
    # a cell opened after the rounds, merged into a today: its members move to a
    z = make_unit(world.c1, Level.CELL, "Chi bộ ấp Mới")
    for _ in range(2):
        MemberFactory(cell=z)
    before = marks()
    apply_changes(province=world.p, on=TODAY, changes=[ChangeSpec(PlanChange.Op.MERGE, z.pk, world.a.pk, position=1)])
    assert world.a.pk in moved(before)
    in_step(*rounds)
    assert (figures(half, world.a)["members"], figures(term, world.a)["members"]) == (3, 5)


def test_members_imported_from_a_spreadsheet(world, rounds, client):
    half, term = rounds
    client.force_login(world.users.sec_a)
    before = marks()
    upload(client, world.a, xlsx_file([row("90000001", "Nguyễn Văn Một", key="Có"), row("90000002", "Nguyễn Văn Hai")]))
    confirm(client, world.a, latest_batch())
    assert Member.objects.filter(card_number__in=["90000001", "90000002"], cell=world.a).count() == 2
    assert moved(before) == {world.a.pk}
    in_step(*rounds)
    figs = figures(term, world.a)
    assert (figs["members"], figs["key_cadres"]) == (5, 1)


def test_a_year_of_records_written_by_multi_row_inserts(world, rounds):
    """pledges.demo.build_year: plain multi-row INSERTs of pledges, monthly records and their rows, and
    year-end classifications, through the driver's cursor."""
    admin = UserFactory(username="quantri", is_superuser=True)
    before = marks()
    for year in (2025, 2026):
        pledges_demo.build_year(province=world.p, year=year, today=TODAY, rng=random.Random(year), user=admin)
    cells = {world.a.pk, world.b.pk, world.x.pk, world.y.pk}
    assert moved(before) >= cells - {world.y.pk}
    assert in_step(*rounds) > 0
    assert sum(figures(rnd, world.a)["meetings_held"] for rnd in rounds) > 0
    assert figures(rounds[1], world.a)["pledged-2025"] > 0


def test_a_change_while_the_figures_are_computed_leaves_the_cell_stale(world, rounds, monkeypatch):
    """The version is read before the figures: a change landing in between is caught by the next refresh."""
    half, _term = rounds
    real = rollup.cell_figures
    calls = []

    def meanwhile(*args, **kwargs):
        if not calls:
            MonthlyReview.objects.create(cell=world.b, year=2026, month=2, state=MonthlyReview.State.ACCEPTED,
                                         meeting_date=dt.date(2026, 2, 5), directive_minutes=20)
        calls.append(args)
        return real(*args, **kwargs)

    Membership.objects.filter(member=world.members_a[0]).update(end=dt.date(2026, 2, 1))
    monkeypatch.setattr(rollup, "cell_figures", meanwhile)
    rollup.refresh_round(half)
    assert world.b.pk in stale_cells(half)
    monkeypatch.setattr(rollup, "cell_figures", real)
    in_step(half)
    assert figures(half, world.b)["meetings_held"] == 1 and figures(half, world.a)["members"] == 2


def test_many_stale_cells_recompute_the_whole_round(world, rounds, monkeypatch):
    calls = []
    real = rollup._refresh_all
    monkeypatch.setattr(rollup, "_refresh_all", lambda *args: calls.append(args) or real(*args))
    monkeypatch.setattr(rollup, "INCREMENTAL_MAX", 1)
    org_services.member_transfer(member=world.members_a[0], to_cell=world.x, on=dt.date(2026, 3, 1))
    assert rollup.refresh_round(rounds[0]) == 2 and len(calls) == 1
    assert stale_cells(rounds[0]) == set()
    in_step(*rounds)


def test_the_months_counted_move_with_today(world):
    """A round whose period is not over: a new month is expected from its first day, in every cell."""
    rnd = open_round(world, kind="half_year", period=(dt.date(2026, 7, 1), dt.date(2026, 12, 31)))
    october, november = dt.date(2026, 10, 15), dt.date(2026, 11, 2)
    assert in_step(rnd, today=october) > 0
    assert figures(rnd, world.a)["meetings_expected"] == 4
    assert stale_cells(rnd, november) == {world.a.pk, world.b.pk, world.x.pk, world.y.pk}
    in_step(rnd, today=november)
    assert figures(rnd, world.a)["meetings_expected"] == 5


def test_committees_sum_their_approved_children_only(world, rounds):
    """A committee's live figures are the sums of its approved children's frozen figures (and the kept
    cell counts): a change in an approved cell moves the cell's live figures, not its committee's, until
    the cell is reopened (the services then refresh the committees above it at once)."""
    half, _term = rounds
    u = world.users
    approver = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    a = Report.objects.get(round=half, organization=world.a)
    a = services.report_save(report=a, sections={"results": "Kết quả tốt."}, typed={}, expected_version=a.version,
                             by=u.sec_a)
    a = services.report_submit(report=a, by=u.sec_a)
    services.report_approve(report=a, by=approver)
    c1_before = figures(half, world.c1)
    assert c1_before["members"] == 3
    org_services.member_transfer(member=world.members_a[0], to_cell=world.x, on=dt.date(2026, 3, 1))
    in_step(*rounds)
    assert figures(half, world.a)["members"] == 2 and figures(half, world.c1) == c1_before
    a.refresh_from_db()
    services.report_reopen(report=a, by=approver, note="Số liệu thay đổi.")
    assert figures(half, world.c1)["members"] == 0
    in_step(*rounds)


# -- the triggers themselves ----------------------------------------------------------------------

def triggers_in_database() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           "WHERE t.tgname LIKE 'reports_mark_%%'")
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'reports_mark_%'")
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_every_watched_table_has_its_triggers():
    """A later migration that rebuilds a watched table on SQLite would drop them silently."""
    assert triggers_in_database() == MIGRATION.trigger_names(connection.vendor)


def _lookups(q: Q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        else:
            yield child[0]


def _columns(model, lookup: str) -> set[tuple[str, str]]:
    """The (table, column) pairs a lookup reads, following relations ('member__pledges__kind')."""
    out = set()
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break  # gte, in, isnull…
        if field.is_relation and not field.concrete:  # a reverse relation: the other table's key to this one
            out.add((field.related_model._meta.db_table, field.field.column))
        else:
            out.add((model._meta.db_table, field.column))
        if field.is_relation:
            model = field.related_model
    return out


def columns_read(rnd) -> set[tuple[str, str]]:
    """Every column the sources of a round read, besides the cells' own dates (cell_figures)."""
    out = {("organizations_organization", "valid_from"), ("organizations_organization", "valid_to")}
    for source in rollup.sources(rnd):
        aliases = {name: relation.relation_name for name, relation in source.relations.items()}
        lookups = [source.cell_field, *_lookups(source.where)]
        for relation in source.relations.values():
            lookups += [relation.relation_name, *_lookups(relation.condition)]
        for aggregate in source.aggregates.values():
            lookups += [e.name for e in aggregate.get_source_expressions() if isinstance(e, F)]
            if aggregate.filter is not None:
                lookups += list(_lookups(aggregate.filter))
        for lookup in lookups:
            head, _sep, rest = lookup.partition("__")
            if head in aliases:
                lookup = aliases[head] + ("__" + rest if rest else "")
            out |= _columns(source.model, lookup)
    return out


@pytest.mark.django_db
def test_the_triggers_watch_every_column_the_figures_read(world):
    term = open_round(world, kind="multi_year", period=(dt.date(2025, 1, 1), dt.date(2026, 12, 31)), years=2)
    read = columns_read(term)
    assert ("pledges_pledge", "kind") in read and ("organizations_member", "is_key_cadre") in read
    assert ("pledges_monthlyreview", "state") in read and ("pledges_reviewentry", "criticised") in read
    unwatched = {(table, column) for table, column in read
                 if column != "id" and column not in MIGRATION.WATCHED.get(table, ((), (), ()))[0]}
    assert unwatched == set()
    assert {table for table, _column in read} == set(MIGRATION.WATCHED)


# -- the daily task -------------------------------------------------------------------------------

def test_the_daily_task_refreshes_every_open_round(world, rounds, monkeypatch):
    from directive03.celery import app

    half, term = rounds
    org_services.member_transfer(member=world.members_a[0], to_cell=world.b, on=dt.date(2026, 3, 1))
    assert stale_cells(half) == stale_cells(term) == {world.a.pk, world.b.pk}
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    result = tasks.refresh_open_rounds.delay(on=TODAY.isoformat()).get()
    assert result == {"rounds": 2, "changed": 4}
    assert tasks.refresh_open_rounds.delay().get() == {"rounds": 2, "changed": 0}  # again: nothing to do
    assert in_step(*rounds) == 0
    assert tasks.refresh_open_rounds.acks_late is True
    assert tasks.refresh_open_rounds.time_limit and tasks.refresh_open_rounds.soft_time_limit
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-open-rounds"]
    assert entry["task"] == tasks.refresh_open_rounds.name == "reports.refresh_open_rounds"


def test_marks_follow_raw_sql_and_deletes(world, rounds):
    """Whatever writes the rows: a plain UPDATE, and the deletion of a member with their memberships."""
    before = marks()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Membership._meta.db_table} SET cell_id = %s WHERE member_id = %s",
                       [world.x.pk, world.members_b[1].pk])
    assert moved(before) == {world.b.pk, world.x.pk}
    in_step(*rounds)
    before = marks()
    member = world.members_x[0]
    Membership.objects.filter(member=member).delete()
    Member.objects.filter(pk=member.pk).delete()
    assert moved(before) == {world.x.pk}
    in_step(*rounds)
    assert figures(rounds[0], world.x)["members"] == 1
    assert get_user_model().objects.exists()  # the world's users are untouched
    assert Organization.objects.filter(pk=world.x.pk).exists()
