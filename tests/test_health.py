"""/healthz reports the database and the broker; 503 when either is down."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    expected = "in-process" if settings.CELERY_TASK_ALWAYS_EAGER else "redis"
    assert body["broker"]["detail"] == expected


def _healthz_in_subprocess(env_overrides, tmp_path):
    """Ask /healthz from a fresh process whose settings point at a service that is not there."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="directive03.settings", **env_overrides)
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())"
    )
    if "DATABASE_URL" not in env_overrides:
        code = "import django; django.setup(); from django.core.management import call_command;" \
               "call_command('migrate', verbosity=0);" + code.split(";", 1)[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
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
