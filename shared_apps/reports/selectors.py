"""Reads for the dashboard, the region report, the API and the exports.

Everything is read from the snapshots in the public schema, never from the regions' schemas: a dashboard
over 552 regions is a few aggregate queries on one indexed table. A period folds each region's daily values
by the metric's aggregate (catalogue.MetricInfo.aggregate): summed events, the last known state, or the mean.

Region-facing reads take the region from the caller (the request's region, never a parameter), and the only
figure about other regions they return is the platform median, shown only when enough regions contribute
that no single region's value can be inferred from it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Max, QuerySet
from django.utils.translation import gettext as _

from mitra.errors import NotFoundError
from shared_apps.console.selectors import FunnelStage, onboarding_funnel, region_overview
from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import days_left, licences_expiring
from shared_apps.reports.catalogue import MetricInfo, metric_catalogue
from shared_apps.reports.models import (
    CollectionRun,
    MonthFigure,
    PeriodFigure,
    PlatformDay,
    ReportExport,
    Snapshot,
    UnitSnapshot,
)
from shared_apps.reports.periods import PRESET_DAYS, Period
from tenants.models import Region
from tenants.selectors import platform_today, region_list

# The platform median is shown to a region only when at least this many regions have a value: with two,
# the median is their mean and gives the other region's figure away.
MEDIAN_MIN_REGIONS = 3
EXPIRY_DAYS = 60
PROVISIONED = (Region.Status.ACTIVE, Region.Status.SUSPENDED)
_MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Filters:
    period: Period
    province: str = ""
    kind: str = ""
    module: str = ""
    preset: int | None = None  # one of PRESET_DAYS: the table reads the ready-made PeriodFigure rows

    def as_dict(self) -> dict[str, str]:
        return {"province": self.province, "kind": self.kind, "module": self.module}


def latest_day() -> date:
    """The latest day any region has been collected for (today before the first collection). Read from the
    small PeriodFigure table: the snapshot table has no index led by the day."""
    return PeriodFigure.objects.aggregate(latest=Max("end_day"))["latest"] or platform_today()


def default_period(days: int = 30, *, end: date | None = None) -> Period:
    last = end or latest_day()
    return Period(last - timedelta(days=days - 1), last)


def headline_metrics(*, module: str = "") -> list[MetricInfo]:
    """The metrics shown as table columns: one per figure (per-type breakdowns, `a.b.c`, left to the region
    report), optionally only one module's (the workspace's always stay)."""
    return [
        info
        for info in metric_catalogue().values()
        if info.code.count(".") == 1 and (not module or info.source in (module, "workspace"))
    ]


# --- aggregation -----------------------------------------------------------------------------------------


def _whole_months(period: Period) -> tuple[date, date] | None:
    """[first, after) month starts of the calendar months lying wholly inside the period, or None."""
    first = period.start if period.start.day == 1 else (period.start.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (period.end + timedelta(days=1)).replace(day=1)
    return (first, after) if first < after else None


def _fold(period: Period, infos: list[MetricInfo], region_ids: list[int] | None) -> dict[tuple[int, str], float]:
    """{(region id, metric): value over the period} in two queries (sum/mean, then last known value).

    Whole calendar months come from MonthFigure (a row per region, month and metric), the days before the
    first and after the last whole month from the snapshots: a year over 552 regions reads ~12 rows per
    region and metric instead of 365 (tests/perf/test_reports_benchmark)."""
    snapshots, months = Snapshot._meta.db_table, MonthFigure._meta.db_table
    result: dict[tuple[int, str], float] = {}
    where_region = " AND region_id = ANY(%(regions)s)" if region_ids is not None else ""
    whole = _whole_months(period)
    if whole is None:
        day_ranges = [(period.start, period.end)]
    else:
        day_ranges = [(period.start, whole[0] - timedelta(days=1)), (whole[1], period.end)]
    params: dict[str, Any] = {
        "regions": region_ids,
        "first_month": whole[0] if whole else None,
        "after_month": whole[1] if whole else None,
        **{f"from_{i}": start for i, (start, _end) in enumerate(day_ranges)},
        **{f"to_{i}": end for i, (_start, end) in enumerate(day_ranges)},
    }

    def parts(metrics: str, month_columns: str, day_columns: str) -> str:
        """UNION ALL of the whole months and the day ranges, for the metrics named by the parameter."""
        found = [
            f"SELECT region_id, metric, {day_columns} FROM {snapshots} WHERE metric = ANY(%({metrics})s)"  # noqa: S608
            f" AND value IS NOT NULL AND day BETWEEN %(from_{i})s AND %(to_{i})s{where_region}"
            for i, (start, end) in enumerate(day_ranges)
            if start <= end
        ]
        if whole:
            found.append(
                f"SELECT region_id, metric, {month_columns} FROM {months} WHERE metric = ANY(%({metrics})s)"  # noqa: S608
                f" AND month >= %(first_month)s AND month < %(after_month)s AND valued_days > 0{where_region}"
            )
        return " UNION ALL ".join(found)

    folded = [i.code for i in infos if i.aggregate in ("sum", "mean")]
    mean = {i.code for i in infos if i.aggregate == "mean"}
    last = [i.code for i in infos if i.aggregate == "last"]
    with connection.cursor() as cursor:
        if folded:
            cursor.execute(
                "SELECT region_id, metric, SUM(total), SUM(valued_days) FROM ("  # noqa: S608 (our names)
                + parts("folded", "total, valued_days", "value AS total, 1 AS valued_days")
                + ") AS f GROUP BY region_id, metric",
                {**params, "folded": folded},
            )
            for region_id, metric, total, count in cursor.fetchall():
                if count:
                    result[(region_id, metric)] = float(total / count if metric in mean else total)
        if last:
            cursor.execute(
                "SELECT DISTINCT ON (region_id, metric) region_id, metric, value FROM ("  # noqa: S608
                + parts("last", "last_day AS day, last_value AS value", "day, value")
                + ") AS f ORDER BY region_id, metric, day DESC",
                {**params, "last": last},
            )
            for region_id, metric, value in cursor.fetchall():
                result[(region_id, metric)] = float(value)
    return result


def _ready_made(days: int, infos: list[MetricInfo], region_ids: set[int]) -> dict[tuple[int, str], float]:
    """{(region id, metric): value} of a preset period from PeriodFigure (one small query)."""
    rows = PeriodFigure.objects.filter(days=days, metric__in=[i.code for i in infos]).values_list(
        "region_id", "metric", "value"
    )
    return {(r, m): v for r, m, v in rows if r in region_ids and v is not None}


# --- the platform dashboard (operators) --------------------------------------------------------------------


def filtered_regions(filters: Filters) -> QuerySet[Region]:
    """Provisioned regions (active or suspended) matching the filters; `module`: licensed for it today."""
    regions = region_list().filter(status__in=PROVISIONED)
    if filters.province:
        regions = regions.filter(province_code=filters.province)
    if filters.kind:
        regions = regions.filter(kind=filters.kind)
    if filters.module:
        licensed = {
            region_id
            for region_id, modules in Licence.objects.filter(status=Licence.Status.ACTIVE).values_list(
                "region_id", "modules"
            )
            if filters.module in modules
        }
        regions = regions.filter(pk__in=licensed)
    return regions


def modules_by_region() -> dict[int, list[str]]:
    """Modules of each region's active licence (one query). Validity dates are the gate's business; here it
    says what was agreed."""
    return {
        region_id: sorted(modules)
        for region_id, modules in Licence.objects.filter(status=Licence.Status.ACTIVE).values_list(
            "region_id", "modules"
        )
    }


@dataclass
class TableRow:
    region: Region
    modules: list[str]
    values: dict[str, float | None] = field(default_factory=dict)


def region_table(
    filters: Filters, *, infos: list[MetricInfo] | None = None, sort: str = "", descending: bool = True
) -> list[TableRow]:
    """One row per filtered region with each metric folded over the period, sorted by `sort` (a metric code,
    or "name"); regions without a value sort last either way."""
    infos = infos if infos is not None else headline_metrics(module=filters.module)
    regions = list(filtered_regions(filters))
    if filters.preset in PRESET_DAYS and filters.preset:
        folded = _ready_made(filters.preset, infos, {r.pk for r in regions})
    else:
        # A condition on 552 region ids costs more per row than reading the other regions' rows: unfiltered,
        # fold everything and keep the listed regions here.
        narrowed = filters.province or filters.kind or filters.module
        folded = _fold(filters.period, infos, [r.pk for r in regions] if narrowed else None)
    modules = modules_by_region()
    rows = [TableRow(r, modules.get(r.pk, []), {i.code: folded.get((r.pk, i.code)) for i in infos}) for r in regions]
    if sort and sort != "name" and any(i.code == sort for i in infos):
        present = [row for row in rows if row.values.get(sort) is not None]
        absent = [row for row in rows if row.values.get(sort) is None]
        present.sort(key=lambda row: (row.values[sort], row.region.official_name), reverse=descending)
        return present + absent
    rows.sort(key=lambda row: row.region.official_name, reverse=bool(sort == "name" and descending))
    return rows


def platform_series(filters: Filters, metric: MetricInfo) -> list[tuple[date, float | None]]:
    """The metric per day over the filtered regions: summed (events and states alike: total letters, total
    active users), or averaged for hours and shares. Every day of the period is present (None: no data)."""
    if not (filters.province or filters.kind or filters.module):
        # Every region that was ever collected counts (a region terminated since still adopted then): the
        # platform's daily totals, kept as regions are collected, one row per day.
        rows = PlatformDay.objects.filter(
            metric=metric.code, day__range=(filters.period.start, filters.period.end), regions__gt=0
        ).values_list("day", "total", "regions")
        mean = metric.aggregate == "mean"
        by_day = {day: float(total / regions if mean else total) for day, total, regions in rows}
        return [(day, by_day.get(day)) for day in filters.period.dates()]
    function = "AVG" if metric.aggregate == "mean" else "SUM"
    sql = (
        f"SELECT day, {function}(value) FROM {Snapshot._meta.db_table}"  # noqa: S608 (our names only)
        " WHERE metric = %s AND day BETWEEN %s AND %s AND region_id = ANY(%s) GROUP BY day"
    )
    regions = list(filtered_regions(filters).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(sql, [metric.code, filters.period.start, filters.period.end, regions])
        by_day = {day: (float(value) if value is not None else None) for day, value in cursor.fetchall()}
    return [(day, by_day.get(day)) for day in filters.period.dates()]


def funnel(filters: Filters) -> list[FunnelStage]:
    rows = region_overview()
    if filters.province:
        rows = [row for row in rows if row.region.province_code == filters.province]
    if filters.kind:
        rows = [row for row in rows if row.region.kind == filters.kind]
    return onboarding_funnel(rows)


def expiring_licences(filters: Filters) -> list[tuple[Licence, int]]:
    found = []
    for licence in licences_expiring(within_days=EXPIRY_DAYS):
        region = licence.region
        if filters.province and region.province_code != filters.province:
            continue
        if filters.kind and region.kind != filters.kind:
            continue
        if filters.module and filters.module not in licence.modules:
            continue
        found.append((licence, days_left(licence)))
    return found


def module_adoption(rows: list[TableRow]) -> list[tuple[str, int]]:
    """How many of the listed regions hold each module."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for code in row.modules:
            counts[code] += 1
    return sorted(counts.items())


def provinces() -> list[tuple[str, str]]:
    """(code, name) of the provinces, for the filter."""
    from tenants.wilayah import all_wilayah

    return sorted((w.code, w.province_name) for w in all_wilayah().values() if "." not in w.code)


def collection_run_list(limit: int = 20) -> list[CollectionRun]:
    return list(CollectionRun.objects.order_by("-id")[:limit])


def collection_run_summary(run: CollectionRun) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for status in run.outcomes.values_list("status", flat=True):
        counts[status] += 1
    return dict(counts)


def collection_run_get(*, run_id: int | str) -> CollectionRun:
    try:
        pk = int(str(run_id))
    except ValueError:
        pk = 0
    run = CollectionRun.objects.filter(pk=pk).first() if 0 < pk <= _MAX_ID else None
    if run is None:
        raise NotFoundError("collection_run_not_found", _("Pengumpulan data tidak ditemukan."))
    return run


# --- a region's own report ---------------------------------------------------------------------------------


def region_summary(region: Region, period: Period, infos: list[MetricInfo]) -> dict[str, float | None]:
    folded = _fold(period, infos, [region.pk])
    return {info.code: folded.get((region.pk, info.code)) for info in infos}


def region_daily(region: Region, period: Period, infos: list[MetricInfo]) -> dict[str, dict[date, float | None]]:
    """{metric: {day: value}} of one region (one query)."""
    series: dict[str, dict[date, float | None]] = {info.code: {} for info in infos}
    rows = Snapshot.objects.filter(
        region=region, day__range=(period.start, period.end), metric__in=list(series)
    ).values_list("metric", "day", "value")
    for metric, day, value in rows:
        series[metric][day] = value
    return series


@dataclass
class UnitRow:
    code: str
    name: str
    values: dict[str, float | None]


def region_units(region: Region, period: Period) -> tuple[list[MetricInfo], list[UnitRow]]:
    """Per-OPD figures over the period, folded like the region totals (one query)."""
    catalogue = metric_catalogue()
    rows = UnitSnapshot.objects.filter(region=region, day__range=(period.start, period.end)).values_list(
        "metric", "unit_code", "unit_name", "day", "value"
    )
    daily: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
    names: dict[str, str] = {}
    for metric, unit_code, unit_name, day, value in rows:
        if metric in catalogue and value is not None:
            daily[(unit_code, metric)].append((day, value))
            names[unit_code] = unit_name
    codes = sorted({metric for _unit, metric in daily}, key=list(catalogue).index)
    infos = [catalogue[code] for code in codes]
    units = []
    for unit_code in sorted(names):
        values: dict[str, float | None] = {}
        for info in infos:
            points = sorted(daily.get((unit_code, info.code), []))
            values[info.code] = fold_points(info, [v for _d, v in points])
        units.append(UnitRow(unit_code, names[unit_code], values))
    return infos, units


def fold_points(info: MetricInfo, values: list[float]) -> float | None:
    if not values:
        return None
    if info.aggregate == "last":
        return values[-1]
    if info.aggregate == "mean":
        return sum(values) / len(values)
    return sum(values)


class _Median(Aggregate):
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def platform_medians(period: Period, infos: list[MetricInfo], *, preset: int | None = None) -> dict[str, float | None]:
    """The median over active regions of each metric folded over the period (a preset: each region's last
    `preset` days); None unless at least MEDIAN_MIN_REGIONS regions have a value. Nothing else about other
    regions leaves this function."""
    active = region_list().filter(status=Region.Status.ACTIVE)
    per_metric: dict[str, tuple[int, float | None]] = {}
    if preset in PRESET_DAYS and preset:
        # In the database: 552 regions x the metrics would otherwise travel here to be sorted.
        rows = (
            PeriodFigure.objects.filter(
                days=preset, metric__in=[i.code for i in infos], value__isnull=False, region__in=active.values("pk")
            )
            .values("metric")
            .annotate(n=Count("value"), median=_Median("value"))
            .values_list("metric", "n", "median")
        )
        per_metric = {metric: (n, median) for metric, n, median in rows}
    else:
        active_ids = set(active.values_list("pk", flat=True))
        values: dict[str, list[float]] = defaultdict(list)
        for (region_id, metric), value in _fold(period, infos, None).items():
            if region_id in active_ids:
                values[metric].append(value)
        per_metric = {metric: (len(found), statistics.median(found)) for metric, found in values.items()}
    medians: dict[str, float | None] = {}
    for info in infos:
        n, median = per_metric.get(info.code, (0, None))
        medians[info.code] = median if n >= MEDIAN_MIN_REGIONS else None
    return medians


def region_of_request(request: Any) -> Region:
    region = getattr(request, "region", None)
    if region is None:
        raise NotFoundError("region_not_found", _("Halaman ini hanya ada di subdomain wilayah."))
    return region


# --- exports ---------------------------------------------------------------------------------------------


def report_export_list(*, region: Region | None, limit: int = 20) -> list[ReportExport]:
    """Platform reports (region None) or one region's reports, newest first."""
    qs = ReportExport.objects.select_related("region")
    qs = qs.filter(region=region) if region is not None else qs.filter(scope=ReportExport.Scope.PLATFORM)
    return list(qs.order_by("-id")[:limit])


def region_reports_recent(*, limit: int = 10) -> list[ReportExport]:
    """Every region's latest reports (monthly and on request), for operators."""
    return list(
        ReportExport.objects.filter(scope=ReportExport.Scope.REGION).select_related("region").order_by("-id")[:limit]
    )


def report_export_get(*, export_id: int | str, region: Region | None, any_scope: bool = False) -> ReportExport:
    """An export by id, only within `region` (a region host) or among the platform's (operators; with
    `any_scope`, regions' too). Anything else is not found, never forbidden: ids are not confirmed."""
    try:
        pk = int(str(export_id))
    except ValueError:
        pk = 0
    qs = ReportExport.objects.select_related("region").filter(pk=pk) if 0 < pk <= _MAX_ID else None
    export = None
    if qs is not None:
        if region is not None:
            export = qs.filter(region=region).first()
        elif any_scope:
            export = qs.first()
        else:
            export = qs.filter(scope=ReportExport.Scope.PLATFORM).first()
    if export is None:
        raise NotFoundError("export_not_found", _("Ekspor laporan tidak ditemukan."))
    return export
