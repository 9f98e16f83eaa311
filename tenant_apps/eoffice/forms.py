"""Forms of the e-Office pages: they parse what the browser sent; the service checks the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.eoffice.models import Nature, Urgency
from tenant_apps.eoffice.validation import ATTACHMENT_MAX_COUNT
from tenant_apps.org.models import Position


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the content checks are the service's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Position) -> str:
        return f"{obj.title} — {obj.unit.name}"


class IncomingLetterForm(forms.Form):
    sender = forms.CharField(label=_("Pengirim"), max_length=255)
    letter_number = forms.CharField(label=_("Nomor surat"), max_length=100)
    letter_date = forms.DateField(label=_("Tanggal surat"), widget=forms.DateInput(attrs={"type": "date"}))
    received_date = forms.DateField(label=_("Tanggal diterima"), widget=forms.DateInput(attrs={"type": "date"}))
    subject = forms.CharField(label=_("Perihal"), max_length=500)
    nature = forms.ChoiceField(label=_("Sifat"), choices=Nature.choices, initial=Nature.ORDINARY)
    urgency = forms.ChoiceField(label=_("Kecepatan"), choices=Urgency.choices, initial=Urgency.ORDINARY)
    addressed_to = PositionChoiceField(
        label=_("Ditujukan kepada (jabatan)"),
        queryset=Position.objects.filter(kind=Position.Kind.STRUCTURAL).select_related("unit").order_by("code"),
    )
    attachments = MultipleFileField(
        label=_("Lampiran (PDF, PNG atau JPEG; paling banyak %(n)d berkas, masing-masing 10 MB)")
        % {"n": ATTACHMENT_MAX_COUNT},
        required=False,
    )
