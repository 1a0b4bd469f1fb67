"""'Việc cần làm' after login, notifications when a record or report changes hands, the daily digest."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pledges import services as pledge_services
from reports import digest
from reports.models import Digest, Notification

from .test_pledges_views import form_data, opened, review_url, text, today  # noqa: F401 (fixture)


def sent_record(client, world):
    review = opened(client, world)
    client.post(review_url(world.a), form_data(world.members_a, version=review.version, action="submit"))
    review.refresh_from_db()
    assert review.state == "submitted"
    return review


def test_login_lands_on_the_todo_page(world, client):
    response = client.post(reverse("login"), {"username": "sec_a", "password": "mat-khau-thu-123"})
    assert response.status_code == 302 and response["Location"] == reverse("todo")
    assert client.get("/")["Location"] == reverse("todo")


def test_the_secretary_is_asked_for_this_months_record(world, client):
    client.force_login(world.users.sec_a)
    page = text(client.get(reverse("todo")))
    assert "Ghi và gửi biên bản sinh hoạt tháng 5/2026" in page
    assert f'href="{review_url(world.a)}"' in page


def test_a_sent_record_waits_for_the_commune_and_notifies_it(world, client):
    sent_record(client, world)
    note = Notification.objects.get(user=world.users.commune1)
    assert note.text == "Chi bộ ấp Hòn Quéo đã gửi biên bản sinh hoạt tháng 5/2026, chờ duyệt."
    assert note.url == review_url(world.a)
    assert not Notification.objects.filter(user=world.users.sec_a).exists()  # not told of her own act
    assert not Notification.objects.filter(user=world.users.district1).exists()  # the nearest committee only
    client.force_login(world.users.commune1)
    page = text(client.get(reverse("todo")))
    assert "Duyệt biên bản tháng 5/2026" in page and "Chi bộ ấp Hòn Quéo" in page
    assert "1 thông báo mới" in page
    client.force_login(world.users.sec_b)  # the other cell's secretary: nothing of cell A
    assert "Duyệt biên bản" not in text(client.get(reverse("todo")))


def test_a_returned_record_is_first_in_the_secretarys_list_with_a_notification(world, client):
    review = sent_record(client, world)
    client.force_login(world.users.commune1)
    client.post(reverse("pledges:decide", args=[world.a.pk, 2026, 5]), {"action": "return", "reason": "Thiếu biện pháp"})
    review.refresh_from_db()
    assert review.state == "returned"
    note = Notification.objects.get(user=world.users.sec_a)
    assert "đã trả lại biên bản tháng 5/2026 của Chi bộ ấp Hòn Quéo: Thiếu biện pháp" in note.text
    client.force_login(world.users.sec_a)
    page = text(client.get(reverse("todo")))
    first = page.split('class="list-group mb-3 todo-items"')[1]
    assert first.index("Sửa biên bản tháng 5/2026 bị trả lại") < first.index("</li>")
    assert "Duyệt biên bản" not in page
    # accepted after the fix: told again, and nothing left to fix
    client.post(review_url(world.a), form_data(world.members_a, version=review.version, action="submit"))
    client.force_login(world.users.commune1)
    client.post(reverse("pledges:decide", args=[world.a.pk, 2026, 5]), {"action": "accept"})
    assert Notification.objects.filter(user=world.users.sec_a, text__contains="đã chấp nhận").count() == 1


def test_reading_a_notification_from_the_todo_page_follows_it(world, client):
    sent_record(client, world)
    note = Notification.objects.get(user=world.users.commune1)
    client.force_login(world.users.commune1)
    response = client.post(reverse("dashboard:notification_read", args=[note.pk]), {"next": note.url})
    assert response["Location"] == review_url(world.a)
    note.refresh_from_db()
    assert note.read_at is not None
    assert "thông báo mới" not in text(client.get(reverse("todo")))


def test_the_digest_sends_one_email_per_user_per_day(world, client):
    world.users.commune1.email = "xa@example.vn"
    world.users.commune1.save()
    sent_record(client, world)
    run = digest.send_digests(today=dt.date(2026, 5, 20))
    assert run.emails == 1 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["xa@example.vn"] and "1 việc mới" in message.subject
    assert "Chi bộ ấp Hòn Quéo đã gửi biên bản" in message.body and review_url(world.a) in message.body
    # a second run the same day, even with a new notification, sends nothing more
    review = pledge_services.review_open(cell=world.a, year=2026, month=5, by=world.users.sec_a)
    pledge_services.review_return(review=review, reason="Bổ sung", by=world.users.commune1)
    Notification.objects.create(user=world.users.commune1, text="Một việc nữa", created_at=timezone.now())
    assert digest.send_digests(today=dt.date(2026, 5, 20)).emails == 0 and len(mail.outbox) == 1
    # the next day it goes, once
    assert digest.send_digests(today=dt.date(2026, 5, 21)).emails == 1
    assert "Một việc nữa" in mail.outbox[1].body
    assert Digest.objects.filter(user=world.users.commune1).count() == 2
    assert digest.send_digests(today=dt.date(2026, 5, 22)).emails == 0  # nothing new: no e-mail


def test_the_commune_filters_waiting_records_searches_and_goes_on_to_the_next(world, client):
    sent_record(client, world)
    review_b = pledge_services.review_open(cell=world.b, year=2026, month=5, by=world.users.sec_b)
    client.force_login(world.users.sec_b)
    client.post(review_url(world.b), form_data(world.members_b, version=review_b.version, action="submit"))
    client.force_login(world.users.commune1)
    month = reverse("pledges:committee_month", args=[world.c1.pk, 2026, 5])
    page = text(client.get(month + "?loc=cho-duyet"))
    assert "Chờ duyệt (2)" in page and len(re.findall(r'data-cell="\d+" data-status="submitted"', page)) == 2
    found = text(client.get(month + "?q=xa ngach"))  # without diacritics
    assert "Chi bộ ấp Xà Ngách" in found and "Chi bộ ấp Hòn Quéo" not in found
    # accept A: the page offers B, the next record waiting, in one tap
    client.post(reverse("pledges:decide", args=[world.a.pk, 2026, 5]), {"action": "accept"})
    after = text(client.get(review_url(world.a)))
    assert 'id="next-record"' in after and "Biên bản chờ duyệt tiếp theo: Chi bộ ấp Xà Ngách (5/2026)" in after
    assert f'href="{review_url(world.b)}#decide"' in after
    page = text(client.get(month + "?loc=cho-duyet"))
    assert "Chờ duyệt (1)" in page and len(re.findall(r'data-cell="\d+" data-status="', page)) == 1


def test_a_cell_without_a_record_is_not_shown_as_zero_present(world, client):
    client.force_login(world.users.commune1)
    page = text(client.get(reverse("pledges:committee_month", args=[world.c1.pk, 2026, 5])))
    assert "có mặt 0/3" not in page and "chưa có biên bản · 3 đảng viên" in page
