"""Benchmark (issue 6): a region of 15,000 employees, each with an SKP of 10 RHK and 20 activity entries a
month (three months loaded: 900,000 entries), asks for < 200 ms median with bounded queries on the superior's
validation queue and the unit fill-rate report.

Both are measured as whole API requests through the test client (routing, licence gate, token auth,
serialisation), 20 times each after a warm-up, against a baseline measured in the same run: the module's
status endpoint, which goes through the same stack and reads nothing of e-Kinerja. The data is bulk-loaded
with INSERT … SELECT over generate_series (the monthly running counts the services keep are built with
their repair tool) and rolled back with the test's transaction.

Run: `.venv/bin/pytest -m perf tests/perf/test_ekinerja_benchmark.py -s`. It prints medians and ratios and
asserts only the query bounds (timing belongs to benchmarks, not tests).
"""

from __future__ import annotations

import statistics
import time
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.ekinerja.activity_services import activity_month_rebuild
from tenant_apps.ekinerja.periods import period_bounds
from tenant_apps.org.models import Employee, Position, Unit
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import org_today
from tenant_apps.org.services import account_upsert
from tests.fixtures.control import licensed
from tests.fixtures.org import api

pytestmark = [pytest.mark.perf, pytest.mark.django_db]

EMPLOYEES = 15_000
OPDS, DIVISIONS, SECTIONS = 50, 4, 3  # 50 OPD x 4 bidang x 3 seksi = 600 sections, 850 units
RHK_PER_SKP = 10
ENTRIES_PER_MONTH = 20
MONTHS = 3
ROUNDS = 20


def _months(today: date) -> list[tuple[date, date]]:
    result = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        result.append(period_bounds(year=year, kind="bulanan", number=month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result


def _organisation() -> tuple[list[Position], list[Position]]:
    """Units and positions with the ORM (a few thousand rows); returns (section heads, staff positions)."""
    opds = Unit.objects.bulk_create(Unit(code=f"B{o}", name=f"Dinas {o}", kind="opd") for o in range(OPDS))
    divisions = Unit.objects.bulk_create(
        Unit(code=f"B{o}.{d}", name=f"Bidang {o}.{d}", kind="bidang", parent=opd)
        for o, opd in enumerate(opds)
        for d in range(DIVISIONS)
    )
    sections = Unit.objects.bulk_create(
        Unit(code=f"{div.code}.{s}", name=f"Seksi {div.code}.{s}", kind="seksi", parent=div)
        for div in divisions
        for s in range(SECTIONS)
    )
    heads = {u.pk: p for u, p in zip(opds, Position.objects.bulk_create(
        Position(code=f"H-{u.code}", title=f"Kepala {u.name}", unit=u) for u in opds
    ), strict=True)}  # fmt: skip
    division_heads = {u.pk: p for u, p in zip(divisions, Position.objects.bulk_create(
        Position(code=f"H-{u.code}", title=f"Kepala {u.name}", unit=u, superior=heads[u.parent_id]) for u in divisions
    ), strict=True)}  # fmt: skip
    section_heads = Position.objects.bulk_create(
        Position(code=f"H-{u.code}", title=f"Kepala {u.name}", unit=u, superior=division_heads[u.parent_id])
        for u in sections
    )
    staff = Position.objects.bulk_create(
        Position(code=f"S-{u.code}", title=f"Pelaksana {u.name}", unit=u, superior=head, kind="fungsional")
        for u, head in zip(sections, section_heads, strict=True)
    )
    return section_heads, staff


def _load(year: int, months: list[tuple[date, date]], today: date) -> int:
    _section_heads, staff = _organisation()
    all_heads = list(Position.objects.filter(code__startswith="H-"))
    with connection.cursor() as cursor:
        # Every head position has its holder, the rest of the 15,000 are spread over the staff positions.
        cursor.execute(
            """
            INSERT INTO org_employee (nip, name, rank, position_id, email, active, created_at, updated_at)
            SELECT '198001012005' || lpad(g::text, 6, '0'), 'Pegawai ' || g, '', p.id, '', true, now(), now()
            FROM unnest(%s::bigint[]) WITH ORDINALITY AS p(id, g)
            """,
            [[p.pk for p in all_heads]],
        )
        offset = len(all_heads)
        cursor.execute(
            """
            INSERT INTO org_employee (nip, name, rank, position_id, email, active, created_at, updated_at)
            SELECT '198001012005' || lpad((g + %s)::text, 6, '0'), 'Pegawai ' || (g + %s), '',
                   (%s::bigint[])[1 + g %% %s], '', true, now(), now()
            FROM generate_series(1, %s) g
            """,
            [offset, offset, [p.pk for p in staff], len(staff), EMPLOYEES - offset],
        )
        # An SKP per employee (60 % approved) with 10 RHK each.
        cursor.execute(
            """
            INSERT INTO ekinerja_skp (employee_id, year, approach, status, position_id, appraiser_position_id,
                                      appraiser_superior_position_id, return_note, created_at, updated_at)
            SELECT e.id, %s, 'kuantitatif', CASE WHEN e.id %% 5 < 3 THEN 'disetujui' ELSE 'draf' END,
                   e.position_id, p.superior_id, NULL, '', now(), now()
            FROM org_employee e JOIN org_position p ON p.id = e.position_id
            """,
            [year],
        )
        cursor.execute(
            """
            INSERT INTO ekinerja_rhk (skp_id, kind, text, parent_id, "order")
            SELECT s.id, CASE WHEN n <= 8 THEN 'utama' ELSE 'tambahan' END, 'Rencana hasil kerja ' || n, NULL, n
            FROM ekinerja_skp s, generate_series(1, %s) n
            """,
            [RHK_PER_SKP],
        )
        # 20 entries a month per employee. Older months are validated; this month two thirds wait.
        for index, (start, end) in enumerate(months):
            last = min(end, today)
            span = (last - start).days + 1
            cursor.execute(
                """
                INSERT INTO ekinerja_activityentry (employee_id, day, catalogue_id, description, minutes, rhk_id,
                    status, reject_reason, decided_at, decided_by_id, created_at, updated_at)
                SELECT e.id, %s::date + ((e.id + n) %% %s)::int, NULL, 'Kegiatan harian ' || n, 30 + n, NULL,
                       CASE WHEN %s > 0 OR n %% 3 = 0 THEN 'divalidasi' ELSE 'diajukan' END, '', NULL, NULL,
                       now(), now()
                FROM org_employee e, generate_series(1, %s) n
                """,
                [start, span, index, ENTRIES_PER_MONTH],
            )
    # The running monthly counts the services keep, built here the way their repair tool builds them.
    for start, _end in months:
        activity_month_rebuild(month=start)
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE org_employee, org_position, org_unit, ekinerja_skp, ekinerja_rhk, ekinerja_activityentry,"
            " ekinerja_activitymonth"
        )
        cursor.execute("SELECT count(*) FROM ekinerja_activityentry")
        return cursor.fetchone()[0]


def _median_ms(call, rounds: int = ROUNDS) -> tuple[float, int]:
    call()  # warm-up
    samples = []
    queries = 0
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = call()
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        queries = len(ctx.captured_queries)
    return statistics.median(samples), queries


def test_validation_queue_and_fill_rate_at_15k_employees(seed):
    licensed("brebes", ["ekinerja"])
    with schema_context("brebes"):
        today = org_today()
        months = _months(today)
        started = time.perf_counter()
        entries = _load(today.year, months, today)
        load_s = time.perf_counter() - started
        # The superior: the holder of the first section head position (about 24 people below, ~470 entries
        # of this month waiting).
        head = Employee.objects.filter(position__code="H-B0.0.0").get()
        account = account_upsert(username="bench-kasi", password="x-bench-2026", full_name="Kasi", roles=[Role.STAFF],
                                 actor="bench")  # fmt: skip
        Employee.objects.filter(pk=head.pk).update(account=account)
        team = Employee.objects.filter(position__superior=head.position).count()
    connection.set_schema_to_public()
    superior = api(username="bench-kasi")
    admin = api(username="admin")
    month = f"{today:%Y-%m}"

    baseline, baseline_q = _median_ms(lambda: superior.get("/api/v1/ekinerja/"))
    queue, queue_q = _median_ms(lambda: superior.get("/api/v1/ekinerja/validation/"))
    fill, fill_q = _median_ms(lambda: admin.get(f"/api/v1/ekinerja/reports/fill-rate/?month={month}"))
    waiting = superior.get("/api/v1/ekinerja/validation/").json()["count"]
    units = len(admin.get(f"/api/v1/ekinerja/reports/fill-rate/?month={month}").json())

    print(
        f"\ne-Kinerja benchmark: {EMPLOYEES} employees, {EMPLOYEES * RHK_PER_SKP} RHK, {entries} entries "
        f"({MONTHS} months), loaded in {load_s:.1f} s"
        f"\n  baseline (module status)      median {baseline:7.1f} ms  {baseline_q:3d} queries"
        f"\n  validation queue ({team} staff, {waiting} waiting, page of 50)"
        f"\n                                median {queue:7.1f} ms  {queue_q:3d} queries"
        f"  {queue / baseline:.1f}x baseline"
        f"\n  fill-rate report ({units} units) median {fill:7.1f} ms  {fill_q:3d} queries"
        f"  {fill / baseline:.1f}x baseline"
        f"\n  target: < 200 ms median each"
    )
    # Query counts do not grow with the data (django-tenants' SET search_path statements included).
    assert queue_q <= 30
    assert fill_q <= 20
