"""/healthz: is the database reachable, is the broker reachable? 503 if either is not."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any driver error means "down"
        return False, f"{type(exc).__name__}: {exc}".strip()[:300]


def check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "in-process"
    from directive03.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True, "redis"
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}".strip()[:300]


def last_worker_heartbeat() -> str | None:
    """When a worker last ran the heartbeat task (informational; absent in-process)."""
    from .models import Heartbeat

    beat = Heartbeat.objects.filter(name="worker").first()
    return beat.seen_at.isoformat() if beat else None


@never_cache
@require_GET
def healthz(request):
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    ok = db_ok and broker_ok
    body = {
        "status": "ok" if ok else "error",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "worker": last_worker_heartbeat() if db_ok else None,
    }
    return JsonResponse(body, status=200 if ok else 503)
