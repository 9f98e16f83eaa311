"""Forms of the e-Office pages: they parse what the browser sent; the service checks the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.eoffice.models import LetterType, Nature, Urgency
from tenant_apps.eoffice.selectors import instruction_list
from tenant_apps.eoffice.validation import ATTACHMENT_MAX_COUNT
from tenant_apps.org.models import Position, Unit


def _DateInput() -> forms.DateInput:  # noqa: N802 (reads as the widget class it builds)
    # <input type="date"> accepts only ISO dates: a localised value ("28/11/2026") shows as an empty field.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
    letter_date = forms.DateField(label=_("Tanggal surat"), widget=_DateInput())
    received_date = forms.DateField(label=_("Tanggal diterima"), widget=_DateInput())
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


class DispositionForm(forms.Form):
    """Dispose a letter, or forward a disposition, to one or more positions."""

    to_positions = forms.ModelMultipleChoiceField(
        label=_("Kepada (jabatan)"),
        queryset=Position.objects.select_related("unit").order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    instructions = forms.MultipleChoiceField(label=_("Instruksi"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    urgency = forms.ChoiceField(label=_("Kecepatan"), choices=Urgency.choices, initial=Urgency.ORDINARY)
    deadline = forms.DateField(label=_("Batas waktu"), required=False, widget=_DateInput())

    def __init__(self, *args: Any, exclude_position: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instructions"].choices = [(i.code, i.label) for i in instruction_list()]
        if exclude_position is not None:
            field = self.fields["to_positions"]
            field.queryset = field.queryset.exclude(pk=exclude_position)  # type: ignore[attr-defined]
        self.fields["to_positions"].label_from_instance = lambda obj: f"{obj.title} — {obj.unit.name}"  # type: ignore[attr-defined]


class DispositionCompleteForm(forms.Form):
    note = forms.CharField(label=_("Catatan penyelesaian"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DispositionReturnForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pengembalian"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


def _positions_field(label: str, *, required: bool = False) -> forms.ModelMultipleChoiceField:
    field = forms.ModelMultipleChoiceField(
        label=label,
        required=required,
        queryset=Position.objects.select_related("unit").order_by("code"),
        widget=forms.CheckboxSelectMultiple,
    )
    field.label_from_instance = lambda obj: f"{obj.title} — {obj.unit.name}"  # type: ignore[method-assign]
    return field


class OutgoingLetterForm(forms.Form):
    """Draft or edit an outgoing letter. The review chain is chosen in order with one select per step."""

    REVIEW_STEPS = 3

    letter_type = forms.ChoiceField(label=_("Jenis naskah"), choices=LetterType.choices)
    subject = forms.CharField(label=_("Perihal"), max_length=500)
    classification_code = forms.CharField(label=_("Kode klasifikasi"), max_length=30)
    body = forms.CharField(label=_("Isi naskah"), max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))
    signer_position = PositionChoiceField(
        label=_("Jabatan penanda tangan"), queryset=Position.objects.select_related("unit").order_by("code")
    )
    unit = forms.ModelChoiceField(
        label=_("Unit penomoran (kosongkan: unit penanda tangan)"),
        required=False,
        queryset=Unit.objects.order_by("code"),
    )
    recipients = _positions_field(_("Penerima internal (jabatan)"))
    external_recipients = forms.CharField(
        label=_("Penerima eksternal (satu per baris)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    copies = _positions_field(_("Tembusan (jabatan)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for step in range(1, self.REVIEW_STEPS + 1):
            self.fields[f"reviewer_{step}"] = PositionChoiceField(
                label=_("Verifikator %(n)d") % {"n": step},
                required=False,
                queryset=Position.objects.select_related("unit").order_by("code"),
            )

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        reviewers = [data.pop(f"reviewer_{s}") for s in range(1, self.REVIEW_STEPS + 1)]
        data["reviewers"] = [p for p in reviewers if p is not None]
        data["recipients"] = list(data["recipients"])
        data["copies"] = list(data["copies"])
        return data


class OutgoingReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
