from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from shared_apps.console.roles import IsOperator
from shared_apps.modules.selectors import catalogue_list


class ModuleOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    version = serializers.CharField()
    depends_on = serializers.ListField(child=serializers.CharField())
    available = serializers.BooleanField()


@extend_schema(tags=["modules"])
class ModuleListApi(ListAPIView):
    permission_classes = [IsOperator]
    serializer_class = ModuleOutput
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return catalogue_list()
