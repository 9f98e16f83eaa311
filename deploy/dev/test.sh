#!/usr/bin/env bash
# One command: install with the test extras and run the whole test suite (unit, integration, browser).
#   ./deploy/dev/test.sh [pytest arguments]
# Needs PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379 and Debian's chromium (/usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/dev/common.sh

ensure_venv
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test,embedded]'
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
port_open 127.0.0.1 5432 || { echo "PostgreSQL does not answer on 127.0.0.1:5432 (README, Quick start)." >&2; exit 1; }
port_open 127.0.0.1 6379 || { echo "Redis does not answer on 127.0.0.1:6379 (README, Quick start)." >&2; exit 1; }
.venv/bin/ruff check .
exec .venv/bin/pytest "${@}"
