"""Docker cannot run here, so the compose file is checked by reading it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("web", "worker", "beat")


def command(service: str) -> str:
    cmd = COMPOSE["services"][service].get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def test_services_and_their_commands():
    assert set(COMPOSE["services"]) == {"web", "worker", "beat", "postgres", "redis"}
    assert "gunicorn directive03.wsgi:application" in command("web")
    assert "migrate" in command("web")
    assert re.search(r"celery -A directive03 worker\b", command("worker"))
    assert re.search(r"celery -A directive03 beat\b", command("beat"))
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:")


def test_every_service_has_a_health_check():
    for name, service in COMPOSE["services"].items():
        assert service.get("healthcheck", {}).get("test"), name


def test_volumes_for_the_database_and_generated_files():
    assert "pgdata:/var/lib/postgresql/data" in COMPOSE["services"]["postgres"]["volumes"]
    for name in APP_SERVICES:
        service = COMPOSE["services"][name]
        assert "files:/data" in service["volumes"], name
        assert service["environment"]["DATA_DIR"] == "/data"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {"pgdata", "files"} <= set(COMPOSE["volumes"])


def test_app_services_run_in_production_mode_with_real_services():
    env = COMPOSE["services"]["web"]["environment"]
    assert env["DJANGO_DEBUG"] == "false"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")


def _substitute(value: str) -> str:
    """Fill ${VAR:?msg} / ${VAR:-default} the way compose would with a filled-in .env."""
    samples = {"SECRET_KEY": "k7#Qz2!pL9@vR4$wX8^mN1&bT6*hY3(jF5)gD0_sA-eC+uI=oP", "ALLOWED_HOSTS": "chithi03.example.vn",
               "POSTGRES_PASSWORD": "secret", "SITE_URL": "https://chithi03.example.vn"}

    def repl(match):
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in samples:
            return samples[name]
        return rest if op == ":-" else "x"

    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", repl, str(value))


def test_every_variable_compose_sets_is_read_by_the_settings(tmp_path):
    for name in APP_SERVICES:
        env = {k: _substitute(v) for k, v in COMPOSE["services"][name]["environment"].items()}
        env["DATA_DIR"] = str(tmp_path)  # the container path does not exist here
        code = ("import django, json; django.setup(); from directive03.env import KNOWN; "
                "print(json.dumps(sorted(KNOWN)))")
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                env={**base, **env, "DJANGO_SETTINGS_MODULE": "directive03.settings"}, timeout=120)
        assert result.returncode == 0, result.stderr
        known = set(json.loads(result.stdout.strip().splitlines()[-1]))
        unknown = set(env) - known
        assert not unknown, f"{name} sets variables the settings never read: {sorted(unknown)}"


def test_env_example_lists_only_variables_compose_uses():
    text = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    names = re.findall(r"^([A-Z_]+)=", example, flags=re.M)
    assert "SECRET_KEY" in names and "POSTGRES_PASSWORD" in names
    for name in names:
        assert "${" + name in text, f".env.example has {name}, which docker-compose.yml never uses"
