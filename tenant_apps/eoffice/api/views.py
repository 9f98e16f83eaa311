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
from tenant_apps.eoffice.disposition_services import (
    RECIPIENTS_MAX,
    TEXT_MAX,
    disposition_cancel,
    disposition_complete,
    disposition_create,
    disposition_forward,
    disposition_mark_read,
    disposition_return,
    disposition_start,
)
from tenant_apps.eoffice.letter_templates import letter_templates
from tenant_apps.eoffice.models import IncomingLetter, LetterType, Nature, OutgoingReview, Urgency
from tenant_apps.eoffice.outgoing_services import (
    outgoing_letter_create,
    outgoing_letter_review,
    outgoing_letter_sign,
    outgoing_letter_submit,
    outgoing_letter_update,
)
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.eoffice.timeline import incoming_timeline, outgoing_timeline
from tenant_apps.eoffice.validation import ATTACHMENT_MAX_COUNT
from tenant_apps.eoffice.views import attachment_response, outgoing_pdf_response
from tenant_apps.org.models import Position, Unit
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


# --- dispositions --------------------------------------------------------------------------------------------


class DispositionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    letter = serializers.IntegerField(source="letter_id")
    letter_subject = serializers.CharField(source="letter.subject")
    letter_agenda_number = serializers.CharField(source="letter.agenda.number")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    batch = serializers.UUIDField()
    from_position = serializers.IntegerField(source="from_position_id")
    from_position_title = serializers.CharField(source="from_position.title")
    sent_as = serializers.CharField()
    to_position = serializers.IntegerField(source="to_position_id")
    to_position_title = serializers.CharField(source="to_position.title")
    instructions = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    urgency = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    sent_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    done_note = serializers.CharField()
    returned_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True)


class DispositionDetailOutput(DispositionOutput):
    allowed_actions = serializers.SerializerMethodField()

    def get_allowed_actions(self, obj: Any) -> list[str]:
        return sorted(selectors.disposition_actions(user=self.context["user"], disposition=obj))


class DispositionNodeOutput(DispositionOutput):
    """A disposition of the tracking tree with the dispositions forwarded from it, nested."""

    children = serializers.ListField(child=serializers.DictField(), read_only=True)

    def to_representation(self, node: Any) -> dict[str, Any]:
        data = dict(DispositionOutput(node.disposition).data)
        data["children"] = [DispositionNodeOutput(child).data for child in node.children]
        return data


class DispositionSendInput(serializers.Serializer):
    to_positions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=_MAX_ID), allow_empty=False, max_length=RECIPIENTS_MAX
    )
    instructions = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False, max_length=20)
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.ORDINARY)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)


def _send_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    ids = list(dict.fromkeys(values.pop("to_positions")))
    positions = list(Position.objects.filter(pk__in=ids))
    if len(positions) != len(ids):
        raise ValidationError(
            {"to_positions": ValidationError(_("Jabatan tidak ditemukan."), code="position_not_found")}
        )
    values["to_positions"] = positions
    return values


def _disposition(request: Request, disposition_id: Any) -> Any:
    return selectors.disposition_get_for(user=request.user, disposition_id=disposition_id)


def _detail(request: Request, disposition_id: Any, status: int = 200) -> Response:
    disposition = _disposition(request, disposition_id)
    return Response(DispositionDetailOutput(disposition, context={"user": request.user}).data, status=status)


class DispositionListCreateApi(_Eoffice):
    """GET: dispositions received by the positions the caller acts for today (`?scope=sent`: sent from them).
    POST: dispose an incoming letter addressed to a position the caller acts for today."""

    @extend_schema_serializer(component_name="DispositionListFilter")
    class FilterInput(serializers.Serializer):
        scope = serializers.ChoiceField(choices=["inbox", "open", "sent"], required=False, default="inbox")

    class Input(DispositionSendInput):
        letter = serializers.IntegerField(min_value=1, max_value=_MAX_ID)

    @extend_schema(parameters=[FilterInput], responses=DispositionOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        scope = filters.validated_data["scope"]
        if scope == "sent":
            qs = selectors.disposition_sent(user=request.user)
        else:
            qs = selectors.disposition_inbox(user=request.user, open_only=scope == "open")
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DispositionOutput(page, many=True).data)

    @extend_schema(request=Input, responses={201: DispositionOutput(many=True)}, tags=TAGS, summary="Disposisikan")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = _send_values(data.validated_data)
        letter = selectors.incoming_get_for(user=request.user, letter_id=values.pop("letter"))
        rows = disposition_create(user=request.user, letter=letter, **values)
        return Response(DispositionOutput(_reloaded(rows), many=True).data, status=201)


def _reloaded(rows: list[Any]) -> list[Any]:
    return selectors.disposition_list_by_ids(ids=[row.pk for row in rows])


class DispositionDetailApi(_Eoffice):
    @extend_schema(responses=DispositionDetailOutput, tags=TAGS, summary="Rincian disposisi (menandai dibaca)")
    def get(self, request: Request, disposition_id: str) -> Response:
        # Opening it is reading it, when the caller acts for the receiving position.
        disposition_mark_read(user=request.user, disposition=_disposition(request, disposition_id))
        return _detail(request, disposition_id)


class DispositionForwardApi(_Eoffice):
    @extend_schema(
        request=DispositionSendInput, responses={201: DispositionOutput(many=True)}, tags=TAGS, summary="Teruskan"
    )
    def post(self, request: Request, disposition_id: str) -> Response:
        parent = _disposition(request, disposition_id)
        data = DispositionSendInput(data=request.data)
        data.is_valid(raise_exception=True)
        rows = disposition_forward(user=request.user, parent=parent, **_send_values(data.validated_data))
        return Response(DispositionOutput(_reloaded(rows), many=True).data, status=201)


class DispositionStartApi(_Eoffice):
    @extend_schema(request=None, responses=DispositionDetailOutput, tags=TAGS, summary="Mulai proses")
    def post(self, request: Request, disposition_id: str) -> Response:
        disposition_start(user=request.user, disposition=_disposition(request, disposition_id))
        return _detail(request, disposition_id)


class DispositionCompleteApi(_Eoffice):
    class Input(serializers.Serializer):
        note = serializers.CharField(max_length=TEXT_MAX)

    @extend_schema(request=Input, responses=DispositionDetailOutput, tags=TAGS, summary="Selesaikan")
    def post(self, request: Request, disposition_id: str) -> Response:
        disposition = _disposition(request, disposition_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        disposition_complete(user=request.user, disposition=disposition, note=data.validated_data["note"])
        return _detail(request, disposition_id)


class DispositionReturnApi(_Eoffice):
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=TEXT_MAX)

    @extend_schema(request=Input, responses=DispositionDetailOutput, tags=TAGS, summary="Kembalikan")
    def post(self, request: Request, disposition_id: str) -> Response:
        disposition = _disposition(request, disposition_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        disposition_return(user=request.user, disposition=disposition, reason=data.validated_data["reason"])
        return _detail(request, disposition_id)


class DispositionCancelApi(_Eoffice):
    @extend_schema(request=None, responses=DispositionDetailOutput, tags=TAGS, summary="Batalkan (belum dibaca)")
    def post(self, request: Request, disposition_id: str) -> Response:
        disposition_cancel(user=request.user, disposition=_disposition(request, disposition_id))
        return _detail(request, disposition_id)


class DispositionInstructionListApi(_Eoffice):
    @extend_schema(
        responses=inline_serializer(
            "DispositionInstruction", {"code": serializers.CharField(), "label": serializers.CharField()}, many=True
        ),
        tags=TAGS,
        summary="Daftar instruksi disposisi",
    )
    def get(self, request: Request) -> Response:
        return Response([{"code": i.code, "label": i.label} for i in selectors.instruction_list()])


class IncomingDispositionTreeApi(_Eoffice):
    @extend_schema(responses=DispositionNodeOutput(many=True), tags=TAGS, summary="Lacak disposisi surat")
    def get(self, request: Request, letter_id: str) -> Response:
        letter = selectors.incoming_get_for(user=request.user, letter_id=letter_id)
        return Response([DispositionNodeOutput(node).data for node in selectors.disposition_tree(letter=letter)])


# --- outgoing letters ----------------------------------------------------------------------------------------


class OutgoingReviewOutput(serializers.Serializer):
    round = serializers.IntegerField()
    order = serializers.IntegerField()
    position = serializers.IntegerField(source="position_id")
    decision = serializers.CharField()
    note = serializers.CharField()
    decided_as = serializers.CharField()
    decided_at = serializers.DateTimeField()


class OutgoingLetterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    letter_type = serializers.CharField()
    subject = serializers.CharField()
    classification_code = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")
    signer_position = serializers.IntegerField(source="signer_position_id")
    status = serializers.CharField()
    number = serializers.CharField(source="number.number", allow_null=True, default=None)
    letter_date = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()


class OutgoingLetterDetailOutput(OutgoingLetterOutput):
    body = serializers.CharField()
    recipients = serializers.SerializerMethodField()
    copies = serializers.SerializerMethodField()
    external_recipients = serializers.ListField(child=serializers.CharField(), source="external_recipient_lines")
    reviewers = serializers.SerializerMethodField()
    reviews = serializers.SerializerMethodField()
    review_round = serializers.IntegerField()
    signer_name = serializers.CharField()
    signer_title = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)
    pdf_sha256 = serializers.CharField()
    signature_provider = serializers.CharField()
    signature_certified = serializers.BooleanField()
    pdf_url = serializers.SerializerMethodField()
    verification_id = serializers.UUIDField()
    viewer_role = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    def get_recipients(self, obj: Any) -> list[int]:
        return sorted(obj.recipients.values_list("pk", flat=True))

    def get_copies(self, obj: Any) -> list[int]:
        return sorted(obj.copies.values_list("pk", flat=True))

    def get_reviewers(self, obj: Any) -> list[int]:
        return list(obj.reviewers.order_by("order").values_list("position_id", flat=True))

    def get_reviews(self, obj: Any) -> list[dict[str, Any]]:
        return OutgoingReviewOutput(selectors.outgoing_reviews(letter=obj), many=True).data  # type: ignore[return-value]

    def get_pdf_url(self, obj: Any) -> str | None:
        return reverse("eoffice-api-outgoing-pdf", args=[obj.pk]) if obj.pdf else None

    def get_viewer_role(self, obj: Any) -> str:
        return selectors.outgoing_viewer_role(user=self.context["user"], letter=obj)

    def get_allowed_actions(self, obj: Any) -> list[str]:
        return sorted(selectors.outgoing_actions(user=self.context["user"], letter=obj))


class OutgoingLetterInput(serializers.Serializer):
    letter_type = serializers.ChoiceField(choices=LetterType.choices)
    subject = serializers.CharField(max_length=500)
    body = serializers.CharField(max_length=20000)
    classification_code = serializers.CharField(max_length=30)
    signer_position = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
    unit = serializers.IntegerField(min_value=1, max_value=_MAX_ID, required=False, allow_null=True, default=None)
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=_MAX_ID), required=False, default=list, max_length=30
    )
    copies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=_MAX_ID), required=False, default=list, max_length=30
    )
    external_recipients = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=30
    )
    reviewers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=_MAX_ID), required=False, default=list, max_length=10
    )


def _outgoing_values(data: dict[str, Any]) -> dict[str, Any]:
    """Ids to rows; an unknown id is a field error `position_not_found` / `unit_not_found`."""
    values = dict(data)
    errors: dict[str, ValidationError] = {}
    for field in ("recipients", "copies", "reviewers"):
        ids = list(dict.fromkeys(values[field]))
        found = {p.pk: p for p in Position.objects.select_related("unit").filter(pk__in=ids)}
        if len(found) != len(ids):
            errors[field] = ValidationError(_("Jabatan tidak ditemukan."), code="position_not_found")
        values[field] = [found[i] for i in ids if i in found]
    values["signer_position"] = Position.objects.select_related("unit").filter(pk=values["signer_position"]).first()
    if values["signer_position"] is None:
        errors["signer_position"] = ValidationError(_("Jabatan tidak ditemukan."), code="position_not_found")
    if values["unit"] is not None:
        values["unit"] = Unit.objects.filter(pk=values["unit"]).first()
        if values["unit"] is None:
            errors["unit"] = ValidationError(_("Unit tidak ditemukan."), code="unit_not_found")
    if errors:
        raise ValidationError(errors)
    values["external_recipients"] = "\n".join(values["external_recipients"])
    return values


def _outgoing_detail(request: Request, letter_id: Any, status: int = 200) -> Response:
    letter = selectors.outgoing_get_for(user=request.user, letter_id=letter_id)
    return Response(OutgoingLetterDetailOutput(letter, context={"user": request.user}).data, status=status)


class OutgoingTemplateListApi(_Eoffice):
    """The starting body and the PDF layout of each outgoing letter type."""

    @extend_schema(
        responses=inline_serializer(
            "OutgoingTemplate",
            {
                "letter_type": serializers.CharField(),
                "label": serializers.CharField(),
                "layout": serializers.CharField(),
                "body": serializers.CharField(),
            },
            many=True,
        ),
        tags=TAGS,
        summary="Templat naskah keluar per jenis",
    )
    def get(self, request: Request) -> Response:
        return Response([vars(template) for template in letter_templates()])


class OutgoingLetterListCreateApi(_Eoffice):
    """GET: the outgoing letters the caller may see. POST: a new draft (the caller is its drafter)."""

    @extend_schema(responses=OutgoingLetterOutput(many=True), tags=TAGS, summary="Daftar naskah keluar")
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.outgoing_list_for(user=request.user), request, view=self)
        return paginator.get_paginated_response(OutgoingLetterOutput(page, many=True).data)

    @extend_schema(
        request=OutgoingLetterInput, responses={201: OutgoingLetterDetailOutput}, tags=TAGS, summary="Buat draf"
    )
    def post(self, request: Request) -> Response:
        if not can(request.user, Action.EOFFICE_OUTGOING_DRAFT):
            raise ForbiddenError("permission_denied", _("Peran akun Anda tidak mengizinkan tindakan ini."))
        data = OutgoingLetterInput(data=request.data)
        data.is_valid(raise_exception=True)
        letter = outgoing_letter_create(user=request.user, **_outgoing_values(data.validated_data))
        return _outgoing_detail(request, letter.pk, status=201)


class OutgoingLetterDetailApi(_Eoffice):
    """GET: the letter. PUT: replace the draft's content (drafter only, draft or returned only)."""

    @extend_schema(responses=OutgoingLetterDetailOutput, tags=TAGS, summary="Rincian naskah keluar")
    def get(self, request: Request, letter_id: str) -> Response:
        return _outgoing_detail(request, letter_id)

    @extend_schema(request=OutgoingLetterInput, responses=OutgoingLetterDetailOutput, tags=TAGS, summary="Ubah draf")
    def put(self, request: Request, letter_id: str) -> Response:
        letter = selectors.outgoing_get_for(user=request.user, letter_id=letter_id)
        data = OutgoingLetterInput(data=request.data)
        data.is_valid(raise_exception=True)
        outgoing_letter_update(user=request.user, letter=letter, **_outgoing_values(data.validated_data))
        return _outgoing_detail(request, letter_id)


class OutgoingLetterSubmitApi(_Eoffice):
    @extend_schema(request=None, responses=OutgoingLetterDetailOutput, tags=TAGS, summary="Ajukan ke verifikator")
    def post(self, request: Request, letter_id: str) -> Response:
        letter = selectors.outgoing_get_for(user=request.user, letter_id=letter_id)
        outgoing_letter_submit(user=request.user, letter=letter)
        return _outgoing_detail(request, letter_id)


class OutgoingLetterReviewApi(_Eoffice):
    class Input(serializers.Serializer):
        decision = serializers.ChoiceField(choices=OutgoingReview.Decision.choices)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses=OutgoingLetterDetailOutput, tags=TAGS, summary="Keputusan verifikator")
    def post(self, request: Request, letter_id: str) -> Response:
        letter = selectors.outgoing_get_for(user=request.user, letter_id=letter_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        outgoing_letter_review(user=request.user, letter=letter, **data.validated_data)
        return _outgoing_detail(request, letter_id)


class OutgoingLetterSignApi(_Eoffice):
    @extend_schema(request=None, responses=OutgoingLetterDetailOutput, tags=TAGS, summary="Tandatangani")
    def post(self, request: Request, letter_id: str) -> Response:
        letter = selectors.outgoing_get_for(user=request.user, letter_id=letter_id)
        outgoing_letter_sign(user=request.user, letter=letter)
        return _outgoing_detail(request, letter_id)


class OutgoingLetterPdfApi(_Eoffice):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, tags=TAGS, summary="Unduh PDF naskah")
    def get(self, request: Request, letter_id: str) -> FileResponse:
        return outgoing_pdf_response(selectors.outgoing_get_for(user=request.user, letter_id=letter_id))


# --- timelines -----------------------------------------------------------------------------------------------


class TimelineEntryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    actor = serializers.CharField()
    actor_name = serializers.CharField()
    actor_position = serializers.CharField()
    detail = serializers.CharField()


class IncomingTimelineApi(_Eoffice):
    @extend_schema(responses=TimelineEntryOutput(many=True), tags=TAGS, summary="Riwayat surat masuk")
    def get(self, request: Request, letter_id: str) -> Response:
        letter = selectors.incoming_get_for(user=request.user, letter_id=letter_id)
        return Response(TimelineEntryOutput(incoming_timeline(letter=letter), many=True).data)


class OutgoingTimelineApi(_Eoffice):
    @extend_schema(responses=TimelineEntryOutput(many=True), tags=TAGS, summary="Riwayat naskah keluar")
    def get(self, request: Request, letter_id: str) -> Response:
        letter = selectors.outgoing_get_for(user=request.user, letter_id=letter_id)
        return Response(TimelineEntryOutput(outgoing_timeline(letter=letter), many=True).data)
