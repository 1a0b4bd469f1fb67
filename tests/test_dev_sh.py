"""The README's first command, run for real: ./dev.sh run serves where it is told and says so."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _private_venv(where: Path) -> Path:
    """A virtualenv for dev.sh that is this one (same interpreter and packages) marked as installed for
    this pyproject.toml, so the test never installs anything into the shared environment."""
    venv = where / "venv"
    if not venv.exists():
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "python").symlink_to(sys.executable)
        shutil.copy(Path(sys.prefix) / "pyvenv.cfg", venv / "pyvenv.cfg")
        (venv / "lib").symlink_to(Path(sys.prefix) / "lib")
        stamp = hashlib.sha1((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:12]
        (venv / f".installed-{stamp}").touch()
    return venv


def _run_dev_sh(data_dir: Path, args: list[str], extra_env: dict[str, str], port: int) -> tuple[str, str, bytes]:
    """Start ./dev.sh run, wait until it answers on `port`, fetch /favicon.ico, stop it."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "ADDRESS", "DEMO_SIZE", "DJANGO_SETTINGS_MODULE"}}
    env.update(VENV=str(_private_venv(data_dir)), DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", **extra_env)
    out, err = data_dir / "stdout.txt", data_dir / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(["bash", "dev.sh", "run", *args], cwd=ROOT, env=env, stdout=stdout,
                                stderr=stderr, start_new_session=True)
        try:
            deadline = time.monotonic() + 240
            icon = None
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico", timeout=5) as r:
                        icon = r.read()
                    break
                except OSError:
                    time.sleep(1)
            time.sleep(1)  # let the reloader finish its start-up lines
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    assert icon is not None, out.read_text() + err.read_text()
    return out.read_text(), err.read_text(), icon


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("devsh")


def test_dev_sh_run_on_another_port(data_dir):
    port = _free_port()
    out, err, icon = _run_dev_sh(data_dir, [f"127.0.0.1:{port}"], {}, port)
    assert f"==> Serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)" in out
    assert "8000" not in out
    assert "bithu" in out and "chithi03-demo" in out  # the logins
    # a real icon, the one in static/
    assert icon == (ROOT / "static" / "favicon.ico").read_bytes() and icon[:4] == b"\x00\x00\x01\x00"
    # runserver's messages once each, not twice (Django's handler and ours)
    assert (out + err).count("Watching for file changes") == 1, err


def test_dev_sh_run_address_from_the_environment_and_a_fresh_demo(data_dir):
    """The second run: the address from ADDRESS, and DEMO_RESET=1 replaces the demo loaded by the first."""
    port = _free_port()
    out, _err, _icon = _run_dev_sh(data_dir, [], {"ADDRESS": f"127.0.0.1:{port}", "DEMO_RESET": "1"}, port)
    assert f"==> Serving on http://127.0.0.1:{port}/" in out
    assert "nothing to seed" not in out
    assert "Deleted: " in out and "Done in" in out


def test_ci_run_lets_the_environment_win():
    """.ci/run sets the database and broker only when the caller did not."""
    exports = "\n".join(line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                        if line.startswith(("export DATABASE_URL", "export CELERY_BROKER_URL")))
    script = exports + '\necho "$DATABASE_URL $CELERY_BROKER_URL"'
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    mine = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, env={
        **clean, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/chithi03_mine",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/7"})
    assert mine.stdout.split() == ["postgres://postgres@127.0.0.1:5432/chithi03_mine", "redis://127.0.0.1:6379/7"]
    default = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, env=clean)
    assert default.stdout.split() == ["postgres://postgres@127.0.0.1:5432/chithi03", "redis://127.0.0.1:6379/0"]


def test_favicon_is_the_icon_in_static(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    assert client.post("/favicon.ico").status_code == 405
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in page
