"""The restructuring pages: board-only, problems listed, bad rows refused whole, future dates wait."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.access import Action, access_for
from organizations.models import Organization, PlanChange, RestructurePlan
from organizations.restructuring.execute import apply_due_plans
from organizations.selectors import tree_as_of

D = dt.date(2025, 7, 1)


def _plan(world, on=D, title="Phương án") -> RestructurePlan:
    return RestructurePlan.objects.create(province=world.p, title=title, effective_on=on,
                                          created_by=world.users.board)


def _xlsx(*rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Loại thay đổi", "Đơn vị", "Đơn vị đích", "Tên mới"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "plan.xlsx"
    return out


@pytest.mark.parametrize("role,status", [
    ("board", 200), ("district1", 403), ("commune1", 403), ("sec_a", 403), ("outsider", 404),
])
def test_the_plans_are_the_boards(world, client, role, status):
    plan = _plan(world)
    client.force_login(getattr(world.users, role))
    assert client.get(reverse("organizations:plans")).status_code == status
    assert client.get(reverse("organizations:plan", args=[plan.pk])).status_code == (200 if role == "board" else 404)
    response = client.post(reverse("organizations:plan_apply", args=[plan.pk]))
    assert response.status_code == (302 if role == "board" else 404)


def test_a_bad_row_refuses_the_whole_file_and_names_the_line(world, client):
    plan = _plan(world)
    client.force_login(world.users.board)
    upload = _xlsx(
        ["Chuyển trực thuộc", world.c1.name, world.p.name],
        ["Hợp nhất vào", "Chi bộ không có", world.a.name],
        ["Bay lên", world.c2.name, ""],
    )
    response = client.post(reverse("organizations:plan_upload", args=[plan.pk]), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Dòng 3: Đơn vị: không tìm thấy đơn vị “Chi bộ không có”" in page
    assert "Dòng 4: Loại thay đổi phải là" in page
    assert plan.changes.count() == 0


def test_two_units_with_the_same_name_are_told_apart_by_their_path(world, client):
    twin = Organization.objects.get(pk=world.c2.pk)
    twin.name = world.c1.name
    twin.save()
    plan = _plan(world)
    client.force_login(world.users.board)
    response = client.post(reverse("organizations:plan", args=[plan.pk]),
                           {"op": "move", "unit": world.c1.name, "target": world.p.name})
    assert response.status_code == 400
    page = response.content.decode()
    assert "có 2 đơn vị “Đảng ủy xã Sóc Sơn”" in page and 'value="Đảng ủy xã Sóc Sơn"' in page  # input kept
    options = client.get(reverse("organizations:plan_units", args=[plan.pk]), {"unit": "soc son"}).content.decode()
    assert "Huyện ủy Hòn Đất › Đảng ủy xã Sóc Sơn" in options and "Thành ủy Rạch Giá › Đảng ủy xã Sóc Sơn" in options
    response = client.post(reverse("organizations:plan", args=[plan.pk]), {
        "op": "move", "unit": "Thành ủy Rạch Giá › Đảng ủy xã Sóc Sơn", "target": world.p.name})
    assert response.status_code == 302
    assert plan.changes.get().unit_id == world.c2.pk


def test_a_closed_unit_with_children_is_a_problem_and_nothing_is_applied(world, client):
    client.force_login(world.users.board)
    response = client.get(reverse("organizations:unit_close", args=[world.d1.pk]))
    assert response.status_code == 200 and "Đảng ủy xã Sóc Sơn" in response.content.decode()
    response = client.post(reverse("organizations:unit_close", args=[world.d1.pk]), {"effective_on": "01/07/2025"})
    plan = RestructurePlan.objects.get()
    assert response.status_code == 302 and plan.changes.get().op == PlanChange.Op.CLOSE
    page = client.get(reverse("organizations:plan", args=[plan.pk])).content.decode()
    assert "giải thể nhưng vẫn còn 1 đơn vị trực thuộc (Đảng ủy xã Sóc Sơn)" in page
    response = client.post(reverse("organizations:plan_apply", args=[plan.pk]), follow=True)
    assert "giải thể nhưng vẫn còn" in response.content.decode()
    assert Organization.objects.get(pk=world.d1.pk).valid_to is None
    plan.refresh_from_db()
    assert plan.status == RestructurePlan.Status.DRAFT


def test_a_bad_date_is_refused_with_the_input_kept(world, client):
    client.force_login(world.users.board)
    response = client.post(reverse("organizations:plans"),
                           {"province": world.p.pk, "title": "Sắp xếp", "effective_on": "31/02/2025"})
    page = response.content.decode()
    assert response.status_code == 200 and "dd/mm/yyyy" in page and 'value="31/02/2025"' in page and 'value="Sắp xếp"' in page
    assert not RestructurePlan.objects.exists()


def test_a_future_plan_changes_nothing_before_its_date(world, client):
    """Future dates: the plan is scheduled; the live tree, the history and everyone's access stay as
    they are until the daily task applies it on its date."""
    today = timezone.localdate()
    on = today + dt.timedelta(days=10)
    plan = _plan(world, on=on)
    client.force_login(world.users.board)
    for op, unit, target in (("move", world.c1, world.p), ("close", world.d1, None)):
        response = client.post(reverse("organizations:plan", args=[plan.pk]),
                               {"op": op, "unit": f"#{unit.pk}", "target": f"#{target.pk}" if target else ""})
        assert response.status_code == 302
    response = client.post(reverse("organizations:plan_apply", args=[plan.pk]), follow=True)
    assert "sẽ tự áp dụng vào ngày" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == RestructurePlan.Status.SCHEDULED
    assert Organization.objects.get_parent(Organization.objects.get(pk=world.c1.pk)).pk == world.d1.pk
    assert access_for(world.users.district1).can(Action.REVIEW, world.a)
    assert apply_due_plans(today=on - dt.timedelta(days=1)) == {"applied": 0, "failed": 0}
    assert Organization.objects.get(pk=world.d1.pk).valid_to is None

    assert apply_due_plans(today=on) == {"applied": 1, "failed": 0}
    plan.refresh_from_db()
    assert plan.status == RestructurePlan.Status.APPLIED
    assert Organization.objects.get_parent(Organization.objects.get(pk=world.c1.pk)).pk == world.p.pk
    before = {n.id: n.parent_id for root in tree_as_of(on - dt.timedelta(days=1)) for n in root.walk()}
    assert before[world.c1.pk] == world.d1.pk
    assert apply_due_plans(today=on) == {"applied": 0, "failed": 0}  # idempotent


def test_a_scheduled_plan_that_no_longer_fits_fails_and_changes_nothing(world):
    on = timezone.localdate() + dt.timedelta(days=3)
    plan = _plan(world, on=on)
    PlanChange.objects.create(plan=plan, op=PlanChange.Op.CLOSE, unit=world.y, position=1)
    plan.status = RestructurePlan.Status.SCHEDULED
    plan.save()
    from .factories import MemberFactory

    MemberFactory(cell=world.y)  # the cell gained a member since
    assert apply_due_plans(today=on) == {"applied": 0, "failed": 1}
    plan.refresh_from_db()
    assert plan.status == RestructurePlan.Status.FAILED and "còn 1 đảng viên" in plan.problems[0]
    assert Organization.objects.get(pk=world.y.pk).valid_to is None


def test_closed_units_leave_the_current_tree_and_stay_in_the_tree_as_of(world, client):
    plan = _plan(world)
    client.force_login(world.users.board)
    client.post(reverse("organizations:plan_upload", args=[plan.pk]), {"file": _xlsx(
        ["Chuyển trực thuộc", world.c1.name, world.p.name], ["Giải thể", world.d1.name])})
    response = client.post(reverse("organizations:plan_apply", args=[plan.pk]))
    assert response.status_code == 302
    assert "Huyện ủy Hòn Đất" not in client.get(reverse("organizations:tree")).content.decode()
    page = client.get(reverse("organizations:tree"), {"ngay": "30/06/2025"}).content.decode()
    assert "Huyện ủy Hòn Đất" in page
    page = client.get(reverse("organizations:tree"), {"ngay": "30-06"}).content.decode()
    assert "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy" in page  # the shared DateField's message
    # the district's own people still see their unit as it stood, and act on nothing
    client.force_login(world.users.district1)
    assert "Huyện ủy Hòn Đất" in client.get(reverse("organizations:tree"), {"ngay": "30/06/2025"}).content.decode()
    assert not access_for(world.users.district1).can(Action.REVIEW, world.a)


def test_the_committee_page_offers_a_past_month_only_to_the_parents_of_that_month(world, client):
    from organizations.restructuring.execute import apply_changes
    from organizations.restructuring.simulation import ChangeSpec
    from pledges.models import MonthlyReview

    MonthlyReview.objects.create(cell=world.x, year=2024, month=11, state=MonthlyReview.State.SUBMITTED)
    MonthlyReview.objects.create(cell=world.x, year=2025, month=8, state=MonthlyReview.State.SUBMITTED)
    apply_changes(province=world.p, on=D, changes=[ChangeSpec(PlanChange.Op.MOVE, world.x.pk, world.c1.pk)])
    client.force_login(world.users.commune1)
    review = reverse("pledges:review", args=[world.x.pk, 2024, 11])
    page = client.get(reverse("pledges:committee_month", args=[world.c1.pk, 2024, 11])).content.decode()
    assert "Chi bộ khu phố 3" in page and f"{review}#decide" not in page
    page = client.get(reverse("pledges:committee_month", args=[world.c1.pk, 2025, 8])).content.decode()
    assert reverse("pledges:review", args=[world.x.pk, 2025, 8]) + "#decide" in page
    response = client.post(reverse("pledges:decide", args=[world.x.pk, 2024, 11]), {"action": "accept"})
    assert response.status_code == 403
