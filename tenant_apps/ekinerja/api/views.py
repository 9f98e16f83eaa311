"""The module's API root: tells a client the module is licensed and reachable for this account."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.registry import get_module
from tenants.gate import ModuleLicensed


class ModuleStatusApi(APIView):
    # The gate middleware already guards /api/v1/ekinerja/; the permission keeps the rule if the view moves.
    permission_classes = [IsAuthenticated, ModuleLicensed]
    module_code = "ekinerja"

    @extend_schema(
        responses=inline_serializer(
            "EkinerjaStatus", {"module": serializers.CharField(), "version": serializers.CharField()}
        )
    )
    def get(self, request: Request) -> Response:
        spec = get_module(self.module_code)
        return Response({"module": spec.code, "version": spec.version})
