"""The region admin's e-Kinerja writes: settings (appraisal period kind, monthly cut-off day), the activity
catalogue, and each OPD's own predikat. Callers check EKINERJA_MANAGE; these validate and audit."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.ekinerja.models import CatalogueActivity, EkinerjaSettings, UnitPerformance
from tenant_apps.ekinerja.rating import OrgPredikat
from tenant_apps.ekinerja.selectors import settings_get
from tenant_apps.ekinerja.skp_services import _field_error, _text
from tenant_apps.org.models import Unit

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@transaction.atomic
def settings_update(*, user: AbstractBaseUser, period_kind: str, cutoff_day: int) -> EkinerjaSettings:
    if period_kind not in EkinerjaSettings.PeriodKind.values:
        raise _field_error("period_kind", "invalid_choice", _("Pilih periode penilaian."))
    if not isinstance(cutoff_day, int) or not 1 <= cutoff_day <= 28:
        raise _field_error("cutoff_day", "cutoff_invalid", _("Tanggal batas harus antara 1 dan 28."))
    current = settings_get()
    before = {"period_kind": current.period_kind, "cutoff_day": current.cutoff_day}
    current.period_kind, current.cutoff_day = period_kind, cutoff_day
    current.save()
    audit_record(
        actor=actor_for(user), action="ekinerja.settings.update", target_type="ekinerja.settings", target_id=1,
        before=before, after={"period_kind": period_kind, "cutoff_day": cutoff_day},
    )  # fmt: skip
    return current


@transaction.atomic
def catalogue_upsert(
    *, user: AbstractBaseUser, code: str, name: str, standard_minutes: int, active: bool = True
) -> CatalogueActivity:
    slug = (code or "").strip().lower()
    if not _CODE.match(slug):
        raise _field_error("code", "code_invalid", _("Kode hanya huruf kecil, angka, - dan _ (maks. 40)."))
    label = _text(name, field="name", limit=200)
    if not isinstance(standard_minutes, int) or not 1 <= standard_minutes <= 1440:
        raise _field_error("standard_minutes", "minutes_invalid", _("Menit harus antara 1 dan 1440."))
    item, created = CatalogueActivity.objects.update_or_create(
        code=slug, defaults={"name": label, "standard_minutes": standard_minutes, "active": bool(active)}
    )
    audit_record(
        actor=actor_for(user), action="ekinerja.catalogue.upsert", target_type="ekinerja.catalogue",
        target_id=item.pk, after={"code": slug, "minutes": standard_minutes, "active": item.active, "new": created},
    )  # fmt: skip
    return item


@transaction.atomic
def unit_performance_set(*, user: AbstractBaseUser, unit: Unit, year: int, predikat: str) -> UnitPerformance:
    if unit.parent_id is not None:
        raise _field_error("unit", "not_opd", _("Predikat organisasi ditetapkan untuk perangkat daerah (OPD)."))
    if predikat not in OrgPredikat.values:
        raise _field_error("predikat", "invalid_choice", _("Pilih predikat organisasi."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise _field_error("year", "year_invalid", _("Tahun tidak valid."))
    row, _created = UnitPerformance.objects.update_or_create(unit=unit, year=year, defaults={"predikat": predikat})
    audit_record(
        actor=actor_for(user), action="ekinerja.unit_performance.set", target_type="org.unit", target_id=unit.pk,
        after={"year": year, "predikat": predikat},
    )  # fmt: skip
    return row
