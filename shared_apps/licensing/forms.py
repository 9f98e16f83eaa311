"""Console forms for licences. They check shape; the services check the rules and raise DomainError, which
`apply_domain_error` turns into field errors on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.licensing.models import Licence
from shared_apps.licensing.services import SEAT_LIMIT_MAX
from tenant_apps.registry import all_modules
from tenants.models import Region
from tenants.selectors import region_list


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def module_choices(codes: frozenset[str] | None = None) -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in all_modules() if codes is None or s.code in codes]


def _seat_field(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Batas akun"),
        min_value=1,
        max_value=SEAT_LIMIT_MAX,
        required=required,
        help_text=_("Jumlah akun aktif paling banyak di wilayah ini."),
    )


class LicenceIssueForm(forms.Form):
    region = forms.ChoiceField(label=_("Wilayah"))
    modules = forms.MultipleChoiceField(label=_("Modul"), widget=forms.CheckboxSelectMultiple)
    seat_limit = _seat_field()
    valid_from = forms.DateField(label=_("Berlaku sejak"), widget=DateInput())
    valid_until = forms.DateField(label=_("Berlaku sampai"), widget=DateInput())

    def __init__(self, *args: Any, scope: frozenset[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = region_list().exclude(status=Region.Status.TERMINATED)
        self.fields["region"].choices = [("", _("— pilih wilayah —"))] + [(r.slug, r.official_name) for r in regions]
        # Offer only the modules of the chosen region's agreement; the service checks the scope again.
        self.fields["modules"].choices = module_choices(scope)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", _("Tanggal akhir harus sesudah tanggal mulai berlaku."))
        return data


class LicenceRenewForm(forms.Form):
    valid_until = forms.DateField(label=_("Berlaku sampai"), widget=DateInput())
    seat_limit = _seat_field(required=False)


class LicenceExtendForm(forms.Form):
    valid_until = forms.DateField(label=_("Berlaku sampai (baru)"), widget=DateInput())


class LicenceModulesForm(forms.Form):
    modules = forms.MultipleChoiceField(
        label=_("Modul"), widget=forms.CheckboxSelectMultiple, help_text=_("Centang modul yang termasuk lisensi.")
    )

    def __init__(self, *args: Any, licence: Licence, scope: frozenset[str] | None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"modules": list(licence.modules)})
        super().__init__(*args, **kwargs)
        offered = (scope or frozenset()) | frozenset(licence.modules)
        self.fields["modules"].choices = module_choices(offered)


class LicenceRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pencabutan"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class LicenceFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Wilayah"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status")), *Licence.Status.choices]
    )
    expiring = forms.BooleanField(label=_("Hanya yang berakhir dalam 30 hari"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Semua wilayah"))] + [(r.slug, r.official_name) for r in region_list()]
