"""Benchmark of adoption reports (issue 7): the dashboard over 552 regions x 365 days of snapshots, and
collecting one day across provisioned regions with one and two Celery workers.

Run: `.venv/bin/pytest -m perf tests/perf/test_reports_benchmark.py -s`. It prints figures (medians, and
ratios against a baseline measured in the same run) and asserts nothing about time.

- Dashboard: 552 Region rows (all of Indonesia's regional governments; without schemas, the dashboard reads
  snapshots only) and one snapshot per region x day x metric for a year, made with generate_series. The
  baseline is the console's home page (552-row region table) in the same run.
- Collection: creating 552 real schemas would take most of an hour, so N regions are provisioned the way
  provisioning does it (template clone), each given a day of e-Office activity, and one day is collected
  in-process, then through 1 and 2 Celery workers; the time for 552 is extrapolated linearly, and said so.
"""

from __future__ import annotations

import statistics
import time
import uuid
from contextlib import nullcontext
from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.licensing.models import Licence
from shared_apps.reports.catalogue import metric_catalogue
from shared_apps.reports.models import CollectionOutcome, CollectionRun, PeriodFigure, Snapshot
from shared_apps.reports.services import collection_run_start, period_figures_refresh
from tenant_apps.eoffice.models import Disposition, IncomingLetter, IssuedNumber, LetterNumberSequence
from tenant_apps.org.models import Position, Unit
from tenants.models import Region
from tenants.selectors import platform_today
from tenants.services import region_provision, region_register
from tenants.wilayah import all_wilayah
from tests.conftest import PASSWORD, celery_worker, drop_region

pytestmark = [pytest.mark.perf]

DAYS = 365
ROUNDS = 15
COLLECT_REGIONS = 20
LETTERS_PER_REGION = 300  # incoming letters registered that day, each disposed once
WIB = ZoneInfo("Asia/Jakarta")


def _median_ms(client: Client, path: str, rounds: int = ROUNDS) -> float:
    client.get(path)  # warm-up: imports, template loading, the database's caches
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, path
    return statistics.median(samples) * 1000


def _bench_regions() -> list[int]:
    taken = set(Region.objects.values_list("region_code", flat=True))
    rows = []
    for code, wilayah in all_wilayah().items():
        if code in taken:
            continue
        slug = "b" + code.replace(".", "-")
        rows.append(
            Region(
                slug=slug, schema_name=slug.replace("-", "_"), official_name=wilayah.name, kind=wilayah.kind,
                region_code=code, province_code=wilayah.province_code, timezone=wilayah.timezone,
                status=Region.Status.ACTIVE,
            )
        )  # fmt: skip
    return [region.pk for region in Region.objects.bulk_create(rows)]


def test_dashboard_over_552_regions_and_a_year_of_snapshots(committed_db, seed):
    connection.set_schema_to_public()
    bench = _bench_regions()
    regions = Region.objects.exclude(schema_name="public").count()
    metrics = list(metric_catalogue())
    end = platform_today()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Snapshot._meta.db_table} (region_id, day, metric, value, collected_at)"  # noqa: S608
            " SELECT r.id, d::date, m, floor(random() * 200), now()"
            " FROM tenants_region r"
            " CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d"
            " CROSS JOIN unnest(%s::text[]) m"
            " WHERE r.schema_name <> 'public'",
            [end - timedelta(days=DAYS - 1), end, metrics],
        )
        rows = cursor.rowcount
        # What autovacuum does on a live system after a bulk load (visibility map for index-only scans).
        cursor.execute(f"VACUUM ANALYZE {Snapshot._meta.db_table}")
        cursor.execute("ANALYZE tenants_region")
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    for region in Region.objects.exclude(schema_name="public"):
        period_figures_refresh(region=region)  # what each region's collection task does after storing its day
    refreshed = time.perf_counter() - started
    try:
        client = Client(HTTP_HOST="localhost")
        client.post("/masuk/", {"username": "operator", "password": PASSWORD})
        baseline = _median_ms(client, "/")
        region_client = Client(HTTP_HOST="brebes.localhost")
        region_client.post("/masuk/", {"username": "admin", "password": PASSWORD})
        custom = f"start={end - timedelta(days=364)}&end={end}"
        figures = {
            "dashboard, 30 days (default)": _median_ms(client, "/laporan/"),
            "dashboard, 365 days": _median_ms(client, "/laporan/?period=365"),
            "dashboard, 365 days, sorted by a metric": _median_ms(
                client, "/laporan/?period=365&sort=eoffice.letters_signed&dir=desc&metric=eoffice.letters_signed"
            ),
            "dashboard, 30 days, one province": _median_ms(client, "/laporan/?province=33"),
            "API regions table, 30 days": _median_ms(client, "/api/v1/reports/regions/"),
            "region report (Brebes), 30 days": _median_ms(region_client, "/laporan/"),
            "region report (Brebes), 365 days": _median_ms(region_client, "/laporan/?period=365"),
            "dashboard, custom 365-day range (folded live)": _median_ms(client, f"/laporan/?{custom}", rounds=3),
        }
        print(
            f"\n{regions} regions x {DAYS} days x {len(metrics)} metrics = {rows:,} snapshot rows "
            f"(seeded in {seeded:.0f} s; preset periods of all regions refreshed in {refreshed:.0f} s, "
            f"{refreshed / regions * 1000:.0f} ms per region)\n"
            f"baseline: console home page {baseline:.0f} ms (median of {ROUNDS})"
        )
        for label, value in figures.items():
            print(f"  {label:<45} {value:6.0f} ms median, ratio to baseline {value / baseline:.2f}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Snapshot._meta.db_table}")  # noqa: S608
        PeriodFigure.objects.all().delete()
        Region.objects.filter(pk__in=bench).delete()


# --- collection ---------------------------------------------------------------------------------------------


def _seed_day(day: date) -> None:
    """A busy day in the current region: LETTERS_PER_REGION letters registered and disposed, half done."""
    user = get_user_model().objects.create_user(f"bench-{uuid.uuid4().hex[:6]}", password="x")
    opd = Unit.objects.create(code="BENCH", name="Dinas Bench", kind=Unit.Kind.OPD)
    head = Position.objects.create(code="BENCH-KADIS", title="Kepala", unit=opd)
    staff = Position.objects.create(code="BENCH-STAF", title="Staf", unit=opd, superior=head)
    sequence = LetterNumberSequence.objects.create(kind="agenda", year=day.year, last_value=LETTERS_PER_REGION)
    numbers = IssuedNumber.objects.bulk_create(
        [IssuedNumber(sequence=sequence, kind="agenda", year=day.year, value=i, number=f"{i}/{day.year}",
                      issued_by="bench") for i in range(1, LETTERS_PER_REGION + 1)]
    )  # fmt: skip
    morning = datetime.combine(day, dtime(8), tzinfo=WIB)
    letters = IncomingLetter.objects.bulk_create(
        [IncomingLetter(agenda=n, agenda_year=day.year, sender="Bench", letter_number=str(n.value), letter_date=day,
                        received_date=day, subject="Bench", addressed_to=head, registered_by=user)
         for n in numbers]
    )  # fmt: skip
    IncomingLetter.objects.update(registered_at=morning)
    Disposition.objects.bulk_create(
        [Disposition(letter=letter, batch=uuid.uuid4(), from_position=head, to_position=staff,
                     instructions=["Tindak lanjuti"], sent_as="definitif", sent_by=user,
                     status="selesai" if i % 2 else "terkirim", deadline=day - timedelta(days=i % 3),
                     done_at=morning + timedelta(hours=6) if i % 2 else None)
         for i, letter in enumerate(letters)]
    )  # fmt: skip
    Disposition.objects.update(sent_at=morning + timedelta(hours=2))


def _wait(run: CollectionRun, timeout: float = 600) -> float:
    started = time.perf_counter()
    while run.outcomes.filter(status=CollectionOutcome.Status.QUEUED).exists():
        assert time.perf_counter() - started < timeout, "collection did not finish"
        time.sleep(0.05)
    return time.perf_counter() - started


def test_collecting_one_day_across_regions_and_workers(committed_db, seed):
    codes = [c for c in all_wilayah() if c.startswith("33.") and c not in ("33.28", "33.29")][:COLLECT_REGIONS]
    slugs = [f"bc{code.replace('.', '-')}" for code in codes]
    for slug in slugs:
        drop_region(slug)
    day = platform_today()
    try:
        for slug, code in zip(slugs, codes, strict=True):
            region = region_register(slug=slug, region_code=code, actor="system:bench")
            region_provision(region=region, actor="system:bench")
            Licence.objects.create(region=region, modules=["eoffice", "ekinerja"], seat_limit=10_000,
                                   valid_from=day - timedelta(days=30), valid_until=day + timedelta(days=300),
                                   created_by="bench")  # fmt: skip
            with schema_context(region.schema_name):
                _seed_day(day)
        connection.set_schema_to_public()
        # Only the bench regions are collected (brebes and tegal would change the count, not the cost).
        run = collection_run_start(day=day, slugs=slugs, trigger="cli", actor="bench", run_async=False)
        ms = sorted(run.outcomes.values_list("duration_ms", flat=True))
        assert all(s == CollectionOutcome.Status.OK for s in run.outcomes.values_list("status", flat=True))
        in_process = sum(ms) / 1000
        timings = {}
        for workers in (1, 2):
            queue = f"bench-reports-{uuid.uuid4().hex[:6]}"
            with celery_worker(queue), celery_worker(queue, route_here=False) if workers == 2 else nullcontext():
                run = collection_run_start(day=day, slugs=slugs, trigger="cli", actor="bench")
                timings[workers] = _wait(run)
            assert all(s == CollectionOutcome.Status.OK for s in run.outcomes.values_list("status", flat=True))
        n = len(slugs)
        print(
            f"\ncollecting one day ({LETTERS_PER_REGION} letters and dispositions per region) over {n} provisioned "
            f"regions:\n  in-process: {in_process:.2f} s, per region median {statistics.median(ms)} ms "
            f"(max {ms[-1]} ms)"
        )
        for workers, elapsed in timings.items():
            print(
                f"  {workers} worker(s): {elapsed:.2f} s for {n} regions -> extrapolated to 552 regions: "
                f"{elapsed / n * 552:.0f} s (linear extrapolation, not measured)"
            )
        print(f"  speed-up 2 workers / 1 worker: {timings[1] / timings[2]:.2f}x")
    finally:
        connection.set_schema_to_public()
        for slug in slugs:
            drop_region(slug)
