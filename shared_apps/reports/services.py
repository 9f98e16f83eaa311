"""Collecting snapshots and requesting PDF reports (every write of the reports app).

Collection of a day fans out as one Celery task per active region (`reports.collect_region`), so it scales
with workers; each task records its region's outcome, and a region that fails is recorded with its error
while the others go on. Collecting a day again replaces that day's figures (idempotent). Only active
regions are ever collected: the check is made when the run starts and again when each region's turn comes.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.services import audit_record
from shared_apps.reports.catalogue import load_source, sources_for
from shared_apps.reports.models import (
    CollectionOutcome,
    CollectionRun,
    MonthFigure,
    PeriodFigure,
    PlatformDay,
    ReportExport,
    Snapshot,
    UnitSnapshot,
)
from shared_apps.reports.periods import MAX_PERIOD_DAYS, PRESET_DAYS, Period
from tenants.models import Region
from tenants.selectors import platform_today, region_active_list

logger = logging.getLogger(__name__)

OUTCOME = CollectionOutcome.Status
ERROR_LENGTH = 2000
# Namespace of the advisory lock that serialises two collections of the same region and day.
_LOCK_NAMESPACE = 7_104_331


class CollectionError(DomainError):
    pass


# --- collection ------------------------------------------------------------------------------------------


def _number(source: str, code: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"{source}: metric {code} gave {value!r}, not a finite number or None")
    return float(value)


def region_figures(*, schema_name: str, day: date) -> tuple[dict[str, float | None], dict[tuple[str, str], Any]]:
    """Ask each source of the region (the workspace, the modules licensed on `day`) for the day's figures.

    Runs the sources inside the region's schema. Returns ({metric: value}, {(metric, unit code): (unit name,
    value)}). A source that breaks the contract (unknown codes, values that are not numbers) raises.
    """
    values: dict[str, float | None] = {}
    units: dict[tuple[str, str], Any] = {}
    with schema_context(schema_name):
        for source, path in sources_for(schema_name=schema_name, day=day).items():
            module = load_source(path)
            declared = [metric.code for metric in module.METRICS]
            # A source whose per-OPD figures come from the same queries gives both at once.
            combined = getattr(module, "collect_with_units", None)
            produced, per_unit = combined(day=day) if combined else (module.collect(day=day), None)
            unknown = set(produced) - set(declared)
            if unknown:
                raise ValueError(f"{source}: collect() gave undeclared metrics {sorted(unknown)}")
            for code in declared:
                values[code] = _number(source, code, produced.get(code))
            if per_unit is None:
                by_unit = getattr(module, "collect_by_unit", None)
                per_unit = by_unit(day=day) if by_unit else {}
            for unit_code, (unit_name, figures) in per_unit.items():
                for code, value in figures.items():
                    if code in values:
                        units[(code, str(unit_code)[:30])] = (str(unit_name)[:200], _number(source, code, value))
    return values, units


def snapshots_replace(
    *, region: Region, day: date, values: dict[str, float | None], units: dict[tuple[str, str], Any]
) -> int:
    """Store a region's figures for `day`, replacing whatever an earlier collection of that day stored: one
    statement per table (delete what is no longer produced and upsert the rest, the values as arrays)."""
    now = timezone.now()
    snapshots, unit_snapshots = Snapshot._meta.db_table, UnitSnapshot._meta.db_table
    unit_keys = list(units)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_NAMESPACE, f"{region.pk}:{day}"])
        cursor.execute(
            f"SELECT metric, value FROM {snapshots} WHERE region_id = %s AND day = %s",  # noqa: S608
            [region.pk, day],
        )
        _platform_days_shift(cursor, day=day, before=dict(cursor.fetchall()), after=values)
        cursor.execute(
            f"WITH gone AS (DELETE FROM {snapshots} WHERE region_id = %(region)s AND day = %(day)s"  # noqa: S608
            " AND metric <> ALL(%(codes)s::text[]))"
            f" INSERT INTO {snapshots} (region_id, day, metric, value, collected_at)"
            " SELECT %(region)s, %(day)s, v.metric, v.value, %(now)s"
            " FROM unnest(%(codes)s::text[], %(values)s::float8[]) AS v(metric, value)"
            " ON CONFLICT (region_id, day, metric)"
            " DO UPDATE SET value = EXCLUDED.value, collected_at = EXCLUDED.collected_at",
            {"region": region.pk, "day": day, "now": now, "codes": list(values), "values": list(values.values())},
        )
        cursor.execute(
            f"WITH gone AS (DELETE FROM {unit_snapshots} WHERE region_id = %(region)s AND day = %(day)s"  # noqa: S608
            " AND (metric, unit_code) NOT IN (SELECT * FROM unnest(%(codes)s::text[], %(units)s::text[])))"
            f" INSERT INTO {unit_snapshots} (region_id, day, metric, unit_code, unit_name, value, collected_at)"
            " SELECT %(region)s, %(day)s, v.metric, v.unit_code, v.unit_name, v.value, %(now)s"
            " FROM unnest(%(codes)s::text[], %(units)s::text[], %(names)s::text[], %(values)s::float8[])"
            " AS v(metric, unit_code, unit_name, value)"
            " ON CONFLICT (region_id, day, metric, unit_code)"
            " DO UPDATE SET unit_name = EXCLUDED.unit_name, value = EXCLUDED.value,"
            " collected_at = EXCLUDED.collected_at",
            {
                "region": region.pk,
                "day": day,
                "now": now,
                "codes": [code for code, _unit in unit_keys],
                "units": [unit for _code, unit in unit_keys],
                "names": [units[key][0] for key in unit_keys],
                "values": [units[key][1] for key in unit_keys],
            },
        )
        _month_figures_refresh(cursor, region_id=region.pk, month=day.replace(day=1))
    return len(values)


_MONTH_FIGURES_SELECT = (
    "SELECT {region} AS region_id, {month} AS month, metric, COALESCE(SUM(value), 0) AS total,"
    " COUNT(value) AS valued_days, MAX(day) FILTER (WHERE value IS NOT NULL) AS last_day,"
    " (array_agg(value ORDER BY day DESC) FILTER (WHERE value IS NOT NULL))[1] AS last_value"
)


def _month_figures_refresh(cursor: Any, *, region_id: int, month: date) -> None:
    """Recount one region's MonthFigure rows of `month` from its snapshots of that month (at most 31 days per
    metric), dropping metrics the month no longer has."""
    months, snapshots = MonthFigure._meta.db_table, Snapshot._meta.db_table
    following = (month + timedelta(days=32)).replace(day=1)
    select = _MONTH_FIGURES_SELECT.format(region="region_id", month="%(month)s::date")
    cursor.execute(
        f"WITH fresh AS ({select} FROM {snapshots}"  # noqa: S608 (our names)
        " WHERE region_id = %(region)s AND day >= %(month)s AND day < %(following)s GROUP BY region_id, metric),"
        f" gone AS (DELETE FROM {months} WHERE region_id = %(region)s AND month = %(month)s"
        " AND metric NOT IN (SELECT metric FROM fresh))"
        f" INSERT INTO {months} (region_id, month, metric, total, valued_days, last_day, last_value)"
        " SELECT region_id, month, metric, total, valued_days, last_day, last_value FROM fresh"
        " ON CONFLICT (region_id, month, metric) DO UPDATE SET total = EXCLUDED.total,"
        " valued_days = EXCLUDED.valued_days, last_day = EXCLUDED.last_day, last_value = EXCLUDED.last_value",
        {"region": region_id, "month": month, "following": following},
    )


def month_figures_rebuild() -> int:
    """Recount every MonthFigure row from the snapshots: after loading snapshots by other means (a restore,
    the benchmark). Collection keeps them itself. Returns the rows written."""
    months, snapshots = MonthFigure._meta.db_table, Snapshot._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {months} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {months}")  # noqa: S608 (our name)
        select = _MONTH_FIGURES_SELECT.format(region="region_id", month="date_trunc('month', day)::date")
        cursor.execute(
            f"INSERT INTO {months} (region_id, month, metric, total, valued_days, last_day, last_value)"
            f" {select} FROM {snapshots} GROUP BY region_id, date_trunc('month', day), metric"
        )
        return cursor.rowcount


def _platform_days_shift(
    cursor: Any, *, day: date, before: dict[str, float | None], after: dict[str, float | None]
) -> None:
    """Move the platform's totals of `day` by what one region's new figures change (PlatformDay). Rows are
    written in metric order, so two regions' collections of the same day wait for each other, never deadlock."""
    # (metric, old value, new value) where they differ; the difference is taken in SQL, in exact decimals.
    shifts = [
        (metric, before.get(metric), after.get(metric))
        for metric in sorted(set(before) | set(after))
        if before.get(metric) != after.get(metric)
    ]
    if not shifts:
        return
    table = PlatformDay._meta.db_table
    cursor.execute(
        f"INSERT INTO {table} (day, metric, total, regions)"  # noqa: S608 (our table name)
        " SELECT %(day)s, s.metric, COALESCE(s.new::numeric(30, 10), 0) - COALESCE(s.old::numeric(30, 10), 0),"
        " (s.new IS NOT NULL)::int - (s.old IS NOT NULL)::int"
        " FROM unnest(%(metrics)s::text[], %(old)s::float8[], %(new)s::float8[]) AS s(metric, old, new)"
        " ORDER BY s.metric"
        f" ON CONFLICT (metric, day) DO UPDATE SET total = {table}.total + EXCLUDED.total,"
        f" regions = {table}.regions + EXCLUDED.regions",
        {
            "day": day,
            "metrics": [metric for metric, _old, _new in shifts],
            "old": [old for _metric, old, _new in shifts],
            "new": [new for _metric, _old, new in shifts],
        },
    )


def platform_days_forget_region(*, region: Region) -> None:
    """Take a region's snapshots out of the platform's daily totals, as its row is deleted (its snapshots go
    with it). Regions are not deleted in use (terminated ones keep their row and still count); this keeps the
    totals true when a developer or a test removes a scratch region."""
    table, snapshots = PlatformDay._meta.db_table, Snapshot._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS p SET total = p.total - s.total, regions = p.regions - s.regions"  # noqa: S608
            " FROM (SELECT day, metric, COALESCE(SUM(value::numeric(30, 10)), 0) AS total, COUNT(value) AS regions"
            f" FROM {snapshots} WHERE region_id = %s GROUP BY day, metric) AS s"
            " WHERE p.day = s.day AND p.metric = s.metric",
            [region.pk],
        )


def platform_days_rebuild(*, days: tuple[date, date] | None = None) -> int:
    """Recount PlatformDay from the snapshots (all days, or the inclusive range `days`): after loading
    snapshots by other means (a restore, the benchmark) or removing a region's. Returns the rows written."""
    table, snapshots = PlatformDay._meta.db_table, Snapshot._meta.db_table
    where, params = ("WHERE day BETWEEN %s AND %s", list(days)) if days else ("", [])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # collections wait until the recount is in
        cursor.execute(f"DELETE FROM {table} {where}", params)  # noqa: S608 (our names)
        cursor.execute(
            f"INSERT INTO {table} (day, metric, total, regions)"  # noqa: S608 (our names)
            f" SELECT day, metric, COALESCE(SUM(value::numeric(30, 10)), 0), COUNT(value) FROM {snapshots}"
            f" {where} GROUP BY day, metric",
            params,
        )
        return cursor.rowcount


def period_figures_refresh(*, region: Region) -> int:
    """Fold the region's snapshots over each preset period ending on its latest collected day and store the
    results (catalogue.MetricInfo.aggregate decides how): one INSERT ... SELECT ... GROUP BY in the database.

    A metric gets a row per preset period as soon as it has a value within the longest one (None for a
    shorter period without values), as the live fold (selectors._fold) would give. The year of rows stays in
    the database instead of travelling to the worker to be folded in Python (tests/perf/test_reports_benchmark).
    """
    from shared_apps.reports.catalogue import metric_catalogue

    catalogue = metric_catalogue()
    snapshots, figures = Snapshot._meta.db_table, PeriodFigure._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(day) FROM {snapshots} WHERE region_id = %s", [region.pk])  # noqa: S608
        end = cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {figures} WHERE region_id = %s", [region.pk])  # noqa: S608
        if end is None:
            return 0
        # One pass over the region's year grouped by metric (hashed, no sort), with a filtered sum and mean
        # per period; the last known value, looked up by the unique key on the metric's latest day, is the
        # same for every period containing that day. Then one row per period and metric.
        columns, choices = [], []
        for days in (int(d) for d in PRESET_DAYS):
            within = f"WHERE s.day > %(end)s::date - {days}"
            columns.append(
                f", SUM(s.value) FILTER ({within}) AS sum_{days}, AVG(s.value) FILTER ({within}) AS mean_{days}"
            )
            choices.append(
                f"({days}, CASE a.aggregate WHEN 'sum' THEN f.sum_{days} WHEN 'mean' THEN f.mean_{days}"
                f" WHEN 'last' THEN CASE WHEN f.last_day > %(end)s::date - {days} THEN l.value END END)"
            )
        sql = (
            f"WITH f AS (SELECT s.metric, MAX(s.day) AS last_day{''.join(columns)} FROM {snapshots} s"  # noqa: S608 (our names, int periods)
            " WHERE s.region_id = %(region)s AND s.day > %(end)s::date - %(longest)s AND s.value IS NOT NULL"
            " AND s.metric = ANY(%(codes)s) GROUP BY s.metric)"
            f" INSERT INTO {figures} (region_id, days, metric, value, end_day)"
            " SELECT %(region)s, p.days, f.metric, p.value, %(end)s FROM f"
            " JOIN unnest(%(codes)s::text[], %(aggregates)s::text[]) AS a(metric, aggregate) ON a.metric = f.metric"
            f" JOIN {snapshots} l ON l.region_id = %(region)s AND l.day = f.last_day AND l.metric = f.metric"
            f" CROSS JOIN LATERAL (VALUES {', '.join(choices)}) AS p(days, value)"
            # Covers a concurrent refresh of the same region that committed its rows after our DELETE.
            " ON CONFLICT (days, metric, region_id) DO UPDATE SET value = EXCLUDED.value, end_day = EXCLUDED.end_day"
        )
        params = {
            "region": region.pk,
            "end": end,
            "longest": max(PRESET_DAYS),
            "codes": list(catalogue),
            "aggregates": [info.aggregate for info in catalogue.values()],
        }
        cursor.execute(sql, params)
        return cursor.rowcount


def region_collect(*, region: Region, day: date) -> int:
    """Collect and store one region's day (whatever schema is in use; it switches to the region's). Raises
    CollectionError `region_not_active` for a region that is not active."""
    if region.status != Region.Status.ACTIVE:
        raise CollectionError("region_not_active", _("Wilayah %(name)s tidak aktif.") % {"name": region.official_name})
    values, units = region_figures(schema_name=region.schema_name, day=day)
    count = snapshots_replace(region=region, day=day, values=values, units=units)
    period_figures_refresh(region=region)
    return count


def collection_outcome_run(*, outcome: CollectionOutcome) -> CollectionOutcome:
    """Run one region's part of a run and record how it went. Never raises for the region's own failure:
    the error is stored on the outcome (and logged, so Sentry sees it), and the run goes on."""
    region = Region.objects.get(pk=outcome.region_id)
    started = time.perf_counter()
    fields: dict[str, Any]
    if region.status != Region.Status.ACTIVE:
        fields = {
            "status": OUTCOME.SKIPPED,
            "error": _("Wilayah tidak aktif (%(status)s).") % {"status": region.status},
        }
    else:
        try:
            count = region_collect(region=region, day=outcome.run.day)
        except Exception as exc:
            logger.exception("collecting %s for %s failed", outcome.run.day, region.schema_name)
            fields = {"status": OUTCOME.FAILED, "error": f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]}
        else:
            fields = {"status": OUTCOME.OK, "metrics": count, "error": ""}
    fields.update(duration_ms=int((time.perf_counter() - started) * 1000), finished_at=timezone.now())
    CollectionOutcome.objects.filter(pk=outcome.pk).update(**fields)
    outcome.refresh_from_db()
    return outcome


def _regions_for(slugs: list[str] | None) -> list[Region]:
    regions = list(region_active_list())
    if not slugs:
        return regions
    by_slug = {region.slug: region for region in regions}
    missing = [slug for slug in slugs if slug not in by_slug]
    if missing:
        raise CollectionError(
            "region_not_active",
            _("Wilayah berikut tidak ada atau tidak aktif: %(slugs)s") % {"slugs": ", ".join(missing)},
            fields={"region": [", ".join(missing)]},
        )
    return [by_slug[slug] for slug in slugs]


def collection_run_start(
    *,
    day: date | None = None,
    slugs: list[str] | None = None,
    trigger: str,
    actor: str,
    run_async: bool = True,
) -> CollectionRun:
    """Collect `day` (default: today on the platform's calendar, so far) for the active regions (or the given
    subdomains, which must all be active). Asynchronously: one `reports.collect_region` task per region,
    queued after commit. Synchronously (the CLI, the demo): one region after the other, here.
    """
    day = day or platform_today()
    if day > platform_today() or (platform_today() - day).days > MAX_PERIOD_DAYS:
        raise CollectionError(
            "invalid_day",
            _("Tanggal pengumpulan harus hari ini atau sebelumnya (paling lama dua tahun)."),
            fields={"day": [str(day)]},
        )
    regions = _regions_for(slugs)
    with transaction.atomic():
        run = CollectionRun.objects.create(day=day, trigger=trigger, requested_by=actor)
        outcomes = CollectionOutcome.objects.bulk_create(
            [CollectionOutcome(run=run, region=region) for region in regions]
        )
        if trigger != CollectionRun.Trigger.SCHEDULE:
            audit_record(
                actor=actor,
                action="reports.collect",
                target_type="reports.collection_run",
                target_id=run.pk,
                after={"day": day.isoformat(), "regions": [region.slug for region in regions]},
            )
        if run_async:
            transaction.on_commit(lambda: _dispatch(outcomes, regions))
    if not run_async:
        for outcome in outcomes:
            collection_outcome_run(outcome=outcome)
    return run


def _dispatch(outcomes: list[CollectionOutcome], regions: list[Region]) -> None:
    from shared_apps.reports.tasks import collect_region

    for outcome, region in zip(outcomes, regions, strict=True):
        # The region's schema travels in the header: the task runs inside it (tenants.tasks.RegionTask).
        collect_region.apply_async((outcome.pk,), headers={"_schema_name": region.schema_name})


# --- PDF exports -----------------------------------------------------------------------------------------


def _period_check(period: Period) -> None:
    if period.start > period.end or period.days > MAX_PERIOD_DAYS:
        raise DomainError(
            "invalid_period",
            _("Periode tidak sah: awal harus sebelum akhir, paling panjang dua tahun."),
            fields={"period": [f"{period.start}..{period.end}"]},
        )


def report_export_request(
    *,
    period: Period,
    actor: str,
    region: Region | None = None,
    filters: dict[str, str] | None = None,
    monthly: bool = False,
) -> ReportExport:
    """Queue a PDF adoption report: the platform's (region None; operators) or one region's. The rendering
    task (`reports.render_export`) is sent after commit; the row shows its progress."""
    from shared_apps.reports.tasks import render_export

    _period_check(period)
    if region is not None and region.status not in (Region.Status.ACTIVE, Region.Status.SUSPENDED):
        raise ConflictError("region_not_active", _("Laporan hanya untuk wilayah yang sudah disiapkan."))
    with transaction.atomic():
        export = ReportExport.objects.create(
            scope=ReportExport.Scope.REGION if region else ReportExport.Scope.PLATFORM,
            region=region,
            period_start=period.start,
            period_end=period.end,
            filters={k: v for k, v in (filters or {}).items() if v},
            monthly=monthly,
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action="reports.export_request",
            target_type="reports.export",
            target_id=export.pk,
            region=region.schema_name if region else "",
            after={"scope": export.scope, "period": [period.start.isoformat(), period.end.isoformat()]},
        )
        # Sent from the public schema whatever the caller's: the renderer reads every region's snapshots.
        transaction.on_commit(lambda: render_export.apply_async((export.pk,), headers={"_schema_name": "public"}))
    return export


def report_export_render(*, export: ReportExport) -> ReportExport:
    """Render the PDF, store it, and record progress on the row as it goes. A failure is recorded, not raised."""
    from shared_apps.reports.pdf import render_report

    def progress(percent: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(status=ReportExport.Status.RUNNING, progress=percent)

    progress(5)
    try:
        name = render_report(export=export, progress=progress)
    except Exception as exc:
        logger.exception("rendering report export %s failed", export.pk)
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH],
            finished_at=timezone.now(),
        )
    else:
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.DONE, progress=100, file_name=name, finished_at=timezone.now()
        )
    export.refresh_from_db()
    return export


def monthly_reports_request(*, today: date | None = None) -> list[ReportExport]:
    """The previous month's PDF for every active region (run on the 1st by beat). Idempotent: a region that
    already has its monthly report for that month gets no second one."""
    from shared_apps.reports.periods import month_period

    period = month_period(today or platform_today())
    done = set(
        ReportExport.objects.filter(monthly=True, period_start=period.start, period_end=period.end)
        .exclude(status=ReportExport.Status.FAILED)
        .values_list("region_id", flat=True)
    )
    return [
        report_export_request(period=period, actor="system:beat", region=region, monthly=True)
        for region in region_active_list()
        if region.pk not in done
    ]
