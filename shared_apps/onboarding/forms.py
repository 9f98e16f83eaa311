"""Console forms for agreements. They check shapes and types; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shared_apps.modules.selectors import catalogue_list
from shared_apps.onboarding.models import Agreement
from tenants.models import Region
from tenants.selectors import region_list

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_party(text: str) -> dict[str, str]:
    """ "Pemkot Tangerang : pihak pertama" → {"name", "role"} (the CLI's --party uses the same form)."""
    name, sep, role = text.partition(":")
    if not sep or not name.strip() or not role.strip():
        raise ValidationError(
            _("Tulis pihak sebagai 'Nama : peran', mis. 'Pemkot Tangerang : pihak pertama'."), code="invalid_party"
        )
    return {"name": name.strip(), "role": role.strip()}


def parse_signatory(text: str) -> dict[str, str]:
    """ "Nama : Jabatan : Pihak" → {"name", "position", "party"} (also the CLI's --signatory)."""
    parts = [part.strip() for part in text.split(":", 2)]
    if len(parts) != 3 or not all(parts):
        raise ValidationError(_("Tulis penanda tangan sebagai 'Nama : Jabatan : Pihak'."), code="invalid_signatory")
    return {"name": parts[0], "position": parts[1], "party": parts[2]}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def parties_text(parties: list[dict[str, str]]) -> str:
    return "\n".join(f"{p['name']} : {p['role']}" for p in parties)


def signatories_text(signatories: list[dict[str, str]]) -> str:
    return "\n".join(f"{s['name']} : {s['position']} : {s['party']}" for s in signatories)


class AgreementForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Wilayah"),
        queryset=Region.objects.none(),
        to_field_name="slug",
        empty_label=_("— pilih wilayah —"),
    )
    kind = forms.ChoiceField(label=_("Jenis"), choices=Agreement.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("MoU induk (khusus PKS)"),
        queryset=Agreement.objects.none(),
        required=False,
        empty_label=_("— tanpa MoU induk —"),
    )
    number = forms.CharField(label=_("Nomor"), max_length=100)
    title = forms.CharField(label=_("Judul"), max_length=255)
    parties = forms.CharField(
        label=_("Para pihak"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Satu pihak per baris: Nama : peran, mis. 'Pemkot Tangerang : pihak pertama'."),
        max_length=5000,
    )
    signatories = forms.CharField(
        label=_("Penanda tangan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Satu per baris: Nama : Jabatan : Pihak. Wajib lengkap sebelum penandatanganan dicatat."),
        max_length=10000,
    )
    valid_from = forms.DateField(label=_("Berlaku mulai"), widget=DATE_WIDGET)
    valid_until = forms.DateField(label=_("Berlaku sampai"), widget=DATE_WIDGET)
    modules = forms.MultipleChoiceField(
        label=_("Modul dalam lingkup"),
        # The stylesheet makes inputs full width; a checkbox should sit next to its label.
        widget=forms.CheckboxSelectMultiple(attrs={"style": "width:auto"}),
        choices=[],
    )
    scan = forms.FileField(
        label=_("Pindaian PDF (maks. 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args: Any, editing: Agreement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_list().exclude(status=Region.Status.TERMINATED)
        parents = Agreement.objects.filter(kind=Agreement.Kind.MOU).exclude(
            status__in=[Agreement.Status.EXPIRED, Agreement.Status.TERMINATED]
        )
        if editing is not None:
            # The region is fixed once recorded (the scan lives under its prefix); the scan has its own form.
            del self.fields["region"]
            del self.fields["scan"]
            parents = parents.filter(region=editing.region).exclude(pk=editing.pk)
        self.fields["parent"].queryset = parents.select_related("region").order_by("number")
        self.fields["parent"].label_from_instance = lambda a: f"{a.number} — {a.region.official_name}"
        self.fields["modules"].choices = [
            (m.code, f"{m.name} — {m.description}") for m in catalogue_list().filter(available=True)
        ]

    def clean_parties(self) -> list[dict[str, str]]:
        return [parse_party(line) for line in _lines(self.cleaned_data["parties"])]

    def clean_signatories(self) -> list[dict[str, str]]:
        return [parse_signatory(line) for line in _lines(self.cleaned_data["signatories"])]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", _("Tanggal akhir berlaku harus sesudah tanggal mulai berlaku."))
        return data

    @staticmethod
    def initial_for(agreement: Agreement) -> dict[str, Any]:
        return {
            "kind": agreement.kind,
            "parent": agreement.parent_id,
            "number": agreement.number,
            "title": agreement.title,
            "parties": parties_text(agreement.parties),
            "signatories": signatories_text(agreement.signatories),
            "valid_from": agreement.valid_from,
            "valid_until": agreement.valid_until,
            "modules": agreement.modules,
        }


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Pindaian PDF (maks. 10 MB)"), widget=forms.FileInput(attrs={"accept": "application/pdf"})
    )


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Tanggal penandatanganan"), widget=DATE_WIDGET)


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pengakhiran"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ConfirmForm(forms.Form):
    pass


class FilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("Wilayah"),
        queryset=Region.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Semua wilayah"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Semua status")), *Agreement.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Jenis"), choices=[("", _("Semua jenis")), *Agreement.Kind.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = region_list()
