"""The daily e-mail digest of notifications: at most one e-mail per user per day.

The worker (beat, every evening) gathers each user's notifications not yet e-mailed and not read,
claims the user's Digest row for the day (unique per user and day: a second worker, or a second run
the same day, finds it taken and sends nothing), marks them e-mailed, and sends one message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directive03.formats import person_name

from .models import Digest, Notification

log = logging.getLogger(__name__)


@dataclass
class DigestRun:
    users: int = 0
    emails: int = 0
    notifications: int = 0


def _body(name: str, notes: list[Notification]) -> str:
    site = settings.SITE_URL.rstrip("/")
    lines = [_("Kính gửi đồng chí %(name)s,") % {"name": name}, "",
             ngettext("Có %(n)s việc mới trong hệ thống Chỉ thị 03:", "Có %(n)s việc mới trong hệ thống Chỉ thị 03:",
                      len(notes)) % {"n": len(notes)}, ""]
    for n in notes:
        lines.append(f"- {n.text}")
        if n.url:
            lines.append(f"  {site}{n.url}")
    lines += ["", _("Danh sách việc cần làm: %(link)s") % {"link": site + "/todo/"}, "",
              _("Thư tổng hợp này do hệ thống gửi tự động, nhiều nhất một thư mỗi ngày. Xin đừng trả lời thư này.")]
    return "\n".join(lines)


def send_digests(*, today: dt.date | None = None) -> DigestRun:
    """One e-mail per user with notifications neither read nor e-mailed yet; at most one per day."""
    today = today or timezone.localdate()
    run = DigestRun()
    pending: dict[int, list[Notification]] = defaultdict(list)
    for n in Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True).order_by("user_id", "created_at", "id"):
        pending[n.user_id].append(n)
    if not pending:
        return run
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=list(pending), is_active=True).exclude(email="")}
    outgoing = []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, notes in pending.items():
            user = users.get(user_id)
            if user is None:
                continue
            try:
                with transaction.atomic():
                    Digest.objects.create(user_id=user_id, sent_on=today, notifications=len(notes))
                    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
            except IntegrityError:
                continue  # already sent today (another worker, or an earlier run): tomorrow's digest has them
            run.users += 1
            run.notifications += len(notes)
            subject = ngettext("Chỉ thị 03: %(n)s việc mới", "Chỉ thị 03: %(n)s việc mới", len(notes)) % {"n": len(notes)}
            outgoing.append(EmailMessage(subject, _body(person_name(user), notes),
                                         settings.DEFAULT_FROM_EMAIL, [user.email]))
    if outgoing:
        run.emails = get_connection().send_messages(outgoing) or 0
    log.info("digests %s: %d users, %d e-mails, %d notifications", today, run.users, run.emails, run.notifications)
    return run
