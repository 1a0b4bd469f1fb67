"""The round page counts each unit under exactly one state: the badges add up to the units listed
(a unit nobody has started is "Chưa bắt đầu", not also "Đang soạn"); late is a flag across states."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from organizations.models import Level
from pledges.models import Directive
from reports import services
from reports.models import Report

from .factories import make_unit

STATES = ("submitted", "approved", "returned", "draft", "missing")


def test_the_badges_add_up_to_the_units_with_one_unit_in_every_state(world, client):
    extra = [make_unit(world.c1, Level.CELL, f"Chi bộ ấp {name}") for name in ("Bà Lụa", "Tà Săng", "Mỹ Lâm")]
    rnd = services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng", kind="half_year", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30),
        cutoff=dt.date(2026, 6, 30), deadlines={"cell": dt.date(2026, 7, 5), "commune": dt.date(2026, 7, 10),
                                                "district": dt.date(2026, 7, 15), "province": dt.date(2026, 7, 20)},
    )
    started = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    late = dt.datetime(2026, 7, 9, tzinfo=dt.UTC)
    cells = [world.a, world.b, *extra]
    for cell, (state, when, sent) in zip(cells, [("submitted", started, late), ("approved", started, started),
                                                 ("returned", started, started), ("draft", started, None),
                                                 ("draft", None, None)], strict=True):
        Report.objects.filter(round=rnd, organization=cell).update(state=state, started_at=when, submitted_at=sent)

    client.force_login(world.users.commune1)
    html = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    block = html[html.index('id="round-counts"'):]
    block = block[:block.index("</div>")]
    shown = {state: int(re.search(rf'data-state="{state}">[^<:]*: (\d+)<', block).group(1)) for state in STATES}
    assert shown == dict.fromkeys(STATES, 1)
    assert sum(shown.values()) == len(cells) == 5
    assert "5 đơn vị:" in block
    # late is not a state: past the cells' deadline (5/7), three not sent and one sent late
    assert "trong đó quá hạn hoặc nộp muộn: 4" in block
    # every unit is listed once
    assert sum(html.count(f">{c.name}</a>") for c in cells) == 5


def test_a_unit_not_started_is_not_also_counted_as_drafting(world, client):
    rnd = services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title="Sơ kết 6 tháng", kind="half_year", period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30),
        cutoff=dt.date(2026, 6, 30), deadlines={"cell": dt.date(2030, 7, 5), "commune": dt.date(2030, 7, 10),
                                                "district": dt.date(2030, 7, 15), "province": dt.date(2030, 7, 20)},
    )
    client.force_login(world.users.board)  # children of the province: two districts and a cell, none started
    html = client.get(reverse("reports:round", args=[rnd.pk])).content.decode()
    assert re.search(r'data-state="draft">[^<:]*: 0<', html)
    assert re.search(r'data-state="missing">[^<:]*: 3<', html)
    assert 'id="round-late"' not in html
