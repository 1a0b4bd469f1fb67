"""Project-wide background tasks."""

import socket

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(name="directive03.heartbeat", ignore_result=True)
def heartbeat(name: str = "worker") -> None:
    """Record that a worker ran a task now; beat sends it every minute and /healthz shows it."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now(), "detail": socket.gethostname()[:200]}
    )
