"""API for the lists a region keeps itself: disposition instructions and the register of issued numbers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.eoffice.admin_selectors import (
    instruction_all,
    instruction_get,
    issued_number_get,
    issued_number_list,
)
from tenant_apps.eoffice.admin_services import (
    LABEL_MAX,
    NOTE_MAX,
    instruction_create,
    instruction_update,
    letter_number_cancel_by,
    letter_number_reserve,
)
from tenant_apps.eoffice.models import SequenceKind
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, HasRegionPermission
from tenants.gate import ModuleLicensed

TAGS = ["eoffice"]


class _Admin(APIView):
    permission_classes = [IsAuthenticated, ModuleLicensed, HasRegionPermission]
    module_code = "eoffice"


class InstructionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    label = serializers.CharField()
    order = serializers.IntegerField()
    active = serializers.BooleanField()


class InstructionListCreateApi(_Admin):
    """GET: every instruction, retired ones included. POST: add one (region admin)."""

    required_action = Action.EOFFICE_SETTINGS

    class Input(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        label = serializers.CharField(max_length=LABEL_MAX)
        order = serializers.IntegerField(min_value=0, max_value=32767, required=False, default=0)

    @extend_schema(responses=InstructionOutput(many=True), tags=TAGS, summary="Semua instruksi disposisi")
    def get(self, request: Request) -> Response:
        return Response(InstructionOutput(instruction_all(), many=True).data)

    @extend_schema(request=Input, responses={201: InstructionOutput}, tags=TAGS, summary="Tambah instruksi")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        instruction = instruction_create(user=request.user, **data.validated_data)
        return Response(InstructionOutput(instruction).data, status=201)


class InstructionDetailApi(_Admin):
    """PUT: rename, reorder, retire (active=false) or bring back an instruction."""

    required_action = Action.EOFFICE_SETTINGS

    class Input(serializers.Serializer):
        label = serializers.CharField(max_length=LABEL_MAX)
        order = serializers.IntegerField(min_value=0, max_value=32767)
        active = serializers.BooleanField()

    @extend_schema(request=Input, responses=InstructionOutput, tags=TAGS, summary="Ubah instruksi")
    def put(self, request: Request, instruction_id: str) -> Response:
        instruction = instruction_get(instruction_id=instruction_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        updated = instruction_update(user=request.user, instruction=instruction, **data.validated_data)
        return Response(InstructionOutput(updated).data)


class IssuedNumberOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    year = serializers.IntegerField()
    value = serializers.IntegerField()
    classification_code = serializers.CharField()
    letter_ref = serializers.CharField()
    issued_by = serializers.CharField()
    issued_at = serializers.DateTimeField()
    cancelled = serializers.BooleanField()
    cancelled_reason = serializers.CharField()


class IssuedNumberListReserveApi(_Admin):
    """GET: the register of issued numbers (filters year, kind, unit, state). POST: reserve the unit's next
    letter number for a letter signed on paper."""

    required_action = Action.EOFFICE_NUMBERS

    @extend_schema_serializer(component_name="IssuedNumberFilter")
    class FilterInput(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
        kind = serializers.ChoiceField(choices=SequenceKind.choices, required=False, default="")
        unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
        state = serializers.ChoiceField(choices=["issued", "cancelled"], required=False, default="")

    class Input(serializers.Serializer):
        unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
        classification_code = serializers.CharField(max_length=30)
        note = serializers.CharField(max_length=NOTE_MAX)

    @extend_schema(parameters=[FilterInput], responses=IssuedNumberOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        qs = issued_number_list(
            year=values.get("year"), kind=values["kind"], unit_id=values.get("unit"), state=values["state"]
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(IssuedNumberOutput(page, many=True).data)

    @extend_schema(request=Input, responses={201: IssuedNumberOutput}, tags=TAGS, summary="Cadangkan nomor")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        issued = letter_number_reserve(user=request.user, **data.validated_data)
        return Response(IssuedNumberOutput(issued).data, status=201)


class IssuedNumberCancelApi(_Admin):
    required_action = Action.EOFFICE_NUMBERS

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=Input, responses=IssuedNumberOutput, tags=TAGS, summary="Batalkan nomor")
    def post(self, request: Request, number_id: str) -> Response:
        issued = issued_number_get(number_id=number_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        cancelled = letter_number_cancel_by(user=request.user, issued=issued, reason=data.validated_data["reason"])
        return Response(IssuedNumberOutput(cancelled).data)
