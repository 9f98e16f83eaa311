"""The e-Office archive API (/api/v1/eoffice/…): search, classification codes, dossiers, filing and disposal.
One view per path, thin: validate, call one selector or service, serialise."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from mitra.errors import ForbiddenError, NotFoundError
from tenant_apps.eoffice import archive_selectors as archive
from tenant_apps.eoffice import selectors
from tenant_apps.eoffice.archive_services import (
    archive_item_dispose,
    classification_code_create,
    classification_code_delete,
    classification_code_update,
    dossier_close,
    dossier_dispose,
    dossier_open,
    dossier_reopen,
    dossier_transfer,
    incoming_letter_file,
    outgoing_letter_file,
)
from tenant_apps.eoffice.models import Dossier, FinalDisposition, LetterType
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, HasRegionPermission, can
from tenants.gate import ModuleLicensed

TAGS = ["eoffice-arsip"]
API_PAGE_SIZE = 50
_MAX_ID = 2**63 - 1


class _Eoffice(APIView):
    permission_classes = [IsAuthenticated, ModuleLicensed]
    module_code = "eoffice"


class _Manage(_Eoffice):
    permission_classes = [IsAuthenticated, ModuleLicensed, HasRegionPermission]
    required_action = Action.EOFFICE_ARCHIVE_MANAGE


def _unit(pk: int | None, field: str = "unit") -> Unit | None:
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise ValidationError({field: ValidationError(_("Unit tidak ditemukan."), code="unit_not_found")})
    return unit


# --- search --------------------------------------------------------------------------------------------------


class SearchHitOutput(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    number = serializers.CharField()
    date = serializers.DateField(source="day")
    subject = serializers.CharField()
    party = serializers.CharField()
    letter_type = serializers.CharField()
    status = serializers.CharField()
    unit = serializers.CharField()
    classification = serializers.CharField()
    dossier = serializers.CharField()
    url = serializers.CharField(source="api_url")


class ArchiveSearchApi(_Eoffice):
    """Full-text search (every word, as a prefix) and filters over the letters the caller may see, newest
    first, paginated (`page`). `count` stops past 1,000 (then `count_capped` is true and `count` only tells
    whether a next page exists; follow `next`)."""

    @extend_schema_serializer(component_name="ArchiveSearchFilter")
    class FilterInput(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, max_length=archive.QUERY_MAX, default="")
        kind = serializers.ChoiceField(choices=["masuk", "keluar"], required=False, allow_blank=True, default="")
        letter_type = serializers.ChoiceField(choices=LetterType.choices, required=False, allow_blank=True, default="")
        date_from = serializers.DateField(required=False, allow_null=True, default=None)
        date_to = serializers.DateField(required=False, allow_null=True, default=None)
        unit = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=_MAX_ID, default=None)
        status = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
        classification = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
        page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)

    @extend_schema(parameters=[FilterInput], responses=SearchHitOutput(many=True), tags=TAGS, summary="Cari surat")
    def get(self, request: Request) -> Response:
        data = self.FilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("page", None)
        values["unit"] = _unit(values["unit"])
        filters = archive.search_filters(**values)
        rows = archive.archive_search(user=request.user, filters=filters)
        try:
            page = archive.search_page(
                rows=rows,
                number=data.validated_data.get("page", 1),
                per_page=API_PAGE_SIZE,
                strict=True,
            )
        except InvalidPage:
            raise NotFound(_("Halaman ini tidak berisi hasil.")) from None
        url = request.build_absolute_uri()
        return Response(
            {
                "count": page.paginator.count,
                "count_capped": page.capped,
                "next": replace_query_param(url, "page", page.next_page_number()) if page.has_next() else None,
                "previous": (
                    replace_query_param(url, "page", page.previous_page_number()) if page.has_previous() else None
                ),
                "results": SearchHitOutput(archive.search_hits(page.object_list), many=True).data,
            }
        )


# --- classification codes ------------------------------------------------------------------------------------


class ClassificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    active_years = serializers.IntegerField()
    inactive_years = serializers.IntegerField()
    final_disposition = serializers.CharField()
    is_active = serializers.BooleanField()


class ClassificationInput(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    active_years = serializers.IntegerField(min_value=0, max_value=100)
    inactive_years = serializers.IntegerField(min_value=0, max_value=100)
    final_disposition = serializers.ChoiceField(choices=FinalDisposition.choices)
    is_active = serializers.BooleanField(required=False, default=True)


def _require_admin(request: Request) -> None:
    if not can(request.user, Action.EOFFICE_CLASSIFICATION_MANAGE):
        raise ForbiddenError("permission_denied", _("Peran akun Anda tidak mengizinkan tindakan ini."))


class ClassificationListCreateApi(_Eoffice):
    """GET: the region's classification codes (anyone; drafting needs them). POST: a new code (admins)."""

    class Input(ClassificationInput):
        code = serializers.CharField(max_length=30)

    @extend_schema(responses=ClassificationOutput(many=True), tags=TAGS, summary="Daftar kode klasifikasi")
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(archive.classification_list(), request, view=self)
        return paginator.get_paginated_response(ClassificationOutput(page, many=True).data)

    @extend_schema(request=Input, responses={201: ClassificationOutput}, tags=TAGS, summary="Tambah kode klasifikasi")
    def post(self, request: Request) -> Response:
        _require_admin(request)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("is_active")
        created = classification_code_create(user=request.user, **values)
        return Response(ClassificationOutput(created).data, status=201)


class ClassificationDetailApi(_Eoffice):
    """GET one code; PUT its name and schedule (admins); DELETE it if no dossier uses it (admins)."""

    @extend_schema(responses=ClassificationOutput, tags=TAGS, summary="Rincian kode klasifikasi")
    def get(self, request: Request, classification_id: str) -> Response:
        return Response(ClassificationOutput(archive.classification_get(classification_id=classification_id)).data)

    @extend_schema(request=ClassificationInput, responses=ClassificationOutput, tags=TAGS, summary="Ubah kode")
    def put(self, request: Request, classification_id: str) -> Response:
        _require_admin(request)
        code = archive.classification_get(classification_id=classification_id)
        data = ClassificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        classification_code_update(user=request.user, classification=code, **data.validated_data)
        return Response(ClassificationOutput(archive.classification_get(classification_id=code.pk)).data)

    @extend_schema(request=None, responses={204: None}, tags=TAGS, summary="Hapus kode yang tidak dipakai")
    def delete(self, request: Request, classification_id: str) -> Response:
        _require_admin(request)
        classification_code_delete(
            user=request.user, classification=archive.classification_get(classification_id=classification_id)
        )
        return Response(status=204)


# --- dossiers ------------------------------------------------------------------------------------------------


class DossierOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    classification = serializers.CharField(source="classification.code")
    unit = serializers.IntegerField(source="unit_id")
    unit_code = serializers.CharField(source="unit.code")
    year = serializers.IntegerField()
    status = serializers.CharField()
    closed_on = serializers.DateField(allow_null=True)
    active_until = serializers.DateField(allow_null=True)
    retention_until = serializers.DateField(allow_null=True)
    final_disposition = serializers.CharField()
    items = serializers.IntegerField(source="n_items", required=False, default=None)


class DossierItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.SerializerMethodField()
    letter = serializers.SerializerMethodField()
    number = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    filed_at = serializers.DateTimeField()
    automatic = serializers.BooleanField()
    disposed_at = serializers.DateTimeField(allow_null=True)

    def get_kind(self, obj: Any) -> str:
        return "masuk" if obj.incoming_id else "keluar"

    def get_letter(self, obj: Any) -> int:
        return obj.incoming_id or obj.outgoing_id

    def get_number(self, obj: Any) -> str:
        if obj.incoming_id:
            return obj.incoming.letter_number
        return obj.outgoing.number.number if obj.outgoing.number_id else ""

    def get_subject(self, obj: Any) -> str:
        return (obj.incoming or obj.outgoing).subject


class DossierDetailOutput(DossierOutput):
    letters = serializers.SerializerMethodField()
    disposals = serializers.SerializerMethodField()

    def get_letters(self, obj: Any) -> list[dict[str, Any]]:
        return DossierItemOutput(archive.dossier_items(dossier=obj), many=True).data  # type: ignore[return-value]

    def get_disposals(self, obj: Any) -> list[dict[str, Any]]:
        return [
            {"id": d.pk, "kind": d.kind, "reference": d.reference, "reason": d.reason, "decided_at": d.decided_at,
             "decided_by": d.decided_by, "item": d.item_id}
            for d in obj.disposals.order_by("id")
        ]  # fmt: skip


def _dossier_response(dossier_id: Any, status: int = 200) -> Response:
    return Response(DossierDetailOutput(archive.dossier_get(dossier_id=dossier_id)).data, status=status)


class DossierListOpenApi(_Manage):
    """GET: dossiers (filters year, unit, status, classification). POST: open the dossier of (code, unit,
    year), or get it if it exists."""

    @extend_schema_serializer(component_name="DossierListFilter")
    class FilterInput(serializers.Serializer):
        year = serializers.IntegerField(required=False, allow_null=True, min_value=2000, max_value=2100, default=None)
        unit = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=_MAX_ID, default=None)
        status = serializers.ChoiceField(choices=Dossier.Status.choices, required=False, allow_blank=True, default="")
        classification = serializers.RegexField(
            r"^\d{3}(\.\d{1,3}){0,4}$", required=False, allow_blank=True, default=""
        )
        page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)

    class Input(serializers.Serializer):
        classification = serializers.CharField(max_length=30)
        unit = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
        year = serializers.IntegerField(min_value=2000, max_value=2100)

    @extend_schema(parameters=[FilterInput], responses=DossierOutput(many=True), tags=TAGS, summary="Daftar berkas")
    def get(self, request: Request) -> Response:
        data = self.FilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("page", None)
        values["unit"] = _unit(values["unit"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(archive.dossier_list(**values), request, view=self)
        return paginator.get_paginated_response(DossierOutput(page, many=True).data)

    @extend_schema(request=Input, responses={201: DossierDetailOutput}, tags=TAGS, summary="Buka berkas")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        dossier = dossier_open(
            user=request.user,
            classification=_classification(values["classification"]),
            unit=_unit(values["unit"]),
            year=values["year"],
        )
        return _dossier_response(dossier.pk, status=201)


def _classification(code: str) -> Any:
    found = archive.classification_by_code(code=code)
    if found is None:
        raise ValidationError(
            {"classification": ValidationError(_("Kode klasifikasi tidak ditemukan."), code="classification_not_found")}
        )
    return found


class DossierDetailApi(_Manage):
    @extend_schema(responses=DossierDetailOutput, tags=TAGS, summary="Rincian berkas dan isinya")
    def get(self, request: Request, dossier_id: str) -> Response:
        return _dossier_response(dossier_id)


class DossierCloseApi(_Manage):
    @extend_schema(request=None, responses=DossierDetailOutput, tags=TAGS, summary="Tutup berkas (retensi dimulai)")
    def post(self, request: Request, dossier_id: str) -> Response:
        dossier_close(user=request.user, dossier=archive.dossier_get(dossier_id=dossier_id))
        return _dossier_response(dossier_id)


class DossierReopenApi(_Manage):
    @extend_schema(request=None, responses=DossierDetailOutput, tags=TAGS, summary="Buka kembali berkas")
    def post(self, request: Request, dossier_id: str) -> Response:
        dossier_reopen(user=request.user, dossier=archive.dossier_get(dossier_id=dossier_id))
        return _dossier_response(dossier_id)


class DisposalInput(serializers.Serializer):
    reference = serializers.CharField(max_length=100)
    reason = serializers.CharField(max_length=2000)


class DossierDisposeApi(_Manage):
    """Destroy a closed dossier once its retention has ended (409 `retention_not_ended` before)."""

    @extend_schema(request=DisposalInput, responses=DossierDetailOutput, tags=TAGS, summary="Musnahkan berkas")
    def post(self, request: Request, dossier_id: str) -> Response:
        dossier = archive.dossier_get(dossier_id=dossier_id)
        data = DisposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        dossier_dispose(user=request.user, dossier=dossier, **data.validated_data)
        return _dossier_response(dossier_id)


class DossierTransferApi(_Manage):
    @extend_schema(request=DisposalInput, responses=DossierDetailOutput, tags=TAGS, summary="Serahkan berkas")
    def post(self, request: Request, dossier_id: str) -> Response:
        dossier = archive.dossier_get(dossier_id=dossier_id)
        data = DisposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        dossier_transfer(user=request.user, dossier=dossier, **data.validated_data)
        return _dossier_response(dossier_id)


class DossierItemDisposeApi(_Manage):
    @extend_schema(request=DisposalInput, responses=DossierDetailOutput, tags=TAGS, summary="Musnahkan satu surat")
    def post(self, request: Request, dossier_id: str, item_id: str) -> Response:
        dossier = archive.dossier_get(dossier_id=dossier_id)
        item = archive.dossier_item_get(dossier=dossier, item_id=item_id)
        data = DisposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        archive_item_dispose(user=request.user, item=item, **data.validated_data)
        return _dossier_response(dossier_id)


class ArchiveFileApi(_Manage):
    """File a letter: `incoming` (an incoming letter id, with `unit` optional) or `outgoing` (a signed outgoing
    letter id), into the dossier of `classification` (a code), its unit and year."""

    class Input(serializers.Serializer):
        incoming = serializers.IntegerField(required=False, min_value=1, max_value=_MAX_ID)
        outgoing = serializers.IntegerField(required=False, min_value=1, max_value=_MAX_ID)
        classification = serializers.CharField(max_length=30)
        unit = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=_MAX_ID, default=None)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("incoming" in attrs) == ("outgoing" in attrs):
                raise serializers.ValidationError(_("Isi salah satu: incoming atau outgoing."), code="one_letter")
            return attrs

    @extend_schema(request=Input, responses={201: DossierDetailOutput}, tags=TAGS, summary="Berkaskan surat")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        code = _classification(values["classification"])
        try:
            if "incoming" in values:
                letter = selectors.incoming_get_for(user=request.user, letter_id=values["incoming"])
                item = incoming_letter_file(
                    user=request.user, letter=letter, classification=code, unit=_unit(values["unit"])
                )
            else:
                out = archive.signed_outgoing_get(letter_id=values["outgoing"])
                item = outgoing_letter_file(user=request.user, letter=out, classification=code)
        except NotFoundError as exc:
            raise NotFoundError("letter_not_found", exc.message) from None
        return _dossier_response(item.dossier_id, status=201)
