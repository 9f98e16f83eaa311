"""Operators' API for regions: /api/v1/regions/… on the root domain (token or session auth).

One view per operation; each validates its input, calls one service and serialises the result. Reads need
the viewer role, writes the operator role, termination the admin role. Errors come out as
{"error": {"code", "message", "fields"}} through mitra.api.exception_handler.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_apps.audit.services import actor_for
from shared_apps.console.roles import IsOperator, OperatorRole
from shared_apps.console.selectors import region_overview
from tenants.export import region_export_request
from tenants.models import TIMEZONES, ProvisioningJob, Region, RegionExport
from tenants.selectors import (
    provisioning_job_current,
    provisioning_job_get,
    region_base_url,
    region_export_get,
    region_export_list,
    region_get,
)
from tenants.services import (
    STEP_LABELS,
    provisioning_setup_link_reveal,
    region_provision_request,
    region_register,
    region_resume,
    region_suspend,
    region_terminate_request,
)

TAGS = ["regions"]


class JobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField(source="region.slug")
    status = serializers.CharField()
    step = serializers.CharField()
    step_label = serializers.SerializerMethodField()
    steps_done = serializers.IntegerField()
    steps_total = serializers.IntegerField()
    progress = serializers.IntegerField()
    method = serializers.CharField()
    error = serializers.CharField()
    requested_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    setup_link_ready = serializers.BooleanField(source="setup_link_available")
    setup_link_expires_at = serializers.DateTimeField(allow_null=True)
    setup_link_shown_at = serializers.DateTimeField(allow_null=True)

    def get_step_label(self, job: ProvisioningJob) -> str:
        return str(STEP_LABELS.get(job.step, ""))


class RegionExportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    terminate_after = serializers.BooleanField()
    error = serializers.CharField()
    finished_at = serializers.DateTimeField(allow_null=True)
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    size_bytes = serializers.IntegerField()
    file_count = serializers.IntegerField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()


class RegionOutput(serializers.Serializer):
    slug = serializers.CharField()
    official_name = serializers.CharField()
    kind = serializers.CharField()
    region_code = serializers.CharField()
    province_code = serializers.CharField()
    timezone = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField()
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    terminated_at = serializers.DateTimeField(allow_null=True)
    schema_dropped_at = serializers.DateTimeField(allow_null=True)

    def get_url(self, region: Region) -> str:
        return region_base_url(region) + "/"


class RegionListItemOutput(RegionOutput):
    has_signed_agreement = serializers.BooleanField()
    has_current_licence = serializers.BooleanField()


class RegionDetailOutput(RegionOutput):
    current_job = serializers.SerializerMethodField()
    exports = serializers.SerializerMethodField()

    @extend_schema_field(JobOutput(allow_null=True))
    def get_current_job(self, region: Region) -> Any:
        job = provisioning_job_current(region=region)
        return JobOutput(job).data if job else None

    @extend_schema_field(RegionExportOutput(many=True))
    def get_exports(self, region: Region) -> Any:
        return RegionExportOutput(region_export_list(region=region)[:10], many=True).data


def _detail(region: Region, http_status: int = 200) -> Response:
    return Response(RegionDetailOutput(region).data, status=http_status)


class RegionListCreateApi(APIView):
    permission_classes = [IsOperator]
    parser_classes = [JSONParser]

    class FilterInput(serializers.Serializer):
        status = serializers.ChoiceField(required=False, choices=Region.Status.choices)

    class Input(serializers.Serializer):
        slug = serializers.CharField(max_length=40)
        region_code = serializers.CharField(max_length=8)
        official_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
        timezone = serializers.ChoiceField(choices=TIMEZONES, required=False, allow_blank=True)

    @extend_schema(parameters=[FilterInput], responses=RegionListItemOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = region_overview(status=filters.validated_data.get("status"))
        data = []
        for row in rows:
            item = dict(RegionOutput(row.region).data)
            item.update(has_signed_agreement=row.signed, has_current_licence=row.licensed)
            data.append(item)
        return Response(data)

    @extend_schema(request=Input, responses={201: RegionDetailOutput}, tags=TAGS)
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        region = region_register(
            slug=values["slug"],
            region_code=values["region_code"],
            official_name=values.get("official_name") or None,
            timezone=values.get("timezone") or None,
            actor=actor_for(request.user),
        )
        return _detail(region, status.HTTP_201_CREATED)


class RegionDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=RegionDetailOutput, tags=TAGS)
    def get(self, request: Request, slug: str) -> Response:
        return _detail(region_get(slug=slug))


class RegionProvisionApi(APIView):
    """Queue provisioning; answers 202 with the job to poll."""

    permission_classes = [IsOperator]

    @extend_schema(request=None, responses={202: JobOutput}, tags=TAGS)
    def post(self, request: Request, slug: str) -> Response:
        job = region_provision_request(region=region_get(slug=slug), actor=actor_for(request.user))
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class ProvisioningJobApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=JobOutput, tags=TAGS)
    def get(self, request: Request, slug: str, job_id: str) -> Response:
        job = provisioning_job_get(region=region_get(slug=slug), job_id=job_id)
        return Response(JobOutput(job).data)


class SetupLinkApi(APIView):
    """Hand out the first admin's one-time setup link: the first successful call gets it, later ones 410."""

    permission_classes = [IsOperator]

    class Output(serializers.Serializer):
        setup_link = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(request=None, responses={200: Output}, tags=TAGS)
    def post(self, request: Request, slug: str, job_id: str) -> Response:
        job = provisioning_job_get(region=region_get(slug=slug), job_id=job_id)
        link, expires_at = provisioning_setup_link_reveal(job=job, actor=actor_for(request.user))
        response = Response(self.Output({"setup_link": link, "expires_at": expires_at}).data)
        response["Cache-Control"] = "no-store"
        return response


class RegionSuspendApi(APIView):
    permission_classes = [IsOperator]
    parser_classes = [JSONParser]

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(request=Input, responses=RegionDetailOutput, tags=TAGS)
    def post(self, request: Request, slug: str) -> Response:
        region = region_get(slug=slug)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        region = region_suspend(region=region, actor=actor_for(request.user), reason=data.validated_data["reason"])
        return _detail(region)


class RegionResumeApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=RegionDetailOutput, tags=TAGS)
    def post(self, request: Request, slug: str) -> Response:
        return _detail(region_resume(region=region_get(slug=slug), actor=actor_for(request.user)))


class RegionTerminateApi(APIView):
    """Export, then terminate (admin only). The schema is dropped after the grace period."""

    permission_classes = [IsOperator]
    write_role = OperatorRole.ADMIN
    parser_classes = [JSONParser]

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)

    @extend_schema(request=Input, responses={200: RegionDetailOutput, 202: RegionExportOutput}, tags=TAGS)
    def post(self, request: Request, slug: str) -> Response:
        """202 with the export job when the region has data to export (it is terminated once the archive is
        stored); 200 with the region when there is nothing to export and it is terminated at once."""
        region = region_get(slug=slug)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data.get("reason", "")
        region, export = region_terminate_request(region=region, actor=actor_for(request.user), reason=reason)
        if export is not None:
            return Response(RegionExportOutput(export).data, status=status.HTTP_202_ACCEPTED)
        return _detail(region)


class RegionExportApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses={202: RegionExportOutput}, tags=TAGS)
    def post(self, request: Request, slug: str) -> Response:
        """Queue an export job; follow it at exports/<id>/."""
        export: RegionExport = region_export_request(region=region_get(slug=slug), actor=actor_for(request.user))
        return Response(RegionExportOutput(export).data, status=status.HTTP_202_ACCEPTED)


class RegionExportDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=RegionExportOutput, tags=TAGS)
    def get(self, request: Request, slug: str, export_id: str) -> Response:
        return Response(RegionExportOutput(region_export_get(region=region_get(slug=slug), export_id=export_id)).data)
