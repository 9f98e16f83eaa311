"""SKP writes: an employee plans their year (RHK, indicators), their appraiser sets the behaviour
expectations and approves or returns it. Status changes go through transitions.transition (audited).

Invariants: one SKP per employee and year; only the employee edits their plan, and only while it is a draft
or returned; only whoever acts today for the superior position decides on it, never the employee themselves
(ForbiddenError `own_skp` / `not_appraiser`); a cascaded RHK's parent is an RHK of the superior position's
SKP of the same year.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.ekinerja.models import BehaviourExpectation, BehaviourValue, Indicator, Rhk, Skp
from tenant_apps.ekinerja.selectors import appraiser_official, employee_of, superior_rhks
from tenant_apps.ekinerja.transitions import transition
from tenant_apps.org.models import Employee
from tenant_apps.org.selectors import Official, org_today

RHK_MAX = 30
INDICATORS_MAX = 8
TEXT_MAX = 1000


def _field_error(field: str, code: str, message: str) -> DomainError:
    return DomainError(code, message, fields={field: [message]})


def _text(value: str, *, field: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise _field_error(field, "required", _("Wajib diisi."))
    if len(text) > limit:
        raise _field_error(field, "too_long", _("Paling panjang %(n)d karakter.") % {"n": limit})
    return text


def _me(user: AbstractBaseUser) -> Employee:
    me = employee_of(user=user)
    if me is None:
        raise ForbiddenError("no_employee", _("Akun Anda tidak terhubung dengan data pegawai yang aktif."))
    return me


def _require_owner(user: AbstractBaseUser, skp: Skp) -> None:
    if employee_of(user=user) is None or skp.employee_id != employee_of(user=user).pk:  # type: ignore[union-attr]
        raise ForbiddenError("not_owner", _("Hanya pegawai pemilik SKP yang dapat mengubahnya."))
    if not Skp.objects.filter(pk=skp.pk, status__in=Skp.EDITABLE).exists():
        raise ConflictError("skp_not_editable", _("SKP yang sudah diajukan atau disetujui tidak dapat diubah."))


def require_appraiser(user: AbstractBaseUser, employee: Employee) -> Official:
    me = employee_of(user=user)
    if me is not None and me.pk == employee.pk:
        raise ForbiddenError("own_skp", _("Anda tidak dapat menilai atau menyetujui kinerja Anda sendiri."))
    official = appraiser_official(user=user, employee=employee)
    if official is None:
        raise ForbiddenError("not_appraiser", _("Anda bukan pejabat penilai pegawai ini."))
    return official


@transaction.atomic
def skp_create(*, user: AbstractBaseUser, year: int, approach: str) -> Skp:
    """The user's SKP for `year`, as a draft with the seven BerAKHLAK values (expectations empty). The
    appraiser and the appraiser's superior positions are read from the organisation now."""
    me = _me(user)
    if me.position is None:
        raise ConflictError("no_position", _("Anda belum mempunyai jabatan; SKP tidak dapat dibuat."))
    today = org_today()
    if not isinstance(year, int) or not today.year - 1 <= year <= today.year + 1:
        raise _field_error("year", "year_invalid", _("Tahun SKP harus tahun lalu, tahun ini atau tahun depan."))
    if approach not in Skp.Approach.values:
        raise _field_error("approach", "invalid_choice", _("Pilih pendekatan."))
    superior = me.position.superior
    try:
        with transaction.atomic():
            skp = Skp.objects.create(
                employee=me,
                year=year,
                approach=approach,
                position=me.position,
                appraiser_position=superior,
                appraiser_superior_position=superior.superior if superior is not None else None,
            )
    except IntegrityError:
        raise ConflictError("skp_exists", _("SKP tahun %(y)d sudah ada.") % {"y": year}) from None
    BehaviourExpectation.objects.bulk_create(BehaviourExpectation(skp=skp, value=v) for v in BehaviourValue.values)
    audit_record(
        actor=actor_for(user),
        action="ekinerja.skp.create",
        target_type="ekinerja.skp",
        target_id=skp.pk,
        after={"employee": me.nip, "year": year, "approach": approach},
    )
    return skp


@transaction.atomic
def rhk_add(*, user: AbstractBaseUser, skp: Skp, kind: str, text: str, parent: Rhk | None = None) -> Rhk:
    """Add a work result; `parent` (optional) is the superior's RHK it intervenes (`parent_not_superior`)."""
    _require_owner(user, skp)
    if kind not in Rhk.Kind.values:
        raise _field_error("kind", "invalid_choice", _("Pilih jenis RHK."))
    value = _text(text, field="text", limit=TEXT_MAX)
    if parent is not None and not superior_rhks(skp=skp).filter(pk=parent.pk).exists():
        raise _field_error(
            "parent", "parent_not_superior", _("RHK yang diintervensi harus RHK atasan langsung pada tahun yang sama.")
        )
    if skp.rhks.count() >= RHK_MAX:
        raise ConflictError("too_many_rhk", _("Paling banyak %(n)d RHK.") % {"n": RHK_MAX})
    rhk = Rhk.objects.create(skp=skp, kind=kind, text=value, parent=parent, order=skp.rhks.count() + 1)
    audit_record(
        actor=actor_for(user),
        action="ekinerja.rhk.add",
        target_type="ekinerja.skp",
        target_id=skp.pk,
        after={"rhk": rhk.pk, "kind": kind, "parent": parent.pk if parent else None},
    )
    return rhk


@transaction.atomic
def rhk_delete(*, user: AbstractBaseUser, rhk: Rhk) -> None:
    _require_owner(user, rhk.skp)
    if rhk.children.exists():
        raise ConflictError("rhk_cascaded", _("RHK ini sudah diintervensi oleh RHK bawahan; tidak dapat dihapus."))
    audit_record(
        actor=actor_for(user), action="ekinerja.rhk.delete", target_type="ekinerja.skp", target_id=rhk.skp_id,
        before={"rhk": rhk.pk, "text": rhk.text},
    )  # fmt: skip
    rhk.delete()


@transaction.atomic
def indicator_add(*, user: AbstractBaseUser, rhk: Rhk, aspect: str, text: str, target: str) -> Indicator:
    _require_owner(user, rhk.skp)
    if aspect not in Indicator.Aspect.values:
        raise _field_error("aspect", "invalid_choice", _("Pilih aspek indikator."))
    indicator_text = _text(text, field="text", limit=500)
    target_text = _text(target, field="target", limit=200)
    if rhk.indicators.count() >= INDICATORS_MAX:
        raise ConflictError("too_many_indicators", _("Paling banyak %(n)d indikator per RHK.") % {"n": INDICATORS_MAX})
    indicator = Indicator.objects.create(rhk=rhk, aspect=aspect, text=indicator_text, target=target_text)
    audit_record(
        actor=actor_for(user), action="ekinerja.indicator.add", target_type="ekinerja.skp", target_id=rhk.skp_id,
        after={"rhk": rhk.pk, "indicator": indicator.pk, "aspect": aspect, "target": target_text},
    )  # fmt: skip
    return indicator


@transaction.atomic
def indicator_delete(*, user: AbstractBaseUser, indicator: Indicator) -> None:
    _require_owner(user, indicator.rhk.skp)
    audit_record(
        actor=actor_for(user), action="ekinerja.indicator.delete", target_type="ekinerja.skp",
        target_id=indicator.rhk.skp_id, before={"indicator": indicator.pk, "text": indicator.text},
    )  # fmt: skip
    indicator.delete()


@transaction.atomic
def behaviour_set(*, user: AbstractBaseUser, skp: Skp, expectations: dict[str, str]) -> Skp:
    """The appraiser writes their specific expectations for the BerAKHLAK values (before approval)."""
    require_appraiser(user, skp.employee)
    if skp.status == Skp.Status.APPROVED:
        raise ConflictError("skp_not_editable", _("SKP yang sudah disetujui tidak dapat diubah."))
    unknown = set(expectations) - set(BehaviourValue.values)
    if unknown:
        raise _field_error("expectations", "invalid_choice", _("Nilai perilaku tidak dikenal."))
    for value, text in expectations.items():
        cleaned = (text or "").strip()
        if len(cleaned) > 2000:
            raise _field_error(value, "too_long", _("Paling panjang %(n)d karakter.") % {"n": 2000})
        BehaviourExpectation.objects.update_or_create(skp=skp, value=value, defaults={"expectation": cleaned})
    audit_record(
        actor=actor_for(user), action="ekinerja.skp.behaviour", target_type="ekinerja.skp", target_id=skp.pk,
        after={"values": sorted(expectations)},
    )  # fmt: skip
    return skp


@transaction.atomic
def skp_submit(*, user: AbstractBaseUser, skp: Skp) -> Skp:
    """The employee submits the plan: it needs at least one main RHK, and every RHK an indicator."""
    if employee_of(user=user) is None or skp.employee_id != employee_of(user=user).pk:  # type: ignore[union-attr]
        raise ForbiddenError("not_owner", _("Hanya pegawai pemilik SKP yang dapat mengajukannya."))
    rhks = list(skp.rhks.all().prefetch_related("indicators"))
    if not any(r.kind == Rhk.Kind.MAIN for r in rhks):
        raise ConflictError("skp_incomplete", _("Tambahkan paling sedikit satu RHK utama sebelum mengajukan."))
    if any(not r.indicators.all() for r in rhks):
        raise ConflictError("skp_incomplete", _("Setiap RHK harus mempunyai paling sedikit satu indikator."))
    return transition(obj=skp, to=Skp.Status.SUBMITTED, user=user, changes={"submitted_at": timezone.now()})


@transaction.atomic
def skp_approve(*, user: AbstractBaseUser, skp: Skp) -> Skp:
    require_appraiser(user, skp.employee)
    return transition(
        obj=skp,
        to=Skp.Status.APPROVED,
        user=user,
        changes={"decided_at": timezone.now(), "decided_by": user, "return_note": ""},
    )


@transaction.atomic
def skp_return(*, user: AbstractBaseUser, skp: Skp, note: str) -> Skp:
    require_appraiser(user, skp.employee)
    text = _text(note, field="note", limit=2000)
    return transition(
        obj=skp,
        to=Skp.Status.RETURNED,
        user=user,
        changes={"decided_at": timezone.now(), "decided_by": user, "return_note": text},
    )
