# Helpers shared by run.sh and test.sh (sourced, not executed).

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    local py
    py="$(command -v python3.11 || command -v python3)"
    "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' \
      || { echo "Python 3.11 is needed (found $("$py" --version))." >&2; exit 1; }
    "$py" -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check --upgrade pip
  fi
}

port_open() {
  python3 - "$1" "$2" <<'PY'
import socket, sys
with socket.socket() as s:
    s.settimeout(1)
    sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
}

wait_port() {
  for _ in $(seq 1 50); do port_open "$1" "$2" && return 0; sleep 0.2; done
  echo "Nothing answers on $1:$2." >&2
  return 1
}
