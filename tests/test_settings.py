"""Settings read the environment strictly: good values work, malformed ones stop start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from directive03.env import Env

ROOT = Path(__file__).resolve().parent.parent
OUR_VARS = {
    "DJANGO_DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "DATA_DIR",
    "CSRF_TRUSTED_ORIGINS", "AXES_FAILURE_LIMIT", "DJANGO_LOG_LEVEL", "EMAIL_HOST", "EMAIL_PORT",
}
STRONG_KEY = "k7#Qz2!pL9@vR4$wX8^mN1&bT6*hY3(jF5)gD0_sA-eC+uI=oP"


def run_django(env_overrides: dict[str, str], code: str = "import django; django.setup()", args=None, tmp_path=None):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture; a deploy check rightly refuses it
    env = {k: v for k, v in os.environ.items() if k not in OUR_VARS | {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    if tmp_path is not None:
        env["DATA_DIR"] = str(tmp_path)
    env.update(env_overrides)
    cmd = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(cmd, cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "directive03.settings"},
                          capture_output=True, text=True, timeout=120)


class TestEnvReaders:
    def test_bool(self):
        env = Env({"A": "true", "B": "0", "C": " Yes ", "D": "maybe"})
        assert env.bool("A", False) is True
        assert env.bool("B", True) is False
        assert env.bool("C", False) is True
        assert env.bool("UNSET", True) is True
        with pytest.raises(ImproperlyConfigured, match="^D: expected true or false"):
            env.bool("D", False)

    def test_int(self):
        env = Env({"N": "12", "BAD": "12a", "LOW": "-1"})
        assert env.int("N", 0) == 12
        assert env.int("UNSET", 7) == 7
        with pytest.raises(ImproperlyConfigured, match="^BAD: expected an integer"):
            env.int("BAD", 0)
        with pytest.raises(ImproperlyConfigured, match="^LOW: must be at least 0"):
            env.int("LOW", 0, minimum=0)

    def test_list(self):
        env = Env({"L": "a.vn, b.vn", "E": "a,,b"})
        assert env.list("L") == ["a.vn", "b.vn"]
        assert env.list("UNSET", ["x"]) == ["x"]
        with pytest.raises(ImproperlyConfigured, match="^E: empty item"):
            env.list("E")

    def test_url(self):
        env = Env({"DB": "postgres://u@h:5432/db", "BADPORT": "redis://h:port/0", "SCHEME": "mysql://h/db",
                   "NOHOST": "postgres:///db"})
        assert env.url("DB", {"postgres"}) == "postgres://u@h:5432/db"
        with pytest.raises(ImproperlyConfigured, match="^BADPORT: malformed URL"):
            env.url("BADPORT", {"redis"})
        with pytest.raises(ImproperlyConfigured, match="^SCHEME: scheme must be one of"):
            env.url("SCHEME", {"postgres"})
        with pytest.raises(ImproperlyConfigured, match="^NOHOST: no host"):
            env.url("NOHOST", {"postgres"})

    def test_choice(self):
        env = Env({"LVL": "LOUD"})
        with pytest.raises(ImproperlyConfigured, match="^LVL: expected one of"):
            env.choice("LVL", "INFO", {"INFO", "DEBUG"})

    def test_blank_is_unset(self):
        assert Env({"X": "   "}).str("X", "default") == "default"


def test_embedded_default(tmp_path):
    result = run_django({}, code=(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.SECRET_KEY.startswith('django-insecure'))"
    ), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True", "True"]


def test_postgres_and_redis_from_the_environment(tmp_path):
    result = run_django({
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/chithi03",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }, code=(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_TASK_ALWAYS_EAGER)"
    ), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "chithi03", "False"]


@pytest.mark.parametrize("name,value", [
    ("DJANGO_DEBUG", "maybe"),
    ("DATABASE_URL", "mysql://root@localhost/db"),
    ("DATABASE_URL", "postgres://h:notaport/db"),
    ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
    ("AXES_FAILURE_LIMIT", "five"),
    ("DJANGO_LOG_LEVEL", "LOUD"),
    ("ALLOWED_HOSTS", "a.vn,,b.vn"),
    ("CSRF_TRUSTED_ORIGINS", "example.vn"),
    ("DATA_DIR", "relative/dir"),
])
def test_malformed_values_stop_start_up_naming_the_variable(name, value, tmp_path):
    result = run_django({name: value}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}:" in result.stderr


def test_production_refuses_a_missing_secret_key(tmp_path):
    result = run_django({"DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "chithi03.example.vn"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY: required when DJANGO_DEBUG=false" in result.stderr


def test_production_refuses_missing_allowed_hosts(tmp_path):
    result = run_django({"DJANGO_DEBUG": "false", "SECRET_KEY": STRONG_KEY}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS: required when DJANGO_DEBUG=false" in result.stderr


def test_production_passes_the_deploy_checklist(tmp_path):
    result = run_django(
        {"DJANGO_DEBUG": "false", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "chithi03.example.vn"},
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_dev_secret_fails_the_deploy_checklist(tmp_path):
    result = run_django(
        {"DJANGO_DEBUG": "false", "SECRET_KEY": "django-insecure-short", "ALLOWED_HOSTS": "chithi03.example.vn"},
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
