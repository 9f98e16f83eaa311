"""Reads about licences. The licence gate calls `licensed_module_codes` on every region request, so it is
one small query (the region's single active licence, joined to the region for its timezone)."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, NotFoundError
from shared_apps.audit.models import AuditRecord
from shared_apps.licensing.models import Licence
from tenants.models import Region
from tenants.selectors import platform_today, region_today, today_in

S = Licence.Status
# Bigger ids cannot exist (bigint) and would make PostgreSQL raise instead of finding nothing.
_MAX_ID = 2**63 - 1


def _is_current(licence: Licence | None, on: date) -> bool:
    return licence is not None and licence.status == S.ACTIVE and licence.valid_from <= on <= licence.valid_until


def licence_current(*, region: Region, on: date | None = None) -> Licence | None:
    """The region's active licence if `on` (default: today in the region) lies within its validity."""
    licence = Licence.objects.filter(region=region, status=S.ACTIVE).first()
    return licence if _is_current(licence, on or region_today(region)) else None


def licensed_module_codes(*, schema_name: str, on: date | None = None) -> frozenset[str]:
    """Modules the region may use on `on` (default: today in the region's timezone); empty if none.

    One query: there is at most one active licence per region (a database constraint).
    """
    row = (
        Licence.objects.filter(region__schema_name=schema_name, status=S.ACTIVE)
        .values_list("modules", "valid_from", "valid_until", "region__timezone")
        .first()
    )
    if row is None:
        return frozenset()
    modules, valid_from, valid_until, tz_name = row
    day = on or today_in(tz_name)
    return frozenset(modules) if valid_from <= day <= valid_until else frozenset()


def licence_allows(*, schema_name: str, module_code: str, on: date | None = None) -> bool:
    return module_code in licensed_module_codes(schema_name=schema_name, on=on)


def licences_expiring(*, within_days: int = 30, today: date | None = None) -> QuerySet[Licence]:
    """Active licences whose validity ends within `within_days` days from today (expired ones excluded)."""
    day = today or platform_today()
    return (
        Licence.objects.filter(
            status=S.ACTIVE, valid_until__gte=day, valid_until__lte=day + timedelta(days=within_days)
        )
        .select_related("region")
        .order_by("valid_until", "id")
    )


def licence_list(
    *, region_slug: str | None = None, status: str | None = None, expiring_within: int | None = None
) -> QuerySet[Licence]:
    qs = Licence.objects.select_related("region").order_by("region__official_name", "-created_at", "-id")
    if region_slug:
        qs = qs.filter(region__slug=region_slug)
    if status:
        qs = qs.filter(status=status)
    if expiring_within is not None:
        day = platform_today()
        qs = qs.filter(status=S.ACTIVE, valid_until__gte=day, valid_until__lte=day + timedelta(days=expiring_within))
    return qs


def licence_get(*, licence_id: int | str) -> Licence:
    """The licence with this id, or NotFoundError (also for ids that are not numbers)."""
    try:
        pk = int(str(licence_id).strip())
    except ValueError:
        pk = 0
    licence = None
    if 0 < pk <= _MAX_ID:
        licence = Licence.objects.select_related("region", "previous").filter(pk=pk).first()
    if licence is None:
        raise NotFoundError("licence_not_found", _("Lisensi tidak ditemukan."))
    return licence


def licence_history(*, licence: Licence) -> list[Licence]:
    """The renewal chain the licence belongs to, oldest first (one query: all of the region's licences)."""
    rows = {row.pk: row for row in Licence.objects.filter(region_id=licence.region_id).select_related("region")}
    successor_of = {row.previous_id: row for row in rows.values() if row.previous_id}
    first = rows.get(licence.pk, licence)
    while first.previous_id and first.previous_id in rows:
        first = rows[first.previous_id]
    chain = [first]
    while chain[-1].pk in successor_of:
        chain.append(successor_of[chain[-1].pk])
    return chain


def days_left(licence: Licence, *, today: date | None = None) -> int:
    return (licence.valid_until - (today or platform_today())).days


def seats_used(*, schema_name: str) -> int:
    """Active accounts in the region's schema: each takes one seat."""
    with schema_context(schema_name):
        return get_user_model().objects.filter(is_active=True).count()


def seats_check(*, schema_name: str, adding: int = 1) -> None:
    """Raise unless the region's licence leaves room for `adding` more active accounts.

    - A region with no licence record at all is not limited: accounts are created while a region is being
      set up (seed, demo, provisioning's first admin) before any licence exists, and the module gate keeps
      such a region out of every module anyway.
    - A region that has licences but none current (revoked, expired, superseded without successor) may not
      add accounts: `no_active_licence`.
    - Otherwise active accounts + `adding` must not exceed the current licence's seat limit:
      `seat_limit_exceeded`.

    Call it inside the transaction that creates the accounts: it locks the licence row, so two concurrent
    creations cannot both take the last seat.
    """
    if schema_name == "public":
        return
    with transaction.atomic():
        rows = list(
            Licence.objects.select_for_update(of=("self",))
            .select_related("region")
            .filter(region__schema_name=schema_name)
            .exclude(status=S.SUPERSEDED)
            .order_by("-id")
        )
        if not rows and not Licence.objects.filter(region__schema_name=schema_name).exists():
            return
        current = next((row for row in rows if _is_current(row, region_today(row.region))), None)
        if current is None:
            raise ConflictError(
                "no_active_licence",
                _("Wilayah ini tidak memiliki lisensi yang berlaku; akun baru tidak dapat dibuat."),
            )
        used = seats_used(schema_name=schema_name)
        if used + adding > current.seat_limit:
            raise ConflictError(
                "seat_limit_exceeded",
                _(
                    "Batas akun lisensi terlampaui: %(used)d dari %(limit)d akun sudah terpakai, "
                    "tidak dapat menambah %(adding)d akun lagi."
                )
                % {"used": used, "limit": current.seat_limit, "adding": adding},
            )


def agreement_scope_or_none(region: Region) -> frozenset[str] | None:
    """Modules of the region's signed agreements in force today (None: no such agreement)."""
    # Imported here: onboarding may call licensing (e.g. on termination); no import cycle at load time.
    from shared_apps.onboarding.selectors import agreement_signed_scope

    return agreement_signed_scope(region=region)


def licence_audit(*, licences: list[Licence]) -> QuerySet[AuditRecord]:
    """Audit records of the given licences (a renewal chain), newest first, in one query."""
    return AuditRecord.objects.filter(
        target_type="licence", target_id__in=[str(licence.pk) for licence in licences]
    ).order_by("-id")
