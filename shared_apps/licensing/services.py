"""Every write to licences: issue, renew, extend, change modules, revoke, expire.

Invariants (checked here, the first two also by the database):
- at most one active licence per region;
- valid_until > valid_from, seat_limit >= 1;
- a licence's modules are known, include their dependencies, and lie within the scope of the region's
  signed agreement (MoU/PKS) in force today.
Status changes go through `_transition` (LICENCE_TRANSITIONS); every change writes an audit record in the
public chain with `region=<schema>` so it appears on the region's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.services import audit_record
from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import agreement_scope_or_none, platform_today, region_today
from tenant_apps.registry import get_module, module_codes, with_dependencies
from tenants.models import Region

S = Licence.Status
SEAT_LIMIT_MAX = 1_000_000  # the largest region has ~20k civil servants; anything far above is a typo
LAST_DATE = date(2100, 12, 31)  # a licence ending later is a typo (and date arithmetic must not overflow)

LICENCE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.ACTIVE: frozenset({S.SUPERSEDED, S.REVOKED, S.EXPIRED}),
    S.EXPIRED: frozenset({S.SUPERSEDED}),  # an expired licence can still be renewed
    S.SUPERSEDED: frozenset(),
    S.REVOKED: frozenset(),
}


class LicenceTransitionError(ConflictError):
    pass


def _snapshot(licence: Licence) -> dict[str, Any]:
    return {
        "status": licence.status,
        "modules": list(licence.modules),
        "seat_limit": licence.seat_limit,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "reason": licence.reason,
        "previous": licence.previous_id,
    }


def _audit(*, licence: Licence, actor: str, action: str, before: dict[str, Any] | None) -> None:
    audit_record(
        actor=actor,
        action=f"licence.{action}",
        target_type="licence",
        target_id=licence.pk,
        region=licence.region.schema_name,
        before=before,
        after=_snapshot(licence),
    )


def _lock(licence: Licence) -> Licence:
    return Licence.objects.select_for_update().select_related("region").get(pk=licence.pk)


def _check_transition(licence: Licence, to: str) -> None:
    if to not in LICENCE_TRANSITIONS[licence.status]:
        raise LicenceTransitionError(
            "invalid_transition",
            _("Lisensi berstatus %(from)s tidak dapat diubah menjadi %(to)s.")
            % {"from": S(licence.status).label, "to": S(to).label},
        )


def _transition(*, licence: Licence, to: str, actor: str, reason: str = "") -> Licence:
    """Apply one status change on a locked row, or raise LicenceTransitionError. Audited."""
    _check_transition(licence, to)
    before = _snapshot(licence)
    licence.status = to
    if reason:
        licence.reason = reason
    licence.save(update_fields=["status", "reason", "updated_at"])
    _audit(licence=licence, actor=actor, action=to if to != S.SUPERSEDED else "supersede", before=before)
    return licence


def _require_active(licence: Licence) -> None:
    if licence.status != S.ACTIVE:
        raise LicenceTransitionError(
            "licence_not_active",
            _("Hanya lisensi aktif yang dapat diubah; lisensi ini berstatus %(status)s.")
            % {"status": S(licence.status).label},
        )


def _agreement_scope(region: Region) -> frozenset[str]:
    scope = agreement_scope_or_none(region)
    if scope is None:
        raise ConflictError(
            "no_signed_agreement",
            _("%(region)s belum memiliki perjanjian kerja sama (MoU/PKS) yang ditandatangani dan berlaku.")
            % {"region": region.official_name},
        )
    return scope


def _clean_modules(*, region: Region, codes: Iterable[str]) -> list[str]:
    """Known codes plus their dependencies, all within the agreement's scope; sorted for stable storage."""
    requested = {str(code).strip() for code in codes if str(code).strip()}
    if not requested:
        raise DomainError("no_modules", _("Pilih sedikitnya satu modul."), fields={"modules": [_("Wajib diisi.")]})
    unknown = sorted(requested - module_codes())
    if unknown:
        message = _("Modul tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)}
        raise DomainError("unknown_module", message, fields={"modules": [message]})
    full = with_dependencies(requested)
    outside = sorted(full - _agreement_scope(region))
    if outside:
        names = ", ".join(get_module(code).name for code in outside)
        message = _("Modul %(names)s tidak termasuk ruang lingkup perjanjian kerja sama wilayah ini.") % {
            "names": names
        }
        raise DomainError("module_outside_agreement", message, fields={"modules": [message]})
    return sorted(full)


def _check_seat_limit(seat_limit: Any) -> int:
    if isinstance(seat_limit, bool) or not isinstance(seat_limit, int) or not 1 <= seat_limit <= SEAT_LIMIT_MAX:
        message = _("Batas akun harus bilangan bulat antara 1 dan %(max)d.") % {"max": SEAT_LIMIT_MAX}
        raise DomainError("invalid_seat_limit", message, fields={"seat_limit": [message]})
    return seat_limit


def _check_end(valid_until: date) -> None:
    if valid_until > LAST_DATE:
        message = _("Tanggal akhir paling lambat %(last)s.") % {"last": LAST_DATE.isoformat()}
        raise DomainError("invalid_period", message, fields={"valid_until": [message]})


def _check_period(*, valid_from: date, valid_until: date, today: date) -> None:
    _check_end(valid_until)
    if valid_until <= valid_from:
        message = _("Tanggal akhir harus sesudah tanggal mulai berlaku.")
        raise DomainError("invalid_period", message, fields={"valid_until": [message]})
    if valid_until < today:
        message = _("Masa berlaku sudah lewat; lisensi harus berlaku sampai hari ini atau sesudahnya.")
        raise DomainError("period_in_past", message, fields={"valid_until": [message]})


def _check_region(region: Region) -> None:
    if region.status == Region.Status.TERMINATED:
        raise ConflictError("region_terminated", _("Wilayah ini sudah diakhiri; lisensi tidak dapat diterbitkan."))


def _refuse_second_active(region: Region) -> None:
    if Licence.objects.filter(region=region, status=S.ACTIVE).exists():
        raise ConflictError(
            "licence_already_active",
            _("%(region)s sudah memiliki lisensi aktif; perbarui, perpanjang atau cabut lisensi itu.")
            % {"region": region.official_name},
        )


@transaction.atomic
def licence_issue(
    *, region: Region, modules: list[str], seat_limit: int, valid_from: date, valid_until: date, actor: str
) -> Licence:
    """Issue a region's licence. Refused while another licence of the region is active, without a signed
    agreement in force, or for modules outside its scope. Dependencies of the modules are added."""
    region = Region.objects.select_for_update().get(pk=region.pk)  # serialises issuing per region
    _check_region(region)
    seat_limit = _check_seat_limit(seat_limit)
    _check_period(valid_from=valid_from, valid_until=valid_until, today=region_today(region))
    codes = _clean_modules(region=region, codes=modules)
    _refuse_second_active(region)
    licence = Licence.objects.create(
        region=region,
        modules=codes,
        seat_limit=seat_limit,
        valid_from=valid_from,
        valid_until=valid_until,
        status=S.ACTIVE,
        created_by=actor,
    )
    _audit(licence=licence, actor=actor, action="issue", before=None)
    return licence


@transaction.atomic
def licence_renew(*, licence: Licence, valid_until: date, actor: str, seat_limit: int | None = None) -> Licence:
    """Replace an active or expired licence by a new one (same modules, re-checked against the agreement)
    running until `valid_until`, which must be later than the old end. The new licence starts today
    (or at the old start, if that is still ahead), so there is no day without a licence; the old one
    becomes superseded and stays in the history."""
    old = _lock(licence)
    region = Region.objects.select_for_update().get(pk=old.region_id)
    _check_region(region)
    _check_transition(old, S.SUPERSEDED)
    today = region_today(region)
    if valid_until <= old.valid_until:
        message = _("Tanggal akhir pembaruan harus sesudah akhir lisensi lama (%(until)s).") % {
            "until": old.valid_until.isoformat()
        }
        raise DomainError("invalid_period", message, fields={"valid_until": [message]})
    valid_from = max(old.valid_from, today)
    _check_period(valid_from=valid_from, valid_until=valid_until, today=today)
    new_seats = _check_seat_limit(seat_limit) if seat_limit is not None else old.seat_limit
    codes = _clean_modules(region=region, codes=old.modules)
    if old.status != S.ACTIVE:
        _refuse_second_active(region)
    _transition(licence=old, to=S.SUPERSEDED, actor=actor)
    new = Licence.objects.create(
        region=region,
        modules=codes,
        seat_limit=new_seats,
        valid_from=valid_from,
        valid_until=valid_until,
        status=S.ACTIVE,
        previous=old,
        created_by=actor,
    )
    _audit(licence=new, actor=actor, action="renew", before=_snapshot(old))
    return new


@transaction.atomic
def licence_extend(*, licence: Licence, valid_until: date, actor: str) -> Licence:
    """Move the end of an active licence later (an addendum); same row, audited."""
    locked = _lock(licence)
    _require_active(locked)
    _check_end(valid_until)
    if valid_until <= locked.valid_until:
        message = _("Tanggal akhir baru harus sesudah %(until)s.") % {"until": locked.valid_until.isoformat()}
        raise DomainError("invalid_period", message, fields={"valid_until": [message]})
    _agreement_scope(locked.region)  # no extension once the agreement is no longer in force
    before = _snapshot(locked)
    locked.valid_until = valid_until
    locked.save(update_fields=["valid_until", "updated_at"])
    _audit(licence=locked, actor=actor, action="extend", before=before)
    return locked


@transaction.atomic
def licence_modules_change(
    *, licence: Licence, add: Iterable[str] = (), remove: Iterable[str] = (), actor: str
) -> Licence:
    """Add and/or remove modules on an active licence. Added modules bring their dependencies; removing a
    module that a remaining one depends on is refused (`module_required`). At least one module stays."""
    locked = _lock(licence)
    _require_active(locked)
    add_set = {str(c).strip() for c in add if str(c).strip()}
    remove_set = {str(c).strip() for c in remove if str(c).strip()}
    if not add_set and not remove_set:
        raise DomainError("no_change", _("Tidak ada modul yang ditambah atau dihapus."))
    both = sorted(add_set & remove_set)
    if both:
        raise DomainError(
            "conflicting_change", _("Modul %(codes)s tidak bisa ditambah dan dihapus sekaligus.") % {"codes": both}
        )
    unknown = sorted((add_set | remove_set) - module_codes())
    if unknown:
        message = _("Modul tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)}
        raise DomainError("unknown_module", message, fields={"modules": [message]})
    not_held = sorted(remove_set - set(locked.modules))
    if not_held:
        raise DomainError(
            "module_not_in_licence",
            _("Modul %(codes)s tidak ada dalam lisensi ini.") % {"codes": ", ".join(not_held)},
        )
    remaining = (set(locked.modules) - remove_set) | add_set
    if not remaining:
        raise DomainError("no_modules", _("Lisensi harus memuat sedikitnya satu modul."))
    needed = sorted(with_dependencies(frozenset(remaining)) & remove_set)
    if needed:
        raise DomainError(
            "module_required",
            _("Modul %(names)s masih dibutuhkan oleh modul lain dalam lisensi ini.")
            % {"names": ", ".join(get_module(c).name for c in needed)},
        )
    codes = _clean_modules(region=locked.region, codes=remaining)
    if codes == sorted(locked.modules):
        raise DomainError("no_change", _("Modul lisensi tidak berubah."))
    before = _snapshot(locked)
    locked.modules = codes
    locked.save(update_fields=["modules", "updated_at"])
    _audit(licence=locked, actor=actor, action="modules", before=before)
    return locked


@transaction.atomic
def licence_revoke(*, licence: Licence, actor: str, reason: str) -> Licence:
    """Revoke an active licence at once (the gate closes every module on the next request). Final."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Alasan pencabutan wajib diisi.")
        raise DomainError("reason_required", message, fields={"reason": [message]})
    locked = _lock(licence)
    return _transition(licence=locked, to=S.REVOKED, actor=actor, reason=reason[:2000])


@transaction.atomic
def licence_expire_due(*, today: date | None = None) -> int:
    """Mark active licences whose validity has ended as expired; returns how many. Idempotent.

    The gate already refuses a licence past its end date; this keeps statuses (lists, reports) truthful.
    Without `today`, each licence is judged by the date in its region's timezone.
    """
    horizon = today or platform_today()
    # Candidates end on or before Jakarta's today; a region east of Jakarta may already be a day ahead, so
    # whether each has ended is decided with its own region's date.
    candidates = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("region")
        .filter(status=S.ACTIVE, valid_until__lte=horizon)
        .order_by("id")
    )
    count = 0
    for licence in candidates:
        day = today or region_today(licence.region)
        if licence.valid_until < day:
            _transition(licence=licence, to=S.EXPIRED, actor="system:expiry", reason=_("Masa berlaku berakhir."))
            count += 1
    return count
