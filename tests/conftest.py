"""Fixtures shared by every test layer.

The test database gets two provisioned regions at session start, Brebes (the victim, with data) and Tegal
(the attacker), plus a control-plane operator, all committed so that real server and worker processes
started by the tests see them too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "rahasia-uji-2026"


@dataclass(frozen=True)
class Seed:
    brebes_schema: str = "brebes"
    tegal_schema: str = "tegal"
    password: str = PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")


def process_env(**extra: str) -> dict[str, str]:
    """Environment for a server or worker process that must share this run's test database."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mitra.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "platform")]),
        }
    )
    env.update(extra)
    return env


def bin_path(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
) -> Iterator[Seed]:
    """pytest-django's own fixture, except that the default database is always set up.

    pytest-django sets up only the databases that marked tests ask for; tests here that commit for real
    (`committed_db`, benchmarks, the browser's server process) carry no django_db marker, and would otherwise
    run against the development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases={"default"},
            serialized_aliases=set(),
            keepdb=django_db_keepdb and not django_db_createdb,
        )
    yield _seed(django_db_blocker)
    _disconnect_others(django_db_blocker)
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


def _seed(django_db_blocker) -> Seed:
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from shared_apps.console.roles import OperatorRole, operator_role_set
    from tenant_apps.org.roles import Role
    from tenant_apps.org.services import account_upsert
    from tenants.services import region_provision, region_register

    # Never seed (or later drop) anything but a test database, whatever pytest-django decided to set up.
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        operator = get_user_model().objects.create_user("operator", password=PASSWORD, is_staff=True)
        operator_role_set(operator, OperatorRole.ADMIN)
        viewer = get_user_model().objects.create_user("pemantau", password=PASSWORD)
        operator_role_set(viewer, OperatorRole.VIEWER)
        for slug, code, accounts in (
            ("brebes", "33.29", [("admin", Role.REGION_ADMIN), ("staf", Role.STAFF)]),
            ("tegal", "33.28", [("admin", Role.REGION_ADMIN)]),
        ):
            region = region_register(slug=slug, region_code=code, actor="system:test")
            region_provision(region=region, actor="system:test")
            with schema_context(region.schema_name):
                for username, role in accounts:
                    account_upsert(
                        username=username,
                        password=PASSWORD,
                        full_name=f"{username.title()} {slug}",
                        roles=[role],
                        actor="system:test",
                    )
        connection.set_schema_to_public()
    return Seed()


def _disconnect_others(django_db_blocker) -> None:
    # Server and worker processes the tests started (and connections Playwright's greenlet left behind)
    # must not keep the test database from being dropped at the end of the run.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(scope="session")
def seed(django_db_setup: Seed) -> Seed:
    return django_db_setup


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    yield
    connection.set_schema_to_public()


def host(schema_or_root: str) -> str:
    return "localhost" if schema_or_root == "public" else f"{schema_or_root}.localhost"


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """Database access without the per-test transaction, for code that commits as it goes (provisioning).

    Tests using it must clean up what they create; audit records stay, as they are append-only.
    """
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def drop_region(slug: str) -> None:
    from tenants.models import Region

    connection.set_schema_to_public()
    for region in Region.objects.filter(slug=slug):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{region.schema_name}" CASCADE')
        region.domains.all().delete()
        region.delete(force_drop=False)


WORKER_OPTIONS = ["--pool=solo", "--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle"]


@contextmanager
def celery_worker(
    queue: str,
    *,
    launcher: list[str] | None = None,
    env: dict[str, str] | None = None,
    log_path: Path | None = None,
    route_here: bool = True,
    options: list[str] | None = None,
) -> Iterator[subprocess.Popen]:
    """A real Celery worker process on this run's test database, consuming only `queue`.

    A queue of its own means another run's worker on this machine never takes our tasks. `launcher` replaces
    `celery -A mitra worker` (e.g. a Python snippet that initialises Sentry first); `route_here` sends this
    process's tasks to the queue while the worker runs.
    """
    from mitra.celery_app import app

    command = [
        *(launcher or [bin_path("celery"), "-A", "mitra", "worker"]),
        *(WORKER_OPTIONS if options is None else options),
        "-Q",
        queue,
        "--loglevel=INFO",
        "-n",
        f"{queue}@%h",
    ]
    log = log_path.open("w") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        command, cwd=REPO_ROOT, env=process_env(**(env or {})), stdout=log, stderr=subprocess.STDOUT
    )
    if route_here:
        app.conf.task_default_queue = queue
    try:
        replies: list = []
        for _ in range(60):
            replies = app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5)
            if replies or proc.poll() is not None:
                break
        details = log_path.read_text() if log_path else ""
        assert replies, f"worker did not answer ping ({proc.poll()=}):\n{details}"
        yield proc
    finally:
        app.conf.task_default_queue = "celery"
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if log_path:
            log.close()  # type: ignore[union-attr]
