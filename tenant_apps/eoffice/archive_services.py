"""e-Office archive writes (region schema): classification codes with their retention schedule (JRA), dossiers
(berkas) per classification code, unit and year, filing letters into them, and disposal after retention.

Invariants:
- A letter is filed in at most one dossier (unique foreign keys), only while that dossier is open.
- Closing a dossier fixes its retention dates from the code's schedule as it is that day:
  `active_until = closed_on + active years`, `retention_until = active_until + inactive years`.
- Nothing filed is destroyed before `retention_until` (ConflictError `retention_not_ended`); after it, a
  disposal is a record (ArchiveDisposal, berita acara) plus a status, and nothing is deleted from the
  database: the rows stay as the evidence of what was disposed. A database trigger refuses deleting a dossier
  or a filing before its retention ends, whatever the caller.
- A permanent record (final disposition `permanen`) is never destroyed: it is handed over to the regional
  archive institution (`dossier_transfer`).
- Every change writes an audit record in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.eoffice.archive_selectors import classification_for_code
from tenant_apps.eoffice.models import (
    ArchiveDisposal,
    ClassificationCode,
    Dossier,
    DossierItem,
    FinalDisposition,
    IncomingLetter,
    OutgoingLetter,
)
from tenant_apps.eoffice.transitions import apply_transition
from tenant_apps.eoffice.validation import classification_code_check
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import org_today

DStatus = Dossier.Status

# Closed dossiers may be reopened (a late letter) until they are disposed; disposed and transferred are final.
DOSSIER_TRANSITIONS: dict[str, frozenset[str]] = {
    DStatus.OPEN: frozenset({DStatus.CLOSED}),
    DStatus.CLOSED: frozenset({DStatus.OPEN, DStatus.DISPOSED, DStatus.TRANSFERRED}),
    DStatus.DISPOSED: frozenset(),
    DStatus.TRANSFERRED: frozenset(),
}

YEARS_MAX = 100
NAME_MAX = 255
TEXT_MAX = 2000
REFERENCE_MAX = 100


def _require(user: AbstractBaseUser, action: Action) -> None:
    if not can(user, action):
        raise ForbiddenError("permission_denied", _("Peran akun Anda tidak mengizinkan tindakan ini."))


def years_after(day: date, years: int) -> date:
    """`day` plus whole years; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- classification codes ------------------------------------------------------------------------------------


def _classification_clean(
    *, name: str, active_years: Any, inactive_years: Any, final_disposition: str
) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    text = " ".join(str(name or "").split())
    if not text:
        fail("name", _("Wajib diisi."), "required")
    elif len(text) > NAME_MAX:
        fail("name", _("Paling panjang %(n)d karakter.") % {"n": NAME_MAX}, "too_long")
    values: dict[str, Any] = {"name": text, "final_disposition": final_disposition}
    for field, raw in (("active_years", active_years), ("inactive_years", inactive_years)):
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= YEARS_MAX:
            fail(field, _("Isi bilangan bulat 0 sampai %(n)d.") % {"n": YEARS_MAX}, "years_invalid")
        values[field] = raw
    if final_disposition not in FinalDisposition.values:
        fail("final_disposition", _("Pilih keterangan akhir."), "invalid_choice")
    if errors:
        raise ValidationError(errors)
    return values


def _snapshot(code: ClassificationCode) -> dict[str, Any]:
    return {
        "code": code.code,
        "name": code.name,
        "active_years": code.active_years,
        "inactive_years": code.inactive_years,
        "final_disposition": code.final_disposition,
        "is_active": code.is_active,
    }


def _parent_of(code: str) -> ClassificationCode | None:
    parts = code.split(".")
    prefixes = [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
    found = {c.code: c for c in ClassificationCode.objects.filter(code__in=prefixes)}
    return next((found[p] for p in prefixes if p in found), None)


@transaction.atomic
def classification_code_create(
    *,
    user: AbstractBaseUser,
    code: str,
    name: str,
    active_years: int,
    inactive_years: int,
    final_disposition: str,
) -> ClassificationCode:
    """A new code under the longest existing code that prefixes it; codes already below it move under it.
    Region admins only. ValidationError per field (`classification_code_invalid`, `classification_exists`)."""
    _require(user, Action.EOFFICE_CLASSIFICATION_MANAGE)
    errors: dict[str, list[ValidationError]] = {}
    try:
        code = classification_code_check(code)
    except ValidationError as exc:
        errors["code"] = exc.error_list
    else:
        if ClassificationCode.objects.filter(code=code).exists():
            errors["code"] = [ValidationError(_("Kode klasifikasi ini sudah ada."), code="classification_exists")]
    try:
        values = _classification_clean(
            name=name, active_years=active_years, inactive_years=inactive_years, final_disposition=final_disposition
        )
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    created = ClassificationCode.objects.create(code=code, parent=_parent_of(code), **values)
    for child in ClassificationCode.objects.filter(code__startswith=f"{code}.").select_related("parent"):
        if child.parent is None or len(child.parent.code) < len(code):
            child.parent = created
            child.save(update_fields=["parent", "updated_at"])
    audit_record(
        actor=actor_for(user),
        action="eoffice.classification.create",
        target_type="eoffice.classification_code",
        target_id=created.pk,
        region=connection.schema_name,
        after=_snapshot(created),
    )
    return created


@transaction.atomic
def classification_code_update(
    *,
    user: AbstractBaseUser,
    classification: ClassificationCode,
    name: str,
    active_years: int,
    inactive_years: int,
    final_disposition: str,
    is_active: bool = True,
) -> ClassificationCode:
    """Change a code's name, schedule or whether it is offered. The code itself never changes (letter numbers
    carry it). Dossiers already closed keep the schedule they were closed with."""
    _require(user, Action.EOFFICE_CLASSIFICATION_MANAGE)
    values = _classification_clean(
        name=name, active_years=active_years, inactive_years=inactive_years, final_disposition=final_disposition
    )
    locked = ClassificationCode.objects.select_for_update().get(pk=classification.pk)
    before = _snapshot(locked)
    for field, value in values.items():
        setattr(locked, field, value)
    locked.is_active = bool(is_active)
    locked.save()
    audit_record(
        actor=actor_for(user),
        action="eoffice.classification.update",
        target_type="eoffice.classification_code",
        target_id=locked.pk,
        region=connection.schema_name,
        before=before,
        after=_snapshot(locked),
    )
    classification.refresh_from_db()
    return classification


@transaction.atomic
def classification_code_delete(*, user: AbstractBaseUser, classification: ClassificationCode) -> None:
    """Delete a code nobody uses. ConflictError `classification_in_use` when a dossier uses it (deactivate it
    instead), `classification_has_children` when codes sit below it."""
    _require(user, Action.EOFFICE_CLASSIFICATION_MANAGE)
    locked = ClassificationCode.objects.select_for_update().get(pk=classification.pk)
    if Dossier.objects.filter(classification=locked).exists():
        raise ConflictError(
            "classification_in_use",
            _("Kode klasifikasi %(code)s dipakai berkas; nonaktifkan saja.") % {"code": locked.code},
        )
    if ClassificationCode.objects.filter(parent=locked).exists():
        raise ConflictError(
            "classification_has_children",
            _("Kode klasifikasi %(code)s masih mempunyai kode turunan.") % {"code": locked.code},
        )
    snapshot = _snapshot(locked)
    pk = locked.pk
    locked.delete()
    audit_record(
        actor=actor_for(user),
        action="eoffice.classification.delete",
        target_type="eoffice.classification_code",
        target_id=pk,
        region=connection.schema_name,
        before=snapshot,
    )


# --- dossiers ------------------------------------------------------------------------------------------------


def _dossier_for(*, classification: ClassificationCode, unit: Unit, year: int, actor: str) -> Dossier:
    """The dossier of (code, unit, year), opened (and audited) when missing, locked until the transaction ends.
    A concurrent opener loses on the unique constraint and gets the winner's row."""
    dossier, created = Dossier.objects.get_or_create(
        classification=classification,
        unit=unit,
        year=year,
        defaults={"title": classification.name, "opened_by": actor},
    )
    if created:
        audit_record(
            actor=actor,
            action="eoffice.dossier.open",
            target_type="eoffice.dossier",
            target_id=dossier.pk,
            region=connection.schema_name,
            after={"classification": classification.code, "unit": unit.code, "year": year},
        )
    return Dossier.objects.select_for_update().select_related("classification", "unit").get(pk=dossier.pk)


def _year_of(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        message = _("Tahun tidak valid.")
        raise DomainError("year_invalid", message, fields={"year": [message]})
    return value


def _usable(classification: ClassificationCode | None) -> ClassificationCode:
    if not isinstance(classification, ClassificationCode) or not classification.is_active:
        message = _("Pilih kode klasifikasi yang aktif.")
        raise DomainError("classification_invalid", message, fields={"classification": [message]})
    return classification


@transaction.atomic
def dossier_open(
    *, user: AbstractBaseUser, classification: ClassificationCode | None, unit: Unit | None, year: int
) -> Dossier:
    """The dossier of (code, unit, year), opened if it does not exist yet (idempotent)."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    code = _usable(classification)
    if not isinstance(unit, Unit):
        message = _("Pilih unit.")
        raise DomainError("unit_invalid", message, fields={"unit": [message]})
    return _dossier_for(classification=code, unit=unit, year=_year_of(year), actor=actor_for(user))


def _transition(*, dossier: Dossier, to: str, user: AbstractBaseUser, changes: dict[str, Any], **after: Any) -> Dossier:
    return apply_transition(
        obj=dossier,
        to=to,
        table=DOSSIER_TRANSITIONS,
        user=user,
        action="eoffice.dossier",
        target_type="eoffice.dossier",
        refusal=_("Berkas berstatus %(status)s tidak dapat diubah menjadi %(to)s."),
        changes=changes,
        audit_after={k: v.isoformat() if isinstance(v, date) else v for k, v in after.items()},
    )


@transaction.atomic
def dossier_close(*, user: AbstractBaseUser, dossier: Dossier, on: date | None = None) -> Dossier:
    """Close the dossier (no more filing) and fix its retention from its code's schedule today."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    day = on or org_today()
    code = ClassificationCode.objects.get(pk=dossier.classification_id)
    active_until = years_after(day, code.active_years)
    until = years_after(active_until, code.inactive_years)
    return _transition(
        dossier=dossier,
        to=DStatus.CLOSED,
        user=user,
        changes={
            "closed_on": day,
            "active_years": code.active_years,
            "inactive_years": code.inactive_years,
            "final_disposition": code.final_disposition,
            "active_until": active_until,
            "retention_until": until,
        },
        closed_on=day,
        retention_until=until,
        final_disposition=code.final_disposition,
    )


@transaction.atomic
def dossier_reopen(*, user: AbstractBaseUser, dossier: Dossier) -> Dossier:
    """Open a closed dossier again (a letter came late); its retention is fixed again when it is closed."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    return _transition(
        dossier=dossier,
        to=DStatus.OPEN,
        user=user,
        changes={
            "closed_on": None,
            "active_years": None,
            "inactive_years": None,
            "final_disposition": "",
            "active_until": None,
            "retention_until": None,
        },
    )


def _retention_ended(dossier: Dossier) -> date:
    """The dossier's retention end, if it has passed; ConflictError `retention_not_ended` otherwise."""
    until = dossier.retention_until
    if dossier.status == DStatus.OPEN or until is None:
        raise ConflictError(
            "retention_not_ended", _("Berkas masih terbuka; retensinya baru dihitung setelah berkas ditutup.")
        )
    if org_today() < until:
        raise ConflictError(
            "retention_not_ended",
            _("Masa retensi berkas ini baru berakhir pada %(date)s.") % {"date": until.strftime("%d-%m-%Y")},
        )
    return until


def _disposal_text(reference: str, reason: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    ref = " ".join(str(reference or "").split())
    text = str(reason or "").strip()
    if not ref:
        errors["reference"] = [_("Nomor berita acara wajib diisi.")]
    elif len(ref) > REFERENCE_MAX:
        errors["reference"] = [_("Paling panjang %(n)d karakter.") % {"n": REFERENCE_MAX}]
    if not text:
        errors["reason"] = [_("Keterangan wajib diisi.")]
    elif len(text) > TEXT_MAX:
        errors["reason"] = [_("Paling panjang %(n)d karakter.") % {"n": TEXT_MAX}]
    if errors:
        raise DomainError("invalid", _("Data tidak valid."), fields=errors)
    return ref, text


def _letters_of(items: list[DossierItem]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        if item.incoming_id:
            letter = item.incoming
            rows.append({"kind": "masuk", "id": letter.pk, "number": letter.letter_number, "subject": letter.subject})
        else:
            out = item.outgoing
            rows.append(
                {
                    "kind": "keluar",
                    "id": out.pk,
                    "number": out.number.number if out.number else "",
                    "subject": out.subject,
                }
            )
    return rows


def _items(dossier: Dossier) -> list[DossierItem]:
    return list(
        DossierItem.objects.filter(dossier=dossier, disposed_at__isnull=True)
        .select_related("incoming", "outgoing", "outgoing__number")
        .order_by("id")
    )


def _disposal_record(
    *, dossier: Dossier, item: DossierItem | None, kind: str, reference: str, reason: str, actor: str, letters: list
) -> ArchiveDisposal:
    record = ArchiveDisposal.objects.create(
        dossier=dossier,
        item=item,
        kind=kind,
        reference=reference,
        reason=reason,
        retention_until=dossier.retention_until,
        letters=letters,
        decided_by=actor,
    )
    audit_record(
        actor=actor,
        action=f"eoffice.archive.{kind}",
        target_type="eoffice.dossier",
        target_id=dossier.pk,
        region=connection.schema_name,
        after={"disposal": record.pk, "reference": reference, "item": item.pk if item else None, "letters": letters},
    )
    return record


@transaction.atomic
def dossier_dispose(*, user: AbstractBaseUser, dossier: Dossier, reference: str, reason: str) -> ArchiveDisposal:
    """Destroy (musnah) a closed dossier whose retention has ended: a disposal record listing its letters, the
    dossier and its filings marked disposed. ConflictError `retention_not_ended` before the end date,
    `permanent_record` for a permanent dossier (hand it over instead). Nothing is deleted from the database."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    ref, text = _disposal_text(reference, reason)
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status in (DStatus.DISPOSED, DStatus.TRANSFERRED):
        raise ConflictError("invalid_transition", _("Berkas ini sudah disusutkan."))
    _retention_ended(locked)
    if locked.final_disposition == FinalDisposition.PERMANENT:
        raise ConflictError("permanent_record", _("Arsip permanen tidak dimusnahkan; serahkan ke lembaga kearsipan."))
    items = _items(locked)
    now = timezone.now()
    actor = actor_for(user)
    record = _disposal_record(
        dossier=locked, item=None, kind=ArchiveDisposal.Kind.DESTROY, reference=ref, reason=text, actor=actor,
        letters=_letters_of(items),
    )  # fmt: skip
    DossierItem.objects.filter(pk__in=[i.pk for i in items]).update(disposed_at=now)
    _transition(dossier=locked, to=DStatus.DISPOSED, user=user, changes={"disposed_at": now}, disposal=record.pk)
    dossier.refresh_from_db()
    return record


@transaction.atomic
def dossier_transfer(*, user: AbstractBaseUser, dossier: Dossier, reference: str, reason: str) -> ArchiveDisposal:
    """Hand a closed dossier whose retention has ended over to the regional archive institution (permanent or
    re-appraised records): a record, the dossier marked transferred. ConflictError `retention_not_ended`,
    `not_transferable` for records whose schedule says destroy."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    ref, text = _disposal_text(reference, reason)
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status in (DStatus.DISPOSED, DStatus.TRANSFERRED):
        raise ConflictError("invalid_transition", _("Berkas ini sudah disusutkan."))
    _retention_ended(locked)
    if locked.final_disposition == FinalDisposition.DESTROY:
        raise ConflictError("not_transferable", _("Menurut JRA, berkas ini dimusnahkan, bukan diserahkan."))
    actor = actor_for(user)
    record = _disposal_record(
        dossier=locked, item=None, kind=ArchiveDisposal.Kind.TRANSFER, reference=ref, reason=text, actor=actor,
        letters=_letters_of(_items(locked)),
    )  # fmt: skip
    _transition(dossier=locked, to=DStatus.TRANSFERRED, user=user, changes={}, disposal=record.pk)
    dossier.refresh_from_db()
    return record


@transaction.atomic
def archive_item_dispose(*, user: AbstractBaseUser, item: DossierItem, reference: str, reason: str) -> ArchiveDisposal:
    """Destroy one filed letter once its dossier's retention has ended (same rules as the whole dossier)."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    ref, text = _disposal_text(reference, reason)
    locked = Dossier.objects.select_for_update().get(pk=item.dossier_id)
    row = (
        DossierItem.objects.select_for_update(of=("self",))
        .select_related("incoming", "outgoing", "outgoing__number")
        .get(pk=item.pk)
    )
    if row.disposed_at is not None or locked.status in (DStatus.DISPOSED, DStatus.TRANSFERRED):
        raise ConflictError("invalid_transition", _("Surat ini sudah disusutkan."))
    _retention_ended(locked)
    if locked.final_disposition == FinalDisposition.PERMANENT:
        raise ConflictError("permanent_record", _("Arsip permanen tidak dimusnahkan; serahkan ke lembaga kearsipan."))
    record = _disposal_record(
        dossier=locked, item=row, kind=ArchiveDisposal.Kind.DESTROY, reference=ref, reason=text,
        actor=actor_for(user), letters=_letters_of([row]),
    )  # fmt: skip
    row.disposed_at = timezone.now()
    row.save(update_fields=["disposed_at"])
    item.refresh_from_db()
    return record


# --- filing --------------------------------------------------------------------------------------------------


def _file(*, dossier: Dossier, actor: str, automatic: bool, **letter: Any) -> DossierItem:
    if dossier.status != DStatus.OPEN:
        raise ConflictError(
            "dossier_closed",
            _("Berkas %(ref)s sudah ditutup; buka kembali untuk menambah surat.") % {"ref": dossier.reference},
        )
    if DossierItem.objects.filter(**letter).exists():
        raise ConflictError("already_filed", _("Surat ini sudah diberkaskan."))
    item = DossierItem.objects.create(dossier=dossier, filed_by=actor, automatic=automatic, **letter)
    kind, obj = next(iter(letter.items()))
    audit_record(
        actor=actor,
        action="eoffice.archive.file",
        target_type=f"eoffice.{kind}_letter",
        target_id=obj.pk,
        region=connection.schema_name,
        after={"dossier": dossier.pk, "reference": dossier.reference, "automatic": automatic},
    )
    return item


@transaction.atomic
def incoming_letter_file(
    *,
    user: AbstractBaseUser,
    letter: IncomingLetter,
    classification: ClassificationCode | None,
    unit: Unit | None = None,
) -> DossierItem:
    """The records officer files an incoming letter into the dossier of (code, unit, year received), opening
    it if needed. The unit defaults to the addressed position's. ConflictError `already_filed`,
    `dossier_closed`."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    code = _usable(classification)
    target_unit = unit if isinstance(unit, Unit) else Unit.objects.get(pk=letter.addressed_to.unit_id)
    actor = actor_for(user)
    locked = IncomingLetter.objects.select_for_update().get(pk=letter.pk)
    dossier = _dossier_for(classification=code, unit=target_unit, year=locked.received_date.year, actor=actor)
    return _file(dossier=dossier, actor=actor, automatic=False, incoming=locked)


@transaction.atomic
def outgoing_letter_file(
    *, user: AbstractBaseUser, letter: OutgoingLetter, classification: ClassificationCode | None = None
) -> DossierItem:
    """File a signed outgoing letter by hand (when signing could not: its code was unknown or its dossier
    closed). The code defaults to the closest one matching the letter's classification code."""
    _require(user, Action.EOFFICE_ARCHIVE_MANAGE)
    locked = OutgoingLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.status != OutgoingLetter.Status.SIGNED or locked.letter_date is None:
        raise ConflictError("not_signed", _("Hanya naskah yang sudah ditandatangani yang dapat diberkaskan."))
    code = _usable(classification or classification_for_code(locked.classification_code))
    dossier = _dossier_for(
        classification=code, unit=Unit.objects.get(pk=locked.unit_id), year=locked.letter_date.year,
        actor=actor_for(user),
    )  # fmt: skip
    return _file(dossier=dossier, actor=actor_for(user), automatic=False, outgoing=locked)


def outgoing_letter_file_on_sign(*, letter: OutgoingLetter, actor: str) -> DossierItem | None:
    """Called inside the signing transaction: file the signed letter into the open dossier of its
    classification (the closest active code by prefix), unit and year. Never makes signing fail: with no
    matching code or a closed dossier it files nothing (the records officer files it later)."""
    code = classification_for_code(letter.classification_code)
    if code is None or letter.letter_date is None:
        return None
    unit = Unit.objects.get(pk=letter.unit_id)
    dossier = _dossier_for(classification=code, unit=unit, year=letter.letter_date.year, actor=actor)
    if dossier.status != DStatus.OPEN or DossierItem.objects.filter(outgoing=letter).exists():
        return None
    return _file(dossier=dossier, actor=actor, automatic=True, outgoing=letter)
