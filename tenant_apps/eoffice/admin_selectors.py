"""Reads behind the e-Office lists that the region keeps: instructions (all, retired ones included) and the
register of issued numbers."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mitra.errors import NotFoundError
from tenant_apps.eoffice.models import DispositionInstruction, IssuedNumber


def _pk(value: int | str, message: str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFoundError("not_found", message) from None
    if not 0 < pk < 2**63:
        raise NotFoundError("not_found", message)
    return pk


def instruction_all() -> QuerySet[DispositionInstruction]:
    return DispositionInstruction.objects.order_by("-active", "order", "code")


def instruction_get(*, instruction_id: int | str) -> DispositionInstruction:
    message = _("Instruksi tidak ditemukan.")
    found = DispositionInstruction.objects.filter(pk=_pk(instruction_id, message)).first()
    if found is None:
        raise NotFoundError("not_found", message)
    return found


def issued_number_list(
    *, year: int | None = None, kind: str = "", unit_id: int | None = None, state: str = ""
) -> QuerySet[IssuedNumber]:
    """Issued numbers, newest first, filtered; `state` is "issued", "cancelled" or "" (both)."""
    qs = IssuedNumber.objects.select_related("unit").order_by("-issued_at", "-id")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if state in ("issued", "cancelled"):
        qs = qs.filter(cancelled=(state == "cancelled"))
    return qs


def issued_number_get(*, number_id: int | str) -> IssuedNumber:
    message = _("Nomor tidak ditemukan.")
    found = IssuedNumber.objects.select_related("unit").filter(pk=_pk(number_id, message)).first()
    if found is None:
        raise NotFoundError("not_found", message)
    return found
