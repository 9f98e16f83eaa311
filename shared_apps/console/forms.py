"""Console forms. Field errors are Indonesian and carry the services' stable codes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenants.models import TIMEZONES, Region


class RegionRegisterForm(forms.Form):
    slug = forms.CharField(
        label=_("Subdomain"), max_length=40, help_text=_("Huruf kecil, angka dan tanda hubung, mis. brebes.")
    )
    region_code = forms.CharField(label=_("Kode wilayah Kemendagri"), max_length=8, help_text=_("Mis. 33.29"))
    official_name = forms.CharField(
        label=_("Nama resmi"),
        max_length=120,
        required=False,
        help_text=_("Boleh dikosongkan: diambil dari data Kemendagri dan dicocokkan bila diisi."),
    )
    timezone = forms.ChoiceField(
        label=_("Zona waktu"),
        choices=[("", _("Sesuai provinsi")), *TIMEZONES],
        required=False,
    )

    def apply_errors(self, exc: ValidationError) -> None:
        """Show the service's field errors on the form's fields."""
        by_field = exc.error_dict if hasattr(exc, "error_dict") else {"__all__": exc.error_list}
        for field, errors in by_field.items():
            target = field if field in self.fields else None
            for error in errors:
                self.add_error(target, error)


class RegionSuspendForm(forms.Form):
    reason = forms.CharField(label=_("Alasan penangguhan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class RegionTerminateForm(forms.Form):
    confirm = forms.CharField(label=_("Ketik subdomain wilayah untuk mengonfirmasi"), max_length=40)
    reason = forms.CharField(
        label=_("Alasan pengakhiran"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, region: Region, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.region = region

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().lower()
        if value != self.region.slug:
            raise ValidationError(_("Subdomain tidak cocok."), code="confirmation_mismatch")
        return value
