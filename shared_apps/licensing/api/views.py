"""The operators' licence API (/api/v1/licences/ on the root domain): one view per operation. Reads need the
viewer role, writes the operator role (IsOperator)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mitra.errors import DomainError
from shared_apps.audit.services import actor_for
from shared_apps.console.roles import IsOperator
from shared_apps.licensing import services
from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import (
    days_left,
    licence_get,
    licence_history,
    licence_list,
    licences_expiring,
)
from tenants.models import Region
from tenants.selectors import RegionNotFoundError, region_get

MAX_MODULES = 50  # far more than exist; bounds the input


class LicenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField(source="region.slug")
    region_name = serializers.CharField(source="region.official_name")
    modules = serializers.ListField(child=serializers.CharField())
    seat_limit = serializers.IntegerField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    status = serializers.CharField()
    reason = serializers.CharField()
    previous = serializers.IntegerField(source="previous_id", allow_null=True)
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    days_left = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField())
    def get_days_left(self, licence: Licence) -> int:
        return days_left(licence)


class LicenceDetailOutput(LicenceOutput):
    history = serializers.SerializerMethodField()

    @extend_schema_field(LicenceOutput(many=True))
    def get_history(self, licence: Licence) -> list[dict[str, Any]]:
        return LicenceOutput(licence_history(licence=licence), many=True).data


def _region(slug: str) -> Region:
    try:
        return region_get(slug=slug)
    except RegionNotFoundError:
        message = _("Wilayah '%(slug)s' tidak ditemukan.") % {"slug": slug}
        raise DomainError("region_not_found", message, fields={"region": [message]}) from None


def _ok(licence: Licence, http_status: int = status.HTTP_200_OK) -> Response:
    return Response(LicenceDetailOutput(licence).data, status=http_status)


class LicenceListApi(ListAPIView):
    permission_classes = [IsOperator]
    serializer_class = LicenceOutput

    class Filter(serializers.Serializer):
        region = serializers.CharField(required=False, max_length=40)
        status = serializers.ChoiceField(required=False, choices=Licence.Status.choices)
        expiring_within = serializers.IntegerField(required=False, min_value=0, max_value=3650)

    @extend_schema(parameters=[Filter], tags=["licences"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        filters = self.Filter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return licence_list(
            region_slug=data.get("region"), status=data.get("status"), expiring_within=data.get("expiring_within")
        )


class LicenceExpiringApi(APIView):
    permission_classes = [IsOperator]

    class Filter(serializers.Serializer):
        within_days = serializers.IntegerField(required=False, min_value=0, max_value=3650, default=30)

    @extend_schema(
        parameters=[OpenApiParameter("within_days", int)], responses=LicenceOutput(many=True), tags=["licences"]
    )
    def get(self, request: Request) -> Response:
        filters = self.Filter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = licences_expiring(within_days=filters.validated_data["within_days"])
        return Response(LicenceOutput(rows, many=True).data)


class LicenceDetailApi(APIView):
    permission_classes = [IsOperator]

    @extend_schema(responses=LicenceDetailOutput, tags=["licences"])
    def get(self, request: Request, pk: int) -> Response:
        return _ok(licence_get(licence_id=pk))


class LicenceIssueApi(APIView):
    permission_classes = [IsOperator]

    class Input(serializers.Serializer):
        region = serializers.CharField(max_length=40)
        modules = serializers.ListField(child=serializers.CharField(max_length=32), max_length=MAX_MODULES)
        seat_limit = serializers.IntegerField()
        valid_from = serializers.DateField()
        valid_until = serializers.DateField()

    @extend_schema(request=Input, responses={201: LicenceDetailOutput}, tags=["licences"])
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        licence = services.licence_issue(
            region=_region(d["region"]),
            modules=d["modules"],
            seat_limit=d["seat_limit"],
            valid_from=d["valid_from"],
            valid_until=d["valid_until"],
            actor=actor_for(request.user),
        )
        return _ok(licence, status.HTTP_201_CREATED)


class LicenceRenewApi(APIView):
    permission_classes = [IsOperator]

    class Input(serializers.Serializer):
        valid_until = serializers.DateField()
        seat_limit = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=Input, responses={201: LicenceDetailOutput}, tags=["licences"])
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_renew(
            licence=licence_get(licence_id=pk),
            valid_until=data.validated_data["valid_until"],
            seat_limit=data.validated_data.get("seat_limit"),
            actor=actor_for(request.user),
        )
        return _ok(licence, status.HTTP_201_CREATED)


class LicenceExtendApi(APIView):
    permission_classes = [IsOperator]

    class Input(serializers.Serializer):
        valid_until = serializers.DateField()

    @extend_schema(request=Input, responses=LicenceDetailOutput, tags=["licences"])
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_extend(
            licence=licence_get(licence_id=pk),
            valid_until=data.validated_data["valid_until"],
            actor=actor_for(request.user),
        )
        return _ok(licence)


class LicenceModulesApi(APIView):
    permission_classes = [IsOperator]

    class Input(serializers.Serializer):
        add = serializers.ListField(
            child=serializers.CharField(max_length=32), max_length=MAX_MODULES, required=False, default=list
        )
        remove = serializers.ListField(
            child=serializers.CharField(max_length=32), max_length=MAX_MODULES, required=False, default=list
        )

    @extend_schema(request=Input, responses=LicenceDetailOutput, tags=["licences"])
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_modules_change(
            licence=licence_get(licence_id=pk),
            add=data.validated_data["add"],
            remove=data.validated_data["remove"],
            actor=actor_for(request.user),
        )
        return _ok(licence)


class LicenceRevokeApi(APIView):
    permission_classes = [IsOperator]

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=Input, responses=LicenceDetailOutput, tags=["licences"])
    def post(self, request: Request, pk: int) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        licence = services.licence_revoke(
            licence=licence_get(licence_id=pk), reason=data.validated_data["reason"], actor=actor_for(request.user)
        )
        return _ok(licence)
