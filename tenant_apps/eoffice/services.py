"""e-Office writes (region schema): letter numbers and incoming letters.

Numbering is gap-free and race-free: the sequence row of (kind, unit, year) is created if missing (a
concurrent creator loses on the unique constraint and reads the winner's row), then locked with SELECT … FOR
UPDATE until the caller's transaction ends. The next value and its IssuedNumber are written under that lock,
so concurrent signers queue on the row, and a transaction that rolls back gives its value back untaken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.eoffice import notifications
from tenant_apps.eoffice.models import (
    IncomingAttachment,
    IncomingLetter,
    IssuedNumber,
    LetterNumberSequence,
    Nature,
    SequenceKind,
    Urgency,
)
from tenant_apps.eoffice.validation import (
    ATTACHMENT_MAX_COUNT,
    CheckedFile,
    attachment_check,
    classification_code_check,
)
from tenant_apps.org.models import Position, Unit
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import org_today
from tenant_apps.workspace.selectors import region_settings_get
from tenant_apps.workspace.validation import number_format_render

YEAR_MIN = 2000
YEAR_MAX = 2100


# --- numbering -------------------------------------------------------------------------------------------


def _year_check(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(
            {"year": ValidationError(_("Tahun tidak valid."), code="year_invalid")},
        )
    return year


def _sequence_locked(*, kind: str, unit: Unit | None, year: int) -> LetterNumberSequence:
    # get_or_create inserts in a savepoint and, on IntegrityError (another process created the row first and
    # committed), reads the existing row; the lock is then taken on whichever row exists.
    sequence, _created = LetterNumberSequence.objects.get_or_create(kind=kind, unit=unit, year=year)
    return LetterNumberSequence.objects.select_for_update().get(pk=sequence.pk)


def _number_take(
    *, kind: str, unit: Unit | None, year: int, classification_code: str, actor: str, letter_ref: str
) -> IssuedNumber:
    sequence = _sequence_locked(kind=kind, unit=unit, year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value", "updated_at"])
    if kind == SequenceKind.LETTER:
        assert unit is not None
        text = number_format_render(
            region_settings_get().letter_number_format,
            klasifikasi=classification_code,
            nomor=sequence.last_value,
            unit=unit.code,
            tahun=year,
        )
    else:
        text = f"{sequence.last_value}/{year}"
    issued = IssuedNumber.objects.create(
        sequence=sequence,
        kind=kind,
        unit=unit,
        year=year,
        value=sequence.last_value,
        number=text,
        classification_code=classification_code,
        letter_ref=letter_ref,
        issued_by=actor,
    )
    audit_record(
        actor=actor,
        action="eoffice.number.issue",
        target_type="eoffice.issued_number",
        target_id=issued.pk,
        region=connection.schema_name,
        after={"kind": kind, "number": text, "value": issued.value, "year": year, "letter_ref": letter_ref},
    )
    return issued


@transaction.atomic
def letter_number_issue(
    *, unit: Unit, classification_code: str, year: int, actor: str, letter_ref: str = ""
) -> IssuedNumber:
    """The next number of `unit` in `year`, formatted with the region's letter number format (e.g.
    `400.14/12/DISKOMINFO/2026`). Holds the sequence's lock until the caller's transaction ends."""
    code = classification_code_check(classification_code)
    return _number_take(
        kind=SequenceKind.LETTER,
        unit=unit,
        year=_year_check(year),
        classification_code=code,
        actor=actor,
        letter_ref=letter_ref[:60],
    )


@transaction.atomic
def agenda_number_issue(*, year: int, actor: str, letter_ref: str = "") -> IssuedNumber:
    """The next agenda number of incoming letters in `year` (region-wide), e.g. `12/2026`."""
    return _number_take(
        kind=SequenceKind.AGENDA,
        unit=None,
        year=_year_check(year),
        classification_code="",
        actor=actor,
        letter_ref=letter_ref[:60],
    )


# A number can only go from issued to cancelled; a cancelled number is never issued again.
NUMBER_TRANSITIONS: dict[str, set[str]] = {"issued": {"cancelled"}, "cancelled": set()}


def _number_state(issued: IssuedNumber) -> str:
    return "cancelled" if issued.cancelled else "issued"


@transaction.atomic
def letter_number_cancel(*, issued: IssuedNumber, reason: str, actor: str) -> IssuedNumber:
    """Mark a number cancelled (with its reason). The value stays taken: the sequence never goes back."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Alasan pembatalan wajib diisi.")
        raise DomainError("reason_required", message, fields={"reason": [message]})
    locked = IssuedNumber.objects.select_for_update().get(pk=issued.pk)
    if "cancelled" not in NUMBER_TRANSITIONS[_number_state(locked)]:
        raise ConflictError("number_already_cancelled", _("Nomor ini sudah dibatalkan."))
    if locked.kind == SequenceKind.AGENDA and IncomingLetter.objects.filter(agenda=locked).exists():
        raise ConflictError("number_in_use", _("Nomor agenda ini dipakai surat masuk yang tercatat."))
    locked.cancelled = True
    locked.cancelled_reason = reason[:500]
    locked.cancelled_by = actor
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled", "cancelled_reason", "cancelled_by", "cancelled_at"])
    audit_record(
        actor=actor,
        action="eoffice.number.cancel",
        target_type="eoffice.issued_number",
        target_id=locked.pk,
        region=connection.schema_name,
        before={"cancelled": False},
        after={"cancelled": True, "number": locked.number, "reason": locked.cancelled_reason},
    )
    issued.refresh_from_db()
    return issued


# --- incoming letters ------------------------------------------------------------------------------------

_TEXT_LIMITS = {"sender": 255, "letter_number": 100, "subject": 500}


def _incoming_clean(
    *,
    sender: str,
    letter_number: str,
    letter_date: date | None,
    received_date: date | None,
    subject: str,
    nature: str,
    urgency: str,
    addressed_to: Position | None,
    attachments: Sequence[Any],
) -> tuple[dict[str, Any], list[CheckedFile]]:
    """Every check before anything is written; all problems at once, per field, with stable codes."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    values: dict[str, Any] = {}
    for field, raw in (("sender", sender), ("letter_number", letter_number), ("subject", subject)):
        text = " ".join(str(raw or "").split())
        if not text:
            fail(field, _("Wajib diisi."), "required")
        elif len(text) > _TEXT_LIMITS[field]:
            fail(field, _("Paling panjang %(n)d karakter.") % {"n": _TEXT_LIMITS[field]}, "too_long")
        values[field] = text
    for field, value in (("letter_date", letter_date), ("received_date", received_date)):
        if not isinstance(value, date):
            fail(field, _("Wajib diisi."), "required")
        elif not YEAR_MIN <= value.year <= YEAR_MAX:
            fail(field, _("Tanggal tidak valid."), "date_invalid")
    if isinstance(received_date, date) and isinstance(letter_date, date) and "received_date" not in errors:
        if received_date > org_today():
            fail("received_date", _("Tanggal diterima tidak boleh di masa depan."), "received_date_in_future")
        elif letter_date > received_date:
            fail("letter_date", _("Tanggal surat tidak boleh sesudah tanggal diterima."), "letter_date_after_received")
    if nature not in Nature.values:
        fail("nature", _("Pilih sifat surat."), "invalid_choice")
    if urgency not in Urgency.values:
        fail("urgency", _("Pilih kecepatan surat."), "invalid_choice")
    if not isinstance(addressed_to, Position):
        fail("addressed_to", _("Pilih jabatan tujuan."), "required")
    checked: list[CheckedFile] = []
    if len(attachments) > ATTACHMENT_MAX_COUNT:
        fail("attachments", _("Paling banyak %(n)d lampiran.") % {"n": ATTACHMENT_MAX_COUNT}, "too_many_attachments")
    else:
        for upload in attachments:
            try:
                checked.append(
                    attachment_check(upload, name=getattr(upload, "name", ""), size=getattr(upload, "size", None))
                )
            except ValidationError as exc:
                errors.setdefault("attachments", []).extend(exc.error_list)
                break
    if errors:
        raise ValidationError(errors)
    values.update(
        letter_date=letter_date,
        received_date=received_date,
        nature=nature,
        urgency=urgency,
        addressed_to=addressed_to,
    )
    return values, checked


def incoming_letter_register(
    *,
    user: AbstractBaseUser,
    sender: str,
    letter_number: str,
    letter_date: date | None,
    received_date: date | None,
    subject: str,
    addressed_to: Position | None,
    nature: str = Nature.ORDINARY,
    urgency: str = Urgency.ORDINARY,
    attachments: Sequence[IO[bytes]] = (),
) -> IncomingLetter:
    """Register an incoming letter: the next agenda number of the received year, the letter, its attachments
    (checked by content, stored under the region's prefix) and an audit record, all or nothing. Whoever
    acts for the addressed position is notified (web inbox, and e-mail after commit).

    Raises ForbiddenError `permission_denied` unless the user is a records officer or region admin, and django
    ValidationError (per field, stable codes) for bad input; nothing is stored then.
    """
    if not can(user, Action.EOFFICE_INCOMING_REGISTER):
        raise ForbiddenError("permission_denied", _("Hanya pencatat surat atau admin wilayah yang dapat mencatat."))
    values, files = _incoming_clean(
        sender=sender,
        letter_number=letter_number,
        letter_date=letter_date,
        received_date=received_date,
        subject=subject,
        nature=nature,
        urgency=urgency,
        addressed_to=addressed_to,
        attachments=attachments,
    )
    saved: list[str] = []
    try:
        with transaction.atomic():
            return _incoming_write(user=user, values=values, files=files, saved=saved)
    except BaseException:
        # The rows rolled back; the files written so far must go too, or storage keeps orphans.
        for name in saved:
            default_storage.delete(name)
        raise


def _incoming_write(
    *, user: AbstractBaseUser, values: dict[str, Any], files: list[CheckedFile], saved: list[str]
) -> IncomingLetter:
    actor = actor_for(user)
    year = values["received_date"].year
    agenda = agenda_number_issue(year=year, actor=actor)
    letter = IncomingLetter.objects.create(agenda=agenda, agenda_year=year, registered_by=user, **values)
    agenda.letter_ref = f"incoming:{letter.pk}"
    agenda.save(update_fields=["letter_ref"])
    for checked in files:
        name = default_storage.save(
            f"eoffice/incoming/{letter.pk}/{checked.sha256[:16]}.{checked.extension}", ContentFile(checked.data)
        )
        saved.append(name)
        IncomingAttachment.objects.create(
            letter=letter,
            file=name,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=len(checked.data),
            sha256=checked.sha256,
        )
    audit_record(
        actor=actor,
        action="eoffice.incoming.register",
        target_type="eoffice.incoming_letter",
        target_id=letter.pk,
        region=connection.schema_name,
        after={
            "agenda": agenda.number,
            "sender": letter.sender,
            "letter_number": letter.letter_number,
            "subject": letter.subject,
            "nature": letter.nature,
            "urgency": letter.urgency,
            "addressed_to": letter.addressed_to.code,
            "attachments": [f.sha256 for f in files],
        },
    )
    notifications.incoming_registered(letter=letter)
    return letter
