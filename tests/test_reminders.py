"""Deadline reminders: the right people, only units due within 3 days or late and not sent, once a day
even when two workers run at once; in-app notifications, their page and the navbar badge."""

from __future__ import annotations

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from directive03.formats import short_date
from organizations.models import Level, Role
from pledges.models import Directive
from reports import notifications, services, tasks
from reports.models import Notification, Reminder, Report, ReportingRound

from .factories import make_unit, user_with_role


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def people(world):
    world.users.approver_c1 = user_with_role("approver_c1", world.c1, Role.Kind.APPROVER)
    for name in ("sec_a", "sec_b", "approver_c1", "commune1", "admin_c1", "district1", "district2", "board"):
        user = getattr(world.users, name)
        user.email = f"{name}@example.vn"
        user.last_name, user.first_name = "Nguyễn Văn", name  # họ, tên
        user.save()
    return world.users


def open_round(world, today, *, title="Sơ kết 6 tháng đầu năm 2026"):
    """Cells: one day late; communes: due in 3 days; districts: in 4; the province: in 20."""
    return services.round_open(
        by=world.users.board, province=world.p, directive=Directive.objects.get(code="05-CT/TW"), title=title,
        kind="half_year", period_start=today - dt.timedelta(days=200), period_end=today - dt.timedelta(days=10),
        cutoff=today - dt.timedelta(days=10),
        deadlines={"cell": today - dt.timedelta(days=1), "commune": today + dt.timedelta(days=3),
                   "district": today + dt.timedelta(days=4), "province": today + dt.timedelta(days=20)},
    )


@pytest.fixture
def rnd(world, people, today):
    rnd = open_round(world, today)
    Report.objects.filter(round=rnd, organization=world.a).update(state="submitted", submitted_at=timezone.now())
    Report.objects.filter(round=rnd, organization=world.c1).update(state="returned")
    return rnd


def recipients():
    return sorted(address for m in mail.outbox for address in m.to)


def test_reminders_go_to_the_people_who_write_the_due_reports(world, people, rnd, today):
    run = notifications.send_reminders(today=today)
    # a was sent; b (cell, late) -> its secretary; c1 (commune, due in 3 days, returned) -> its approver,
    # not the reviewer nor the admin; x, y, c2 have nobody; districts (4 days) and the province wait
    assert recipients() == ["approver_c1@example.vn", "sec_b@example.vn"]
    assert (run.units, run.emails, run.notifications) == (5, 2, 2)
    assert set(Reminder.objects.filter(round=rnd, sent_on=today).values_list("organization_id", flat=True)) == {
        world.b.pk, world.x.pk, world.y.pk, world.c1.pk, world.c2.pk}
    to_b = next(m for m in mail.outbox if m.to == ["sec_b@example.vn"])
    assert to_b.subject == "Quá hạn nộp báo cáo: Sơ kết 6 tháng đầu năm 2026"
    assert "Kính gửi đồng chí Nguyễn Văn sec_b" in to_b.body
    assert "Chi bộ ấp Xà Ngách" in to_b.body and short_date(rnd.deadline_cell) in to_b.body
    assert "chậm 1 ngày" in to_b.body
    assert f"http://127.0.0.1:8000/dashboard/{rnd.pk}/?unit={world.b.pk}" in to_b.body  # SITE_URL + path
    to_c1 = next(m for m in mail.outbox if m.to == ["approver_c1@example.vn"])
    assert to_c1.subject == "Nhắc hạn nộp báo cáo: Sơ kết 6 tháng đầu năm 2026"
    assert "còn 3 ngày" in to_c1.body and short_date(rnd.deadline_commune) in to_c1.body
    note = Notification.objects.get(user=people.sec_b)
    assert note.read_at is None and "Chi bộ ấp Xà Ngách" in note.text
    assert note.url == f"/dashboard/{rnd.pk}/?unit={world.b.pk}"
    assert Reminder.objects.get(round=rnd, organization=world.c1, sent_on=today).recipients == 1


def test_once_a_day_then_again_the_next_day(world, people, rnd, today):
    notifications.send_reminders(today=today)
    assert len(mail.outbox) == 2
    run = notifications.send_reminders(today=today)
    assert (run.units, run.emails, run.notifications) == (0, 0, 0)
    assert len(mail.outbox) == 2 and Notification.objects.count() == 2
    # the next day: again, and the districts' deadline is now 3 days away
    notifications.send_reminders(today=today + dt.timedelta(days=1))
    assert recipients() == ["approver_c1@example.vn", "approver_c1@example.vn", "district1@example.vn",
                            "district2@example.vn", "sec_b@example.vn", "sec_b@example.vn"]
    assert Notification.objects.filter(user=people.sec_b).count() == 2


def test_sent_and_approved_reports_and_closed_rounds_get_nothing(world, people, rnd, today):
    Report.objects.filter(round=rnd).update(state="approved")
    assert notifications.send_reminders(today=today).units == 0
    Report.objects.filter(round=rnd).update(state="draft")
    ReportingRound.objects.filter(pk=rnd.pk).update(status="closed")
    assert notifications.send_reminders(today=today).units == 0
    assert mail.outbox == []


def test_too_early_nothing(world, people, rnd, today):
    assert notifications.send_reminders(today=today - dt.timedelta(days=10)).units == 0
    assert mail.outbox == []


def test_a_second_worker_claiming_at_the_same_time_sends_once(world, people, rnd, today, monkeypatch):
    """The other worker inserted b's row after we looked: our insert fails on the unique constraint,
    we claim again from what is in the table, and b is not mailed twice."""
    Reminder.objects.create(round=rnd, organization=world.b, sent_on=today, recipients=1)  # the other worker
    real = notifications._already_reminded
    calls = []

    def stale_then_real(round_ids, day):
        calls.append(day)
        return set() if len(calls) == 1 else real(round_ids, day)

    monkeypatch.setattr(notifications, "_already_reminded", stale_then_real)
    run = notifications.send_reminders(today=today)
    assert len(calls) == 2
    assert recipients() == ["approver_c1@example.vn"]
    assert run.units == 4
    assert Reminder.objects.filter(round=rnd, organization=world.b, sent_on=today).count() == 1
    assert not Notification.objects.filter(user=people.sec_b).exists()


def test_queries_do_not_grow_with_units(world, people, today, django_assert_max_num_queries):
    rnd = open_round(world, today)
    with django_assert_max_num_queries(12) as small:
        notifications.send_reminders(today=today)
    for i in range(20):
        cell = make_unit(world.c2, Level.CELL, f"Chi bộ thêm {i}")
        user = user_with_role(f"sec_extra_{i}", cell, Role.Kind.CELL_SECRETARY)
        user.email = f"sec{i}@example.vn"
        user.save()
    ReportingRound.objects.filter(pk=rnd.pk).update(status="closed")
    open_round(world, today, title="Tổng kết năm")
    mail.outbox.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        run = notifications.send_reminders(today=today)
    assert run.emails == 23  # the 20 new secretaries, sec_a, sec_b, approver_c1


def test_the_task_runs_through_delay_in_eager_mode(world, people, rnd, today, monkeypatch):
    from directive03.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    tasks.send_deadline_reminders.delay(on=today.isoformat())
    assert recipients() == ["approver_c1@example.vn", "sec_b@example.vn"]
    tasks.send_deadline_reminders.delay(on=today.isoformat())
    assert len(mail.outbox) == 2
    assert tasks.send_deadline_reminders.name == "reports.send_deadline_reminders"
    assert tasks.send_deadline_reminders.acks_late is True
    assert tasks.send_deadline_reminders.time_limit and tasks.send_deadline_reminders.soft_time_limit


def test_beat_runs_it_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["report-deadline-reminders"]
    assert entry["task"] == "reports.send_deadline_reminders"
    assert entry["schedule"] == crontab(hour=7, minute=0)
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


# -- the notifications page and the badge ------------------------------------------------------

def test_badge_page_and_mark_read(world, people, rnd, today, client):
    notifications.send_reminders(today=today)
    Notification.objects.create(user=people.sec_b, text="Thông báo thứ hai", url="")
    client.force_login(people.sec_b)
    page = client.get(reverse("organizations:tree")).content.decode()
    assert 'id="nav-notifications"' in page and ">2<" in page
    response = client.get(reverse("dashboard:notifications"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chi bộ ấp Xà Ngách" in html and "Thông báo thứ hai" in html
    first = Notification.objects.get(user=people.sec_b, url__startswith="/dashboard/")
    response = client.post(reverse("dashboard:notification_read", args=[first.pk]), {"next": first.url})
    assert response.status_code == 302 and response["Location"] == first.url
    first.refresh_from_db()
    assert first.read_at is not None
    assert notifications.unread_count(people.sec_b) == 1
    # an outside address is not followed
    other = Notification.objects.get(user=people.sec_b, read_at__isnull=True)
    response = client.post(reverse("dashboard:notification_read", args=[other.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("dashboard:notifications")
    client.post(reverse("dashboard:notifications_read_all"))
    assert notifications.unread_count(people.sec_b) == 0
    assert ">2<" not in client.get(reverse("organizations:tree")).content.decode()


def test_nobody_marks_someone_elses_notification(world, people, rnd, today, client):
    notifications.send_reminders(today=today)
    theirs = Notification.objects.get(user=people.sec_b)
    client.force_login(people.sec_a)
    client.post(reverse("dashboard:notification_read", args=[theirs.pk]))
    client.post(reverse("dashboard:notifications_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Chi bộ ấp Xà Ngách" not in client.get(reverse("dashboard:notifications")).content.decode()
    assert client.get(reverse("dashboard:notification_read", args=[theirs.pk])).status_code == 405


def test_anonymous_users_get_no_badge_and_no_page(client):
    assert client.get(reverse("dashboard:notifications")).status_code == 302
    assert client.post(reverse("dashboard:notifications_read_all")).status_code == 302
    assert "nav-notifications" not in client.get(reverse("login")).content.decode()


def test_the_badge_costs_one_query(world, people, client, django_assert_num_queries):
    from django.test import RequestFactory

    from reports.context_processors import unread_notifications

    request = RequestFactory().get("/")
    request.user = people.sec_b
    context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 0
        assert not context["unread_notifications"]
