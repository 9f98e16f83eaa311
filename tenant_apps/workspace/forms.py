"""Forms of the region's workspace pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tenant_apps.workspace.models import LETTERHEAD_MAX_LINES, RegionSettings
from tenant_apps.workspace.services import account_password_reset
from tenant_apps.workspace.validation import NUMBER_PLACEHOLDERS, logo_inspect, number_format_render


class RegionSettingsForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=_("Logo (PNG atau JPEG, paling besar 1 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Hapus logo"), required=False)

    class Meta:
        model = RegionSettings
        fields = ["letterhead", "timezone", "letter_number_format"]
        widgets = {"letterhead": forms.Textarea(attrs={"rows": LETTERHEAD_MAX_LINES})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["letter_number_format"].help_text = _("Penanda: %(list)s. Wajib: {nomor} dan {tahun}.") % {
            "list": ", ".join(f"{{{name}}} ({label})" for name, label in NUMBER_PLACEHOLDERS.items())
        }

    def clean_logo_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("logo_file")
        if upload:
            logo_inspect(upload, size=upload.size)
        return upload

    def number_example(self) -> str:
        fmt = self.instance.letter_number_format
        return number_format_render(fmt, klasifikasi="000.1.2.3", nomor=7, unit="DISKOMINFO", tahun=2026)


class RegionSetPasswordForm(SetPasswordForm):
    """The reset-confirm form: saving goes through the service (audited, API tokens revoked)."""

    def save(self, commit: bool = True) -> AbstractBaseUser:
        return account_password_reset(user=self.user, password=self.cleaned_data["new_password1"])
