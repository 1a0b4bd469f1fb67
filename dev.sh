#!/usr/bin/env bash
# The two commands of the README:
#   ./dev.sh run [ADDRESS]   install, migrate, load the demo province, serve on http://127.0.0.1:8000
#                            (or on ADDRESS: "./dev.sh run 127.0.0.1:9000", "ADDRESS=0.0.0.0:8000 ./dev.sh run")
#   ./dev.sh test   install and run the whole test suite (extra arguments go to pytest)
# Python 3.11+ and WeasyPrint's system libraries (Pango, HarfBuzz: see README) are all that is needed:
# SQLite and in-process Celery tasks are the embedded default.
# DEMO_SIZE=small|medium|large picks the demo province; DEMO_RESET=1 replaces a loaded one.
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
    # the address: the first argument if it is not an option, else $ADDRESS, else 127.0.0.1:8000
    address=${ADDRESS:-127.0.0.1:8000}
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
      address=$1
      shift
    fi
    case "$address" in
      *:*) url="http://$address/" ;;
      *) url="http://127.0.0.1:$address/" ;;  # a port alone, as runserver reads it
    esac
    "$PY" manage.py migrate --noinput
    # seeds an empty database (DEMO_RESET=1: deletes the demo data first); either way prints the logins
    reset=()
    case "${DEMO_RESET:-}" in
      1|true|yes) reset=(--reset) ;;
      ""|0|false|no) ;;
      *) echo "DEMO_RESET: expected 1 or 0, got '$DEMO_RESET'" >&2; exit 2 ;;
    esac
    "$PY" manage.py seed_demo --size "${DEMO_SIZE:-small}" --if-empty "${reset[@]}"
    echo "==> Serving on $url (Ctrl+C to stop)"
    exec "$PY" manage.py runserver "$address" "$@"
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
    echo "usage: ./dev.sh run [ADDRESS] | ./dev.sh test [pytest args] | ./dev.sh lint" >&2
    exit 2
    ;;
esac
