"""e-Office writes for dispositions (disposisi), kept apart from services.py (numbers and incoming letters) so
that neither grows past a readable size.

A disposition is addressed to a position: "the holder" below means whoever acts for that position today
(definitive holder, Plt. or Plh., per tenant_apps.org.selectors.positions_held). The letter's addressee
disposes it; each recipient reads, forwards further down, works on and finishes or returns its own row; the
sender (whoever holds the sending position) may cancel a row while it is unread. Every status change goes
through `disposition_transition`, which checks DISPOSITION_TRANSITIONS and writes the audit record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.eoffice import notifications
from tenant_apps.eoffice.models import Disposition, DispositionInstruction, IncomingLetter, Urgency
from tenant_apps.eoffice.selectors import user_positions
from tenant_apps.eoffice.transitions import apply_transition
from tenant_apps.org.models import Position
from tenant_apps.org.selectors import Official, org_today

Status = Disposition.Status

# Reading happens when the recipient opens it; only an unread disposition can be cancelled by its sender;
# done, returned and cancelled are final (a returned disposition is answered by a new one, not reopened).
DISPOSITION_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SENT: frozenset({Status.READ, Status.CANCELLED}),
    Status.READ: frozenset({Status.IN_PROGRESS, Status.DONE, Status.RETURNED}),
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.RETURNED}),
    Status.DONE: frozenset(),
    Status.RETURNED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# An incoming letter's status follows its dispositions (see IncomingLetter.Status and
# `incoming_status_refresh`): disposed when the first one is sent, done when every branch is finished,
# disposed again when a new disposition is sent, registered again if every disposition was cancelled.
LetterStatus = IncomingLetter.Status
INCOMING_TRANSITIONS: dict[str, frozenset[str]] = {
    LetterStatus.REGISTERED: frozenset({LetterStatus.DISPOSED}),
    LetterStatus.DISPOSED: frozenset({LetterStatus.DONE, LetterStatus.REGISTERED}),
    LetterStatus.DONE: frozenset({LetterStatus.DISPOSED}),
}

RECIPIENTS_MAX = 30
TEXT_MAX = 2000
DEADLINE_YEAR_MAX = 2100


def _official_for(user: AbstractBaseUser, position_id: int) -> Official | None:
    return next((o for o in user_positions(user=user) if o.position.pk == position_id), None)


def _require_recipient(user: AbstractBaseUser, disposition: Disposition) -> Official:
    official = _official_for(user, disposition.to_position_id)
    if official is None:
        raise ForbiddenError("not_recipient", _("Anda tidak menjabat pada jabatan penerima disposisi ini."))
    return official


def _locked(disposition: Disposition) -> Disposition:
    return Disposition.objects.select_for_update().get(pk=disposition.pk)


@transaction.atomic
def disposition_transition(
    *, disposition: Disposition, to: str, user: AbstractBaseUser, changes: dict[str, Any] | None = None
) -> Disposition:
    """Move `disposition` to status `to`, setting `changes` on it, audited (ConflictError `invalid_transition`
    when the table does not allow it), then bring its letter's status up to date and tell the sender
    position when it is done or returned. Callers check who may do it."""
    changed = apply_transition(
        obj=disposition,
        to=to,
        table=DISPOSITION_TRANSITIONS,
        user=user,
        action="eoffice.disposition",
        target_type="eoffice.disposition",
        refusal=_("Disposisi berstatus %(status)s tidak dapat diubah menjadi %(to)s."),
        changes=changes,
        audit_after={k: _plain(v) for k, v in (changes or {}).items() if not k.endswith("_by")},
    )
    if to not in Disposition.OPEN:
        # Reading or starting keeps a branch open, which cannot move the letter; only closing one can.
        incoming_status_refresh(letter_id=changed.letter_id, user=user)
    if to in (Status.DONE, Status.RETURNED):
        notifications.disposition_finished(disposition=changed, user=user)
    return changed


def _incoming_status_for(letter_id: int) -> str:
    """What the letter's status should be, from its dispositions (cancelled ones count as never sent):
    registered without any; disposed while one is open (sent, read, in progress) or while a disposition the
    addressee sent came back returned (the addressee must decide again); done when nothing is open and
    every disposition the addressee sent is done. A returned disposition further down is answered by its
    sender finishing their own, so it does not hold the letter open."""
    counts = (
        Disposition.objects.filter(letter_id=letter_id)
        .exclude(status=Status.CANCELLED)
        .aggregate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=Disposition.OPEN)),
            roots_not_done=Count("id", filter=Q(parent__isnull=True) & ~Q(status=Status.DONE)),
        )
    )
    if not counts["total"]:
        return LetterStatus.REGISTERED
    if counts["open"] or counts["roots_not_done"]:
        return LetterStatus.DISPOSED
    return LetterStatus.DONE


@transaction.atomic
def incoming_status_refresh(*, letter_id: int, user: AbstractBaseUser) -> IncomingLetter:
    """Bring the letter's status in line with its dispositions, audited (`eoffice.incoming.<status>`) when
    it changes. The letter row is locked first, so two dispositions finishing at once queue here and the
    second sees the first's change. Called, in their transaction, by sending and by every transition that
    closes a disposition (done, returned, cancelled)."""
    letter = IncomingLetter.objects.select_for_update().get(pk=letter_id)
    wanted = _incoming_status_for(letter_id)
    if wanted == letter.status:
        return letter
    return apply_transition(
        obj=letter,
        to=wanted,
        table=INCOMING_TRANSITIONS,
        user=user,
        action="eoffice.incoming",
        target_type="eoffice.incoming_letter",
        refusal=_("Surat berstatus %(status)s tidak dapat diubah menjadi %(to)s."),
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


# --- sending ---------------------------------------------------------------------------------------------


def _clean(
    *,
    from_position: Position,
    to_positions: Sequence[Position],
    instructions: Sequence[str],
    note: str,
    urgency: str,
    deadline: date | None,
) -> dict[str, Any]:
    """Every check on what is sent; all problems at once, per field, with stable codes."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    recipients: dict[int, Position] = {}
    for position in to_positions:
        if isinstance(position, Position):
            recipients.setdefault(position.pk, position)
    if not recipients:
        fail("to_positions", _("Pilih paling sedikit satu jabatan penerima."), "required")
    elif len(recipients) > RECIPIENTS_MAX:
        fail("to_positions", _("Paling banyak %(n)d penerima.") % {"n": RECIPIENTS_MAX}, "too_many_recipients")
    elif from_position.pk in recipients:
        fail("to_positions", _("Tidak dapat mendisposisikan kepada jabatan sendiri."), "own_position")
    codes = list(dict.fromkeys(str(code) for code in instructions or ()))
    labels: list[str] = []
    if not codes:
        fail("instructions", _("Pilih paling sedikit satu instruksi."), "required")
    else:
        known = dict(
            DispositionInstruction.objects.filter(code__in=codes[:50], active=True).values_list("code", "label")
        )
        if len(codes) > 50 or any(code not in known for code in codes):
            fail("instructions", _("Instruksi tidak dikenal."), "instruction_not_found")
        else:
            labels = [known[code] for code in codes]
    text = (note or "").strip()
    if len(text) > TEXT_MAX:
        fail("note", _("Paling panjang %(n)d karakter.") % {"n": TEXT_MAX}, "too_long")
    if urgency not in Urgency.values:
        fail("urgency", _("Pilih kecepatan."), "invalid_choice")
    if deadline is not None:
        if not isinstance(deadline, date) or deadline.year > DEADLINE_YEAR_MAX:
            fail("deadline", _("Tanggal tidak valid."), "date_invalid")
        elif deadline < org_today():
            fail("deadline", _("Batas waktu tidak boleh sebelum hari ini."), "deadline_in_past")
    if errors:
        raise ValidationError(errors)
    return {
        "recipients": list(recipients.values()),
        "instructions": labels,
        "note": text,
        "urgency": urgency,
        "deadline": deadline,
    }


def _send(
    *,
    user: AbstractBaseUser,
    official: Official,
    letter: IncomingLetter,
    parent: Disposition | None,
    values: dict[str, Any],
) -> list[Disposition]:
    batch = uuid.uuid4()
    rows = [
        Disposition.objects.create(
            letter=letter,
            parent=parent,
            batch=batch,
            from_position=official.position,
            to_position=position,
            instructions=values["instructions"],
            note=values["note"],
            urgency=values["urgency"],
            deadline=values["deadline"],
            sent_as=official.basis,
            sent_by=user,  # type: ignore[misc]
        )
        for position in values["recipients"]
    ]
    audit_record(
        actor=actor_for(user),
        action="eoffice.disposition.send",
        target_type="eoffice.incoming_letter",
        target_id=letter.pk,
        region=connection.schema_name,
        after={
            "batch": str(batch),
            "parent": parent.pk if parent else None,
            "from": official.position.code,
            "as": official.basis,
            "to": [p.code for p in values["recipients"]],
            "dispositions": [row.pk for row in rows],
            "instructions": values["instructions"],
            "urgency": values["urgency"],
            "deadline": _plain(values["deadline"]),
        },
    )
    incoming_status_refresh(letter_id=letter.pk, user=user)
    notifications.dispositions_sent(rows=rows, user=user)
    return rows


@transaction.atomic
def disposition_create(
    *,
    user: AbstractBaseUser,
    letter: IncomingLetter,
    to_positions: Sequence[Position],
    instructions: Sequence[str],
    note: str = "",
    urgency: str = Urgency.ORDINARY,
    deadline: date | None = None,
) -> list[Disposition]:
    """Dispose `letter` from the position it is addressed to: one row per recipient position, sharing a
    batch id. Only whoever acts today for the addressed position may do it (ForbiddenError `not_recipient`);
    bad input raises django ValidationError per field (`own_position`, `instruction_not_found`, …)."""
    official = _official_for(user, letter.addressed_to_id)
    if official is None:
        raise ForbiddenError("not_recipient", _("Hanya pejabat pada jabatan tujuan surat yang dapat mendisposisikan."))
    values = _clean(
        from_position=official.position,
        to_positions=to_positions,
        instructions=instructions,
        note=note,
        urgency=urgency,
        deadline=deadline,
    )
    return _send(user=user, official=official, letter=letter, parent=None, values=values)


@transaction.atomic
def disposition_forward(
    *,
    user: AbstractBaseUser,
    parent: Disposition,
    to_positions: Sequence[Position],
    instructions: Sequence[str],
    note: str = "",
    urgency: str = Urgency.ORDINARY,
    deadline: date | None = None,
) -> list[Disposition]:
    """A recipient disposes further down: child dispositions of `parent`, sent from its recipient position.
    Forwarding reads the parent if it was unread and puts it in progress; a finished, returned or cancelled
    disposition cannot be forwarded (`invalid_transition`)."""
    official = _require_recipient(user, parent)
    values = _clean(
        from_position=official.position,
        to_positions=to_positions,
        instructions=instructions,
        note=note,
        urgency=urgency,
        deadline=deadline,
    )
    # Locked for the rest of the transaction, so a concurrent cancel or completion cannot slip in between.
    parent = _read_if_unread(user=user, disposition=_locked(parent))
    if parent.status == Status.READ:
        parent = disposition_transition(
            disposition=parent, to=Status.IN_PROGRESS, user=user, changes={"started_at": timezone.now()}
        )
    elif parent.status != Status.IN_PROGRESS:
        raise ConflictError(
            "invalid_transition",
            _("Disposisi berstatus %(status)s tidak dapat diteruskan.") % {"status": parent.get_status_display()},
        )
    return _send(user=user, official=official, letter=parent.letter, parent=parent, values=values)


# --- the recipient's work --------------------------------------------------------------------------------


def _read_if_unread(*, user: AbstractBaseUser, disposition: Disposition) -> Disposition:
    if disposition.status != Status.SENT:
        return disposition
    return disposition_transition(
        disposition=disposition, to=Status.READ, user=user, changes={"read_at": timezone.now(), "read_by": user}
    )


@transaction.atomic
def disposition_mark_read(*, user: AbstractBaseUser, disposition: Disposition) -> Disposition:
    """Record that the recipient opened it (called by the detail page and API). Idempotent: opening it again,
    or opening it as anyone but the recipient (the sender, a records officer), changes nothing."""
    if disposition.status != Status.SENT or _official_for(user, disposition.to_position_id) is None:
        return disposition
    return _read_if_unread(user=user, disposition=disposition)


@transaction.atomic
def disposition_start(*, user: AbstractBaseUser, disposition: Disposition) -> Disposition:
    """The recipient starts working on it (reading it first if it was unread)."""
    _require_recipient(user, disposition)
    disposition = _read_if_unread(user=user, disposition=disposition)
    return disposition_transition(
        disposition=disposition, to=Status.IN_PROGRESS, user=user, changes={"started_at": timezone.now()}
    )


def _reason(value: str, *, field: str, code: str) -> str:
    text = (value or "").strip()
    if not text:
        message = _("Wajib diisi.")
        raise DomainError(code, message, fields={field: [message]})
    if len(text) > TEXT_MAX:
        message = _("Paling panjang %(n)d karakter.") % {"n": TEXT_MAX}
        raise DomainError("too_long", message, fields={field: [message]})
    return text


@transaction.atomic
def disposition_complete(*, user: AbstractBaseUser, disposition: Disposition, note: str) -> Disposition:
    """The recipient reports it done, with a note on what was done (`note_required` without one)."""
    text = _reason(note, field="note", code="note_required")
    _require_recipient(user, disposition)
    disposition = _read_if_unread(user=user, disposition=disposition)
    return disposition_transition(
        disposition=disposition,
        to=Status.DONE,
        user=user,
        changes={"done_at": timezone.now(), "done_by": user, "done_note": text},
    )


@transaction.atomic
def disposition_return(*, user: AbstractBaseUser, disposition: Disposition, reason: str) -> Disposition:
    """The recipient sends it back to the sender with a reason (`reason_required` without one)."""
    text = _reason(reason, field="reason", code="reason_required")
    _require_recipient(user, disposition)
    disposition = _read_if_unread(user=user, disposition=disposition)
    return disposition_transition(
        disposition=disposition,
        to=Status.RETURNED,
        user=user,
        changes={"returned_at": timezone.now(), "returned_by": user, "return_reason": text},
    )


@transaction.atomic
def disposition_cancel(*, user: AbstractBaseUser, disposition: Disposition) -> Disposition:
    """The sender withdraws it while the recipient has not read it yet: ForbiddenError `not_sender` for
    anyone not holding the sending position, ConflictError `already_read` once it was read."""
    if _official_for(user, disposition.from_position_id) is None:
        raise ForbiddenError("not_sender", _("Hanya pengirim disposisi yang dapat membatalkannya."))
    current = _locked(disposition)
    if current.status in (Status.READ, Status.IN_PROGRESS, Status.DONE, Status.RETURNED):
        raise ConflictError("already_read", _("Disposisi yang sudah dibaca tidak dapat dibatalkan."))
    return disposition_transition(
        disposition=disposition,
        to=Status.CANCELLED,
        user=user,
        changes={"cancelled_at": timezone.now(), "cancelled_by": user},
    )
