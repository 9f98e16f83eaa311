"""Appraisal writes: the appraiser records realisation against each indicator, feedback, and the two
ratings for a period (the region's monthly or quarterly period, or the year); completing it computes the
predikat from the matrix and freezes it. Completing never fails because of the organisation's distribution
cap: the cap is a warning the appraiser sees (selectors.distribution_warning), as the regulation asks the
appraiser to weigh it, not the system to refuse.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.ekinerja.models import Appraisal, AppraisalPeriod, BehaviourValue, Indicator, Realisation, Skp
from tenant_apps.ekinerja.periods import period_bounds
from tenant_apps.ekinerja.rating import Rating, predikat_for
from tenant_apps.ekinerja.selectors import settings_get
from tenant_apps.ekinerja.skp_services import _field_error, require_appraiser
from tenant_apps.ekinerja.transitions import transition


def period_ensure(*, year: int, kind: str, number: int) -> AppraisalPeriod:
    """The period row (created on first use); `period_invalid` for a kind the region does not use."""
    allowed = {settings_get().period_kind, AppraisalPeriod.Kind.ANNUAL}
    if kind not in allowed:
        raise _field_error("period_kind", "period_invalid", _("Jenis periode ini tidak dipakai di wilayah Anda."))
    try:
        start, end = period_bounds(year=year, kind=kind, number=number)
    except ValueError:
        raise _field_error("period_number", "period_invalid", _("Periode tidak valid.")) from None
    try:
        with transaction.atomic():
            return AppraisalPeriod.objects.get_or_create(
                year=year, kind=kind, number=number, defaults={"start": start, "end": end}
            )[0]
    except IntegrityError:  # created concurrently
        return AppraisalPeriod.objects.get(year=year, kind=kind, number=number)


@transaction.atomic
def appraisal_save(
    *,
    user: AbstractBaseUser,
    skp: Skp,
    period: AppraisalPeriod,
    results_rating: str = "",
    behaviour_rating: str = "",
    feedback: str = "",
    realisations: dict[int, dict[str, str]] | None = None,
    behaviour_feedback: dict[str, str] | None = None,
) -> Appraisal:
    """Create or update the draft appraisal of `skp` for `period`. Only the appraiser (`not_appraiser`,
    `own_skp`), only for an approved SKP of the period's year, never once completed."""
    official = require_appraiser(user, skp.employee)
    if skp.status != Skp.Status.APPROVED:
        raise ConflictError("skp_not_approved", _("Hanya SKP yang sudah disetujui yang dapat dinilai."))
    if period.year != skp.year:
        raise _field_error("period_number", "period_invalid", _("Periode harus pada tahun SKP."))
    for field, value in (("results_rating", results_rating), ("behaviour_rating", behaviour_rating)):
        if value and value not in Rating.values:
            raise _field_error(field, "invalid_choice", _("Pilih rating."))
    text = (feedback or "").strip()
    if len(text) > 4000:
        raise _field_error("feedback", "too_long", _("Paling panjang %(n)d karakter.") % {"n": 4000})
    behaviours = {k: (v or "").strip()[:2000] for k, v in (behaviour_feedback or {}).items()}
    if set(behaviours) - set(BehaviourValue.values):
        raise _field_error("behaviour_feedback", "invalid_choice", _("Nilai perilaku tidak dikenal."))
    appraisal = Appraisal.objects.select_for_update().filter(skp=skp, period=period).first()
    if appraisal is not None and appraisal.status == Appraisal.Status.COMPLETED:
        raise ConflictError("appraisal_completed", _("Penilaian ini sudah selesai dan tidak dapat diubah."))
    values: dict[str, Any] = {
        "results_rating": results_rating,
        "behaviour_rating": behaviour_rating,
        "feedback": text,
        "behaviour_feedback": behaviours,
        "appraiser_position": official.position,
        "appraiser_as": official.basis,
        "appraiser": user,
    }
    if appraisal is None:
        appraisal = Appraisal.objects.create(skp=skp, period=period, **values)
    else:
        for name, value in values.items():
            setattr(appraisal, name, value)
        appraisal.save()
    indicators = set(Indicator.objects.filter(rhk__skp=skp).values_list("pk", flat=True))
    for indicator_id, item in (realisations or {}).items():
        if int(indicator_id) not in indicators:
            raise _field_error("realisations", "indicator_not_found", _("Indikator bukan bagian dari SKP ini."))
        Realisation.objects.update_or_create(
            appraisal=appraisal,
            indicator_id=int(indicator_id),
            defaults={
                "realisation": (item.get("realisation") or "").strip()[:500],
                "feedback": (item.get("feedback") or "").strip()[:1000],
            },
        )
    audit_record(
        actor=actor_for(user), action="ekinerja.appraisal.save", target_type="ekinerja.appraisal",
        target_id=appraisal.pk,
        after={"period": str(period), "results": results_rating, "behaviour": behaviour_rating},
    )  # fmt: skip
    return appraisal


@transaction.atomic
def appraisal_complete(*, user: AbstractBaseUser, appraisal: Appraisal) -> Appraisal:
    """Compute the predikat from the two ratings and freeze the appraisal (`ratings_required` without them)."""
    require_appraiser(user, appraisal.skp.employee)
    current = Appraisal.objects.get(pk=appraisal.pk)
    if current.status == Appraisal.Status.DRAFT and not (current.results_rating and current.behaviour_rating):
        raise ConflictError("ratings_required", _("Isi rating hasil kerja dan rating perilaku kerja lebih dulu."))
    predikat = (
        predikat_for(results=current.results_rating, behaviour=current.behaviour_rating)
        if current.results_rating and current.behaviour_rating
        else ""
    )
    return transition(
        obj=appraisal,
        to=Appraisal.Status.COMPLETED,
        user=user,
        changes={"predikat": predikat, "completed_at": timezone.now()},
    )
