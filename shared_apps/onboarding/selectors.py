"""Reads about agreements, including the module scope that licensing and provisioning rely on."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mitra.errors import NotFoundError
from shared_apps.audit.models import AuditRecord
from shared_apps.audit.selectors import audit_for_target
from shared_apps.onboarding.models import Agreement
from tenants.models import Region
from tenants.selectors import region_today

AUDIT_TARGET = "agreement"
# Bigger ids cannot exist (bigint) and would make PostgreSQL raise instead of finding nothing.
_MAX_ID = 2**63 - 1


def agreement_list(*, region: Region | None = None) -> QuerySet[Agreement]:
    qs = Agreement.objects.select_related("region", "parent")
    if region is not None:
        qs = qs.filter(region=region)
    return qs.order_by("-created_at", "-id")


def agreement_get(*, agreement_id: int | str) -> Agreement:
    """One agreement by id; any malformed or unknown id is a NotFoundError (never a database error)."""
    try:
        pk = int(str(agreement_id).strip())
    except ValueError:
        pk = 0
    agreement = None
    if 0 < pk <= _MAX_ID:
        agreement = agreement_list().filter(pk=pk).first()
    if agreement is None:
        raise NotFoundError("agreement_not_found", _("Kerja sama tidak ditemukan."))
    return agreement


def agreement_signed_scope(*, region: Region, on: date | None = None) -> frozenset[str] | None:
    """The modules the region's signed or active agreements cover on `on` (the region's today if None).

    An agreement counts until the end of its `valid_until` day. None when no agreement counts, so callers
    can tell "no agreement" from "an agreement with an empty scope" (which the services never create).
    """
    day = on or region_today(region)
    rows = list(
        Agreement.objects.filter(
            region=region,
            status__in=[Agreement.Status.SIGNED, Agreement.Status.ACTIVE],
            valid_until__gte=day,
        ).values_list("modules", flat=True)
    )
    if not rows:
        return None
    return frozenset(code for modules in rows for code in modules)


def agreement_history(*, agreement: Agreement) -> QuerySet[AuditRecord]:
    """Every recorded step of the agreement, oldest first, from the public audit chain."""
    return audit_for_target(target_type=AUDIT_TARGET, target_id=agreement.pk)
