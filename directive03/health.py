"""/healthz: can the database, the broker and the document renderer work? 503 if one cannot.

Anyone (a load balancer, Docker's health check) gets the status of each part; what each part is
(database engine, broker, library versions, errors) and when a worker last ran is for staff only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .system import document_libraries


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


def _is_staff(request) -> bool:
    """Only asked when the database answers: the session and the user live there."""
    try:
        user = request.user
        return bool(user.is_authenticated and user.is_staff)
    except Exception:  # a session or user lookup that fails shows no details
        return False


@never_cache
@require_GET
def healthz(request):
    parts = {
        "database": check_database(),
        "broker": check_broker(),
        "documents": document_libraries(),
    }
    ok = all(part_ok for part_ok, _detail in parts.values())
    staff = parts["database"][0] and _is_staff(request)
    body: dict = {"status": "ok" if ok else "error"}
    for name, (part_ok, detail) in parts.items():
        body[name] = {"ok": part_ok, "detail": detail} if staff else {"ok": part_ok}
    if staff:
        body["worker"] = last_worker_heartbeat() if parts["database"][0] else None
    return JsonResponse(body, status=200 if ok else 503)
