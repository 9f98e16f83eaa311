"""Report pages: the operators' dashboard on the root domain and each region's own report on its subdomain.

Thin: read the filters, call selectors, render; writes (collect now, request a PDF) call one service and
redirect. Region pages take the region from the request only, so no parameter can name another region.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mitra.errors import DomainError, NotFoundError
from shared_apps.audit.services import actor_for
from shared_apps.console.roles import OperatorRole, has_operator_role, operator_required
from shared_apps.reports import selectors
from shared_apps.reports.catalogue import MetricInfo, metric_catalogue, source_label
from shared_apps.reports.charts import bar_chart, fmt, line_chart
from shared_apps.reports.exports import csv_response
from shared_apps.reports.forms import ReportFilterForm
from shared_apps.reports.models import CollectionRun, ReportExport
from shared_apps.reports.services import collection_run_start, report_export_request
from tenant_apps.org.permissions import Action, permission_required
from tenants.models import Region
from tenants.storage import storage_prefix

DEFAULT_METRIC = "workspace.active_users_7d"
TOP_REGIONS = 10
TABLE_PAGE = 100  # rows of the region table per page; the CSV has them all


def _chart_metric(form: ReportFilterForm, infos: list[MetricInfo]) -> MetricInfo:
    catalogue = metric_catalogue()
    code = form.value("metric")
    if code in catalogue:
        return catalogue[code]
    return catalogue.get(DEFAULT_METRIC) or infos[0]


def _with_urls(exports: list[ReportExport], *, region_side: bool) -> list[ReportExport]:
    prefix = "reports:region-export" if region_side else "reports:export"
    for export in exports:
        export.status_url = reverse(f"{prefix}-status", args=[export.pk])  # type: ignore[attr-defined]
        export.download_url = reverse(f"{prefix}-download", args=[export.pk])  # type: ignore[attr-defined]
    return exports


def _export_payload(export: ReportExport) -> dict[str, Any]:
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": export.get_status_display(),
        "progress": export.progress,
        "finished": export.is_finished,
        "error": export.error,
    }


# --- platform (operators, root domain) ---------------------------------------------------------------------


def _dashboard_data(request: HttpRequest) -> dict[str, Any]:
    form = ReportFilterForm(request.GET or None)
    filters = form.filters()
    infos = selectors.headline_metrics(module=filters.module)
    sort = form.value("sort")
    descending = form.value("dir", "desc") == "desc"
    rows = selectors.region_table(filters, infos=infos, sort=sort, descending=descending)
    metric = _chart_metric(form, infos)
    return {
        "form": form,
        "filters": filters,
        "infos": infos,
        "rows": rows,
        "sort": sort,
        "descending": descending,
        "metric": metric,
        "series": selectors.platform_series(filters, metric),
        "funnel": selectors.funnel(filters),
        "expiring": selectors.expiring_licences(filters),
        "modules": selectors.module_adoption(rows),
    }


def _table_body(rows: list[selectors.TableRow], infos: list[MetricInfo]) -> SafeString:
    """The region table's rows, built here rather than in template loops: up to 100 rows x 16 cells per
    view, and the template engine costs several times more per cell. Every value is escaped."""
    detail = reverse("console:region-detail", args=["SLUG"])
    status_label = dict(Region.Status.choices)
    html = []
    for row in rows:
        region = row.region
        status = ""
        if region.status != Region.Status.ACTIVE:
            status = format_html(
                ' <span class="status status-{}">{}</span>', region.status, status_label.get(region.status, "")
            )
        cells = "".join(f'<td class="num">{escape(fmt(row.values.get(i.code), i.unit_label))}</td>' for i in infos)
        html.append(
            format_html(
                '<tr><th scope="row"><a href="{}">{}</a>{}</th><td>{}</td>{}</tr>',
                detail.replace("SLUG", region.slug),
                region.official_name,
                status,
                ", ".join(row.modules),
                mark_safe(cells),  # noqa: S308 (each cell escaped above)
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (each row built with format_html)


@never_cache
@operator_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    data = _dashboard_data(request)
    metric: MetricInfo = data["metric"]
    ranked = [row for row in data["rows"] if row.values.get(metric.code) is not None]
    ranked.sort(key=lambda row: row.values[metric.code], reverse=True)
    if metric not in data["infos"]:
        ranked = []  # the chosen metric is not a table column (a per-type figure): no ranking of it
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("dir", None)
    query.pop("page", None)
    page_query = request.GET.copy()
    page_query.pop("page", None)
    pages = max(1, -(-len(data["rows"]) // TABLE_PAGE))
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), pages)
    except ValueError:
        page = 1
    context = {
        **data,
        "line": line_chart(
            title=_("%(metric)s per hari") % {"metric": metric.label},
            series=[(str(metric.label), data["series"])],
            unit=metric.unit_label,
        ),
        "funnel_chart": bar_chart(
            title=_("Alur adopsi wilayah"), items=[(stage.label, stage.count) for stage in data["funnel"]]
        ),
        "top_chart": bar_chart(
            title=_("%(n)d wilayah teratas: %(metric)s") % {"n": TOP_REGIONS, "metric": metric.label},
            items=[(row.region.official_name, row.values[metric.code]) for row in ranked[:TOP_REGIONS]],
            unit=metric.unit_label,
        ),
        "modules_chart": bar_chart(
            title=_("Jumlah wilayah per modul"), items=[(source_label(code), n) for code, n in data["modules"]]
        ),
        "table_body": _table_body(data["rows"][(page - 1) * TABLE_PAGE : page * TABLE_PAGE], data["infos"]),
        "page": page,
        "pages": pages,
        "page_query": page_query.urlencode(),
        "base_query": query.urlencode(),
        "query": request.GET.urlencode(),
        "runs": [(run, selectors.collection_run_summary(run)) for run in selectors.collection_run_list(limit=3)],
        "exports": _with_urls(selectors.report_export_list(region=None, limit=5), region_side=False),
        "monthly": _with_urls(selectors.region_reports_recent(limit=10), region_side=False),
        "can_operate": has_operator_role(request.user, OperatorRole.OPERATOR),
    }
    return render(request, "reports/dashboard.html", context)


def _platform_csv_tables(request: HttpRequest, table: str) -> HttpResponse:
    data = _dashboard_data(request)
    period = data["filters"].period
    suffix = f"{period.start}_{period.end}"
    infos: list[MetricInfo] = data["infos"]
    if table == "wilayah":
        return csv_response(
            f"adopsi-wilayah-{suffix}.csv",
            [_("Wilayah"), _("Kode"), _("Provinsi"), _("Jenis"), _("Status"), _("Modul"), *[i.code for i in infos]],
            (
                [r.region.official_name, r.region.region_code, r.region.province_code, r.region.kind,
                 r.region.status, " ".join(r.modules), *[r.values.get(i.code) for i in infos]]
                for r in data["rows"]
            ),
        )  # fmt: skip
    if table == "harian":
        metric: MetricInfo = data["metric"]
        return csv_response(f"adopsi-harian-{metric.code}-{suffix}.csv", [_("Tanggal"), metric.code], data["series"])
    if table == "alur":
        return csv_response("alur-adopsi.csv", [_("Tahap"), _("Jumlah")], ((s.label, s.count) for s in data["funnel"]))
    if table == "lisensi":
        return csv_response(
            "lisensi-segera-berakhir.csv",
            [_("Wilayah"), _("Berlaku sampai"), _("Sisa hari"), _("Modul")],
            (
                (lic.region.official_name, lic.valid_until, days, " ".join(lic.modules))
                for lic, days in data["expiring"]
            ),
        )
    if table == "modul":
        return csv_response("modul-per-wilayah.csv", [_("Modul"), _("Jumlah wilayah")], data["modules"])
    raise Http404


@operator_required()
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    return _platform_csv_tables(request, table)


@operator_required()
def run_list(request: HttpRequest) -> HttpResponse:
    runs = [(run, selectors.collection_run_summary(run)) for run in selectors.collection_run_list(limit=50)]
    return render(
        request,
        "reports/runs.html",
        {"runs": runs, "can_operate": has_operator_role(request.user, OperatorRole.OPERATOR)},
    )


@never_cache
@operator_required()
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        run = selectors.collection_run_get(run_id=run_id)
    except NotFoundError:
        raise Http404 from None
    outcomes = list(run.outcomes.select_related("region"))
    return render(
        request,
        "reports/run_detail.html",
        {"run": run, "outcomes": outcomes, "summary": selectors.collection_run_summary(run),
         "pending": any(o.status == o.Status.QUEUED for o in outcomes)},
    )  # fmt: skip


@require_POST
@operator_required(OperatorRole.OPERATOR)
def run_start(request: HttpRequest) -> HttpResponse:
    try:
        run = collection_run_start(trigger=CollectionRun.Trigger.CONSOLE, actor=actor_for(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:runs")
    messages.success(
        request, _("Pengumpulan data hari ini dimulai untuk %(n)d wilayah aktif.") % {"n": run.outcomes.count()}
    )
    return redirect("reports:run-detail", run_id=run.pk)


@require_POST
@operator_required(OperatorRole.OPERATOR)
def platform_export_request(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.error_fields().values() for e in errors))
        return redirect("reports:dashboard")
    filters = form.filters()
    try:
        report_export_request(period=filters.period, filters=filters.as_dict(), actor=actor_for(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Laporan PDF sedang dibuat; tautan unduhan muncul setelah selesai."))
    return redirect("reports:dashboard")


def _download(export: ReportExport) -> FileResponse:
    if export.status != ReportExport.Status.DONE or not export.file_name:
        raise Http404
    owner = export.file_name.split("/", 1)[0]
    with storage_prefix(owner):
        handle = default_storage.open(export.file_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=export.file_name.rsplit("/", 1)[-1])


@never_cache
@operator_required()
def platform_export_status(request: HttpRequest, export_id: int) -> JsonResponse:
    try:
        export = selectors.report_export_get(export_id=export_id, region=None, any_scope=True)
    except NotFoundError:
        raise Http404 from None
    return JsonResponse(_export_payload(export))


@operator_required()
def platform_export_download(request: HttpRequest, export_id: int) -> FileResponse:
    try:
        export = selectors.report_export_get(export_id=export_id, region=None, any_scope=True)
    except NotFoundError:
        raise Http404 from None
    return _download(export)


# --- a region's own report (its subdomain; admin wilayah and pimpinan) --------------------------------------


def _region_data(request: HttpRequest, *, all_daily: bool = True) -> dict[str, Any]:
    """The region report's figures; `all_daily=False` reads the daily series of the charted metric only (the
    page shows one; a year of every metric is what only the CSV needs)."""
    region: Region = selectors.region_of_request(request)
    form = ReportFilterForm(request.GET or None, region_scope=True)
    period = form.period_value()
    catalogue = metric_catalogue()
    infos = list(catalogue.values())
    summary = selectors.region_summary(region, period, infos)
    shown = [info for info in infos if summary.get(info.code) is not None or info.code.count(".") == 1]
    medians = selectors.platform_medians(period, shown, preset=form.preset())
    metric = _chart_metric(form, shown)
    daily = selectors.region_daily(region, period, shown if all_daily else [metric])
    unit_infos, units = selectors.region_units(region, period)
    return {
        "form": form,
        "target": region,
        "period": period,
        "infos": shown,
        "summary": summary,
        "medians": medians,
        "daily": daily,
        "metric": metric,
        "unit_infos": unit_infos,
        "units": units,
    }


@never_cache
@permission_required(Action.REPORTS_VIEW)
def region_report(request: HttpRequest) -> HttpResponse:
    data = _region_data(request, all_daily=False)
    metric: MetricInfo = data["metric"]
    period = data["period"]
    points = [(day, data["daily"].get(metric.code, {}).get(day)) for day in period.dates()]
    median = data["medians"].get(metric.code)
    series = [(str(metric.label), points)]
    if median is not None and metric.aggregate != "sum":
        # A state or an average compares day by day with the platform's median level.
        series.append((_("Median platform"), [(day, median) for day in period.dates()]))
    summary_rows = [
        (
            info,
            fmt(data["summary"].get(info.code), info.unit_label),
            fmt(data["medians"].get(info.code), info.unit_label),
        )
        for info in data["infos"]
    ]
    context = {
        **data,
        "line": line_chart(
            title=_("%(metric)s per hari") % {"metric": metric.label}, series=series, unit=metric.unit_label
        ),
        "units_chart": bar_chart(
            title=_("Disposisi dibuat per perangkat daerah"),
            items=[(u.name, u.values.get("eoffice.dispositions_created")) for u in data["units"]][:15],
        )
        if any(i.code == "eoffice.dispositions_created" for i in data["unit_infos"])
        else None,
        "summary_rows": summary_rows,
        "unit_rows": [
            (u, [fmt(u.values.get(i.code), i.unit_label) for i in data["unit_infos"]]) for u in data["units"]
        ],
        "points": [(day, fmt(value, metric.unit_label)) for day, value in points],
        "exports": _with_urls(selectors.report_export_list(region=data["target"], limit=12), region_side=True),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/region.html", context)


@permission_required(Action.REPORTS_VIEW)
def region_csv(request: HttpRequest, table: str) -> HttpResponse:
    data = _region_data(request)
    period = data["period"]
    slug = data["target"].slug
    suffix = f"{period.start}_{period.end}"
    infos: list[MetricInfo] = data["infos"]
    if table == "ringkasan":
        return csv_response(
            f"laporan-{slug}-ringkasan-{suffix}.csv",
            [_("Metrik"), _("Keterangan"), _("Nilai"), _("Median platform")],
            ((i.code, str(i.label), data["summary"].get(i.code), data["medians"].get(i.code)) for i in infos),
        )
    if table == "harian":
        return csv_response(
            f"laporan-{slug}-harian-{suffix}.csv",
            [_("Tanggal"), *[i.code for i in infos]],
            ([day, *[data["daily"][i.code].get(day) for i in infos]] for day in period.dates()),
        )
    if table == "unit":
        unit_infos: list[MetricInfo] = data["unit_infos"]
        return csv_response(
            f"laporan-{slug}-unit-{suffix}.csv",
            [_("Kode unit"), _("Unit"), *[i.code for i in unit_infos]],
            ([u.code, u.name, *[u.values.get(i.code) for i in unit_infos]] for u in data["units"]),
        )
    raise Http404


@require_POST
@permission_required(Action.REPORTS_VIEW)
def region_export_request(request: HttpRequest) -> HttpResponse:
    region = selectors.region_of_request(request)
    form = ReportFilterForm(request.POST, region_scope=True)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.error_fields().values() for e in errors))
        return redirect("reports:region")
    try:
        report_export_request(period=form.period_value(), region=region, actor=actor_for(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Laporan PDF sedang dibuat; tautan unduhan muncul setelah selesai."))
    return redirect("reports:region")


@never_cache
@permission_required(Action.REPORTS_VIEW)
def region_export_status(request: HttpRequest, export_id: int) -> JsonResponse:
    try:
        export = selectors.report_export_get(export_id=export_id, region=selectors.region_of_request(request))
    except NotFoundError:
        raise Http404 from None
    return JsonResponse(_export_payload(export))


@permission_required(Action.REPORTS_VIEW)
def region_export_download(request: HttpRequest, export_id: int) -> FileResponse:
    try:
        export = selectors.report_export_get(export_id=export_id, region=selectors.region_of_request(request))
    except NotFoundError:
        raise Http404 from None
    return _download(export)
