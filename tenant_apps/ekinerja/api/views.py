"""The e-Kinerja API of a region (/api/v1/ekinerja/…). One view per path; each sets module_code and uses
ModuleLicensed, so the licence rule holds even if a view moves away from the gated prefix. Refusals are
domain errors with stable codes (own_skp, not_appraiser, entry_locked, invalid_transition, …)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpResponse
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

from mitra.errors import DomainError, ForbiddenError, NotFoundError
from tenant_apps.ekinerja import reports, selectors
from tenant_apps.ekinerja.activity_services import (
    BULK_MAX,
    entries_reject,
    entries_validate,
    entry_add_eoffice_evidence,
    entry_create,
    entry_delete,
)
from tenant_apps.ekinerja.admin_services import catalogue_upsert, settings_update, unit_performance_set
from tenant_apps.ekinerja.appraisal_services import appraisal_complete, appraisal_save, period_ensure
from tenant_apps.ekinerja.models import (
    Appraisal,
    AppraisalPeriod,
    BehaviourValue,
    CatalogueActivity,
    EkinerjaSettings,
    Evidence,
    Indicator,
    Rhk,
    Skp,
)
from tenant_apps.ekinerja.periods import period_bounds
from tenant_apps.ekinerja.rating import OrgPredikat, Rating
from tenant_apps.ekinerja.skp_services import (
    behaviour_set,
    indicator_add,
    indicator_delete,
    rhk_add,
    rhk_delete,
    skp_approve,
    skp_create,
    skp_return,
    skp_submit,
)
from tenant_apps.ekinerja.views import evidence_response, skp_pdf_response
from tenant_apps.eoffice.evidence import KINDS as EOFFICE_KINDS
from tenant_apps.eoffice.evidence import eoffice_work
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, HasRegionPermission, can
from tenant_apps.org.selectors import org_today
from tenant_apps.registry import get_module
from tenants.gate import ModuleLicensed

TAGS = ["ekinerja"]
_MAX_ID = 2**63 - 1


class _Ekinerja(APIView):
    permission_classes = [IsAuthenticated, ModuleLicensed]
    module_code = "ekinerja"


class _Managed(_Ekinerja):
    permission_classes = [IsAuthenticated, ModuleLicensed, HasRegionPermission]


class ModuleStatusApi(_Ekinerja):
    @extend_schema(
        responses=inline_serializer(
            "EkinerjaStatus", {"module": serializers.CharField(), "version": serializers.CharField()}
        )
    )
    def get(self, request: Request) -> Response:
        spec = get_module(self.module_code)
        return Response({"module": spec.code, "version": spec.version})


def _month(value: str | None) -> tuple[date, date]:
    today = org_today()
    try:
        year, month = (int(part) for part in str(value).split("-", 1)) if value else (today.year, today.month)
        return period_bounds(year=year, kind="bulanan", number=month)
    except ValueError:
        raise DomainError(
            "month_invalid", _("Bulan tidak valid (YYYY-MM)."), fields={"month": [_("Format YYYY-MM.")]}
        ) from None


# --- SKP -----------------------------------------------------------------------------------------------------


class IndicatorOutput(serializers.Serializer):
    id = serializers.IntegerField()
    aspect = serializers.CharField()
    text = serializers.CharField()
    target = serializers.CharField()


class RhkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    indicators = IndicatorOutput(many=True, source="indicators.all")


class SkpOutput(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    employee = serializers.IntegerField(source="employee_id")
    employee_name = serializers.CharField(source="employee.name")
    employee_nip = serializers.CharField(source="employee.nip")
    position = serializers.CharField(source="position.title")
    approach = serializers.CharField()
    status = serializers.CharField()


class SkpDetailOutput(SkpOutput):
    appraiser_position = serializers.CharField(source="appraiser_position.title", allow_null=True, default=None)
    appraiser_superior_position = serializers.CharField(
        source="appraiser_superior_position.title", allow_null=True, default=None
    )
    return_note = serializers.CharField()
    rhks = RhkOutput(many=True, source="rhks.all")
    behaviours = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    def get_behaviours(self, obj: Skp) -> dict[str, str]:
        return {b.value: b.expectation for b in obj.behaviours.all()}

    def get_allowed_actions(self, obj: Skp) -> list[str]:
        return sorted(selectors.skp_actions(user=self.context["user"], skp=obj))


def _skp(request: Request, skp_id: Any) -> Skp:
    return selectors.skp_get_for(user=request.user, skp_id=skp_id)


def _skp_detail(request: Request, skp_id: Any, status: int = 200) -> Response:
    return Response(SkpDetailOutput(_skp(request, skp_id), context={"user": request.user}).data, status=status)


class SkpListCreateApi(_Ekinerja):
    """GET: the caller's SKP and their subordinates' SKP of `year`. POST: create the caller's SKP."""

    @extend_schema_serializer(component_name="SkpListFilter")
    class FilterInput(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    class Input(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        approach = serializers.ChoiceField(choices=Skp.Approach.choices)

    @extend_schema(parameters=[FilterInput], responses=SkpOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        year = filters.validated_data.get("year") or org_today().year
        return Response(SkpOutput(selectors.skp_list_for(user=request.user, year=year), many=True).data)

    @extend_schema(request=Input, responses={201: SkpDetailOutput}, tags=TAGS, summary="Buat SKP")
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        skp = skp_create(user=request.user, **data.validated_data)
        return _skp_detail(request, skp.pk, status=201)


class SkpDetailApi(_Ekinerja):
    @extend_schema(responses=SkpDetailOutput, tags=TAGS, summary="Rincian SKP")
    def get(self, request: Request, skp_id: str) -> Response:
        return _skp_detail(request, skp_id)


class RhkCreateApi(_Ekinerja):
    class Input(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Rhk.Kind.choices)
        text = serializers.CharField(max_length=1000)
        parent = serializers.IntegerField(min_value=1, max_value=_MAX_ID, required=False, allow_null=True)

    @extend_schema(request=Input, responses={201: SkpDetailOutput}, tags=TAGS, summary="Tambah RHK")
    def post(self, request: Request, skp_id: str) -> Response:
        skp = _skp(request, skp_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent_id = values.pop("parent", None)
        parent = None
        if parent_id:
            parent = selectors.superior_rhks(skp=skp).filter(pk=parent_id).first()
            if parent is None:
                message = _("RHK yang diintervensi harus RHK atasan langsung pada tahun yang sama.")
                raise DomainError("parent_not_superior", message, fields={"parent": [message]})
        rhk_add(user=request.user, skp=skp, parent=parent, **values)
        return _skp_detail(request, skp.pk, status=201)


def _rhk(skp: Skp, rhk_id: Any) -> Rhk:
    rhk = Rhk.objects.select_related("skp").filter(skp=skp, pk=selectors.pk_of(rhk_id)).first()
    if rhk is None:
        raise NotFoundError("rhk_not_found", _("RHK tidak ditemukan."))
    return rhk


class RhkDeleteApi(_Ekinerja):
    @extend_schema(responses=SkpDetailOutput, tags=TAGS, summary="Hapus RHK")
    def delete(self, request: Request, skp_id: str, rhk_id: str) -> Response:
        skp = _skp(request, skp_id)
        rhk_delete(user=request.user, rhk=_rhk(skp, rhk_id))
        return _skp_detail(request, skp.pk)


class IndicatorCreateApi(_Ekinerja):
    class Input(serializers.Serializer):
        aspect = serializers.ChoiceField(choices=Indicator.Aspect.choices)
        text = serializers.CharField(max_length=500)
        target = serializers.CharField(max_length=200)

    @extend_schema(request=Input, responses={201: SkpDetailOutput}, tags=TAGS, summary="Tambah indikator")
    def post(self, request: Request, skp_id: str, rhk_id: str) -> Response:
        skp = _skp(request, skp_id)
        rhk = _rhk(skp, rhk_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        indicator_add(user=request.user, rhk=rhk, **data.validated_data)
        return _skp_detail(request, skp.pk, status=201)


class IndicatorDeleteApi(_Ekinerja):
    @extend_schema(responses=SkpDetailOutput, tags=TAGS, summary="Hapus indikator")
    def delete(self, request: Request, skp_id: str, indicator_id: str) -> Response:
        skp = _skp(request, skp_id)
        indicator = Indicator.objects.filter(rhk__skp=skp, pk=selectors.pk_of(indicator_id)).first()
        if indicator is None:
            raise NotFoundError("indicator_not_found", _("Indikator tidak ditemukan."))
        indicator_delete(user=request.user, indicator=indicator)
        return _skp_detail(request, skp.pk)


class BehaviourApi(_Ekinerja):
    class Input(serializers.Serializer):
        expectations = serializers.DictField(child=serializers.CharField(max_length=2000, allow_blank=True))

    @extend_schema(request=Input, responses=SkpDetailOutput, tags=TAGS, summary="Ekspektasi perilaku (penilai)")
    def put(self, request: Request, skp_id: str) -> Response:
        skp = _skp(request, skp_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        behaviour_set(user=request.user, skp=skp, expectations=data.validated_data["expectations"])
        return _skp_detail(request, skp.pk)


class SkpSubmitApi(_Ekinerja):
    @extend_schema(request=None, responses=SkpDetailOutput, tags=TAGS, summary="Ajukan SKP")
    def post(self, request: Request, skp_id: str) -> Response:
        skp_submit(user=request.user, skp=_skp(request, skp_id))
        return _skp_detail(request, skp_id)


class SkpApproveApi(_Ekinerja):
    @extend_schema(request=None, responses=SkpDetailOutput, tags=TAGS, summary="Setujui SKP (penilai)")
    def post(self, request: Request, skp_id: str) -> Response:
        skp_approve(user=request.user, skp=_skp(request, skp_id))
        return _skp_detail(request, skp_id)


class SkpReturnApi(_Ekinerja):
    class Input(serializers.Serializer):
        note = serializers.CharField(max_length=2000)

    @extend_schema(request=Input, responses=SkpDetailOutput, tags=TAGS, summary="Kembalikan SKP (penilai)")
    def post(self, request: Request, skp_id: str) -> Response:
        skp = _skp(request, skp_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        skp_return(user=request.user, skp=skp, note=data.validated_data["note"])
        return _skp_detail(request, skp_id)


class SkpPdfApi(_Ekinerja):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY}, tags=TAGS, summary="Dokumen tahunan")
    def get(self, request: Request, skp_id: str) -> HttpResponse:
        return skp_pdf_response(_skp(request, skp_id))


class CascadeApi(_Ekinerja):
    @extend_schema_serializer(component_name="CascadeFilter")
    class FilterInput(serializers.Serializer):
        year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)

    @extend_schema(parameters=[FilterInput], responses=OpenApiTypes.OBJECT, tags=TAGS, summary="Kaskade kinerja")
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cascade = selectors.cascade_for(user=request.user, year=filters.validated_data.get("year") or org_today().year)

        def node(n: selectors.CascadeNode) -> dict[str, Any]:
            return {
                "rhk": n.rhk.pk,
                "text": n.rhk.text,
                "skp": n.rhk.skp_id,
                "employee": n.rhk.skp.employee_id,
                "children": [node(c) for c in n.children],
            }

        def person(e: Any) -> dict[str, Any]:
            return {"id": e.pk, "name": e.name, "nip": e.nip, "position": e.position.title}

        return Response(
            {
                "skp": cascade.skp.pk if cascade.skp else None,
                "rhks": [node(n) for n in cascade.roots],
                "without_skp": [person(e) for e in cascade.without_skp],
                "not_cascaded": [person(e) for e in cascade.not_cascaded],
            }
        )


# --- appraisal -----------------------------------------------------------------------------------------------


class AppraisalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    skp = serializers.IntegerField(source="skp_id")
    period_kind = serializers.CharField(source="period.kind")
    period_number = serializers.IntegerField(source="period.number")
    period_label = serializers.CharField(source="period.label")
    status = serializers.CharField()
    results_rating = serializers.CharField()
    behaviour_rating = serializers.CharField()
    predikat = serializers.CharField()
    feedback = serializers.CharField()
    behaviour_feedback = serializers.DictField()
    realisations = serializers.SerializerMethodField()
    completed_at = serializers.DateTimeField(allow_null=True)
    warnings = serializers.SerializerMethodField()

    def get_realisations(self, obj: Appraisal) -> list[dict[str, Any]]:
        return [
            {"indicator": r.indicator_id, "realisation": r.realisation, "feedback": r.feedback}
            for r in obj.realisations.all().order_by("indicator_id")
        ]

    def get_warnings(self, obj: Appraisal) -> list[dict[str, Any]]:
        warning = selectors.distribution_warning(skp=obj.skp, period=obj.period)
        if warning is None:
            return []
        return [
            {"code": "distribution_exceeded", "predikat": p, "count": n, "allowed": allowed, "message": message}
            for (p, (n, allowed)), message in zip(warning.excess.items(), warning.messages, strict=True)
        ]


class AppraisalSaveApi(_Ekinerja):
    """Create or update the draft appraisal of an SKP for a period (the appraiser only)."""

    class RealisationInput(serializers.Serializer):
        indicator = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
        realisation = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
        feedback = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")

    class Input(serializers.Serializer):
        period_kind = serializers.ChoiceField(choices=AppraisalPeriod.Kind.choices)
        period_number = serializers.IntegerField(min_value=0, max_value=12)
        results_rating = serializers.ChoiceField(choices=Rating.choices, required=False, allow_blank=True, default="")
        behaviour_rating = serializers.ChoiceField(
            choices=[(v, f"Perilaku kerja: {label}") for v, label in Rating.choices],
            required=False,
            allow_blank=True,
            default="",
        )
        feedback = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        realisations = serializers.ListField(child=serializers.DictField(), required=False, default=list)
        behaviour_feedback = serializers.DictField(
            child=serializers.CharField(max_length=2000, allow_blank=True), required=False, default=dict
        )
        complete = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=Input, responses=AppraisalOutput, tags=TAGS, summary="Simpan (dan selesaikan) penilaian")
    def post(self, request: Request, skp_id: str) -> Response:
        skp = _skp(request, skp_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        realisations = {}
        for item in values.pop("realisations"):
            row = self.RealisationInput(data=item)
            row.is_valid(raise_exception=True)
            realisations[row.validated_data["indicator"]] = row.validated_data
        unknown = set(values["behaviour_feedback"]) - set(BehaviourValue.values)
        if unknown:
            raise DomainError("invalid_choice", _("Nilai perilaku tidak dikenal."))
        period = period_ensure(year=skp.year, kind=values.pop("period_kind"), number=values.pop("period_number"))
        complete = values.pop("complete")
        appraisal = appraisal_save(user=request.user, skp=skp, period=period, realisations=realisations, **values)
        if complete:
            appraisal = appraisal_complete(user=request.user, appraisal=appraisal)
        appraisal = selectors.appraisal_get_for(user=request.user, appraisal_id=appraisal.pk)
        return Response(AppraisalOutput(appraisal).data)


class AppraisalDetailApi(_Ekinerja):
    @extend_schema(responses=AppraisalOutput, tags=TAGS, summary="Rincian penilaian")
    def get(self, request: Request, appraisal_id: str) -> Response:
        return Response(AppraisalOutput(selectors.appraisal_get_for(user=request.user, appraisal_id=appraisal_id)).data)


class AppraisalCompleteApi(_Ekinerja):
    @extend_schema(request=None, responses=AppraisalOutput, tags=TAGS, summary="Selesaikan penilaian")
    def post(self, request: Request, appraisal_id: str) -> Response:
        appraisal = selectors.appraisal_get_for(user=request.user, appraisal_id=appraisal_id)
        appraisal_complete(user=request.user, appraisal=appraisal)
        return Response(AppraisalOutput(selectors.appraisal_get_for(user=request.user, appraisal_id=appraisal_id)).data)


# --- activity log --------------------------------------------------------------------------------------------


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    ref_id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    url = serializers.CharField()


class EntryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    employee = serializers.IntegerField(source="employee_id")
    day = serializers.DateField()
    description = serializers.CharField()
    minutes = serializers.IntegerField()
    catalogue = serializers.IntegerField(source="catalogue_id", allow_null=True)
    rhk = serializers.IntegerField(source="rhk_id", allow_null=True)
    status = serializers.CharField()
    reject_reason = serializers.CharField()
    evidence = EvidenceOutput(many=True, source="evidence.all")


class QueueEntryOutput(EntryOutput):
    employee_name = serializers.CharField(source="employee.name")


class ActivityListCreateApi(_Ekinerja):
    """GET: the caller's entries of `month` (YYYY-MM). POST: record one (multipart with `file`, or JSON);
    `eoffice` lists "kind:id" of the caller's e-Office work of that day to attach as evidence."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema_serializer(component_name="ActivityListFilter")
    class FilterInput(serializers.Serializer):
        month = serializers.CharField(required=False, max_length=7)

    class Input(serializers.Serializer):
        day = serializers.DateField()
        catalogue = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
        description = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
        minutes = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=1440)
        rhk = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=_MAX_ID)
        link = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
        file = serializers.FileField(required=False, allow_null=True, default=None)
        eoffice = serializers.ListField(
            child=serializers.CharField(max_length=60), required=False, default=list, max_length=20
        )

    @extend_schema(parameters=[FilterInput], responses=EntryOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        start, end = _month(filters.validated_data.get("month"))
        return Response(EntryOutput(selectors.entry_list_own(user=request.user, start=start, end=end), many=True).data)

    @extend_schema(
        request={"multipart/form-data": Input, "application/json": Input},
        responses={201: EntryOutput},
        tags=TAGS,
        summary="Catat aktivitas",
    )
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        code = values.pop("catalogue")
        catalogue = None
        if code:
            catalogue = CatalogueActivity.objects.filter(code=code.strip().lower()).first()
            if catalogue is None:
                message = _("Kegiatan katalog tidak ditemukan.")
                raise DomainError("catalogue_not_found", message, fields={"catalogue": [message]})
        rhk_id = values.pop("rhk")
        rhk = Rhk.objects.filter(pk=rhk_id).first() if rhk_id else None
        if rhk_id and rhk is None:
            message = _("RHK harus dari SKP Anda pada tahun yang sama.")
            raise DomainError("rhk_not_own", message, fields={"rhk": [message]})
        refs = []
        for raw in values.pop("eoffice"):
            kind, _sep, ref = raw.partition(":")
            if kind not in EOFFICE_KINDS or not selectors.pk_of(ref):
                message = _("Rujukan e-Office tidak valid.")
                raise DomainError("eoffice_ref_invalid", message, fields={"eoffice": [message]})
            refs.append((kind, selectors.pk_of(ref)))
        entry = entry_create(user=request.user, catalogue=catalogue, rhk=rhk, eoffice=refs, **values)
        return Response(EntryOutput(selectors.entry_get_for(user=request.user, entry_id=entry.pk)).data, status=201)


class ActivityDetailApi(_Ekinerja):
    @extend_schema(responses=EntryOutput, tags=TAGS, summary="Rincian aktivitas")
    def get(self, request: Request, entry_id: str) -> Response:
        return Response(EntryOutput(selectors.entry_get_for(user=request.user, entry_id=entry_id)).data)

    @extend_schema(responses={204: None}, tags=TAGS, summary="Hapus aktivitas (belum divalidasi)")
    def delete(self, request: Request, entry_id: str) -> Response:
        entry_delete(user=request.user, entry=selectors.entry_get_for(user=request.user, entry_id=entry_id))
        return Response(status=204)


class ActivityEvidenceApi(_Ekinerja):
    class Input(serializers.Serializer):
        kind = serializers.ChoiceField(choices=[(k, k) for k in EOFFICE_KINDS])
        ref_id = serializers.IntegerField(min_value=1, max_value=_MAX_ID)

    @extend_schema(request=Input, responses={201: EntryOutput}, tags=TAGS, summary="Lampirkan pekerjaan e-Office")
    def post(self, request: Request, entry_id: str) -> Response:
        entry = selectors.entry_get_for(user=request.user, entry_id=entry_id)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        entry_add_eoffice_evidence(user=request.user, entry=entry, **data.validated_data)
        return Response(EntryOutput(selectors.entry_get_for(user=request.user, entry_id=entry_id)).data, status=201)


class EvidenceFileApi(_Ekinerja):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, tags=TAGS)
    def get(self, request: Request, entry_id: str, evidence_id: str) -> Any:
        entry = selectors.entry_get_for(user=request.user, entry_id=entry_id)
        evidence = entry.evidence.filter(pk=selectors.pk_of(evidence_id), kind=Evidence.Kind.FILE).first()
        if evidence is None:
            raise NotFoundError("evidence_not_found", _("Berkas bukti tidak ditemukan."))
        return evidence_response(evidence)


class EofficeWorkApi(_Ekinerja):
    @extend_schema_serializer(component_name="EofficeWorkFilter")
    class FilterInput(serializers.Serializer):
        day = serializers.DateField()

    @extend_schema(
        parameters=[FilterInput],
        responses=inline_serializer(
            "EofficeWork",
            {
                "kind": serializers.CharField(),
                "ref_id": serializers.IntegerField(),
                "label": serializers.CharField(),
                "day": serializers.DateField(),
            },
            many=True,
        ),
        tags=TAGS,
        summary="Pekerjaan e-Office yang dapat menjadi bukti",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        day = filters.validated_data["day"]
        work = eoffice_work(account_id=request.user.pk, start=day, end=day)
        return Response([{"kind": w.kind, "ref_id": w.ref_id, "label": w.label, "day": w.day} for w in work])


class ValidationQueueApi(_Ekinerja):
    """GET: entries waiting for the caller's validation (paginated). POST: validate or reject in bulk."""

    @extend_schema_serializer(component_name="ValidationQueueFilter")
    class FilterInput(serializers.Serializer):
        employee = serializers.IntegerField(required=False, min_value=1, max_value=_MAX_ID)

    class Input(serializers.Serializer):
        entries = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=_MAX_ID), allow_empty=False, max_length=BULK_MAX
        )
        action = serializers.ChoiceField(choices=[("validate", "validate"), ("reject", "reject")])
        reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    @extend_schema(parameters=[FilterInput], responses=QueueEntryOutput(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.validation_queue(user=request.user, employee_id=filters.validated_data.get("employee"))
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(QueueEntryOutput(page, many=True).data)

    @extend_schema(
        request=Input,
        responses=inline_serializer("ValidationResult", {"count": serializers.IntegerField()}),
        tags=TAGS,
        summary="Validasi atau tolak aktivitas (massal)",
    )
    def post(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["action"] == "reject":
            count = entries_reject(user=request.user, ids=values["entries"], reason=values["reason"])
        else:
            count = entries_validate(user=request.user, ids=values["entries"])
        return Response({"count": count})


# --- reports -------------------------------------------------------------------------------------------------


class FillRateApi(_Managed):
    required_action = Action.EKINERJA_REPORT

    @extend_schema_serializer(component_name="FillRateFilter")
    class FilterInput(serializers.Serializer):
        month = serializers.CharField(required=False, max_length=7)
        # Not "format": DRF reads ?format= to pick a renderer.
        export = serializers.ChoiceField(choices=[("json", "json"), ("csv", "csv")], required=False, default="json")

    @extend_schema(parameters=[FilterInput], responses=OpenApiTypes.OBJECT, tags=TAGS, summary="Tingkat pengisian")
    def get(self, request: Request) -> Any:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        start, end = _month(filters.validated_data.get("month"))
        rows = reports.fill_rate(year=start.year, start=start, end=end)
        if filters.validated_data["export"] == "csv":
            response = HttpResponse(reports.fill_rate_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="pengisian-{start:%Y-%m}.csv"'
            return response
        return Response(
            [
                {
                    "unit": r.unit.pk, "unit_code": r.unit.code, "unit_name": r.unit.name, "employees": r.employees,
                    "skp_approved": r.skp_approved, "skp_percent": r.skp_percent, "entries": r.entries,
                    "entries_validated": r.entries_validated, "validated_percent": r.validated_percent,
                }
                for r in rows
            ]
        )  # fmt: skip


class DistributionApi(_Managed):
    required_action = Action.EKINERJA_REPORT

    @extend_schema_serializer(component_name="DistributionFilter")
    class FilterInput(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        period_kind = serializers.ChoiceField(choices=AppraisalPeriod.Kind.choices)
        period_number = serializers.IntegerField(min_value=0, max_value=12)
        # Not "format": DRF reads ?format= to pick a renderer.
        export = serializers.ChoiceField(choices=[("json", "json"), ("csv", "csv")], required=False, default="json")

    @extend_schema(parameters=[FilterInput], responses=OpenApiTypes.OBJECT, tags=TAGS, summary="Distribusi predikat")
    def get(self, request: Request) -> Any:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        v = filters.validated_data
        period = selectors.period_get(year=v["year"], kind=v["period_kind"], number=v["period_number"])
        rows = reports.distribution(period=period) if period else []
        if v["export"] == "csv":
            response = HttpResponse(reports.distribution_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="distribusi-predikat.csv"'
            return response
        return Response(
            [{"unit": r.unit.pk, "unit_code": r.unit.code, "counts": r.counts, "total": r.total} for r in rows]
        )


# --- admin ---------------------------------------------------------------------------------------------------


class SettingsApi(_Managed):
    required_action = Action.EKINERJA_MANAGE

    class Input(serializers.Serializer):
        period_kind = serializers.ChoiceField(choices=EkinerjaSettings.PeriodKind.choices)
        cutoff_day = serializers.IntegerField(min_value=1, max_value=28)

    @extend_schema(responses=Input, tags=TAGS, summary="Pengaturan e-Kinerja")
    def get(self, request: Request) -> Response:
        current = selectors.settings_get()
        return Response({"period_kind": current.period_kind, "cutoff_day": current.cutoff_day})

    @extend_schema(request=Input, responses=Input, tags=TAGS, summary="Ubah pengaturan e-Kinerja")
    def put(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        current = settings_update(user=request.user, **data.validated_data)
        return Response({"period_kind": current.period_kind, "cutoff_day": current.cutoff_day})


class CatalogueOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    standard_minutes = serializers.IntegerField()
    active = serializers.BooleanField()


class CatalogueApi(_Ekinerja):
    """GET: the catalogue (everyone). POST: add or update an activity by code (region admin)."""

    class Input(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        name = serializers.CharField(max_length=200)
        standard_minutes = serializers.IntegerField(min_value=1, max_value=1440)
        active = serializers.BooleanField(required=False, default=True)

    @extend_schema(responses=CatalogueOutput(many=True), tags=TAGS, summary="Katalog kegiatan")
    def get(self, request: Request) -> Response:
        return Response(CatalogueOutput(CatalogueActivity.objects.order_by("name"), many=True).data)

    @extend_schema(request=Input, responses={201: CatalogueOutput}, tags=TAGS, summary="Simpan kegiatan katalog")
    def post(self, request: Request) -> Response:
        if not can(request.user, Action.EKINERJA_MANAGE):
            raise ForbiddenError("permission_denied", _("Peran akun Anda tidak mengizinkan tindakan ini."))
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(CatalogueOutput(catalogue_upsert(user=request.user, **data.validated_data)).data, status=201)


class UnitPerformanceApi(_Managed):
    required_action = Action.EKINERJA_MANAGE

    class Input(serializers.Serializer):
        unit = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        predikat = serializers.ChoiceField(choices=OrgPredikat.choices)

    @extend_schema(request=Input, responses=Input, tags=TAGS, summary="Predikat kinerja organisasi")
    def put(self, request: Request) -> Response:
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit = Unit.objects.filter(pk=values.pop("unit")).first()
        if unit is None:
            raise NotFoundError("unit_not_found", _("Unit kerja tidak ditemukan."))
        row = unit_performance_set(user=request.user, unit=unit, **values)
        return Response({"unit": row.unit_id, "year": row.year, "predikat": row.predikat})
