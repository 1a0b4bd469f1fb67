"""Two editors, every editor that writes several rows: both open the page, the first saves, the second
(page opened earlier) saves too. The second gets the conflict message in Vietnamese, sees what they
typed, and nothing the first saved is overwritten.

The editors (each with its version check):
- the monthly meeting record (MonthlyReview.version);
- a report's sections and typed figures, a cell's or a committee's (Report.version);
- year end: the members' classification, and the cell's grade by the committee above
  (directive03.concurrency tokens over the rows);
- a member's pledge and the cell's collective pledge: registration and amendment (token over revisions);
- a user's account and roles in the admin (token over the user, groups and roles);
- a unit in the admin: rename or move (token over the unit and its dated versions);
- the member import's confirmation (token over the members and histories the preview was made from);
- a member's cell history (token over the periods);
- a restructuring plan's "Áp dụng" (token over the plan and its changes);
- a document's issue page: date, signer, opening (token over the document's issue fields).
State transitions (approve, return, accept a monthly record, close a round) check the current state
instead: the second one finds the state changed and is refused.
Each is driven through the views: the forms are read from the pages as each editor got them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role
from pledges import services as pledge_services
from pledges.models import (
    MemberClassification,
    MonthlyReview,
    OrganizationClassification,
    Pledge,
    ReviewEntry,
)
from reports import services as report_services
from reports.models import Report

from .factories import UserFactory, user_with_role
from .test_access_walk import read_page

CONFLICT = "Người khác vừa lưu nội dung này sau khi bạn mở trang"


def form_data(html: str, *, contains: str, button: tuple[str, str] | None = None) -> dict[str, list[str]]:
    """The fields of the page's POST form that holds a field named or valued `contains`, as a browser
    would send them unchanged."""
    for form in read_page(html).forms:
        if form.method != "post":
            continue
        if any(contains in (name, value) for name, value in [*form.fields, *form.buttons]):
            data: dict[str, list[str]] = {}
            for name, value in form.fields:
                data.setdefault(name, []).append(value)
            if button:
                data[button[0]] = [button[1]]
            return data
    raise AssertionError(f"no form with {contains!r}")


def two(world, first, second) -> tuple[Client, Client]:
    a, b = Client(), Client()
    a.force_login(first)
    b.force_login(second)
    return a, b


@pytest.fixture
def deputy(world):
    return user_with_role("phobithu_a", world.a, Role.Kind.CELL_SECRETARY)


def test_year_end_classification(world, client, deputy):
    """The issue's case: all rated good; A rates X excellent and saves; B, page opened earlier,
    rates Y excellent and saves: refused, X stays excellent, B still sees Y as excellent."""
    x, y, z = world.members_a
    url = reverse("pledges:yearend", args=[world.a.pk, timezone.localdate().year])
    pledge_services.classify_members(cell=world.a, year=timezone.localdate().year,
                                     grades={m.pk: "good" for m in world.members_a}, by=world.users.sec_a)
    a, b = two(world, world.users.sec_a, deputy)
    form_a = form_data(a.get(url).content.decode(), contains="classify")
    form_b = form_data(b.get(url).content.decode(), contains="classify")
    form_a[f"g-{x.pk}"] = ["excellent"]
    assert a.post(url, form_a).status_code == 302
    form_b[f"g-{y.pk}"] = ["excellent"]
    response = b.post(url, form_b)
    page = response.content.decode()
    assert response.status_code == 409 and CONFLICT in page
    assert f'name="g-{y.pk}"' in page and page.count('value="excellent" selected') == 1  # B's choice for Y
    grades = dict(MemberClassification.objects.filter(cell=world.a).values_list("member_id", "grade"))
    assert grades == {x.pk: "excellent", y.pk: "good", z.pk: "good"}
    # after reloading, B saves on top of A's work
    form_b = form_data(b.get(url).content.decode(), contains="classify")
    form_b[f"g-{y.pk}"] = ["excellent"]
    assert b.post(url, form_b).status_code == 302
    grades = dict(MemberClassification.objects.filter(cell=world.a).values_list("member_id", "grade"))
    assert grades == {x.pk: "excellent", y.pk: "excellent", z.pk: "good"}


def test_year_end_grade_of_the_cell(world):
    url = reverse("pledges:yearend", args=[world.a.pk, timezone.localdate().year])
    a, b = two(world, world.users.commune1, world.users.district1)
    form_a = form_data(a.get(url).content.decode(), contains="classify_org")
    form_b = form_data(b.get(url).content.decode(), contains="classify_org")
    form_a["grade"], form_b["grade"] = ["good"], ["excellent"]
    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)
    assert response.status_code == 409 and CONFLICT in response.content.decode()
    assert OrganizationClassification.objects.get(organization=world.a).grade == "good"


@pytest.mark.parametrize("collective", [False, True], ids=["member", "collective"])
def test_pledge_registration_and_amendment(world, deputy, collective):
    year = timezone.localdate().year
    member = world.members_a[0]
    url = reverse("pledges:pledge_collective", args=[world.a.pk, year]) if collective else \
        reverse("pledges:pledge_member", args=[world.a.pk, year, member.pk])
    a, b = two(world, world.users.sec_a, deputy)

    # both open the empty registration; A registers, B's registration is refused and kept
    form_a = form_data(a.get(url).content.decode(), contains="version")
    form_b = form_data(b.get(url).content.decode(), contains="version")
    today = timezone.localdate()
    registered_on = (today - dt.timedelta(days=1)).isoformat()  # so that an amendment today is valid
    form_a.update(on=[registered_on], content=["Cam kết của A"], verification=["Sổ A"])
    form_b.update(on=[registered_on], content=["Cam kết của B"], verification=["Sổ B"])
    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)
    page = response.content.decode()
    assert response.status_code == 409 and CONFLICT in page and "Cam kết của B" in page
    pledge = Pledge.objects.get(organization=world.a) if collective else Pledge.objects.get(member=member)
    assert [c.content for r in pledge.revisions.all() for c in r.commitments.all()] == ["Cam kết của A"]

    # both open the amendment; A amends, B's amendment (made from the old commitments) is refused
    form_a = form_data(a.get(url).content.decode(), contains="version")
    form_b = form_data(b.get(url).content.decode(), contains="version")
    for form, who in ((form_a, "A"), (form_b, "B")):
        form.update(on=[today.isoformat()], reason=[f"Rà soát của {who}"], content=[f"Bổ sung của {who}"],
                    verification=[""])
    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)
    assert response.status_code == 409 and "Bổ sung của B" in response.content.decode()
    assert pledge.revisions.count() == 2 and pledge.revisions.get(number=2).reason == "Rà soát của A"


def test_monthly_record(world, deputy):
    year, month = 2026, 5
    url = reverse("pledges:review", args=[world.a.pk, year, month])
    a, b = two(world, world.users.sec_a, deputy)
    pledge_services.review_open(cell=world.a, year=year, month=month, by=world.users.sec_a)
    form_a = form_data(a.get(url).content.decode(), contains="version", button=("action", "save"))
    form_b = form_data(b.get(url).content.decode(), contains="version", button=("action", "save"))
    for form in (form_a, form_b):
        form.update(meeting_date=["2026-05-05"], directive_minutes=["45"], theme_content=["Chuyên đề"],
                    thrift_item=["Tiết kiệm điện"], next_month_measures=["Làm đường"])
    form_a["notes"], form_b["notes"] = ["Ghi chú của A"], ["Ghi chú của B"]
    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)
    page = response.content.decode()
    assert response.status_code == 409 and "Ghi chú của B" in page and "CHƯA được lưu" in page
    assert MonthlyReview.objects.get(cell=world.a, year=year, month=month).notes == "Ghi chú của A"
    assert ReviewEntry.objects.filter(review__cell=world.a).count() == len(world.members_a)


@pytest.mark.parametrize("unit", ["a", "c1"], ids=["cell", "committee"])
def test_report_sections_and_figures(world, unit):
    """A cell's report and a committee's (its own sections and the figures it types over the sums)."""
    from pledges.models import Directive

    today = timezone.localdate()
    rnd = report_services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"), title="Sơ kết",
        kind="half_year", period_start=today - dt.timedelta(days=150), period_end=today - dt.timedelta(days=5),
        cutoff=today - dt.timedelta(days=5),
        deadlines={"cell": today + dt.timedelta(days=5), "commune": today + dt.timedelta(days=10),
                   "district": today + dt.timedelta(days=15), "province": today + dt.timedelta(days=20)},
    )
    org = getattr(world, unit)
    report = Report.objects.get(round=rnd, organization=org)
    if unit == "a":
        first, second = world.users.sec_a, user_with_role("phobithu_a", world.a, Role.Kind.CELL_SECRETARY)
    else:
        first, second = world.users.admin_c1, user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    url = reverse("reports:report", args=[report.pk])
    save = reverse("reports:report_save", args=[report.pk])
    a, b = two(world, first, second)
    form_a = form_data(a.get(url).content.decode(), contains="results")
    form_b = form_data(b.get(url).content.decode(), contains="results")
    form_a.update(results=["Kết quả của A"], typed_inspections=["4"])
    form_b.update(results=["Kết quả của B"], typed_inspections=["9"])
    assert a.post(save, form_a).status_code == 302
    response = b.post(save, form_b)
    page = response.content.decode()
    assert "vừa được người khác lưu" in page and "Kết quả của B" in page and 'value="9"' in page
    report.refresh_from_db()
    assert report.results == "Kết quả của A" and report.typed_figures.get("inspections") == 4


def test_roles_in_the_admin(world):
    """Two administrators on the same user's page (account and roles inline): the second save is
    refused with the message, the first one's roles stay."""
    target = world.users.sec_b
    root_a = UserFactory(username="root_a", is_staff=True, is_superuser=True)
    root_b = UserFactory(username="root_b", is_staff=True, is_superuser=True)
    url = reverse("admin:auth_user_change", args=[target.pk])
    a, b = two(world, root_a, root_b)
    form_a = form_data(a.get(url).content.decode(), contains="roles-TOTAL_FORMS")
    form_b = form_data(b.get(url).content.decode(), contains="roles-TOTAL_FORMS")
    for form, org, kind in ((form_a, world.c1, Role.Kind.REVIEWER), (form_b, world.d1, Role.Kind.APPROVER)):
        n = int(form["roles-TOTAL_FORMS"][0])
        form["roles-TOTAL_FORMS"] = [str(n + 1)]
        form[f"roles-{n}-organization"] = [str(org.pk)]
        form[f"roles-{n}-kind"] = [kind]
        form[f"roles-{n}-user"] = [str(target.pk)]
    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)
    page = response.content.decode()
    assert response.status_code == 200 and CONFLICT in page
    assert set(Role.objects.filter(user=target).values_list("organization_id", "kind")) == {
        (world.b.pk, Role.Kind.CELL_SECRETARY), (world.c1.pk, Role.Kind.REVIEWER)}


def test_a_unit_in_the_admin(world):
    """A rename (or a move) writes the unit, its dated versions and its subtree's paths: two
    administrators on the same unit, the second is refused and the first one's rename stays."""
    root_a = UserFactory(username="root_a", is_staff=True, is_superuser=True)
    root_b = UserFactory(username="root_b", is_staff=True, is_superuser=True)
    url = reverse("admin:organizations_organization_change", args=[world.c1.pk])
    a, b = two(world, root_a, root_b)
    form_a = form_data(a.get(url).content.decode(), contains="change_on")
    form_b = form_data(b.get(url).content.decode(), contains="change_on")
    today = timezone.localdate().isoformat()
    form_a.update(name=["Đảng ủy xã Sóc Sơn (mới)"], change_on=[today])
    form_b.update(place_name=["Hòn Đất, Kiên Giang"])
    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)
    assert response.status_code == 200 and CONFLICT in response.content.decode()
    world.c1.refresh_from_db()
    assert world.c1.name == "Đảng ủy xã Sóc Sơn (mới)" and world.c1.place_name == "Kiên Giang"


def test_member_import_confirmation(world, deputy):
    """Two managers of cell A preview files that touch the same members (one known, one new card); A
    confirms; B confirms the preview made before A's import: refused with the message, nothing of
    A's overwritten or duplicated; B's preview is made again on the new data, which B may confirm."""
    from organizations.models import ImportBatch, Member

    from .test_import import row, upload, url, xlsx_file

    known = world.members_a[0]
    a, b = two(world, world.users.sec_a, deputy)
    pages = {}
    for client, who in ((a, "A"), (b, "B")):
        file = xlsx_file([row(known.card_number, f"Trần Thị Ánh của {who}", year=known.birth_year),
                          row("99500001", f"Nguyễn Văn Mới của {who}")])
        response = upload(client, world.a, file)
        assert "1 mới, 1 cập nhật" in response.content.decode()
        pages[who] = (ImportBatch.objects.order_by("-pk").first(), response.content.decode())
    for who, client in (("A", a), ("B", b)):
        batch, page = pages[who]
        form = form_data(page, contains="confirm", button=("action", "confirm"))
        response = client.post(url("import_preview", world.a, batch_id=batch.pk), form, follow=True)
        if who == "A":
            assert "Đã nhập danh sách đảng viên: 1 mới, 1 cập nhật." in response.content.decode()
    page = response.content.decode()
    assert "Danh sách đảng viên đã được người khác thay đổi" in page and "CHƯA được ghi" in page
    assert response.redirect_chain[-1][0] == url("import_preview", world.a, batch_id=pages["B"][0].pk)
    assert "0 mới, 2 cập nhật" in page  # B's preview, made again: the new card is A's member now
    assert list(Member.objects.filter(card_number="99500001").values_list("full_name", flat=True)) == [
        "Nguyễn Văn Mới của A"]
    known.refresh_from_db()
    assert known.full_name == "Trần Thị Ánh của A"
    assert pages["B"][0].__class__.objects.get(pk=pages["B"][0].pk).status == ImportBatch.Status.PENDING
    # B confirms the preview it now sees: B's names, still one member per card
    form = form_data(page, contains="confirm", button=("action", "confirm"))
    response = b.post(url("import_preview", world.a, batch_id=pages["B"][0].pk), form, follow=True)
    assert "0 mới, 2 cập nhật." in response.content.decode()
    assert list(Member.objects.filter(card_number="99500001").values_list("full_name", flat=True)) == [
        "Nguyễn Văn Mới của B"]


def test_member_import_confirmed_from_an_old_tab(world):
    """The preview changed (made again after a conflict) while another tab still shows the old one:
    confirming from the old tab is refused, as the page's token is not the batch's."""
    from organizations.models import ImportBatch, Member

    from .test_import import row, upload, url, xlsx_file

    client = Client()
    client.force_login(world.users.sec_a)
    page = upload(client, world.a, xlsx_file([row("99600001", "Lê Văn Tám")])).content.decode()
    batch = ImportBatch.objects.order_by("-pk").first()
    form = form_data(page, contains="confirm", button=("action", "confirm"))
    ImportBatch.objects.filter(pk=batch.pk).update(base_token="0" * 20)  # as if made again meanwhile
    response = client.post(url("import_preview", world.a, batch_id=batch.pk), form, follow=True)
    assert "Danh sách đảng viên đã được người khác thay đổi" in response.content.decode()
    assert not Member.objects.filter(card_number="99600001").exists()


def test_member_history(world, deputy):
    """The member's page (quá trình sinh hoạt): both managers open it; A moves the start, B (page
    opened earlier) moves it elsewhere: B is refused with what B typed kept, A's history stays."""
    from organizations.models import Membership

    member = world.members_a[0]
    url = reverse("organizations:member", args=[member.pk])
    a, b = two(world, world.users.sec_a, deputy)
    form_a = form_data(a.get(url).content.decode(), contains="start_0")
    form_b = form_data(b.get(url).content.decode(), contains="start_0")
    form_a["start_0"], form_b["start_0"] = ["01/03/2020"], ["01/06/2020"]
    response = a.post(url, form_a)
    assert response.status_code == 302, re.findall(r'<li>([^<]*)</li>', response.content.decode())
    response = b.post(url, form_b)
    page = response.content.decode()
    assert response.status_code == 400 and "vừa được người khác sửa" in page and 'value="01/06/2020"' in page
    assert list(Membership.objects.filter(member=member).values_list("start", flat=True)) == [dt.date(2020, 3, 1)]


def test_restructuring_plan_apply(world):
    """Two board members on one plan: B adds a change after A opened the page; A's "Áp dụng" (made
    on the plan without B's change) is refused and nothing is applied; after reloading, A applies both."""
    from organizations.models import Organization, RestructurePlan
    from organizations.restructuring import plans

    board_b = user_with_role("board_b", world.p, Role.Kind.BOARD)
    plan = plans.plan_create(province=world.p, title="Đổi tên", effective_on=dt.date(2025, 7, 1), by=world.users.board)
    plans.change_add(plan=plan, row=plans.RowInput(op="rename", unit=f"#{world.c1.pk}", new_name="Đảng ủy xã Sóc Sơn A"),
                     by=world.users.board)
    url = reverse("organizations:plan", args=[plan.pk])
    apply = reverse("organizations:plan_apply", args=[plan.pk])
    a, b = two(world, world.users.board, board_b)
    form_a = form_data(a.get(url).content.decode(), contains="version")
    response = b.post(url, {"op": "rename", "unit": f"#{world.c2.pk}", "new_name": "Đảng ủy phường Vĩnh Thanh B"})
    assert response.status_code == 302
    response = a.post(apply, form_a, follow=True)
    assert "Phương án vừa được người khác thay đổi" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == RestructurePlan.Status.DRAFT
    assert Organization.objects.get(pk=world.c1.pk).name == world.c1.name
    form_a = form_data(a.get(url).content.decode(), contains="version")
    assert a.post(apply, form_a).status_code == 302
    plan.refresh_from_db()
    assert plan.status == RestructurePlan.Status.APPLIED
    assert {Organization.objects.get(pk=u.pk).name for u in (world.c1, world.c2)} == {
        "Đảng ủy xã Sóc Sơn A", "Đảng ủy phường Vĩnh Thanh B"}


def test_issue_page(world, deputy):
    """The document's issue page (date, signer, opening paragraph): A issues, B (page opened earlier)
    issues with another signer: refused with the message and B's typing kept; A's choice stays."""
    from pledges.models import Directive
    from reports.models import Document

    today = timezone.localdate()
    rnd = report_services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"), title="Sơ kết",
        kind="half_year", period_start=today - dt.timedelta(days=150), period_end=today - dt.timedelta(days=5),
        cutoff=today - dt.timedelta(days=5),
        deadlines={"cell": today + dt.timedelta(days=5), "commune": today + dt.timedelta(days=10),
                   "district": today + dt.timedelta(days=15), "province": today + dt.timedelta(days=20)},
    )
    report = Report.objects.get(round=rnd, organization=world.a)
    url = reverse("documents:issue", args=[report.pk])
    a, b = two(world, world.users.sec_a, deputy)
    form_a = form_data(a.get(url).content.decode(), contains="signer_name")
    form_b = form_data(b.get(url).content.decode(), contains="signer_name")
    form_a.update(signer_name=["Nguyễn Văn Ký"], opening=["Mở đầu của A."])
    form_b.update(signer_name=["Trần Văn Khác"], opening=["Mở đầu của B."])
    assert a.post(url, form_a).status_code == 302
    response = b.post(url, form_b)
    page = response.content.decode()
    assert response.status_code == 409 and CONFLICT in page and "Trần Văn Khác" in page and "Mở đầu của B." in page
    doc = Document.objects.get(report=report, kind=Document.Kind.REPORT)
    assert (doc.signer_name, doc.opening) == ("Nguyễn Văn Ký", "Mở đầu của A.")
