"""Fixtures shared by every test layer.

The test database gets two provisioned regions at session start, Brebes (the victim, with data) and Tegal
(the attacker), plus a control-plane operator, all committed so that real server and worker processes
started by the tests see them too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection

from tests.fixtures.processes import PASSWORD

# Fixtures that several test modules share, defined in tests/fixtures (test modules never import each other).
pytest_plugins = ["tests.fixtures.eoffice", "tests.fixtures.ekinerja"]


@dataclass(frozen=True)
class Seed:
    brebes_schema: str = "brebes"
    tegal_schema: str = "tegal"
    password: str = PASSWORD


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
