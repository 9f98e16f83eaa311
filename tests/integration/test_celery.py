"""Celery against the real broker and a real worker process: tasks run in the sender's region."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from mitra.celery_app import app
from tenants.tasks import RegionRequiredError, region_self_check
from tests.fixtures.processes import REPO_ROOT, bin_path, celery_worker, process_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

QUEUE = f"mitra-test-{os.getpid()}"  # a queue of our own: another run on this machine never takes our tasks


@pytest.fixture(scope="module")
def worker(django_db_setup) -> Iterator[subprocess.Popen]:
    with celery_worker(QUEUE) as proc:
        yield proc


def test_task_sent_from_a_region_runs_in_that_regions_schema(worker):
    with schema_context("brebes"):
        brebes = region_self_check.apply_async(queue=QUEUE).get(timeout=30)
    with schema_context("tegal"):
        tegal = region_self_check.apply_async(queue=QUEUE).get(timeout=30)
    # Brebes has two committed accounts and Tegal one: the counts prove which schema the worker read.
    assert brebes == {"schema": "brebes", "accounts": 2}
    assert tegal == {"schema": "tegal", "accounts": 1}


def test_region_task_sent_from_public_fails_at_once(seed):
    with pytest.raises(RegionRequiredError):
        region_self_check.delay()


def test_region_task_message_without_a_region_fails_in_the_worker(worker):
    # A message forged without our guard (plain send_task from public) must fail, not run in public.
    result = app.send_task("tenants.region_self_check", queue=QUEUE)
    with pytest.raises(Exception, match="arrived without a region"):
        result.get(timeout=30)


def test_region_check_command_reports_through_the_worker(worker):
    out = StringIO()
    call_command("region", "check", "brebes", "--timeout", "30", stdout=out)
    assert "schema brebes: 2 account(s)" in out.getvalue()


def test_celery_inspect_ping_answers(worker):
    proc = subprocess.run(
        [bin_path("celery"), "-A", "mitra", "inspect", "ping", "-d", f"{QUEUE}@{os.uname().nodename}", "-t", "5"],
        cwd=REPO_ROOT,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "pong" in proc.stdout
