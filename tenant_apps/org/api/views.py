"""The organisation API of a region (/api/v1/org/): reads for other systems and modules. One view per
operation; permissions come from the region's permission table (tenant_apps.org.permissions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.org import selectors
from tenant_apps.org.permissions import Action, HasRegionPermission


class Filter(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, allow_blank=True)


class UnitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)


class PositionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    superior = serializers.CharField(source="superior.code", allow_null=True, default=None)


class EmployeeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    name = serializers.CharField()
    rank = serializers.CharField()
    position = serializers.CharField(source="position.code", allow_null=True, default=None)
    email = serializers.CharField()
    active = serializers.BooleanField()


class _FilteredList(ListAPIView):
    permission_classes = [HasRegionPermission]
    required_action = Action.ORG_VIEW

    def filters(self) -> dict[str, Any]:
        data = Filter(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        return data.validated_data


class UnitListApi(_FilteredList):
    serializer_class = UnitOutput

    @extend_schema(parameters=[Filter], tags=["org"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.unit_list(q=self.filters().get("q", ""))


class PositionListApi(_FilteredList):
    serializer_class = PositionOutput

    @extend_schema(parameters=[Filter], tags=["org"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.position_list(q=self.filters().get("q", ""))


class EmployeeListApi(_FilteredList):
    serializer_class = EmployeeOutput
    required_action = Action.ORG_MANAGE  # NIP and e-mail are personal data

    @extend_schema(parameters=[Filter], tags=["org"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.employee_list(q=self.filters().get("q", ""))


class PositionOfficialApi(APIView):
    """Who acts for a position today: the Plh., else the Plt., else the definitive holder (null if vacant)."""

    permission_classes = [HasRegionPermission]
    required_action = Action.ORG_VIEW

    class Output(serializers.Serializer):
        class Official(serializers.Serializer):
            name = serializers.CharField(source="employee.name")
            basis = serializers.CharField()
            prefix = serializers.CharField()

        position = PositionOutput()
        on = serializers.DateField()
        official = Official(allow_null=True)

    @extend_schema(responses=Output, tags=["org"])
    def get(self, request: Request, pk: int) -> Response:
        position = selectors.position_get(position_id=pk)
        on = selectors.org_today()
        official = selectors.position_official(position=position, on=on)
        return Response(self.Output({"position": position, "on": on, "official": official}).data)
