"""Pages for the lists a region keeps itself: disposition instructions (region admin) and the register of
issued numbers (records officers and admins: see every number, reserve one for a paper letter, cancel)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.errors import DomainError, ForbiddenError, NotFoundError
from mitra.forms import apply_domain_error
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
from tenant_apps.org.permissions import Action, permission_required
from tenant_apps.org.selectors import org_today

PAGE_SIZE = 50


class InstructionForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Kode (huruf kecil, tanpa spasi)"), max_length=40)
    label = forms.CharField(label=gettext_lazy("Instruksi"), max_length=LABEL_MAX)
    order = forms.IntegerField(label=gettext_lazy("Urutan"), min_value=0, max_value=32767, initial=0)


class InstructionEditForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Instruksi"), max_length=LABEL_MAX)
    order = forms.IntegerField(label=gettext_lazy("Urutan"), min_value=0, max_value=32767)
    active = forms.BooleanField(label=gettext_lazy("Aktif (dapat dipilih pada disposisi baru)"), required=False)


class NumberFilterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Tahun"), min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Jenis"), choices=[("", gettext_lazy("Semua")), *SequenceKind.choices], required=False
    )
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.order_by("code"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[
            ("", gettext_lazy("Semua")),
            ("issued", gettext_lazy("Terbit")),
            ("cancelled", gettext_lazy("Dibatalkan")),
        ],
        required=False,
    )


class NumberReserveForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit penomoran"), queryset=Unit.objects.order_by("code"))
    classification_code = forms.CharField(label=gettext_lazy("Kode klasifikasi"), max_length=30)
    note = forms.CharField(label=gettext_lazy("Untuk naskah"), max_length=NOTE_MAX)


class NumberCancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Alasan pembatalan"), max_length=500)


def _apply(form: forms.Form, exc: ValidationError | DomainError) -> None:
    if isinstance(exc, DomainError):
        apply_domain_error(form, exc)
        return
    for message in exc.messages:
        form.add_error("classification_code" if "classification_code" in form.fields else None, message)


@permission_required(Action.EOFFICE_SETTINGS)
def instruction_list(request: HttpRequest) -> HttpResponse:
    form = InstructionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instruction_create(user=request.user, **form.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Instruksi ditambahkan."))
            return redirect("eoffice:instructions")
    return render(request, "eoffice/admin_instructions.html", {"instructions": instruction_all(), "form": form})


@permission_required(Action.EOFFICE_SETTINGS)
def instruction_edit(request: HttpRequest, instruction_id: str) -> HttpResponse:
    try:
        instruction = instruction_get(instruction_id=instruction_id)
    except NotFoundError:
        raise Http404 from None
    initial = {"label": instruction.label, "order": instruction.order, "active": instruction.active}
    form = InstructionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            instruction_update(user=request.user, instruction=instruction, **form.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Instruksi disimpan."))
            return redirect("eoffice:instructions")
    return render(request, "eoffice/admin_instruction_edit.html", {"instruction": instruction, "form": form})


@permission_required(Action.EOFFICE_NUMBERS)
def number_register(request: HttpRequest) -> HttpResponse:
    filters = NumberFilterForm(request.GET or {"year": org_today().year})
    values = filters.cleaned_data if filters.is_valid() else {}
    qs = issued_number_list(
        year=values.get("year"),
        kind=values.get("kind", ""),
        unit_id=values["unit"].pk if values.get("unit") else None,
        state=values.get("state", ""),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    reserve = NumberReserveForm(request.POST or None)
    if request.method == "POST" and reserve.is_valid():
        try:
            issued = letter_number_reserve(user=request.user, **reserve.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except (ValidationError, DomainError) as exc:
            _apply(reserve, exc)
        else:
            messages.success(request, _("Nomor %(n)s dicadangkan.") % {"n": issued.number})
            return redirect("eoffice:numbers")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "eoffice/admin_numbers.html",
        {"page": page, "filters": filters, "reserve": reserve, "query": query.urlencode()},
    )


@permission_required(Action.EOFFICE_NUMBERS)
def number_cancel(request: HttpRequest, number_id: str) -> HttpResponse:
    try:
        issued = issued_number_get(number_id=number_id)
    except NotFoundError:
        raise Http404 from None
    form = NumberCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter_number_cancel_by(user=request.user, issued=issued, reason=form.cleaned_data["reason"])
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Nomor %(n)s dibatalkan.") % {"n": issued.number})
            return redirect("eoffice:numbers")
    return render(request, "eoffice/admin_number_cancel.html", {"issued": issued, "form": form})
