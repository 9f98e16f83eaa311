"""Benchmark: provisioning a region from the template schema (clone) against plain migrations.

Run: `.venv/bin/pytest -m perf tests/perf/test_provisioning_benchmark.py -s`. It prints figures and asserts
nothing about time (timing belongs to benchmarks, not tests); the baseline is measured in the same run.
"""

from __future__ import annotations

import statistics
import time

import pytest

from tenants.services import region_provision, region_register
from tests.fixtures.processes import drop_region

pytestmark = [pytest.mark.perf]

ROUNDS = 5
SLUG = "bench-kota-tegal"


def _provision_once(settings, from_template: bool) -> float:
    settings.MITRA_PROVISION_FROM_TEMPLATE = from_template
    drop_region(SLUG)
    region = region_register(slug=SLUG, region_code="33.76", actor="system:bench")
    started = time.perf_counter()
    region_provision(region=region, actor="system:bench")
    elapsed = time.perf_counter() - started
    drop_region(SLUG)
    return elapsed


def test_provisioning_clone_against_migrations(committed_db, settings):
    _provision_once(settings, True)  # warm-up: migrates the template schema and imports everything once
    migrate = [_provision_once(settings, False) for _ in range(ROUNDS)]
    clone = [_provision_once(settings, True) for _ in range(ROUNDS)]
    base, fast = statistics.median(migrate), statistics.median(clone)
    print(
        f"\nprovisioning one region, median of {ROUNDS}: migrations {base * 1000:.0f} ms (baseline), "
        f"template clone {fast * 1000:.0f} ms, ratio clone/migrations {fast / base:.2f}"
    )
