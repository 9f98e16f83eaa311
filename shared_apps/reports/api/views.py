"""/api/v1/reports/… — on the root domain for operators (every region), on a region's subdomain for its
admin and leaders (that region only, plus the anonymised platform median).

Thin views: read the filters (the same form as the pages; bad values give a 400 with field codes), call
selectors or one service, serialise. Region views take the region from the request, never from input.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.audit.services import actor_for
from shared_apps.console.roles import IsOperator
from shared_apps.reports import selectors
from shared_apps.reports.catalogue import MetricInfo, metric_catalogue
from shared_apps.reports.forms import ReportFilterForm
from shared_apps.reports.models import CollectionRun, ReportExport
from shared_apps.reports.services import collection_run_start, report_export_request
from tenant_apps.org.permissions import Action, HasRegionPermission
from tenants.storage import storage_prefix

TAGS = ["reports"]
FILTER_PARAMETERS = [
    OpenApiParameter("period", str, description="7, 30, 90 atau 365 (hari, berakhir hari ini)"),
    OpenApiParameter("start", str, description="YYYY-MM-DD (bersama end)"),
    OpenApiParameter("end", str, description="YYYY-MM-DD"),
    OpenApiParameter("province", str),
    OpenApiParameter("kind", str),
    OpenApiParameter("module", str),
    OpenApiParameter("metric", str),
    OpenApiParameter("sort", str),
    OpenApiParameter("dir", str, enum=["asc", "desc"]),
]


def _form(data: Any, *, region_scope: bool = False) -> ReportFilterForm:
    form = ReportFilterForm(data, region_scope=region_scope)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form


def _period(form: ReportFilterForm) -> dict[str, str]:
    period = form.period_value()
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


class MetricOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField()
    aggregate = serializers.CharField()


class OutcomeOutput(serializers.Serializer):
    region = serializers.CharField(source="region.slug")
    status = serializers.CharField()
    metrics = serializers.IntegerField()
    error = serializers.CharField()
    duration_ms = serializers.IntegerField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class RunOutput(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.DateField()
    trigger = serializers.CharField()
    requested_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    outcomes = OutcomeOutput(many=True, source="outcomes.all")


class ExportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    scope = serializers.CharField()
    region = serializers.CharField(source="region.slug", allow_null=True, default=None)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    filters = serializers.DictField()
    monthly = serializers.BooleanField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    error = serializers.CharField()
    ready = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_ready(self, export: ReportExport) -> bool:
        return export.status == ReportExport.Status.DONE


def _metrics(infos: list[MetricInfo]) -> list[dict[str, Any]]:
    return MetricOutput(infos, many=True).data


def _file(export: ReportExport) -> FileResponse:
    if export.status != ReportExport.Status.DONE or not export.file_name:
        raise Http404
    with storage_prefix(export.file_name.split("/", 1)[0]):
        handle = default_storage.open(export.file_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=export.file_name.rsplit("/", 1)[-1])


# --- operators (root domain) -------------------------------------------------------------------------------


class MetricListApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=MetricOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(_metrics(list(metric_catalogue().values())))


class RegionTableApi(APIView):
    """Every provisioned region matching the filters with its metrics folded over the period."""

    permission_classes = [IsOperator]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        form = _form(request.query_params)
        filters = form.filters()
        infos = selectors.headline_metrics(module=filters.module)
        rows = selectors.region_table(
            filters, infos=infos, sort=form.value("sort"), descending=form.value("dir", "desc") == "desc"
        )
        return Response(
            {
                "period": _period(form),
                "metrics": _metrics(infos),
                "regions": [
                    {"slug": r.region.slug, "official_name": r.region.official_name, "kind": r.region.kind,
                     "province_code": r.region.province_code, "status": r.region.status, "modules": r.modules,
                     "values": r.values}
                    for r in rows
                ],
            }
        )  # fmt: skip


class SeriesApi(APIView):
    """One metric per day over the filtered regions (summed; averaged for hours and percentages)."""

    permission_classes = [IsOperator]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        form = _form(request.query_params)
        catalogue = metric_catalogue()
        code = form.value("metric") or "workspace.active_users_7d"
        metric = catalogue[code]
        series = selectors.platform_series(form.filters(), metric)
        return Response(
            {"period": _period(form), "metric": MetricOutput(metric).data,
             "points": [{"day": day.isoformat(), "value": value} for day, value in series]}
        )  # fmt: skip


class OverviewApi(APIView):
    """The onboarding funnel, licences expiring within 60 days and how many regions hold each module."""

    permission_classes = [IsOperator]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        form = _form(request.query_params)
        filters = form.filters()
        rows = selectors.region_table(filters, infos=[])
        return Response(
            {
                "funnel": [{"code": s.code, "label": s.label, "count": s.count} for s in selectors.funnel(filters)],
                "licences_expiring": [
                    {"region": lic.region.slug, "valid_until": lic.valid_until.isoformat(), "days_left": days,
                     "modules": lic.modules}
                    for lic, days in selectors.expiring_licences(filters)
                ],
                "modules": dict(selectors.module_adoption(rows)),
            }
        )  # fmt: skip


class RunListCreateApi(APIView):
    """GET: the latest collection runs. POST {"day"?, "regions"?: [slug]}: collect now (202)."""

    permission_classes = [IsOperator]

    class Input(serializers.Serializer):
        day = serializers.DateField(required=False)
        regions = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=600)

    @extend_schema(responses=RunOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(RunOutput(selectors.collection_run_list(limit=20), many=True).data)

    @extend_schema(request=Input, responses={202: RunOutput}, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        run = collection_run_start(
            day=data.validated_data.get("day"),
            slugs=data.validated_data.get("regions") or None,
            trigger=CollectionRun.Trigger.API,
            actor=actor_for(request.user),
        )
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=RunOutput, tags=TAGS)
    def get(self, request: Request, run_id: str) -> Response:
        return Response(RunOutput(selectors.collection_run_get(run_id=run_id)).data)


class PlatformExportListCreateApi(APIView):
    """GET: platform PDF reports. POST (filters as in the query string): render one (202; poll the detail)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=ExportOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        return Response(ExportOutput(selectors.report_export_list(region=None), many=True).data)

    @extend_schema(request=dict, responses={202: ExportOutput}, tags=TAGS)
    def post(self, request: Request) -> Response:
        filters = _form(request.data).filters()
        export = report_export_request(period=filters.period, filters=filters.as_dict(), actor=actor_for(request.user))
        return Response(ExportOutput(export).data, status=status.HTTP_202_ACCEPTED)


class PlatformExportDetailApi(APIView):
    """A PDF report of the platform or of any region (operators see every region's)."""

    permission_classes = [IsOperator]

    @extend_schema(responses=ExportOutput, tags=TAGS)
    def get(self, request: Request, export_id: str) -> Response:
        return Response(
            ExportOutput(selectors.report_export_get(export_id=export_id, region=None, any_scope=True)).data
        )


class PlatformExportDownloadApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses={(200, "application/pdf"): bytes}, tags=TAGS)
    def get(self, request: Request, export_id: str) -> FileResponse:
        return _file(selectors.report_export_get(export_id=export_id, region=None, any_scope=True))


# --- a region's own (its subdomain) -------------------------------------------------------------------------


class RegionApi(APIView):
    permission_classes = [HasRegionPermission]
    required_action = Action.REPORTS_VIEW


class RegionSummaryApi(RegionApi):
    """The region's metrics over the period with the platform median (null when too few regions)."""

    @extend_schema(parameters=FILTER_PARAMETERS[:3], responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        form = _form(request.query_params, region_scope=True)
        region = selectors.region_of_request(request)
        period = form.period_value()
        infos = list(metric_catalogue().values())
        summary = selectors.region_summary(region, period, infos)
        medians = selectors.platform_medians(period, infos, preset=form.preset())
        return Response(
            {"region": region.slug, "period": _period(form),
             "metrics": [{**MetricOutput(i).data, "value": summary[i.code], "platform_median": medians[i.code]}
                         for i in infos]}
        )  # fmt: skip


class RegionDailyApi(RegionApi):
    """The region's value of each metric per day."""

    @extend_schema(parameters=FILTER_PARAMETERS[:3], responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        form = _form(request.query_params, region_scope=True)
        region = selectors.region_of_request(request)
        period = form.period_value()
        infos = list(metric_catalogue().values())
        daily = selectors.region_daily(region, period, infos)
        return Response(
            {"region": region.slug, "period": _period(form),
             "days": [{"day": day.isoformat(), "values": {i.code: daily[i.code].get(day) for i in infos}}
                      for day in period.dates()]}
        )  # fmt: skip


class RegionUnitsApi(RegionApi):
    """The region's figures per OPD over the period."""

    @extend_schema(parameters=FILTER_PARAMETERS[:3], responses=dict, tags=TAGS)
    def get(self, request: Request) -> Response:
        form = _form(request.query_params, region_scope=True)
        region = selectors.region_of_request(request)
        infos, units = selectors.region_units(region, form.period_value())
        return Response(
            {"region": region.slug, "period": _period(form), "metrics": _metrics(infos),
             "units": [{"code": u.code, "name": u.name, "values": u.values} for u in units]}
        )  # fmt: skip


class RegionExportListCreateApi(RegionApi):
    @extend_schema(responses=ExportOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        region = selectors.region_of_request(request)
        return Response(ExportOutput(selectors.report_export_list(region=region), many=True).data)

    @extend_schema(request=dict, responses={202: ExportOutput}, tags=TAGS)
    def post(self, request: Request) -> Response:
        form = _form(request.data, region_scope=True)
        export = report_export_request(
            period=form.period_value(), region=selectors.region_of_request(request), actor=actor_for(request.user)
        )
        return Response(ExportOutput(export).data, status=status.HTTP_202_ACCEPTED)


class RegionExportDetailApi(RegionApi):
    @extend_schema(responses=ExportOutput, tags=TAGS)
    def get(self, request: Request, export_id: str) -> Response:
        region = selectors.region_of_request(request)
        return Response(ExportOutput(selectors.report_export_get(export_id=export_id, region=region)).data)


class RegionExportDownloadApi(RegionApi):
    @extend_schema(responses={(200, "application/pdf"): bytes}, tags=TAGS)
    def get(self, request: Request, export_id: str) -> FileResponse:
        region = selectors.region_of_request(request)
        return _file(selectors.report_export_get(export_id=export_id, region=region))
