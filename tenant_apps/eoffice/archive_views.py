"""e-Office archive pages ("Arsip & Pencarian"): the search over every letter the viewer may see, dossiers
(records officers and admins: open, close, reopen, dispose, hand over, file letters) and the classification
codes with their retention schedule (region admins). Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from mitra.errors import DomainError, ForbiddenError, NotFoundError
from mitra.forms import apply_domain_error
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
from tenant_apps.eoffice.models import (
    ClassificationCode,
    Dossier,
    FinalDisposition,
    IncomingLetter,
    LetterType,
    OutgoingLetter,
)
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, can, permission_required
from tenant_apps.org.selectors import org_today

PAGE_SIZE = 25
UNFILED_SHOWN = 20

_STATUS_CHOICES = [
    ("", gettext_lazy("Semua status")),
    *[(value, f"{label} ({gettext_lazy('masuk')})") for value, label in IncomingLetter.Status.choices],
    *[(value, f"{label} ({gettext_lazy('keluar')})") for value, label in OutgoingLetter.Status.choices],
]


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Kata kunci"), required=False, max_length=archive.QUERY_MAX)
    kind = forms.ChoiceField(
        label=gettext_lazy("Jenis surat"),
        required=False,
        choices=[
            ("", gettext_lazy("Semua")),
            ("masuk", gettext_lazy("Surat masuk")),
            ("keluar", gettext_lazy("Naskah keluar")),
        ],
    )
    letter_type = forms.ChoiceField(
        label=gettext_lazy("Jenis naskah"), required=False, choices=[("", gettext_lazy("Semua")), *LetterType.choices]
    )
    date_from = forms.DateField(
        label=gettext_lazy("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), required=False, queryset=Unit.objects.order_by("code"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=_STATUS_CHOICES)
    classification = forms.CharField(label=gettext_lazy("Kode klasifikasi"), required=False, max_length=30)


def _query_without_page(request: HttpRequest) -> str:
    params = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return urlencode(params)


@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Arsip & Pencarian: full-text search and filters over the letters the viewer may see, paginated."""
    form = SearchForm(request.GET or None)
    page = None
    hits: list[archive.SearchHit] = []
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        try:
            filters = archive.search_filters(**{k: v for k, v in data.items() if v not in (None, "")})
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            page = archive.search_page(
                rows=archive.archive_search(user=request.user, filters=filters),
                number=request.GET.get("page"),
                per_page=PAGE_SIZE,
            )
            hits = archive.search_hits(page.object_list)
    return render(
        request,
        "eoffice/archive_search.html",
        {
            "form": form,
            "page": page,
            "hits": hits,
            "query": _query_without_page(request),
            "can_manage": can(request.user, Action.EOFFICE_ARCHIVE_MANAGE),
            "can_classify": can(request.user, Action.EOFFICE_CLASSIFICATION_MANAGE),
        },
    )


# --- filing --------------------------------------------------------------------------------------------------


class FileForm(forms.Form):
    classification = forms.ModelChoiceField(
        label=gettext_lazy("Kode klasifikasi"),
        queryset=ClassificationCode.objects.filter(is_active=True).order_by("code"),
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit (kosongkan: unit tujuan surat)"),
        required=False,
        queryset=Unit.objects.order_by("code"),
    )


def _letter_for_filing(request: HttpRequest, kind: str, letter_id: str) -> Any:
    try:
        if kind == "masuk":
            return selectors.incoming_get_for(user=request.user, letter_id=letter_id)
        if kind == "keluar":
            return archive.signed_outgoing_get(letter_id=letter_id)
    except NotFoundError:
        raise Http404 from None
    raise Http404


@permission_required(Action.EOFFICE_ARCHIVE_MANAGE)
def file_letter(request: HttpRequest, kind: str, letter_id: str) -> HttpResponse:
    """The records officer files a letter into the dossier of a classification code (and unit, year)."""
    letter = _letter_for_filing(request, kind, letter_id)
    form = FileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if kind == "masuk":
                item = incoming_letter_file(
                    user=request.user, letter=letter, classification=form.cleaned_data["classification"],
                    unit=form.cleaned_data["unit"],
                )  # fmt: skip
            else:
                item = outgoing_letter_file(
                    user=request.user, letter=letter, classification=form.cleaned_data["classification"]
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Surat diberkaskan ke %(ref)s.") % {"ref": item.dossier.reference})
            return redirect("eoffice:archive-dossier", dossier_id=item.dossier_id)
    return render(request, "eoffice/archive_file.html", {"form": form, "letter": letter, "kind": kind})


# --- dossiers ------------------------------------------------------------------------------------------------


class DossierFilterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Tahun"), required=False, min_value=2000, max_value=2100)
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), required=False, queryset=Unit.objects.order_by("code"))
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Semua")), *Dossier.Status.choices]
    )
    classification = forms.RegexField(
        label=gettext_lazy("Kode klasifikasi"), required=False, regex=r"^\d{3}(\.\d{1,3}){0,4}$", max_length=30
    )


class DossierOpenForm(forms.Form):
    classification = forms.ModelChoiceField(
        label=gettext_lazy("Kode klasifikasi"),
        queryset=ClassificationCode.objects.filter(is_active=True).order_by("code"),
    )
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.order_by("code"))
    year = forms.IntegerField(label=gettext_lazy("Tahun"), min_value=2000, max_value=2100)


class DisposalForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Nomor berita acara"), max_length=100)
    reason = forms.CharField(
        label=gettext_lazy("Keterangan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


@permission_required(Action.EOFFICE_ARCHIVE_MANAGE)
def dossier_list(request: HttpRequest) -> HttpResponse:
    filters = DossierFilterForm(request.GET or None)
    open_form = DossierOpenForm(request.POST or None, initial={"year": org_today().year})
    if request.method == "POST" and open_form.is_valid():
        try:
            dossier = dossier_open(user=request.user, **open_form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(open_form, exc)
        else:
            messages.success(request, _("Berkas %(ref)s terbuka.") % {"ref": dossier.reference})
            return redirect("eoffice:archive-dossier", dossier_id=dossier.pk)
    values = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    qs = archive.dossier_list(
        year=values.get("year"),
        unit=values.get("unit"),
        status=values.get("status") or "",
        classification=values.get("classification") or "",
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "eoffice/archive_dossiers.html",
        {
            "page": page,
            "filters": filters,
            "open_form": open_form,
            "query": _query_without_page(request),
            "unfiled": list(archive.unfiled_outgoing()[:UNFILED_SHOWN]),
        },
    )


def _dossier(dossier_id: str) -> Dossier:
    try:
        return archive.dossier_get(dossier_id=dossier_id)
    except NotFoundError:
        raise Http404 from None


def _dossier_page(request: HttpRequest, dossier: Dossier, form: DisposalForm | None = None) -> HttpResponse:
    return render(
        request,
        "eoffice/archive_dossier.html",
        {
            "dossier": dossier,
            "items": list(archive.dossier_items(dossier=dossier)),
            "disposals": list(dossier.disposals.order_by("-decided_at")),
            "retention_ended": dossier.retention_until is not None and dossier.retention_until <= org_today(),
            "form": form or DisposalForm(),
        },
    )


@permission_required(Action.EOFFICE_ARCHIVE_MANAGE)
@require_safe
def dossier_detail(request: HttpRequest, dossier_id: str) -> HttpResponse:
    return _dossier_page(request, _dossier(dossier_id))


@permission_required(Action.EOFFICE_ARCHIVE_MANAGE)
@require_POST
def dossier_action(request: HttpRequest, dossier_id: str, action: str) -> HttpResponse:
    """One POST per action: close, reopen, dispose (musnah), transfer (serah), or dispose one filed letter."""
    dossier = _dossier(dossier_id)
    try:
        if action == "tutup":
            dossier_close(user=request.user, dossier=dossier)
            messages.success(request, _("Berkas ditutup; retensi dihitung sejak hari ini."))
        elif action == "buka":
            dossier_reopen(user=request.user, dossier=dossier)
            messages.success(request, _("Berkas dibuka kembali."))
        elif action in ("musnah", "serah", "musnah-surat"):
            form = DisposalForm(request.POST)
            if not form.is_valid():
                return _dossier_page(request, dossier, form)
            data = form.cleaned_data
            if action == "musnah":
                dossier_dispose(user=request.user, dossier=dossier, **data)
                messages.success(request, _("Berkas dimusnahkan; berita acara tercatat."))
            elif action == "serah":
                dossier_transfer(user=request.user, dossier=dossier, **data)
                messages.success(request, _("Berkas diserahkan; berita acara tercatat."))
            else:
                item = archive.dossier_item_get(dossier=dossier, item_id=request.POST.get("item", ""))
                archive_item_dispose(user=request.user, item=item, **data)
                messages.success(request, _("Surat dimusnahkan; berita acara tercatat."))
        else:
            raise Http404
    except ForbiddenError:
        raise PermissionDenied from None
    except NotFoundError:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("eoffice:archive-dossier", dossier_id=dossier.pk)


# --- classification codes ------------------------------------------------------------------------------------


class ClassificationForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Kode"), max_length=30)
    name = forms.CharField(label=gettext_lazy("Nama"), max_length=255)
    active_years = forms.IntegerField(label=gettext_lazy("Retensi aktif (tahun)"), min_value=0, max_value=100)
    inactive_years = forms.IntegerField(label=gettext_lazy("Retensi inaktif (tahun)"), min_value=0, max_value=100)
    final_disposition = forms.ChoiceField(label=gettext_lazy("Keterangan akhir"), choices=FinalDisposition.choices)
    is_active = forms.BooleanField(label=gettext_lazy("Aktif (dapat dipilih)"), required=False, initial=True)


def _apply(form: forms.Form, exc: ValidationError | DomainError) -> None:
    if isinstance(exc, DomainError):
        apply_domain_error(form, exc)
        return
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@permission_required(Action.EOFFICE_CLASSIFICATION_MANAGE)
def classification_list(request: HttpRequest) -> HttpResponse:
    form = ClassificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("is_active")
        try:
            created = classification_code_create(user=request.user, **data)
        except (ValidationError, DomainError) as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Kode %(code)s ditambahkan.") % {"code": created.code})
            return redirect("eoffice:archive-classifications")
    page = Paginator(archive.classification_list(), 100).get_page(request.GET.get("page"))
    return render(request, "eoffice/archive_classifications.html", {"page": page, "form": form})


@permission_required(Action.EOFFICE_CLASSIFICATION_MANAGE)
def classification_edit(request: HttpRequest, classification_id: str) -> HttpResponse:
    try:
        code = archive.classification_get(classification_id=classification_id)
    except NotFoundError:
        raise Http404 from None
    initial = {
        "code": code.code,
        "name": code.name,
        "active_years": code.active_years,
        "inactive_years": code.inactive_years,
        "final_disposition": code.final_disposition,
        "is_active": code.is_active,
    }
    form = ClassificationForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST":
        if request.POST.get("delete") == "1":
            try:
                classification_code_delete(user=request.user, classification=code)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("eoffice:archive-classification-edit", classification_id=code.pk)
            messages.success(request, _("Kode %(code)s dihapus.") % {"code": code.code})
            return redirect("eoffice:archive-classifications")
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("code")
            try:
                classification_code_update(user=request.user, classification=code, **data)
            except (ValidationError, DomainError) as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Kode %(code)s disimpan.") % {"code": code.code})
                return redirect("eoffice:archive-classifications")
    return render(request, "eoffice/archive_classification_edit.html", {"form": form, "code": code})
