"""The report filters, read from the query string of the pages, the CSV links and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.reports.catalogue import metric_catalogue
from shared_apps.reports.periods import MAX_PERIOD_DAYS, Period
from shared_apps.reports.selectors import Filters, default_period, provinces
from tenant_apps.registry import all_modules
from tenants.models import Region
from tenants.selectors import platform_today

PERIODS = [("7", _("7 hari")), ("30", _("30 hari")), ("90", _("90 hari")), ("365", _("365 hari"))]
DEFAULT_DAYS = 30


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Periode"), choices=PERIODS, required=False)
    start = forms.DateField(label=_("Dari"), required=False)
    end = forms.DateField(label=_("Sampai"), required=False)
    province = forms.ChoiceField(label=_("Provinsi"), required=False)
    kind = forms.ChoiceField(label=_("Jenis"), required=False)
    module = forms.ChoiceField(label=_("Modul"), required=False)
    metric = forms.ChoiceField(label=_("Metrik grafik"), required=False)
    sort = forms.CharField(required=False, max_length=80)
    dir = forms.ChoiceField(choices=[("desc", "desc"), ("asc", "asc")], required=False)

    def __init__(self, *args: Any, region_scope: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Semua"))]
        self.fields["province"].choices = everything + provinces()
        self.fields["kind"].choices = everything + list(Region.Kind.choices)
        self.fields["module"].choices = everything + [(s.code, s.name) for s in all_modules()]
        self.fields["metric"].choices = [("", "")] + [(c, i.label) for c, i in metric_catalogue().items()]
        if region_scope:  # a region's own report: nothing to filter across regions
            for name in ("province", "kind", "module"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start or end:
            if not (start and end):
                raise forms.ValidationError(
                    _("Isi tanggal awal dan akhir, atau pilih periode."), code="period_incomplete"
                )
            if start > end:
                self.add_error(
                    "end", forms.ValidationError(_("Tanggal akhir sebelum tanggal awal."), code="period_order")
                )
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error(
                    "end", forms.ValidationError(_("Periode paling panjang dua tahun."), code="period_too_long")
                )
            elif end > platform_today() + timedelta(days=1):
                self.add_error("end", forms.ValidationError(_("Tanggal akhir di masa depan."), code="period_future"))
        return data

    def period_value(self) -> Period:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        return default_period(int(data.get("period") or DEFAULT_DAYS))

    def preset(self) -> int | None:
        """The preset period in days, unless a custom start and end were given."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return None
        return int(data.get("period") or DEFAULT_DAYS)

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Filters(
            preset=self.preset(),
            period=self.period_value(),
            province=data.get("province", ""),
            kind=data.get("kind", ""),
            module=data.get("module", ""),
        )

    def value(self, name: str, default: str = "") -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get(name) or default

    def error_fields(self) -> dict[str, list[str]]:
        return {name: [str(e) for e in errors] for name, errors in self.errors.items()}
