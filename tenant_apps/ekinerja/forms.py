"""Forms of the e-Kinerja pages (Indonesian labels). They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.ekinerja.models import (
    BehaviourValue,
    CatalogueActivity,
    EkinerjaSettings,
    Indicator,
    Rhk,
    Skp,
)
from tenant_apps.ekinerja.rating import OrgPredikat, Rating
from tenant_apps.eoffice.validation import ATTACHMENT_MAX_BYTES
from tenant_apps.org.models import Unit


class SkpCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    approach = forms.ChoiceField(label=_("Pendekatan"), choices=Skp.Approach.choices)


class RhkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=Rhk.Kind.choices)
    text = forms.CharField(label=_("Rencana hasil kerja"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    parent = forms.ModelChoiceField(
        label=_("RHK pimpinan yang diintervensi"), queryset=Rhk.objects.none(), required=False
    )

    def __init__(self, *args, parents=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class IndicatorForm(forms.Form):
    aspect = forms.ChoiceField(label=_("Aspek"), choices=Indicator.Aspect.choices)
    text = forms.CharField(label=_("Indikator"), max_length=500)
    target = forms.CharField(label=_("Target"), max_length=200)


class ReturnForm(forms.Form):
    note = forms.CharField(label=_("Catatan pengembalian"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class BehaviourForm(forms.Form):
    def __init__(self, *args, initial_values=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for value, label in BehaviourValue.choices:
            self.fields[value] = forms.CharField(
                label=label,
                max_length=2000,
                required=False,
                initial=(initial_values or {}).get(value, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class EntryForm(forms.Form):
    # ISO format: a type=date input accepts nothing else, whatever the language.
    day = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    catalogue = forms.ModelChoiceField(
        label=_("Kegiatan dari katalog"), queryset=CatalogueActivity.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Uraian kegiatan (atau kegiatan di luar katalog)"), max_length=1000, required=False
    )
    minutes = forms.IntegerField(label=_("Menit"), min_value=1, max_value=1440, required=False)
    rhk = forms.ModelChoiceField(label=_("RHK terkait"), queryset=Rhk.objects.none(), required=False)
    link = forms.CharField(label=_("Tautan bukti"), max_length=1000, required=False)
    file = forms.FileField(label=_("Berkas bukti (PDF, PNG, JPEG)"), required=False)

    def __init__(self, *args, catalogue=None, rhks=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if catalogue is not None:
            self.fields["catalogue"].queryset = catalogue  # type: ignore[attr-defined]
        if rhks is not None:
            self.fields["rhk"].queryset = rhks  # type: ignore[attr-defined]

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar."))
        return upload


class AppraisalForm(forms.Form):
    results_rating = forms.ChoiceField(
        label=_("Rating hasil kerja"), choices=[("", "—"), *Rating.choices], required=False
    )
    behaviour_rating = forms.ChoiceField(
        label=_("Rating perilaku kerja"), choices=[("", "—"), *Rating.choices], required=False
    )
    feedback = forms.CharField(
        label=_("Umpan balik"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SettingsForm(forms.Form):
    period_kind = forms.ChoiceField(label=_("Periode penilaian"), choices=EkinerjaSettings.PeriodKind.choices)
    cutoff_day = forms.IntegerField(label=_("Batas input: tanggal pada bulan berikutnya"), min_value=1, max_value=28)


class CatalogueForm(forms.Form):
    code = forms.CharField(label=_("Kode"), max_length=40)
    name = forms.CharField(label=_("Nama kegiatan"), max_length=200)
    standard_minutes = forms.IntegerField(label=_("Menit standar"), min_value=1, max_value=1440)
    active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)


class UnitPerformanceForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Perangkat daerah"), queryset=Unit.objects.filter(parent__isnull=True).order_by("code")
    )
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    predikat = forms.ChoiceField(label=_("Predikat organisasi"), choices=OrgPredikat.choices)
