#!/usr/bin/env bash
# One command: install, migrate, seed the demo and serve Mitra (web + Celery worker) on this machine.
#   ./deploy/dev/run.sh            then open http://localhost:8000/ and http://brebes.localhost:8000/
# Needs Python 3.11 and Redis; PostgreSQL at 127.0.0.1:5432 is used when it answers, otherwise an embedded
# PostgreSQL 16 (the optional `embedded` extra) is started from var/pgdata.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/dev/common.sh

ensure_venv
.venv/bin/pip install --quiet --disable-pip-version-check -e .
mkdir -p var/log

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-mitra.settings.local}"
export DEBUG="${DEBUG:-0}"
bind="${MITRA_BIND:-127.0.0.1:8000}"
export MITRA_PUBLIC_PORT="${MITRA_PUBLIC_PORT:-${bind##*:}}"

if [ -z "${DATABASE_URL:-}" ] && ! port_open 127.0.0.1 5432; then
  echo "No PostgreSQL answers on 127.0.0.1:5432: starting the embedded PostgreSQL (var/pgdata)."
  .venv/bin/pip install --quiet --disable-pip-version-check -e '.[embedded]'
  DATABASE_URL="$(.venv/bin/python -m mitra.embedded_db start --data-dir var/pgdata)"
  export DATABASE_URL
fi
if ! port_open 127.0.0.1 6379 && [ -z "${CELERY_BROKER_URL:-}" ]; then
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_port 127.0.0.1 6379
  else
    echo "Redis is needed (Celery broker and cache): sudo apt-get install redis-server" >&2
    exit 1
  fi
fi

.venv/bin/mitra bootstrap
.venv/bin/mitra collectstatic --noinput --verbosity 0
.venv/bin/mitra demo

worker_pid=""
cleanup() { [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
# -B runs the beat scheduler inside the demo worker (agreement/licence refresh, grace-period drops);
# production runs `celery -A mitra beat` as its own single process.
.venv/bin/celery -A mitra worker -B --schedule var/celerybeat-schedule --loglevel=INFO --concurrency=2 \
  -n "mitra-demo@%h" > var/log/worker.log 2>&1 &
worker_pid=$!
echo "Celery worker started (log: var/log/worker.log). Check it: .venv/bin/celery -A mitra inspect ping"
echo "Serving on http://${bind} — press Ctrl+C to stop."
.venv/bin/gunicorn mitra.wsgi --bind "$bind" --workers 2 --threads 4 --access-logfile - &
web_pid=$!
trap 'kill $web_pid 2>/dev/null; cleanup' EXIT INT TERM
wait "$web_pid"
