"""Roll-up correctness: random trees and records → every committee figure equals the recomputation
from the records of the approved cells beneath it; percentages from summed numerators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organizations.models import Kind, Level, Membership, Role
from pledges.models import Commendation, Directive, MonthlyReview, Pledge, ReviewEntry
from reports import figures as F_
from reports import rollup, services
from reports.models import Report

from .factories import MemberFactory, UserFactory, make_unit

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
DEADLINES = {"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10), "district": dt.date(2026, 7, 15),
             "province": dt.date(2026, 7, 20)}
STATES = ["approved", "approved", "submitted", "returned", "draft"]

cell_records = st.fixed_dictionaries({
    "members": st.lists(st.tuples(st.booleans(), st.sampled_from(["set_example", "exemplary", None]),
                                  st.booleans()), max_size=4),
    "reviews": st.lists(st.tuples(st.integers(1, 6), st.sampled_from(list(MonthlyReview.State.values)),
                                  st.integers(0, 90)), max_size=4, unique_by=lambda r: r[0]),
    "commendations": st.lists(st.tuples(st.booleans(), st.booleans()), max_size=2),
    "state": st.sampled_from(STATES),
})
committee = st.fixed_dictionaries({"state": st.sampled_from(STATES)})
tree_shape = st.fixed_dictionaries({
    "province_cells": st.lists(cell_records, max_size=1),
    "districts": st.lists(st.fixed_dictionaries({
        "report": committee,
        "cells": st.lists(cell_records, max_size=1),
        "communes": st.lists(st.fixed_dictionaries({"report": committee, "cells": st.lists(cell_records, max_size=3)}),
                             max_size=2),
    }), max_size=2),
})


def build(shape, p):
    """Create the units and the records; return {org_id: desired state} and the cells' records."""
    desired, specs = {}, {}

    def cell(parent, spec, kind=Kind.CHI_BO_TRUC_THUOC):
        c = make_unit(parent, Level.CELL, kind=kind)
        desired[c.pk] = spec["state"]
        specs[c.pk] = spec
        members = []
        for still_here, pledge_kind, key in spec["members"]:
            m = MemberFactory(cell=c, is_key_cadre=key)
            if not still_here:  # left before the cut-off
                Membership.objects.filter(member=m).update(end=dt.date(2026, 3, 1))
            if pledge_kind:
                Pledge.objects.create(member=m, cell=c, year=2026, kind=pledge_kind,
                                      directive=Directive.objects.get(code="05-CT/TW"))
            members.append(m)
        for month, state, minutes in spec["reviews"]:
            review = MonthlyReview.objects.create(cell=c, year=2026, month=month, state=state,
                                                  meeting_date=dt.date(2026, month, 10), directive_minutes=minutes)
            for i, m in enumerate(members):
                ReviewEntry.objects.create(review=review, member=m, present=(i + month) % 3 != 0,
                                           exemplary=(i + month) % 2 == 0, exemplary_deed="Giúp dân" if (i + month) % 2 == 0 else "",
                                           criticised=(i * month) % 5 == 1, criticism_note="Chậm" if (i * month) % 5 == 1 else "")
        for collective, in_period in spec["commendations"]:
            Commendation.objects.create(
                # not in the period: for the year 2025, decided within the period (counts in 2025's reports)
                organization=c, year=2026 if in_period else 2025,
                awarded_on=dt.date(2026, 5, 1) if in_period else dt.date(2026, 1, 15),
                kind=Commendation.Kind.CERTIFICATE, issuer="Đảng ủy xã", content="Thành tích",
                recipient_org=c if collective else None,
                recipient_member=None if collective or not members else members[0],
                recorded_by=UserFactory(username="rec"),
            ) if collective or members else None
        return c

    for spec in shape["province_cells"]:
        cell(p, spec, Kind.CHI_BO_CO_SO)
    for d_spec in shape["districts"]:
        d = make_unit(p, Level.DISTRICT)
        desired[d.pk] = d_spec["report"]["state"]
        for spec in d_spec["cells"]:
            cell(d, spec, Kind.CHI_BO_CO_SO)
        for c_spec in d_spec["communes"]:
            cm = make_unit(d, Level.COMMUNE)
            desired[cm.pk] = c_spec["report"]["state"]
            for spec in c_spec["cells"]:
                cell(cm, spec)
    return desired, specs


def naive_cell(cell_id, cutoff=PERIOD[1]):
    """Recompute a cell's record figures straight from its rows, without the roll-up code."""
    figs = F_.empty()
    members = [m for m in Membership.objects.filter(cell_id=cell_id).select_related("member")
               if m.start <= cutoff and (m.end is None or m.end > cutoff)]
    figs["members"] = len(members)
    figs["key_cadres"] = sum(m.member.is_key_cadre for m in members)
    # the members at the cut-off who registered (a member who left is not counted here)
    kinds = {m.member: {p.kind for p in Pledge.objects.filter(member=m.member, year=2026)} for m in members}
    figs["pledged"] = sum(bool(k) for k in kinds.values())
    figs["pledged_set_example"] = sum("set_example" in k for k in kinds.values())
    figs["key_cadres_set_example"] = sum("set_example" in k and m.is_key_cadre for m, k in kinds.items())
    figs["pledged_exemplary"] = sum("exemplary" in k for k in kinds.values())
    figs["collective_pledges"] = Pledge.objects.filter(cell_id=cell_id, year=2026, member__isnull=True).count()
    held = [r for r in MonthlyReview.objects.filter(cell_id=cell_id) if r.state in ("submitted", "accepted")]
    figs["meetings_held"] = len(held)
    figs["meetings_expected"] = 6
    figs["directive_minutes"] = sum(r.directive_minutes or 0 for r in held)
    entries = [e for r in held for e in r.entries.all()]
    figs["attendance_expected"] = len(entries)
    figs["attendance_present"] = sum(e.present for e in entries)
    figs["exemplary_records"] = sum(e.exemplary for e in entries)
    figs["criticised"] = sum(e.criticised for e in entries)
    # counted in the year they reward; for the period's year, when decided within the period
    comms = [c for c in Commendation.objects.filter(organization_id=cell_id)
             if c.year == PERIOD[0].year and c.awarded_on <= PERIOD[1]]
    figs["commendations_collective"] = sum(c.recipient_org_id is not None for c in comms)
    figs["commendations_individual"] = sum(c.recipient_member_id is not None for c in comms)
    for kind in ("merit", "certificate", "other"):
        figs[f"commendations_{kind}"] = sum(c.kind == kind for c in comms)
    figs["cells_expected"] = figs["cells_reporting"] = 1
    return figs


def drive(rnd, desired, board):
    """Play the workflow bottom-up to reach each report's desired state."""
    reports = sorted(Report.objects.filter(round=rnd), key=lambda r: -r.tree_path.count("/"))
    for report in reports:
        want = desired.get(report.organization_id)
        if want is None or want == "draft":
            continue
        report = services.report_save(report=report, sections={"results": "Kết quả tốt."}, typed={},
                                      expected_version=report.version, by=board)
        report = services.report_submit(report=report, by=board, note="Còn đơn vị chưa duyệt.")
        if want == "approved":
            services.report_approve(report=report, by=board)
        elif want == "returned":
            services.report_return(report=report, by=board, reasons=[("section:results", "Bổ sung số liệu.")])


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(shape=tree_shape)
def test_committee_figures_equal_the_approved_cells_records(shape):
    with transaction.atomic():
        board = UserFactory(username="superboard", is_superuser=True)
        p = make_unit(None, Level.PROVINCE, "Tỉnh ủy Thử")
        desired, specs = build(shape, p)
        rnd = services.round_open(by=board, province=p, directive=Directive.objects.get(code="05-CT/TW"),
                                  title="Sơ kết 6 tháng đầu năm 2026", kind="half_year", period_start=PERIOD[0],
                                  period_end=PERIOD[1], cutoff=PERIOD[1], deadlines=DEADLINES)
        drive(rnd, desired, board)
        rollup.refresh_round(rnd)  # the stale cells only (none: the records came before the round)
        assert rollup.refresh_round(rnd, full=True) == 0
        reports = {r.organization_id: r for r in Report.objects.filter(round=rnd)}
        children = {}
        for r in reports.values():
            children.setdefault(r.parent_id, []).append(r)

        def expected(org_id):
            r = reports[org_id]
            if r.level == Level.CELL:
                return naive_cell(org_id)
            total = F_.empty()
            for child in children.get(org_id, []):
                if child.state == Report.State.APPROVED:
                    F_.add(total, expected(child.organization_id))
            total["cells_expected"] = sum(1 for x in reports.values()
                                          if x.level == Level.CELL and x.tree_path.startswith(r.tree_path))
            return total

        for org_id, report in reports.items():
            assert report.figures == expected(org_id), report.name
            # the state reached is the one asked for (the province's own report stays a draft)
            want = desired.get(org_id, "draft")
            assert report.state == want
            if report.level != Level.CELL:
                pending = {c.organization_id for c in services.children_not_approved(report)}
                assert pending == {c.organization_id for c in children.get(org_id, []) if c.state != "approved"}
            # percentages are recomputed from the summed numerators and denominators
            figs = report.figures
            pct = F_.BY_CODE["pledged_pct"].value(figs)
            if figs["members"]:
                assert pct == (Decimal(figs["pledged"]) * 100 / figs["members"]).quantize(Decimal("0.1"))
            else:
                assert pct is None
            # a share of key cadres: a secretary who is not a key cadre registering "nêu gương" does not count
            for code in ("pledged_set_example_pct", "pledged_pct", "pledged_exemplary_pct"):
                share = F_.BY_CODE[code].value(figs)
                assert share is None or share <= 100, code
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_committee_percentage_is_not_an_average_of_its_children():
    figs_a = {**F_.empty(), "members": 10, "pledged": 10}
    figs_b = {**F_.empty(), "members": 90, "pledged": 45}
    total = F_.add(F_.add(F_.empty(), figs_a), figs_b)
    assert F_.BY_CODE["pledged_pct"].display_value(total) == "55%"  # not (100% + 50%) / 2 = 75%
    assert F_.BY_CODE["pledged_pct"].display_value(F_.empty()) == "–"


def test_registry_codes_are_unique_and_ratios_refer_to_stored_figures():
    codes = [f.code for f in F_.FIGURES]
    assert len(codes) == len(set(codes))
    for fig in F_.FIGURES:
        for code in fig.numerator + fig.denominator:
            assert code in F_.STORED
    assert Role  # imported for the fixtures of other modules


def test_a_figure_added_after_a_report_was_frozen_is_unknown_not_zero():
    """A report approved before a figure existed: its frozen figures lack the code. The figure shows
    "–", a committee summing it cannot know its total, and it is not flagged as a change of the data."""
    frozen = {**F_.empty(), "members": 10, "key_cadres": 4, "pledged_set_example": 5}
    del frozen["key_cadres_set_example"]
    share = F_.BY_CODE["pledged_set_example_pct"]
    assert share.display_value(frozen) == "–"
    assert F_.BY_CODE["key_cadres_set_example"].display_value(frozen) == "–"
    assert F_.BY_CODE["members"].display_value(frozen) == "10"
    live = {**frozen, "key_cadres_set_example": 3}
    assert F_.diff(frozen, live) == []
    assert [f.code for f, _, _ in F_.diff(frozen, {**live, "members": 11})] == ["members"]
    assert share.display_value(live) == "75%"

    old = Report(state=Report.State.APPROVED, snapshot={"figures": frozen})
    new = Report(state=Report.State.APPROVED, snapshot={"figures": live})
    total = rollup.sum_children([old, new])
    assert total["members"] == 20 and "key_cadres_set_example" not in total
    assert share.display_value(total) == "–"
    assert share.display_value(rollup.sum_children([new, new])) == "75%"
