"""Forms of the organisation pages. They check shape; services check the rules and raise DomainError, which
`apply_domain_error` puts on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenant_apps.org.importing import MAX_UPLOAD_BYTES, SPECS
from tenant_apps.org.models import ActingAssignment, Employee, Position
from tenant_apps.org.validators import nip_validate

# app.css sizes inputs to the full width, which pushes a radio button away from its label; the shared sheet
# has the rule for checkboxes only.
RADIO = forms.RadioSelect(attrs={"style": "width: auto"})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False, max_length=100)


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis data"),
        choices=[(kind, spec.label) for kind, spec in SPECS.items()],
        widget=RADIO,
        help_text=_("Impor berurutan: unit kerja, lalu jabatan, lalu pegawai."),
    )
    file = forms.FileField(label=_("Berkas CSV"), help_text=_("UTF-8 atau Windows-1252, pemisah koma atau titik koma."))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Berkas terlalu besar; paling besar %(max)s KB.") % {"max": MAX_UPLOAD_BYTES // 1024},
                code="too_large",
            )
        return upload


class ActingAssignmentForm(forms.Form):
    position = forms.CharField(label=_("Kode jabatan"), max_length=30)
    nip = forms.CharField(label=_("NIP pegawai yang ditunjuk"), max_length=40)
    kind = forms.ChoiceField(label=_("Jenis"), choices=ActingAssignment.Kind.choices, widget=RADIO)
    start = forms.DateField(label=_("Mulai"), widget=DateInput())
    end = forms.DateField(label=_("Sampai (kosongkan bila belum ditentukan)"), required=False, widget=DateInput())
    basis = forms.CharField(label=_("Dasar penunjukan (nomor surat perintah)"), max_length=200, required=False)

    def clean_position(self) -> Position:
        code = self.cleaned_data["position"].strip()
        position = Position.objects.filter(code__iexact=code).select_related("unit").first()
        if position is None:
            raise ValidationError(_("Jabatan '%(code)s' tidak dikenal.") % {"code": code[:30]}, code="unknown")
        return position

    def clean_nip(self) -> Employee:
        nip = nip_validate(self.cleaned_data["nip"])
        employee = Employee.objects.filter(nip=nip).first()
        if employee is None:
            raise ValidationError(_("Pegawai dengan NIP %(nip)s tidak ada.") % {"nip": nip}, code="unknown")
        return employee

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        return data


class ActingEndForm(forms.Form):
    end = forms.DateField(label=_("Berakhir pada"), widget=DateInput())
