"""The e-Office API of a region (/api/v1/eoffice/…). One view per path; each sets module_code and uses
ModuleLicensed, so the licence rule holds even if a view moves away from the gated prefix."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mitra.errors import ForbiddenError
from tenant_apps.eoffice import selectors
from tenant_apps.eoffice.models import IncomingLetter, Nature, Urgency
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.eoffice.validation import ATTACHMENT_MAX_COUNT
from tenant_apps.eoffice.views import attachment_response
from tenant_apps.org.models import Position
from tenant_apps.org.permissions import Action, can
from tenant_apps.registry import get_module
from tenants.gate import ModuleLicensed

TAGS = ["eoffice"]
_MAX_ID = 2**63 - 1


class ModuleStatusApi(APIView):
    # The gate middleware already guards /api/v1/eoffice/; the permission keeps the rule if the view moves.
    permission_classes = [IsAuthenticated, ModuleLicensed]
    module_code = "eoffice"

    @extend_schema(
        responses=inline_serializer(
            "EofficeStatus", {"module": serializers.CharField(), "version": serializers.CharField()}
        )
    )
    def get(self, request: Request) -> Response:
        spec = get_module(self.module_code)
        return Response({"module": spec.code, "version": spec.version})


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj: Any) -> str:
        return reverse("eoffice-api-incoming-attachment", args=[obj.letter_id, obj.pk])


class IncomingLetterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    agenda_number = serializers.CharField(source="agenda.number")
    agenda_year = serializers.IntegerField()
    sender = serializers.CharField()
    letter_number = serializers.CharField()
    letter_date = serializers.DateField()
    received_date = serializers.DateField()
    subject = serializers.CharField()
    nature = serializers.CharField()
    urgency = serializers.CharField()
    status = serializers.CharField()
    addressed_to = serializers.IntegerField(source="addressed_to_id")
    addressed_to_code = serializers.CharField(source="addressed_to.code")
    registered_at = serializers.DateTimeField()


class IncomingLetterDetailOutput(IncomingLetterOutput):
    attachments = AttachmentOutput(many=True, source="attachments.all")


class _Eoffice(APIView):
    permission_classes = [IsAuthenticated, ModuleLicensed]
    module_code = "eoffice"


class IncomingLetterListRegisterApi(_Eoffice):
    """GET: the caller's inbox (or, for records officers and admins, `?scope=agenda`: every letter).
    POST: register an incoming letter (multipart with repeated `attachments`, or JSON without files)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema_serializer(component_name="IncomingLetterListFilter")
    class FilterInput(serializers.Serializer):
        scope = serializers.ChoiceField(choices=["inbox", "agenda"], required=False, default="inbox")

    class Input(serializers.Serializer):
        sender = serializers.CharField(max_length=255)
        letter_number = serializers.CharField(max_length=100)
        letter_date = serializers.DateField()
        received_date = serializers.DateField()
        subject = serializers.CharField(max_length=500)
        nature = serializers.ChoiceField(choices=Nature.choices, required=False, default=Nature.ORDINARY)
        urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.ORDINARY)
        addressed_to = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
        attachments = serializers.ListField(
            child=serializers.FileField(allow_empty_file=True),
            required=False,
            default=list,
            max_length=ATTACHMENT_MAX_COUNT,
        )

    @extend_schema(parameters=[FilterInput], responses=IncomingLetterOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if filters.validated_data["scope"] == "agenda":
            if not can(request.user, Action.EOFFICE_INCOMING_REGISTER):
                raise ForbiddenError("permission_denied", _("Peran akun Anda tidak mengizinkan tindakan ini."))
            qs = selectors.incoming_agenda()
        else:
            qs = selectors.incoming_inbox(user=request.user)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(IncomingLetterOutput(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": Input, "application/json": Input},
        responses={201: IncomingLetterDetailOutput},
        tags=TAGS,
        summary="Catat surat masuk",
    )
    def post(self, request: Request) -> Response:
        if not can(request.user, Action.EOFFICE_INCOMING_REGISTER):
            # Before parsing, so that a caller without the role learns nothing from validation messages.
            raise ForbiddenError("permission_denied", _("Hanya pencatat surat atau admin wilayah yang dapat mencatat."))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        position = Position.objects.filter(pk=values.pop("addressed_to")).first()
        if position is None:
            raise ValidationError(
                {"addressed_to": ValidationError(_("Jabatan tidak ditemukan."), code="position_not_found")}
            )
        letter = incoming_letter_register(user=request.user, addressed_to=position, **values)
        return Response(IncomingLetterDetailOutput(_reload(request, letter)).data, status=201)


def _reload(request: Request, letter: IncomingLetter) -> IncomingLetter:
    return selectors.incoming_get_for(user=request.user, letter_id=letter.pk)


class IncomingLetterDetailApi(_Eoffice):
    @extend_schema(responses=IncomingLetterDetailOutput, tags=TAGS, summary="Rincian surat masuk")
    def get(self, request: Request, letter_id: str) -> Response:
        return Response(
            IncomingLetterDetailOutput(selectors.incoming_get_for(user=request.user, letter_id=letter_id)).data
        )


class IncomingAttachmentApi(_Eoffice):
    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, tags=TAGS, summary="Unduh lampiran"
    )
    def get(self, request: Request, letter_id: str, attachment_id: str) -> FileResponse:
        attachment = selectors.attachment_get_for(user=request.user, letter_id=letter_id, attachment_id=attachment_id)
        return attachment_response(attachment)
