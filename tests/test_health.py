"""/healthz reports the database and the broker; 503 when either is down."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_up(client, db, django_user_model):
    staff = django_user_model.objects.create_user("vanhanh", password="x", is_staff=True)
    client.force_login(staff)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": connection.vendor}
    assert body["broker"]["ok"] is True
    expected = "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "redis"
    assert body["broker"]["detail"] == expected
    assert body["documents"]["ok"] is True and body["documents"]["detail"].startswith("Pango 1.")
    assert "worker" in body


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_healthz_details_only_for_staff(client, django_user_model, who):
    """A load balancer needs the status of each part; the engine, broker and versions are for staff."""
    if who == "member":
        client.force_login(django_user_model.objects.create_user("bithu", password="x"))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "database": {"ok": True}, "broker": {"ok": True}, "documents": {"ok": True},
    }
    text = response.content.decode()
    for secret in (connection.vendor, "redis", "in-process", "Pango", "worker"):
        assert secret not in text


def _healthz_in_subprocess(env_overrides, tmp_path, staff=False):
    """Ask /healthz from a fresh process whose settings point at a service that is not there."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="directive03.settings", **env_overrides)
    login = ("from django.contrib.auth.models import User;"
             "c.force_login(User.objects.create_user('vanhanh', is_staff=True));") if staff else ""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client; c = Client();" + login +
        "r = c.get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    if "DATABASE_URL" not in env_overrides:
        code = "import django; django.setup(); from django.core.management import call_command;" \
               "call_command('migrate', verbosity=0);" + code.split(";", 1)[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    return int(status), json.loads(body)


def test_healthz_database_down(tmp_path):
    # nothing listens on port 1
    status, body = _healthz_in_subprocess({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/nope"}, tmp_path)
    assert status == 503
    assert body["status"] == "error"
    assert body["database"]["ok"] is False


def test_healthz_broker_down(tmp_path):
    status, body = _healthz_in_subprocess({"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"}, tmp_path)
    assert status == 503
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False


@pytest.mark.django_db
def test_healthz_only_get(client):
    assert client.post("/healthz").status_code == 405


#: A stand-in for WeasyPrint on a machine without Pango: importing it fails the way the real one does.
MISSING_PANGO = (
    "raise OSError(\"cannot load library 'libgobject-2.0-0': libgobject-2.0-0: cannot open shared object "
    "file: No such file or directory\")\n"
)


@pytest.fixture
def without_pango(tmp_path):
    """PYTHONPATH for a subprocess in which `import weasyprint` fails as it does without Pango."""
    package = tmp_path / "nopango" / "weasyprint"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(MISSING_PANGO)
    return {"PYTHONPATH": str(package.parent)}


def test_missing_system_libraries_named_at_start_up(tmp_path, without_pango):
    """runserver, migrate and check run the system checks: the warning names the Debian packages."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(DATA_DIR=str(tmp_path), **without_pango)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr  # a warning: the rest of the app still works
    output = result.stdout + result.stderr
    assert "directive03.W001" in output and "libgobject-2.0-0" in output
    assert "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in output


def test_missing_system_libraries_in_healthz(tmp_path, without_pango):
    status, body = _healthz_in_subprocess(without_pango, tmp_path)
    assert status == 503
    assert body == {"status": "error", "database": {"ok": True}, "broker": {"ok": True}, "documents": {"ok": False}}
    status, body = _healthz_in_subprocess(without_pango, tmp_path, staff=True)
    assert status == 503 and body["documents"]["ok"] is False
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" in body["documents"]["detail"]


def test_system_libraries_present_here():
    from directive03.system import check_document_libraries, document_libraries

    assert document_libraries()[0] is True
    assert check_document_libraries() == []
