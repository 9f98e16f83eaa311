"""e-Office work a person did, offered to e-Kinerja as evidence for the daily activity log: outgoing letters
they drafted or signed, and dispositions they completed for a position they acted for. Read-only; the
caller (e-Kinerja) stores what it takes by value (kind, id, label), so this module keeps no reference back.

Days are the region's calendar days (its timezone), not UTC days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Q

from tenant_apps.eoffice.models import Disposition, OutgoingLetter
from tenants.models import Region

LETTER_DRAFTED = "naskah_disusun"
LETTER_SIGNED = "naskah_ditandatangani"
DISPOSITION_DONE = "disposisi_selesai"
KINDS = (LETTER_DRAFTED, LETTER_SIGNED, DISPOSITION_DONE)
LIMIT = 200


@dataclass(frozen=True)
class EofficeWork:
    kind: str  # one of KINDS
    ref_id: int  # the letter's or the disposition's id
    label: str  # what a person reads, e.g. "Naskah ditandatangani: 800/12/DISKOMINFO/2026 — Rapat SPBE"
    day: date  # the region's day it happened


def _zone() -> ZoneInfo:
    name = Region.objects.filter(schema_name=connection.schema_name).values_list("timezone", flat=True).first()
    return ZoneInfo(name or settings.MITRA_DEFAULT_REGION_TIMEZONE)


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone)


def eoffice_work(*, account_id: int, start: date, end: date) -> list[EofficeWork]:
    """What the account did in e-Office between `start` and `end` (region days, inclusive), newest first:
    letters drafted (created), letters signed, dispositions completed. Three queries, at most LIMIT of each."""
    zone = _zone()
    low, high = _bounds(start, end, zone)
    work: list[EofficeWork] = []
    drafted = OutgoingLetter.objects.filter(drafter_id=account_id, created_at__gte=low, created_at__lt=high)
    for letter in drafted.select_related("number").order_by("-created_at")[:LIMIT]:
        work.append(
            EofficeWork(
                LETTER_DRAFTED,
                letter.pk,
                f"Menyusun {letter.get_letter_type_display().lower()}: {letter.subject}"[:500],
                letter.created_at.astimezone(zone).date(),
            )
        )
    signed = OutgoingLetter.objects.filter(signed_by_id=account_id, signed_at__gte=low, signed_at__lt=high)
    for letter in signed.select_related("number").order_by("-signed_at")[:LIMIT]:
        number = letter.number.number if letter.number_id else ""
        work.append(
            EofficeWork(
                LETTER_SIGNED,
                letter.pk,
                f"Menandatangani naskah {number}: {letter.subject}"[:500],
                letter.signed_at.astimezone(zone).date(),  # type: ignore[union-attr]
            )
        )
    done = Disposition.objects.filter(
        Q(done_by_id=account_id), status=Disposition.Status.DONE, done_at__gte=low, done_at__lt=high
    ).select_related("letter", "letter__agenda")
    for disposition in done.order_by("-done_at")[:LIMIT]:
        work.append(
            EofficeWork(
                DISPOSITION_DONE,
                disposition.pk,
                f"Menyelesaikan disposisi surat {disposition.letter.agenda.number}: {disposition.letter.subject}"[:500],
                disposition.done_at.astimezone(zone).date(),  # type: ignore[union-attr]
            )
        )
    work.sort(key=lambda item: (item.day, item.kind, item.ref_id), reverse=True)
    return work


def eoffice_work_get(*, account_id: int, kind: str, ref_id: int, day: date) -> EofficeWork | None:
    """One piece of work the account did on `day`, or None (not theirs, another day, or no such record)."""
    if kind not in KINDS:
        return None
    return next(
        (w for w in eoffice_work(account_id=account_id, start=day, end=day) if w.kind == kind and w.ref_id == ref_id),
        None,
    )
