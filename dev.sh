#!/usr/bin/env bash
# The two commands of the README:
#   ./dev.sh run    install, migrate, load the demo province, serve on http://127.0.0.1:8000
#   ./dev.sh test   install and run the whole test suite (extra arguments go to pytest)
# Nothing but Python 3.11+ is needed: SQLite and in-process Celery tasks are the embedded default.
# DATABASE_URL / CELERY_BROKER_URL switch to PostgreSQL / Redis (see README).
set -euo pipefail
cd "$(dirname "$0")"

VENV=${VENV:-.venv}
PY="$VENV/bin/python"

setup() {
  if [ ! -x "$PY" ]; then
    echo "==> Creating the virtual environment in $VENV"
    if ! python3 -m venv "$VENV"; then
      echo "python3 -m venv failed. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
      exit 1
    fi
  fi
  local stamp
  stamp="$VENV/.installed-$(cat pyproject.toml | sha1sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    echo "==> Installing dependencies"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e ".[dev]"
    rm -f "$VENV"/.installed-* && touch "$stamp"
  fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    setup
    "$PY" manage.py migrate --noinput
    # seeds an empty database; either way prints the demo logins
    "$PY" manage.py seed_demo --size "${DEMO_SIZE:-small}" --if-empty
    echo "==> Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
    exec "$PY" manage.py runserver "${ADDRESS:-127.0.0.1:8000}" "$@"
    ;;
  test)
    setup
    exec "$PY" -m pytest "$@"
    ;;
  lint)
    setup
    exec "$VENV/bin/ruff" check . "$@"
    ;;
  *)
    echo "usage: ./dev.sh run | ./dev.sh test [pytest args] | ./dev.sh lint" >&2
    exit 2
    ;;
esac
