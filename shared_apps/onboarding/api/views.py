"""Operators' API for agreements: /api/v1/agreements/… on the root domain (token or session auth).

One view per operation; each validates its input, calls one service and serialises the result. Errors come
out as {"error": {"code", "message", "fields"}} through mitra.api.exception_handler.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mitra.errors import DomainError, NotFoundError
from shared_apps.audit.services import actor_for
from shared_apps.console.roles import IsOperator
from shared_apps.onboarding.models import Agreement
from shared_apps.onboarding.selectors import agreement_get, agreement_history, agreement_list
from shared_apps.onboarding.services import (
    agreement_activate,
    agreement_attach_scan,
    agreement_create,
    agreement_next_statuses,
    agreement_sign,
    agreement_terminate,
    agreement_update,
)
from shared_apps.onboarding.validation import MAX_PARTIES, MAX_SIGNATORIES
from shared_apps.onboarding.views import scan_response
from tenants.models import Region
from tenants.selectors import RegionNotFoundError, region_get

TAGS = ["agreements"]
# Every view's nested serializer is called Input (STYLE.md); component_name keeps them apart in OpenAPI.
MAX_ID = 2**63 - 1


class PartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=100)


class SignatorySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    position = serializers.CharField(max_length=200)
    party = serializers.CharField(max_length=200)


class AgreementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField(source="region.slug")
    region_name = serializers.CharField(source="region.official_name")
    kind = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    number = serializers.CharField()
    title = serializers.CharField()
    parties = PartySerializer(many=True)
    signatories = SignatorySerializer(many=True)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    modules = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    has_scan = serializers.BooleanField()
    scan_sha256 = serializers.CharField()
    signed_by = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    activated_by = serializers.CharField()
    activated_at = serializers.DateTimeField(allow_null=True)
    expired_at = serializers.DateTimeField(allow_null=True)
    terminated_by = serializers.CharField()
    terminated_at = serializers.DateTimeField(allow_null=True)
    termination_reason = serializers.CharField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    allowed_transitions = serializers.SerializerMethodField()

    def get_allowed_transitions(self, agreement: Agreement) -> list[str]:
        return sorted(agreement_next_statuses(agreement))


class HistoryOutput(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField()
    action = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class AgreementDetailOutput(AgreementOutput):
    history = serializers.SerializerMethodField()

    @extend_schema_field(HistoryOutput(many=True))
    def get_history(self, agreement: Agreement) -> Any:
        return HistoryOutput(agreement_history(agreement=agreement), many=True).data


def _region(slug: str) -> Region:
    try:
        return region_get(slug=slug)
    except RegionNotFoundError:
        message = _("Wilayah '%(slug)s' tidak ditemukan.") % {"slug": slug}
        raise DomainError("unknown_region", message, fields={"region": [message]}) from None


def _parent(agreement_id: int | None) -> Agreement | None:
    if agreement_id is None:
        return None
    try:
        return agreement_get(agreement_id=agreement_id)
    except NotFoundError:
        message = _("MoU induk tidak ditemukan.")
        raise DomainError("invalid_parent", message, fields={"parent": [message]}) from None


def _detail(agreement: Agreement, status: int = 200) -> Response:
    return Response(AgreementDetailOutput(agreement).data, status=status)


class AgreementListCreateApi(APIView):
    permission_classes = [IsOperator]
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="AgreementListFilter")
    class FilterInput(serializers.Serializer):
        region = serializers.CharField(required=False, max_length=40)
        status = serializers.ChoiceField(required=False, choices=Agreement.Status.choices)
        kind = serializers.ChoiceField(required=False, choices=Agreement.Kind.choices)

    @extend_schema_serializer(component_name="AgreementCreateInput")
    class Input(serializers.Serializer):
        region = serializers.CharField(max_length=40)
        kind = serializers.ChoiceField(choices=Agreement.Kind.choices)
        parent = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
        number = serializers.CharField(max_length=100)
        title = serializers.CharField(max_length=255)
        parties = serializers.ListField(child=PartySerializer(), max_length=MAX_PARTIES)
        signatories = serializers.ListField(
            child=SignatorySerializer(), max_length=MAX_SIGNATORIES, required=False, default=list
        )
        valid_from = serializers.DateField()
        valid_until = serializers.DateField()
        modules = serializers.ListField(child=serializers.CharField(max_length=32), max_length=50)

    @extend_schema(
        parameters=[FilterInput],
        responses=AgreementOutput(many=True),
        tags=TAGS,
        summary="Daftar kerja sama (MoU/PKS)",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = agreement_list()
        if filters.validated_data.get("region"):
            qs = qs.filter(region__slug=filters.validated_data["region"])
        if filters.validated_data.get("status"):
            qs = qs.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("kind"):
            qs = qs.filter(kind=filters.validated_data["kind"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AgreementOutput(page, many=True).data)

    @extend_schema(request=Input, responses={201: AgreementDetailOutput}, tags=TAGS, summary="Catat kerja sama (draf)")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        agreement = agreement_create(
            region=_region(values.pop("region")),
            parent=_parent(values.pop("parent", None)),
            actor=actor_for(request.user),
            **values,
        )
        return _detail(agreement, status=201)


class AgreementDetailApi(APIView):
    permission_classes = [IsOperator]
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="AgreementUpdateInput")
    class Input(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Agreement.Kind.choices, required=False)
        parent = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
        number = serializers.CharField(max_length=100, required=False)
        title = serializers.CharField(max_length=255, required=False)
        parties = serializers.ListField(child=PartySerializer(), max_length=MAX_PARTIES, required=False)
        signatories = serializers.ListField(child=SignatorySerializer(), max_length=MAX_SIGNATORIES, required=False)
        valid_from = serializers.DateField(required=False)
        valid_until = serializers.DateField(required=False)
        modules = serializers.ListField(child=serializers.CharField(max_length=32), max_length=50, required=False)

    @extend_schema(responses=AgreementDetailOutput, tags=TAGS, summary="Rincian kerja sama dan riwayatnya")
    def get(self, request: Request, agreement_id: str) -> Response:
        return _detail(agreement_get(agreement_id=agreement_id))

    @extend_schema(request=Input, responses=AgreementDetailOutput, tags=TAGS, summary="Ubah kerja sama (hanya draf)")
    def patch(self, request: Request, agreement_id: str) -> Response:
        agreement = agreement_get(agreement_id=agreement_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "parent" in changes:
            changes["parent"] = _parent(changes["parent"])
        agreement = agreement_update(agreement=agreement, actor=actor_for(request.user), **changes)
        return _detail(agreement)


class AgreementSignApi(APIView):
    permission_classes = [IsOperator]
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="AgreementSignInput")
    class Input(serializers.Serializer):
        signed_on = serializers.DateField(required=False, allow_null=True)

    @extend_schema(request=Input, responses=AgreementDetailOutput, tags=TAGS, summary="Catat penandatanganan")
    def post(self, request: Request, agreement_id: str) -> Response:
        agreement = agreement_get(agreement_id=agreement_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = agreement_sign(
            agreement=agreement, actor=actor_for(request.user), signed_on=data.validated_data.get("signed_on")
        )
        return _detail(agreement)


class AgreementActivateApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(request=None, responses=AgreementDetailOutput, tags=TAGS, summary="Nyatakan kerja sama berlaku")
    def post(self, request: Request, agreement_id: str) -> Response:
        agreement = agreement_get(agreement_id=agreement_id)
        return _detail(agreement_activate(agreement=agreement, actor=actor_for(request.user)))


class AgreementTerminateApi(APIView):
    permission_classes = [IsOperator]
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="AgreementTerminateInput")
    class Input(serializers.Serializer):
        # Left optional here so that a missing reason gets the service's stable code, reason_required.
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    @extend_schema(request=Input, responses=AgreementDetailOutput, tags=TAGS, summary="Akhiri kerja sama")
    def post(self, request: Request, agreement_id: str) -> Response:
        agreement = agreement_get(agreement_id=agreement_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = agreement_terminate(
            agreement=agreement, actor=actor_for(request.user), reason=data.validated_data["reason"]
        )
        return _detail(agreement)


class AgreementScanApi(APIView):
    """GET downloads the scanned PDF (attachment); POST uploads it (multipart, field `scan`)."""

    permission_classes = [IsOperator]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="AgreementScanInput")
    class Input(serializers.Serializer):
        scan = serializers.FileField(allow_empty_file=True)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, tags=TAGS, summary="Unduh pindaian")
    def get(self, request: Request, agreement_id: str) -> FileResponse:
        return scan_response(agreement_get(agreement_id=agreement_id))

    @extend_schema(
        request={"multipart/form-data": Input},
        responses=AgreementDetailOutput,
        tags=TAGS,
        summary="Unggah pindaian PDF (maks. 10 MB)",
    )
    def post(self, request: Request, agreement_id: str) -> Response:
        agreement = agreement_get(agreement_id=agreement_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = agreement_attach_scan(
            agreement=agreement, scan=data.validated_data["scan"], actor=actor_for(request.user)
        )
        return _detail(agreement)
