"""Vietnamese as Vietnamese users read and type it (issue 11, items 5 and 6), through the views:
names family name first, download names that keep "Đ", dd/mm/yyyy dates whatever the browser or the
interface language (forms and admin), percentages rounded half up."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from directive03 import formats
from organizations.models import Kind, Level, Organization, OrganizationVersion
from pledges.models import Directive, Pledge
from reports import notifications, services
from reports.models import Report, ReportingRound

from .factories import MemberFactory, UserFactory, make_unit
from .test_pledges_views import page_version

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = {"django_language": "en"}


def english(client):
    client.cookies.load(ENGLISH)
    return client


def open_round(world, *, year=2026):
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"),
        title=f"Sơ kết 6 tháng đầu năm {year}", kind="half_year", period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 6, 30), cutoff=dt.date(year, 6, 30),
        deadlines={"cell": dt.date(year, 7, 5), "commune": dt.date(year, 7, 10),
                   "district": dt.date(year, 7, 15), "province": dt.date(year, 7, 20)},
    )


# -- 5. names: family name first, always --------------------------------------------------------------

@pytest.fixture
def vinh(world):
    """The board's user is Trần Quang Vinh: họ (last_name) 'Trần Quang', tên (first_name) 'Vinh'."""
    user = world.users.board
    user.last_name, user.first_name, user.email = "Trần Quang", "Vinh", "vinh@example.vn"
    user.save()
    return user


def test_person_name_is_family_name_first():
    user = UserFactory.build(username="vinh", last_name="Trần Quang", first_name="Vinh")
    assert formats.person_name(user) == "Trần Quang Vinh"
    assert user.get_full_name() == "Vinh Trần Quang"  # Django's order, which no page may show
    assert formats.person_name(UserFactory.build(username="an")) == "an"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_pages_show_the_user_family_name_first(world, client, vinh, language):
    if language == "en":
        english(client)
    client.force_login(vinh)
    page = client.get(reverse("organizations:detail", args=[world.p.pk])).content.decode()
    assert page.count("Trần Quang Vinh") >= 2  # the navbar and the unit's officers
    assert "Vinh Trần Quang" not in page


def test_report_history_shows_who_acted_family_name_first(world, client, vinh):
    rnd = open_round(world)
    province = Report.objects.get(round=rnd, organization=world.p)
    services.report_save(report=province, sections={"results": "Kết quả."}, typed={},
                         expected_version=province.version, by=vinh)
    client.force_login(vinh)
    page = client.get(reverse("reports:report", args=[province.pk])).content.decode()
    assert "Trần Quang Vinh" in page and "Vinh Trần Quang" not in page


def test_reminder_emails_greet_family_name_first(world):
    user = world.users.sec_b
    user.last_name, user.first_name, user.email = "Trần Quang", "Vinh", "vinh@example.vn"
    user.save()
    today = dt.date(2026, 7, 6)
    rnd = open_round(world)
    ReportingRound.objects.filter(pk=rnd.pk).update(deadline_cell=today - dt.timedelta(days=1))
    notifications.send_reminders(today=today)
    body = next(m.body for m in mail.outbox if m.to == ["vinh@example.vn"])
    assert "Kính gửi đồng chí Trần Quang Vinh," in body


def test_the_admin_lists_users_family_name_first_and_asks_ho_before_ten(world, client, vinh):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Trần Quang Vinh" in listing and "Vinh Trần Quang" not in listing
    form = client.get(reverse("admin:auth_user_change", args=[vinh.pk])).content.decode()
    assert form.index('name="last_name"') < form.index('name="first_name"')


def test_no_code_shows_djangos_first_name_first_order():
    """The kind of fault: every place goes through formats.person_name (or the |ho_ten filter)."""
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/**/*.py")]:
        if ".venv" in path.parts or "tests" in path.parts or "bench" in path.parts:
            continue
        if "get_full_name" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# -- 5. download names: the Vietnamese name, and an ASCII fallback with đ -> d ---------------------------

def disposition(response) -> tuple[str, str]:
    """(the ASCII filename, the UTF-8 filename*) of a Content-Disposition header."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    ascii_name = re.search(r'filename="([^"]*)"', header).group(1)
    utf8 = re.search(r"filename\*=UTF-8''(\S+)", header)
    return ascii_name, unquote(utf8.group(1)) if utf8 else ascii_name


@pytest.fixture
def khoi(world):
    """Đảng ủy Khối các cơ quan tỉnh (under the province), whose name starts with Đ."""
    unit = make_unit(world.p, Level.DISTRICT, "Đảng ủy Khối các cơ quan tỉnh", kind=Kind.DANG_UY_KHOI)
    make_unit(unit, Level.CELL, "Chi bộ Văn phòng", kind=Kind.CHI_BO_CO_SO)
    return unit


def test_member_exports_keep_the_vietnamese_name(world, client):
    khoi = make_unit(world.d1, Level.COMMUNE, "Đảng ủy Khối các cơ quan tỉnh")
    MemberFactory(cell=make_unit(khoi, Level.CELL, "Chi bộ Văn phòng"), full_name="Đỗ Thu Lệ")
    client.force_login(world.users.board)
    today = dt.date.today()
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("organizations:members_export", args=[khoi.pk]), {"format": fmt})
        assert response.status_code == 200
        ascii_name, name = disposition(response)
        stamp = formats.short_date(today).replace("/", "-")
        assert name == f"Đảng viên - Đảng ủy Khối các cơ quan tỉnh - {stamp}.{fmt}"
        assert ascii_name == f"dang-vien-dang-uy-khoi-cac-co-quan-tinh-{stamp}.{fmt}"
    template = client.get(reverse("organizations:import_template", args=[khoi.pk]))
    assert disposition(template)[0].startswith("mau-nhap-dang-vien-dang-uy-khoi-cac-co-quan-tinh-")


def test_report_documents_keep_the_vietnamese_name(world, client, khoi, django_capture_on_commit_callbacks):
    rnd = open_round(world)
    report = Report.objects.get(round=rnd, organization=khoi)
    client.force_login(world.users.board)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:build", args=[report.pk]))
    for fmt in ("pdf", "docx"):
        response = client.get(reverse("documents:download", args=[report.pk, fmt]))
        assert response.status_code == 200
        assert disposition(response) == (f"bao-cao-dang-uy-khoi-cac-co-quan-tinh.{fmt}",
                                         f"Báo cáo - Đảng ủy Khối các cơ quan tỉnh.{fmt}")


def test_the_dashboard_export_keeps_the_vietnamese_name(world, client):
    Organization.objects.filter(pk=world.p.pk).update(name="Tỉnh ủy Đồng Nai")
    OrganizationVersion.objects.filter(organization=world.p).update(name="Tỉnh ủy Đồng Nai")
    rnd = open_round(world)
    client.force_login(world.users.board)
    response = client.get(reverse("dashboard:export", args=[rnd.pk]))
    assert response.status_code == 200
    ascii_name, name = disposition(response)
    assert name.startswith("Tiến độ - Tỉnh ủy Đồng Nai - ") and name.endswith(".xlsx")
    assert ascii_name.startswith("tien-do-tinh-uy-dong-nai-")


# -- 6. dates: dd/mm/yyyy whatever the browser and the interface language -----------------------------

def round_post(world, **changes):
    data = {
        "province": world.p.pk, "kind": "year", "year": "2025", "years": "1", "title": "Tổng kết năm 2025",
        "directive": Directive.objects.get(code="05-CT/TW").pk, "period_start": "01/01/2025",
        "period_end": "31/12/2024", "cutoff": "31/12/2025", "deadline_cell": "05/01/2026",
        "deadline_commune": "10/01/2026", "deadline_district": "15/01/2026", "deadline_province": "20/01/2026",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_round_form_reads_and_shows_dd_mm_yyyy(world, client, language):
    if language == "en":
        english(client)
    client.force_login(world.users.board)
    form = client.get(reverse("reports:round_open")).content.decode()
    assert 'type="date"' not in form
    assert re.search(r'<input type="text" name="period_start" value="01/01/\d{4}"[^>]*placeholder="dd/mm/yyyy"', form)
    # 1 July 2025 to 31 December 2025, typed the Vietnamese way; the first try has an end before the start
    refused = client.post(reverse("reports:round_open"), round_post(world, period_start="01/07/2025"))
    assert refused.status_code == 200
    assert 'value="01/07/2025"' in refused.content.decode() and 'value="31/12/2024"' in refused.content.decode()
    response = client.post(reverse("reports:round_open"),
                           round_post(world, period_start="01/07/2025", period_end="31/12/2025"))
    assert response.status_code == 302
    rnd = ReportingRound.objects.get()
    assert (rnd.period_start, rnd.period_end) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    assert rnd.deadline_cell == dt.date(2026, 1, 5)


@pytest.mark.parametrize("language, typed", [
    ("vi", "01/02/2026"), ("en", "01/02/2026"),
    # a phone's numeric keypad has no "/": dots, dashes or eight digits, still day first
    ("vi", "01.02.2026"), ("vi", "01-02-2026"), ("vi", "01022026"), ("en", "01022026"),
])
def test_a_pledge_date_is_read_as_dd_mm_yyyy(world, client, language, typed):
    """"01/02/2026" is 1 February (read as mm/dd it would be 2 January)."""
    if language == "en":
        english(client)
    member = world.members_a[0]
    client.force_login(world.users.sec_a)
    url = reverse("pledges:pledge_member", args=[world.a.pk, 2026, member.pk])
    form = client.get(url).content.decode()
    assert 'type="date"' not in form and 'placeholder="dd/mm/yyyy"' in form
    response = client.post(url, {"version": page_version(client, url), "on": typed, "kind": Pledge.Kind.EXEMPLARY,
                                 "content": ["Đi làm đúng giờ"], "verification": ["Chấm công"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Pledge.objects.get(member=member).revisions.get().valid_from == dt.date(2026, 2, 1)


@pytest.fixture
def admin_client_vi(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_admin_reads_01_07_2025_as_1_july(world, admin_client_vi, language):
    client = english(admin_client_vi) if language == "en" else admin_client_vi
    add = client.get(reverse("admin:organizations_organization_add")).content.decode()
    assert 'type="date"' not in add
    response = client.post(reverse("admin:organizations_organization_add"), {
        "name": "Chi bộ ấp Tân Điền", "parent": world.c1.pk, "level": Level.CELL, "kind": Kind.CHI_BO_TRUC_THUOC,
        "issuer_code": "CB", "place_name": "Hòn Đất", "valid_from": "01/07/2025", "change_on": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Organization.objects.get(name="Chi bộ ấp Tân Điền")
    assert created.valid_from == dt.date(2025, 7, 1)
    change = client.get(reverse("admin:organizations_organization_change", args=[created.pk])).content.decode()
    assert "01/07/2025" in change and "2025-07-01" not in change
    listing = client.get(reverse("admin:organizations_organization_changelist")).content.decode()
    assert "01/07/2025" in listing


def test_admin_date_messages_are_dd_mm_yyyy(world, admin_client_vi):
    """A rename dated before the unit's current version: the form error names that date as dd/mm/yyyy
    (the same date would amend that version: restructuring), and what was typed stays on the page."""
    OrganizationVersion.objects.filter(organization=world.a).update(valid_from=dt.date(2025, 1, 15))
    Organization.objects.filter(pk=world.a.pk).update(valid_from=dt.date(2025, 1, 15))
    url = reverse("admin:organizations_organization_change", args=[world.a.pk])
    token = re.search(r'name="version" value="([^"]*)"', admin_client_vi.get(url).content.decode()).group(1)
    response = admin_client_vi.post(url, {
        "name": "Chi bộ ấp Hòn Quéo mới", "parent": world.c1.pk, "kind": world.a.kind,
        "issuer_code": world.a.issuer_code or "CB", "place_name": world.a.place_name or "",
        "change_on": "31/12/2024", "version": token,
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "đã có thay đổi từ ngày 15/01/2025" in page  # the restructuring check, before any write
    assert "2025-01-15" not in page and "Chi bộ ấp Hòn Quéo mới" in page


def test_messages_and_inputs_share_one_date_format():
    assert formats.short_date(dt.date(2026, 11, 5)) == "05/11/2026"
    assert formats.parse_date("01/07/2025") == dt.date(2025, 7, 1)
    assert formats.parse_date("31/12/2024") == dt.date(2024, 12, 31)
    assert formats.parse_date("2025-07-01") == dt.date(2025, 7, 1)
    assert formats.parse_date("15112026") == formats.parse_date("15.11.2026") == dt.date(2026, 11, 15)
    for wrong in ("12/31/2024", "1511202", "151120266", "31022026"):
        with pytest.raises(ValueError):
            formats.parse_date(wrong)


# -- 6. percentages round half up ----------------------------------------------------------------------

def test_13_of_16_is_81_3_percent():
    assert formats.percent(13, 16) == "81,3%"
    assert formats.ratio(13, 16) == formats.round_half_up(81.25, 1)
    assert str(formats.ratio(13, 16)) == "81.3"
    assert formats.number(2.675, 2) == "2,68" and formats.number(0.125, 2) == "0,13"
    assert formats.percent(97, 100) == "97%" and formats.percent(1, 3) == "33,3%" and formats.percent(0, 0) == "–"


@pytest.fixture
def thirteen_of_sixteen(world):
    """Cell A with 16 members, 13 of whom registered their pledge for 2026."""
    members = list(world.members_a) + [MemberFactory(cell=world.a) for _ in range(13)]
    directive = Directive.objects.get(code="05-CT/TW")
    for member in members[:13]:
        Pledge.objects.create(member=member, cell=world.a, year=2026, kind=Pledge.Kind.EXEMPLARY, directive=directive)
    return members


def test_a_report_page_rounds_13_of_16_to_81_3_percent(world, client, thirteen_of_sixteen):
    rnd = open_round(world)
    report = Report.objects.get(round=rnd, organization=world.a)
    client.force_login(world.users.sec_a)
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert "81,3%" in page and "81,2%" not in page
    panel = client.get(reverse("reports:figure", args=[report.pk, "pledged_pct"])).content.decode()
    assert "81,3%" in panel and "81,2%" not in panel


def test_the_dashboard_and_its_export_round_half_up(world, client, thirteen_of_sixteen):
    """A commune with 15 cells (16 reports with its own), 13 approved: 81.3 % approved, not 81.2; and
    cell A's pledge share (13 of 16 members) in the export of its commune is 81.3."""
    commune = make_unit(world.p, Level.COMMUNE, "Đảng ủy xã Mỹ Lâm")
    for i in range(15):
        MemberFactory(cell=make_unit(commune, Level.CELL, f"Chi bộ ấp {i + 1}"))
    rnd = open_round(world)
    root = UserFactory(username="root", is_superuser=True)
    cells = list(Report.objects.filter(round=rnd, parent=commune).order_by("pk"))
    assert len(cells) == 15
    for report in cells[:13]:
        report = services.report_save(report=report, sections={"results": "Kết quả."}, typed={},
                                      expected_version=report.version, by=root)
        report = services.report_submit(report=report, by=root, note="")
        services.report_approve(report=report, by=root)
    client.force_login(world.users.board)

    def rows(**params):
        response = client.get(reverse("dashboard:export", args=[rnd.pk]), params)
        assert response.status_code == 200
        return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]

    commune_row = next(r for r in rows() if r[0] == "Đảng ủy xã Mỹ Lâm")
    assert commune_row[4:6] == [16, 13] and 81.3 in commune_row and 81.2 not in commune_row
    cell_row = next(r for r in rows(unit=world.c1.pk, figure="pledged_pct") if r[0] == "Chi bộ ấp Hòn Quéo")
    assert cell_row[-1] == 81.3
    page = client.get(reverse("dashboard:round", args=[rnd.pk]), {"unit": world.c1.pk, "figure": "pledged_pct"})
    assert "81,3%" in page.content.decode()
