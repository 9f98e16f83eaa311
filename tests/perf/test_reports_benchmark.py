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

import os
import statistics
import time
import uuid
from contextlib import ExitStack, nullcontext
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared_apps.licensing.models import Licence
from shared_apps.reports.catalogue import metric_catalogue
from shared_apps.reports.models import (
    CollectionOutcome,
    CollectionRun,
    MonthFigure,
    PeriodFigure,
    PlatformDay,
    Snapshot,
)
from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import Filters, _fold, headline_metrics, platform_series
from shared_apps.reports.services import (
    collection_run_start,
    month_figures_rebuild,
    period_figures_refresh,
    platform_days_rebuild,
)
from tenant_apps.eoffice.models import Disposition, IncomingLetter, IssuedNumber, LetterNumberSequence
from tenant_apps.org.models import Position, Unit
from tenants.models import Region
from tenants.selectors import platform_today
from tenants.services import region_provision, region_register
from tenants.wilayah import all_wilayah
from tests.fixtures.processes import PASSWORD, WORKER_OPTIONS, celery_worker, drop_region

pytestmark = [pytest.mark.perf]

DAYS = 365
ROUNDS = 15
COLLECT_REGIONS = int(os.environ.get("REPORTS_COLLECT_REGIONS", "20"))
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


def _former_platform_series(filters, metric) -> list:
    """The former unfiltered daily chart: every region's snapshots summed per day (the baseline)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day, SUM(value) FROM {Snapshot._meta.db_table}"  # noqa: S608
            " WHERE metric = %s AND day BETWEEN %s AND %s GROUP BY day",
            [metric.code, filters.period.start, filters.period.end],
        )
        by_day = dict(cursor.fetchall())
    return [(day, by_day.get(day)) for day in filters.period.dates()]


def _former_fold(period, infos) -> dict:
    """The former custom-period fold over every region, from the daily snapshots alone (the baseline)."""
    table = Snapshot._meta.db_table
    result = {}
    folded = [i.code for i in infos if i.aggregate in ("sum", "mean")]
    mean = {i.code for i in infos if i.aggregate == "mean"}
    last = [i.code for i in infos if i.aggregate == "last"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT region_id, metric, SUM(value), AVG(value) FROM {table}"  # noqa: S608
            " WHERE metric = ANY(%s) AND day BETWEEN %s AND %s GROUP BY region_id, metric",
            [folded, period.start, period.end],
        )
        for region_id, metric, total, average in cursor.fetchall():
            value = average if metric in mean else total
            if value is not None:
                result[(region_id, metric)] = float(value)
        cursor.execute(
            f"SELECT DISTINCT ON (region_id, metric) region_id, metric, value FROM {table}"  # noqa: S608
            " WHERE metric = ANY(%s) AND day BETWEEN %s AND %s AND value IS NOT NULL"
            " ORDER BY region_id, metric, day DESC",
            [last, period.start, period.end],
        )
        for region_id, metric, value in cursor.fetchall():
            result[(region_id, metric)] = float(value)
    return result


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


def _explain_slowest(client: Client, path: str, top: int = 3) -> None:
    """Print the request's slowest queries and the plan of the slowest (REPORTS_EXPLAIN=1)."""
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        client.get(path)
        total = (time.perf_counter() - started) * 1000
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    spent = sum(float(q["time"]) for q in queries) * 1000
    print(f"\n{path}: {total:.0f} ms, {len(queries)} queries taking {spent:.0f} ms")
    for query in queries[:top]:
        print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:160]}")
    connection.set_schema_to_public()
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + queries[0]["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()))
    except Exception as exc:  # a region-schema query: the timings above still say where the time goes
        print(f"  (no plan: {exc})")


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
    started = time.perf_counter()
    platform_days_rebuild()  # the snapshots were loaded by SQL, not collected: count the daily totals once
    month_figures_rebuild()  # and the monthly figures
    recounted = time.perf_counter() - started
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
            "dashboard, custom 365-day range": _median_ms(client, f"/laporan/?{custom}", rounds=3),
        }
        # The daily chart of the 365-day dashboard: the kept platform totals against summing the snapshots of
        # every region per day (the former query), same metric, same run.
        year = Filters(period=Period(end - timedelta(days=364), end))
        chart = metric_catalogue()["workspace.active_users_7d"]
        chart_former = _timed(lambda: _former_platform_series(year, chart), rounds=15)
        chart_current = _timed(lambda: platform_series(year, chart), rounds=15)
        # A custom year folded for the regions table: whole months + edge days against the days alone.
        custom_period = Period(end - timedelta(days=364), end)
        headline = headline_metrics()
        fold_former = _timed(lambda: _former_fold(custom_period, headline), rounds=3)
        fold_current = _timed(lambda: _fold(custom_period, headline, None), rounds=3)
        former_values, current_values = _former_fold(custom_period, headline), _fold(custom_period, headline, None)
        assert former_values.keys() == current_values.keys()
        assert all(current_values[key] == pytest.approx(value) for key, value in former_values.items())
        assert [v for _d, v in platform_series(year, chart)] == [v for _d, v in _former_platform_series(year, chart)]
        if os.environ.get("REPORTS_EXPLAIN"):
            for who, path in ((client, "/laporan/?period=365"), (region_client, "/laporan/?period=365")):
                _explain_slowest(who, path)
        print(
            f"\n{regions} regions x {DAYS} days x {len(metrics)} metrics = {rows:,} snapshot rows "
            f"(seeded in {seeded:.0f} s; preset periods of all regions refreshed in {refreshed:.0f} s, "
            f"{refreshed / regions * 1000:.0f} ms per region; daily totals and monthly figures recounted in "
            f"{recounted:.0f} s)\n"
            f"baseline: console home page {baseline:.0f} ms (median of {ROUNDS})"
        )
        for label, value in figures.items():
            print(f"  {label:<45} {value:6.0f} ms median, ratio to baseline {value / baseline:.2f}")
        print(
            f"  365-day daily chart alone: summing 552 regions per day {chart_former:.1f} ms, from the kept daily "
            f"totals {chart_current:.1f} ms (ratio {chart_current / chart_former:.3f})\n"
            f"  custom 365-day fold alone ({len(headline)} metrics x all regions): from the days {fold_former:.0f} ms,"
            f" whole months + edge days {fold_current:.0f} ms (ratio {fold_current / fold_former:.3f})"
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Snapshot._meta.db_table}")  # noqa: S608
        PeriodFigure.objects.all().delete()
        PlatformDay.objects.all().delete()
        MonthFigure.objects.all().delete()
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


def _former_snapshots_replace(*, region, day, values, units) -> int:
    """The former snapshot upsert (ORM bulk_create plus deletes, five statements), kept as the baseline."""
    from django.db import transaction as tx
    from django.utils import timezone

    from shared_apps.reports.models import UnitSnapshot

    now = timezone.now()
    with tx.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [7_104_331, f"{region.pk}:{day}"])
        Snapshot.objects.filter(region=region, day=day).exclude(metric__in=list(values)).delete()
        Snapshot.objects.bulk_create(
            [Snapshot(region=region, day=day, metric=c, value=v, collected_at=now) for c, v in values.items()],
            update_conflicts=True, unique_fields=["region", "day", "metric"], update_fields=["value", "collected_at"],
        )  # fmt: skip
        UnitSnapshot.objects.filter(region=region, day=day).delete()
        UnitSnapshot.objects.bulk_create(
            [UnitSnapshot(region=region, day=day, metric=c, unit_code=u, unit_name=n, value=v, collected_at=now)
             for (c, u), (n, v) in units.items()]
        )  # fmt: skip
    return len(values)


def _former_period_figures_refresh(*, region) -> int:
    """The former period refresh (fold in Python, then delete and bulk insert), kept as the baseline."""
    from django.db import transaction as tx

    with tx.atomic():
        PeriodFigure.objects.filter(region=region).delete()
        end = Snapshot.objects.filter(region=region).order_by("-day").values_list("day", flat=True).first()
        rows = [
            PeriodFigure(region=region, days=d, metric=m, value=v, end_day=end)
            for d, m, v in _period_figures_python(region)
        ]
        PeriodFigure.objects.bulk_create(rows)
    return len(rows)


def _year_of_snapshots(region_ids: list[int], end: date) -> None:
    """A year of snapshots before `end` for the regions, so the period refresh folds what it would in use."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Snapshot._meta.db_table} (region_id, day, metric, value, collected_at)"  # noqa: S608
            " SELECT r, d::date, m, floor(random() * 200), now() FROM unnest(%s::int[]) r"
            " CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d CROSS JOIN unnest(%s::text[]) m",
            [region_ids, end - timedelta(days=DAYS - 1), end - timedelta(days=1), list(metric_catalogue())],
        )
        cursor.execute(f"ANALYZE {Snapshot._meta.db_table}")


def _wait(run: CollectionRun, timeout: float = 1800) -> None:
    started = time.perf_counter()
    while run.outcomes.filter(status=CollectionOutcome.Status.QUEUED).exists():
        assert time.perf_counter() - started < timeout, "collection did not finish"
        time.sleep(0.05)


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


# Worker set-ups compared: one prefork worker with one and with two pool processes (deploy/dev/run.sh runs
# prefork with --concurrency=2), and two solo workers (one process each, as when adding worker machines).
ONE_PROCESS = "1 worker, 1 process (prefork)"
WORKER_SETUPS: dict[str, list[list[str]]] = {
    ONE_PROCESS: [["--pool=prefork", "--concurrency=1"]],
    "1 worker, 2 processes (prefork)": [["--pool=prefork", "--concurrency=2"]],
    "2 solo workers": [[], []],
}


def _worker_options(pool: list[str]) -> list[str]:
    """The test workers' options with `pool` (e.g. prefork, 2 processes) in place of their solo pool."""
    return [*WORKER_OPTIONS, *pool] if not pool else [*pool, *WORKER_OPTIONS[2:]]


def _collect_with_workers(setup: list[list[str]], day: date, slugs: list[str]) -> dict[str, float]:
    from mitra.celery_app import app

    queue = f"bench-reports-{uuid.uuid4().hex[:6]}"
    with ExitStack() as stack:
        processes = [
            stack.enter_context(celery_worker(queue, options=_worker_options(options), route_here=index == 0))
            for index, options in enumerate(setup)
        ]
        app.conf.task_default_queue = queue
        busy0, total0 = _cpu_jiffies()
        started = time.perf_counter()
        run = collection_run_start(day=day, slugs=slugs, trigger="cli", actor="bench")
        dispatched = time.perf_counter() - started
        _wait(run)
        elapsed = time.perf_counter() - started
        busy1, total1 = _cpu_jiffies()
        peak_mb = sum(_peak_rss_mb(process.pid) for process in processes)
    statuses = set(run.outcomes.values_list("status", flat=True))
    assert statuses == {CollectionOutcome.Status.OK}, statuses
    in_tasks = sum(run.outcomes.values_list("duration_ms", flat=True)) / 1000
    return {
        "elapsed": elapsed,
        "dispatch": dispatched,
        "in_tasks": in_tasks,
        "cpu": (busy1 - busy0) / max(total1 - total0, 1) * (os.cpu_count() or 1),
        "peak_mb": peak_mb,
    }


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a worker process and its pool children (VmHWM), in MiB."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    total = 0
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total / 1024


def _bench_codes(count: int) -> list[str]:
    """Region codes for the collection benchmark: Central Java's first (as before), then the rest of Indonesia."""
    taken = set(Region.objects.values_list("region_code", flat=True))
    codes = sorted(c for c in all_wilayah() if c not in taken)
    codes.sort(key=lambda c: not c.startswith("33."))  # stable: Central Java, then the rest in code order
    return codes[:count]


def test_collecting_one_day_across_regions_and_workers(committed_db, seed):
    codes = _bench_codes(COLLECT_REGIONS)
    slugs = [f"bc{code.replace('.', '-')}" for code in codes]
    for slug in slugs:
        drop_region(slug)
    # All of Indonesia: the seeded Brebes and Tegal are collected with the rest (552 regional governments).
    collected = [*slugs, "brebes", "tegal"] if len(codes) + 2 >= len(all_wilayah()) else slugs
    day = platform_today()
    try:
        started = time.perf_counter()
        for slug, code in zip(slugs, codes, strict=True):
            region = region_register(slug=slug, region_code=code, actor="system:bench")
            region_provision(region=region, actor="system:bench")
            Licence.objects.create(region=region, modules=["eoffice", "ekinerja"], seat_limit=10_000,
                                   valid_from=day - timedelta(days=30), valid_until=day + timedelta(days=300),
                                   created_by="bench")  # fmt: skip
            with schema_context(region.schema_name):
                _seed_day(day)
        connection.set_schema_to_public()
        _year_of_snapshots(list(Region.objects.filter(slug__in=slugs).values_list("pk", flat=True)), day)
        prepared = time.perf_counter() - started
        # In-process, one region after the other: the former upsert and period refresh (baseline) and the
        # current ones, alternated twice so that load changes on the machine hit both alike.
        per_region: dict[str, list[int]] = {"former": [], "current": []}
        totals: dict[str, float] = {"former": 0.0, "current": 0.0}
        for _round in range(2):
            for variant in ("former", "current"):
                patches = (
                    (
                        mock.patch("shared_apps.reports.services.snapshots_replace", _former_snapshots_replace),
                        mock.patch(
                            "shared_apps.reports.services.period_figures_refresh", _former_period_figures_refresh
                        ),
                    )
                    if variant == "former"
                    else (nullcontext(), nullcontext())
                )
                with patches[0], patches[1]:
                    # The bench regions (with Brebes and Tegal when all of Indonesia is measured).
                    run = collection_run_start(day=day, slugs=collected, trigger="cli", actor="bench", run_async=False)
                assert all(s == CollectionOutcome.Status.OK for s in run.outcomes.values_list("status", flat=True))
                ms = list(run.outcomes.values_list("duration_ms", flat=True))
                per_region[variant] += ms
                totals[variant] += sum(ms) / 1000 / 2
        # Through real workers on the real broker; each set-up twice, in the order a b c c b a, so that a load
        # change on the machine hits them alike; the better of the two runs counts.
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in WORKER_SETUPS}
        for name in [*WORKER_SETUPS, *reversed(WORKER_SETUPS)]:
            samples[name].append(_collect_with_workers(WORKER_SETUPS[name], day, collected))
        n = len(collected)
        former, current = statistics.median(per_region["former"]), statistics.median(per_region["current"])
        print(
            f"\ncollecting one day ({LETTERS_PER_REGION} letters and dispositions per region, a year of snapshots "
            f"already stored) over {n} provisioned regions ({prepared:.0f} s to prepare them):\n"
            f" in-process, one region after the other, 2 rounds each:\n"
            f"  baseline (former upsert + Python period fold): {totals['former']:.2f} s per round, "
            f"per region median {former:.0f} ms\n"
            f"  current (SQL upsert + SQL period fold):        {totals['current']:.2f} s per round, "
            f"per region median {current:.0f} ms, ratio to baseline {current / former:.2f}\n"
            f" through Celery workers (best of 2; 'busy cores': the machine's CPU use over the run, of "
            f"{os.cpu_count()}; 'in tasks': the regions' own durations summed):"
        )
        best = {name: min(runs, key=lambda r: r["elapsed"]) for name, runs in samples.items()}
        one = best[ONE_PROCESS]["elapsed"]
        for name, figures in best.items():
            scaled = "" if n >= 552 else f", {figures['elapsed'] / n * 552:.0f} s for 552 extrapolated linearly"
            runs = ", ".join(f"{r['elapsed']:.2f}" for r in samples[name])
            print(
                f"  {name:<30} {figures['elapsed']:6.2f} s (runs: {runs}), dispatch {figures['dispatch']:.2f} s,"
                f" in tasks {figures['in_tasks']:.2f} s, busy cores {figures['cpu']:.2f},"
                f" worker memory peak {figures['peak_mb']:.0f} MiB,"
                f" speed-up over 1 process {one / figures['elapsed']:.2f}x{scaled}"
            )
    finally:
        connection.set_schema_to_public()
        for slug in slugs:
            drop_region(slug)


# --- one region's collection, phase by phase ---------------------------------------------------------------


def _period_figures_python(region: Region) -> list[tuple[int, str, float | None]]:
    """The former period refresh (folding a year of the region's rows in Python), kept as the baseline: it
    computes the same figures without storing them."""
    from shared_apps.reports.periods import PRESET_DAYS
    from shared_apps.reports.selectors import fold_points

    catalogue = metric_catalogue()
    end = Snapshot.objects.filter(region=region).order_by("-day").values_list("day", flat=True).first()
    daily: dict[str, list] = {}
    rows = Snapshot.objects.filter(
        region=region, day__gt=end - timedelta(days=max(PRESET_DAYS)), value__isnull=False
    ).values_list("metric", "day", "value")
    for metric, day, value in rows:
        daily.setdefault(metric, []).append((day, value))
    figures = []
    for metric, points in daily.items():
        info = catalogue.get(metric)
        if info is None:
            continue
        points.sort()
        for days in PRESET_DAYS:
            start = end - timedelta(days=days - 1)
            figures.append((days, metric, fold_points(info, [v for d, v in points if d >= start])))
    return figures


def _timed(function, rounds: int = 7) -> float:
    function()  # warm-up
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def test_one_region_collection_phase_by_phase(committed_db, seed):
    """Where one region's collection spends its time, with a year of its snapshots already stored."""
    from shared_apps.reports.catalogue import load_source, sources_for
    from shared_apps.reports.services import region_figures, snapshots_replace

    slug, code = "bp33-99", "33.26"
    drop_region(slug)
    day = platform_today()
    try:
        region = region_register(slug=slug, region_code=code, actor="system:bench")
        region_provision(region=region, actor="system:bench")
        Licence.objects.create(region=region, modules=["eoffice", "ekinerja"], seat_limit=10_000,
                               valid_from=day - timedelta(days=30), valid_until=day + timedelta(days=300),
                               created_by="bench")  # fmt: skip
        with schema_context(region.schema_name):
            _seed_day(day)
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Snapshot._meta.db_table} (region_id, day, metric, value, collected_at)"  # noqa: S608
                " SELECT %s, d::date, m, floor(random() * 200), now()"
                " FROM generate_series(%s::date, %s::date, interval '1 day') d CROSS JOIN unnest(%s::text[]) m",
                [region.pk, day - timedelta(days=DAYS - 1), day - timedelta(days=1), list(metric_catalogue())],
            )
            cursor.execute(f"ANALYZE {Snapshot._meta.db_table}")
        values, units = region_figures(schema_name=region.schema_name, day=day)
        phases = {"metric collection (all sources, in the region schema)": _timed(
            lambda: region_figures(schema_name=region.schema_name, day=day))}  # fmt: skip
        for source, path in sources_for(schema_name=region.schema_name, day=day).items():
            module = load_source(path)

            def one_source(module=module) -> None:
                with schema_context(region.schema_name):
                    if hasattr(module, "collect_with_units"):  # as region_figures calls it: once for both
                        module.collect_with_units(day=day)
                        return
                    module.collect(day=day)
                    if hasattr(module, "collect_by_unit"):
                        module.collect_by_unit(day=day)

            phases[f"  of which {source} (tenant_apps/{source}/metrics.py)"] = _timed(one_source)
        phases["snapshot upsert (Snapshot + UnitSnapshot)"] = _timed(
            lambda: snapshots_replace(region=region, day=day, values=values, units=units)
        )
        baseline = _timed(lambda: _period_figures_python(region))
        phases["period refresh, SQL (INSERT ... SELECT ... GROUP BY)"] = _timed(
            lambda: period_figures_refresh(region=region)
        )
        if os.environ.get("REPORTS_EXPLAIN"):
            with CaptureQueriesContext(connection) as captured:
                period_figures_refresh(region=region)
            insert = next(q["sql"] for q in captured.captured_queries if "INSERT" in q["sql"])
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + insert)
                print("\n".join(row[0] for row in cursor.fetchall()))
                transaction.set_rollback(True)
        stored = sorted(PeriodFigure.objects.filter(region=region).values_list("days", "metric", "value"))
        expected = sorted(_period_figures_python(region))
        assert len(stored) == len(expected)
        for (d1, m1, v1), (d2, m2, v2) in zip(stored, expected, strict=True):
            assert (d1, m1) == (d2, m2)
            assert v1 == v2 or (v1 is not None and v2 is not None and abs(v1 - v2) < 1e-6)
        print(
            f"\none region, {len(values)} metrics, {len(units)} unit figures, a year of snapshots stored "
            f"(medians of 7):\n  baseline: former period refresh folded in Python {baseline:.0f} ms"
        )
        for label, value in phases.items():
            print(f"  {label:<58} {value:7.1f} ms, ratio to baseline {value / baseline:.3f}")
    finally:
        connection.set_schema_to_public()
        drop_region(slug)


# --- metric providers on a region with years of history ------------------------------------------------------

# The indexes the adoption metrics read a day from (migrations eoffice 0007 and ekinerja 0002); dropping them
# inside the test's transaction gives the baseline on the same data in the same run.
METRIC_INDEXES = (
    "eoffice_incoming_registered",
    "eoffice_outgoing_created",
    "eoffice_outgoing_signed",
    "eoffice_issued_at",
    "eoffice_disposition_sent",
    "eoffice_disposition_done",
    "eoffice_disposition_closed",
    "eoffice_disposition_overdue",
    "ekinerja_entry_created",
    "ekinerja_entry_decided",
)
ENTRIES = 300_000


def _history(day: date) -> None:
    """Spread the e-Office benchmark's letters over two years as they would have happened (registered on the
    day received, half the dispositions finished a day after being sent, letters signed a day after drafting,
    numbers issued over the same days) and add a year of e-Kinerja activity entries."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE eoffice_incomingletter"
            " SET registered_at = (received_date + time '09:00') AT TIME ZONE 'Asia/Jakarta'"
        )
        cursor.execute(
            "UPDATE eoffice_disposition SET done_at = sent_at + interval '26 hours', done_by_id = sent_by_id"
            " WHERE status = 'selesai'"
        )
        cursor.execute("UPDATE eoffice_outgoingletter SET signed_at = created_at + interval '1 day'")
        cursor.execute("UPDATE eoffice_issuednumber SET issued_at = now() - ((value % 700) || ' days')::interval")
        cursor.execute(
            "INSERT INTO ekinerja_activityentry (employee_id, day, catalogue_id, description, minutes, rhk_id, status,"
            " reject_reason, decided_at, decided_by_id, created_at, updated_at)"
            " SELECT (array_agg(e.id))[1 + g %% count(*)], %s::date - (g %% 365), NULL, 'Kegiatan ' || g, 60, NULL,"
            " CASE WHEN g %% 3 = 0 THEN 'diajukan' ELSE 'divalidasi' END, '',"
            " CASE WHEN g %% 3 = 0 THEN NULL ELSE (%s::date - (g %% 365) + time '16:00') AT TIME ZONE 'Asia/Jakarta'"
            " + interval '1 day' END, NULL,"
            " (%s::date - (g %% 365) + time '15:00') AT TIME ZONE 'Asia/Jakarta', now()"
            " FROM generate_series(1, %s) g CROSS JOIN org_employee e GROUP BY g",
            [day, day, day, ENTRIES],
        )
        for table in ("eoffice_incomingletter", "eoffice_disposition", "eoffice_outgoingletter",
                      "eoffice_issuednumber", "ekinerja_activityentry"):  # fmt: skip
            cursor.execute(f"ANALYZE {table}")


def _providers_ms(day: date) -> dict[str, float]:
    from tenant_apps.ekinerja import metrics as ekinerja_metrics
    from tenant_apps.eoffice import metrics as eoffice_metrics

    return {
        "e-Office (figures and per OPD)": _timed(lambda: eoffice_metrics.collect_with_units(day=day)),
        "e-Kinerja (collect)": _timed(lambda: ekinerja_metrics.collect(day=day)),
    }


@pytest.mark.django_db
def test_metric_providers_on_a_region_with_two_years_of_history(seed):
    """One day's figures where the region holds two years of history (Brebes: the e-Office benchmark's 90k
    incoming letters, 300k dispositions, 10k outgoing letters, plus 300k activity entries) against a region
    that holds nothing (Tegal), and against the same Brebes without the metric indexes (the baseline)."""
    from tenant_apps.ekinerja import metrics as ekinerja_metrics
    from tenant_apps.eoffice import metrics as eoffice_metrics
    from tests.fixtures.eoffice_bulk import bulk_load, people

    day = platform_today() - timedelta(days=1)
    with schema_context("tegal"):
        people(seed)
        empty = _providers_ms(day)
    with schema_context("brebes"):
        org, users = people(seed)
        bulk_load(org, users)
        _history(day)
        figures = (eoffice_metrics.collect(day=day), ekinerja_metrics.collect(day=day))
        current = _providers_ms(day)
        if os.environ.get("REPORTS_EXPLAIN"):
            with CaptureQueriesContext(connection) as captured:
                eoffice_metrics.collect_with_units(day=day)
            for query in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:6]:
                print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:300]}")
        with transaction.atomic():
            with connection.cursor() as cursor:
                for index in METRIC_INDEXES:
                    cursor.execute(f'DROP INDEX "{index}"')
            former = _providers_ms(day)
            # The same figures either way: the indexes change how they are read, not what they are.
            assert (eoffice_metrics.collect(day=day), ekinerja_metrics.collect(day=day)) == figures
            transaction.set_rollback(True)
        counts = {
            "incoming": IncomingLetter.objects.count(),
            "dispositions": Disposition.objects.count(),
            "entries": ENTRIES,
        }
    connection.set_schema_to_public()
    print(
        f"\none day's figures ({day}) on Brebes with two years of history ({counts['incoming']:,} incoming letters,"
        f" {counts['dispositions']:,} dispositions, {counts['entries']:,} activity entries), medians of 7:\n"
        f"  {figures[0]['eoffice.dispositions_created']:.0f} dispositions sent that day, "
        f"{figures[0]['eoffice.dispositions_overdue']:.0f} overdue at its end, "
        f"{figures[1]['ekinerja.activities_entered']:.0f} activities entered"
    )
    print(f"  {'provider':<30} {'Tegal (empty)':>13} {'Brebes, no index':>17} {'Brebes':>8} {'ratio':>6}")
    for label, value in current.items():
        print(
            f"  {label:<30} {empty[label]:10.1f} ms {former[label]:14.1f} ms {value:5.1f} ms"
            f" {value / former[label]:6.3f}"
        )
