"""The embedded PostgreSQL of the demo (`python -m mitra.embedded_db`), driven through its CLI.

Uses no Django test database: each server lives in its own tmp folder on a free port and is always stopped.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import environ
import psycopg2
import pytest

from tests.fixtures.processes import REPO_ROOT, bin_path, free_port

pytestmark = pytest.mark.integration

PYTHON = bin_path("python")
CLI_TIMEOUT = 120  # a cold start (initdb + start) takes about 1.5 s here


@dataclass(frozen=True)
class Embedded:
    data_dir: Path
    port: int
    url: str


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")])
    env.update(extra)
    return env


def cli(*args: str, timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "mitra.embedded_db", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def start(data_dir: Path, port: int) -> str:
    result = cli("start", "--data-dir", str(data_dir), "--port", str(port))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    return lines[0]


def force_stop(data_dir: Path) -> None:
    """Teardown: stop through the CLI; if that fails, kill the postmaster named in postmaster.pid."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        if cli("stop", "--data-dir", str(data_dir), timeout=90).returncode == 0:
            return
    pid_file = data_dir / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        os.kill(int(pid_file.read_text().splitlines()[0]), signal.SIGKILL)


@contextlib.contextmanager
def embedded_server(data_dir: Path) -> Iterator[Embedded]:
    if importlib.util.find_spec("pgserver") is None:
        # deploy/dev/test.sh installs the extra; a run without it must not pass silently.
        pytest.fail("needs the embedded extra: pip install -e '.[embedded]'")
    port = free_port()
    try:
        yield Embedded(data_dir=data_dir, port=port, url=start(data_dir, port))
    finally:
        force_stop(data_dir)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    with embedded_server(tmp_path_factory.mktemp("embedded") / "pg") as embedded:
        yield embedded


def query(url: str, sql: str) -> tuple:
    conn = psycopg2.connect(url, connect_timeout=5)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()
    finally:
        conn.close()


def test_start_prints_a_tcp_url_on_loopback(server: Embedded):
    assert server.url == f"postgres://postgres@127.0.0.1:{server.port}/mitra"


def test_url_connects_with_psycopg2_to_postgresql_16(server: Embedded):
    (version,) = query(server.url, "SELECT version()")
    assert version.startswith("PostgreSQL 16"), version


def test_django_environ_reads_the_url_into_working_settings(server: Embedded):
    config = environ.Env.db_url_config(server.url)
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "127.0.0.1",
        server.port,
        "mitra",
        "postgres",
    )
    conn = psycopg2.connect(
        host=config["HOST"], port=config["PORT"], dbname=config["NAME"], user=config["USER"], connect_timeout=5
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone() == ("mitra",)
    finally:
        conn.close()


def test_second_start_is_idempotent(server: Embedded):
    (started,) = query(server.url, "SELECT pg_postmaster_start_time()")
    assert start(server.data_dir, server.port) == server.url
    status = cli("status", "--data-dir", str(server.data_dir))
    assert (status.returncode, status.stdout.strip()) == (0, server.url)
    assert query(server.url, "SELECT pg_postmaster_start_time()") == (started,)


def test_mitra_bootstrap_migrates_against_it(server: Embedded):
    result = subprocess.run(
        [bin_path("mitra"), "bootstrap"],
        capture_output=True,
        text=True,
        env=cli_env(DATABASE_URL=server.url, DJANGO_SETTINGS_MODULE="mitra.settings.test"),
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert query(server.url, "SELECT to_regclass('public.django_migrations') IS NOT NULL") == (True,)


def test_stop_is_idempotent_and_start_comes_back_with_the_data(tmp_path: Path):
    with embedded_server(tmp_path / "pg") as embedded:
        query(embedded.url, "SELECT 1")
        conn = psycopg2.connect(embedded.url, connect_timeout=5)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (id int)")
        conn.close()

        first = cli("stop", "--data-dir", str(embedded.data_dir))
        assert first.returncode == 0, first.stderr
        with pytest.raises(psycopg2.OperationalError):
            query(embedded.url, "SELECT 1")
        assert cli("stop", "--data-dir", str(embedded.data_dir)).returncode == 0
        assert cli("status", "--data-dir", str(embedded.data_dir)).returncode == 3

        began = time.monotonic()
        assert start(embedded.data_dir, embedded.port) == embedded.url
        assert time.monotonic() - began < 30
        assert query(embedded.url, "SELECT to_regclass('public.kept') IS NOT NULL") == (True,)


def test_without_the_extra_start_says_how_to_install_it(tmp_path: Path):
    hide_pgserver = (
        "import importlib.util, sys; real = importlib.util.find_spec; "
        "importlib.util.find_spec = lambda name, *a: None if name == 'pgserver' else real(name, *a); "
        "from mitra.embedded_db import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [PYTHON, "-c", hide_pgserver, "start", "--data-dir", str(tmp_path / "pg")],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=CLI_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "pip install -e '.[embedded]'" in result.stderr
    assert not (tmp_path / "pg").exists()
