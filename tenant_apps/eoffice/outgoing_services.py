"""e-Office writes for outgoing letters (naskah keluar): drafting, the review chain, and signing.

Every status change goes through `outgoing_letter_transition`, which checks OUTGOING_TRANSITIONS under a
row lock and writes the audit record. Who may act is checked by the public functions before that:
the drafter edits and submits (only while the letter is a draft or returned), whoever acts today for the
current review step's position decides it, whoever acts today for the signer position signs (only once it
is approved). Signing is one transaction: the number (gap-free, `letter_number_issue`), the date, the PDF
rendered and passed through the region's Signer, its SHA-256, the stored file. A failure anywhere gives the
number back and removes the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.eoffice import notifications
from tenant_apps.eoffice.archive_services import outgoing_letter_file_on_sign
from tenant_apps.eoffice.models import LetterType, OutgoingLetter, OutgoingReview, OutgoingReviewer
from tenant_apps.eoffice.pdf import LetterContent, letter_pdf_render
from tenant_apps.eoffice.selectors import outgoing_current_step, user_positions
from tenant_apps.eoffice.services import letter_number_issue
from tenant_apps.eoffice.signing import Signer, SignerIdentity, signer_for_region
from tenant_apps.eoffice.transitions import apply_transition
from tenant_apps.eoffice.validation import classification_code_check
from tenant_apps.org.models import Position, Unit
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import Official, org_today
from tenant_apps.workspace.selectors import current_region, region_settings_get
from tenants.models import Region
from tenants.selectors import region_base_url

Status = OutgoingLetter.Status
Decision = OutgoingReview.Decision

# Approved is reached from a draft directly only when the review chain is empty. Signed and rejected are
# final: a rejected letter is written again as a new draft.
OUTGOING_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.IN_REVIEW, Status.APPROVED}),
    Status.IN_REVIEW: frozenset({Status.APPROVED, Status.RETURNED, Status.REJECTED}),
    Status.RETURNED: frozenset({Status.IN_REVIEW, Status.APPROVED}),
    Status.APPROVED: frozenset({Status.SIGNED}),
    Status.SIGNED: frozenset(),
    Status.REJECTED: frozenset(),
}

POSITIONS_MAX = 30
REVIEWERS_MAX = 10
NOTE_MAX = 2000
_TEXT_LIMITS = {"subject": 500, "body": 20000, "external_recipients": 5000}


def _official_for(user: AbstractBaseUser, position_id: int) -> Official | None:
    return next((o for o in user_positions(user=user) if o.position.pk == position_id), None)


@transaction.atomic
def outgoing_letter_transition(
    *, letter: OutgoingLetter, to: str, user: AbstractBaseUser, changes: dict[str, Any] | None = None, note: str = ""
) -> OutgoingLetter:
    """Move `letter` to `to`, setting `changes`, audited (ConflictError `invalid_transition` when the table
    does not allow it), and notify whoever must act next (reviewer, signer, drafter, recipients). Callers
    check who may do it."""
    round_after = (changes or {}).get("review_round", letter.review_round)
    changed = apply_transition(
        obj=letter,
        to=to,
        table=OUTGOING_TRANSITIONS,
        user=user,
        action="eoffice.outgoing",
        target_type="eoffice.outgoing_letter",
        refusal=_("Naskah berstatus %(status)s tidak dapat diubah menjadi %(to)s."),
        changes=changes,
        audit_after={"round": round_after, **({"note": note} if note else {})},
    )
    notifications.outgoing_changed(letter=changed, user=user)
    return changed


# --- drafting ------------------------------------------------------------------------------------------------


def _positions(values: Sequence[Any]) -> list[Position]:
    unique: dict[int, Position] = {}
    for position in values or ():
        if isinstance(position, Position):
            unique.setdefault(position.pk, position)
    return list(unique.values())


def _clean(
    *,
    letter_type: str,
    subject: str,
    body: str,
    classification_code: str,
    signer_position: Position | None,
    unit: Unit | None,
    recipients: Sequence[Position],
    copies: Sequence[Position],
    external_recipients: str,
    reviewers: Sequence[Position],
) -> dict[str, Any]:
    """Every check before anything is written; all problems at once, per field, with stable codes."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    values: dict[str, Any] = {}
    if letter_type not in LetterType.values:
        fail("letter_type", _("Pilih jenis naskah."), "invalid_choice")
    values["letter_type"] = letter_type
    for field, raw in (("subject", subject), ("body", body), ("external_recipients", external_recipients)):
        text = str(raw or "").strip().replace("\r\n", "\n")
        if field == "subject":
            text = " ".join(text.split())
        if not text and field != "external_recipients":
            fail(field, _("Wajib diisi."), "required")
        elif len(text) > _TEXT_LIMITS[field]:
            fail(field, _("Paling panjang %(n)d karakter.") % {"n": _TEXT_LIMITS[field]}, "too_long")
        values[field] = text
    try:
        values["classification_code"] = classification_code_check(classification_code)
    except ValidationError as exc:
        errors.setdefault("classification_code", []).extend(exc.error_list)
    if not isinstance(signer_position, Position):
        fail("signer_position", _("Pilih jabatan penanda tangan."), "required")
    values["signer_position"] = signer_position
    if unit is None and isinstance(signer_position, Position):
        unit = signer_position.unit
    if not isinstance(unit, Unit):
        fail("unit", _("Pilih unit penomoran."), "required")
    values["unit"] = unit
    for field, raw_list, limit in (
        ("recipients", recipients, POSITIONS_MAX),
        ("copies", copies, POSITIONS_MAX),
        ("reviewers", reviewers, REVIEWERS_MAX),
    ):
        chosen = _positions(raw_list)
        if len(chosen) > limit:
            fail(field, _("Paling banyak %(n)d jabatan.") % {"n": limit}, "too_many_positions")
        values[field] = chosen
    if not values["recipients"] and not values["external_recipients"]:
        fail("recipients", _("Isi paling sedikit satu penerima."), "recipients_required")
    if isinstance(signer_position, Position) and any(p.pk == signer_position.pk for p in values["reviewers"]):
        fail("reviewers", _("Penanda tangan tidak perlu menjadi verifikator."), "signer_in_review_chain")
    if errors:
        raise ValidationError(errors)
    return values


def _write(letter: OutgoingLetter, values: dict[str, Any]) -> None:
    for name in ("letter_type", "subject", "body", "classification_code", "signer_position", "unit"):
        setattr(letter, name, values[name])
    letter.external_recipients = values["external_recipients"]
    letter.save()
    letter.recipients.set(values["recipients"])
    letter.copies.set(values["copies"])
    letter.reviewers.all().delete()
    OutgoingReviewer.objects.bulk_create(
        OutgoingReviewer(letter=letter, order=i, position=p) for i, p in enumerate(values["reviewers"], 1)
    )


def _summary(letter: OutgoingLetter, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": values["letter_type"],
        "subject": values["subject"],
        "classification_code": values["classification_code"],
        "unit": values["unit"].code,
        "signer_position": values["signer_position"].code,
        "recipients": [p.code for p in values["recipients"]],
        "copies": [p.code for p in values["copies"]],
        "reviewers": [p.code for p in values["reviewers"]],
        "body_sha256": hashlib.sha256(values["body"].encode()).hexdigest(),
    }


@transaction.atomic
def outgoing_letter_create(
    *,
    user: AbstractBaseUser,
    letter_type: str,
    subject: str,
    body: str,
    classification_code: str,
    signer_position: Position | None,
    unit: Unit | None = None,
    recipients: Sequence[Position] = (),
    copies: Sequence[Position] = (),
    external_recipients: str = "",
    reviewers: Sequence[Position] = (),
) -> OutgoingLetter:
    """A new draft by `user` (its drafter). The numbering unit defaults to the signer position's unit.
    Raises django ValidationError per field for bad input."""
    if not can(user, Action.EOFFICE_OUTGOING_DRAFT):
        raise ForbiddenError("permission_denied", _("Peran akun Anda tidak mengizinkan tindakan ini."))
    values = _clean(
        letter_type=letter_type,
        subject=subject,
        body=body,
        classification_code=classification_code,
        signer_position=signer_position,
        unit=unit,
        recipients=recipients,
        copies=copies,
        external_recipients=external_recipients,
        reviewers=reviewers,
    )
    letter = OutgoingLetter(drafter=user)
    _write(letter, values)
    audit_record(
        actor=actor_for(user),
        action="eoffice.outgoing.create",
        target_type="eoffice.outgoing_letter",
        target_id=letter.pk,
        region=connection.schema_name,
        after=_summary(letter, values),
    )
    return letter


def _require_drafter(user: AbstractBaseUser, letter: OutgoingLetter) -> None:
    if letter.drafter_id != user.pk:
        raise ForbiddenError("not_drafter", _("Hanya penyusun naskah yang dapat melakukannya."))


@transaction.atomic
def outgoing_letter_update(
    *,
    user: AbstractBaseUser,
    letter: OutgoingLetter,
    letter_type: str,
    subject: str,
    body: str,
    classification_code: str,
    signer_position: Position | None,
    unit: Unit | None = None,
    recipients: Sequence[Position] = (),
    copies: Sequence[Position] = (),
    external_recipients: str = "",
    reviewers: Sequence[Position] = (),
) -> OutgoingLetter:
    """Replace the draft's content. Only its drafter, only while it is a draft or returned
    (ConflictError `not_editable` otherwise: a letter in review, approved, signed or rejected is frozen)."""
    _require_drafter(user, letter)
    locked = OutgoingLetter.objects.select_for_update().get(pk=letter.pk)
    if not locked.editable:
        raise ConflictError(
            "not_editable",
            _("Naskah berstatus %(status)s tidak dapat diubah.") % {"status": locked.get_status_display()},
        )
    values = _clean(
        letter_type=letter_type,
        subject=subject,
        body=body,
        classification_code=classification_code,
        signer_position=signer_position,
        unit=unit,
        recipients=recipients,
        copies=copies,
        external_recipients=external_recipients,
        reviewers=reviewers,
    )
    _write(locked, values)
    audit_record(
        actor=actor_for(user),
        action="eoffice.outgoing.update",
        target_type="eoffice.outgoing_letter",
        target_id=locked.pk,
        region=connection.schema_name,
        after=_summary(locked, values),
    )
    letter.refresh_from_db()
    return letter


@transaction.atomic
def outgoing_letter_submit(*, user: AbstractBaseUser, letter: OutgoingLetter) -> OutgoingLetter:
    """The drafter sends the draft (or the returned letter) to its review chain: a new review round. With
    no reviewer in the chain it is approved at once."""
    _require_drafter(user, letter)
    has_chain = letter.reviewers.exists()
    to = Status.IN_REVIEW if has_chain else Status.APPROVED
    return outgoing_letter_transition(
        letter=letter, to=to, user=user, changes={"review_round": letter.review_round + 1}
    )


def _note(value: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        message = _("Catatan wajib diisi.")
        raise DomainError("note_required", message, fields={"note": [message]})
    if len(text) > NOTE_MAX:
        message = _("Paling panjang %(n)d karakter.") % {"n": NOTE_MAX}
        raise DomainError("too_long", message, fields={"note": [message]})
    return text


@transaction.atomic
def outgoing_letter_review(
    *, user: AbstractBaseUser, letter: OutgoingLetter, decision: str, note: str = ""
) -> OutgoingLetter:
    """The current reviewer decides: approve (the next step's turn, or the letter is approved after the
    last), return to the drafter with notes, or reject with notes. ForbiddenError `not_reviewer` for
    anyone not acting today for the current step's position; ConflictError `invalid_transition` when the
    letter is not in review."""
    if decision not in Decision.values:
        message = _("Pilih keputusan.")
        raise DomainError("invalid_choice", message, fields={"decision": [message]})
    text = _note(note, required=decision != Decision.APPROVE)
    locked = OutgoingLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.status != Status.IN_REVIEW:
        raise ConflictError(
            "invalid_transition",
            _("Naskah berstatus %(status)s tidak sedang diperiksa.") % {"status": locked.get_status_display()},
        )
    step = outgoing_current_step(letter=locked)
    official = _official_for(user, step.position_id) if step is not None else None
    if step is None or official is None:
        raise ForbiddenError("not_reviewer", _("Anda bukan verifikator yang sedang mendapat giliran."))
    OutgoingReview.objects.create(
        letter=locked,
        round=locked.review_round,
        order=step.order,
        position=step.position,
        decision=decision,
        note=text,
        decided_as=official.basis,
        decided_by=user,  # type: ignore[misc]
    )
    audit_record(
        actor=actor_for(user),
        action=f"eoffice.outgoing.review.{decision}",
        target_type="eoffice.outgoing_letter",
        target_id=locked.pk,
        region=connection.schema_name,
        after={"round": locked.review_round, "step": step.order, "position": step.position.code, "note": text},
    )
    if decision == Decision.RETURN:
        return outgoing_letter_transition(letter=letter, to=Status.RETURNED, user=user, note=text)
    if decision == Decision.REJECT:
        return outgoing_letter_transition(letter=letter, to=Status.REJECTED, user=user, note=text)
    if outgoing_current_step(letter=locked) is None:
        return outgoing_letter_transition(letter=letter, to=Status.APPROVED, user=user)
    letter.refresh_from_db()
    notifications.outgoing_changed(letter=letter, user=user)  # the next reviewer's turn
    return letter


# --- signing -------------------------------------------------------------------------------------------------


def verification_url(letter: OutgoingLetter) -> str:
    """The public verification page of `letter` on the region's own host (what the QR code encodes)."""
    region = current_region()
    if region is None:
        raise RuntimeError("Outgoing letters exist only inside a region's schema")
    return region_base_url(region) + reverse("eoffice-verify", args=[letter.verification_id])


def letter_place(region: Region | None) -> str:
    """Where a regency's or city's letters are dated: its name without "Kabupaten"/"Kota" (Brebes). A
    province dates letters at its capital, which the reference data does not hold, so it prints no place."""
    if region is None or region.kind == Region.Kind.PROVINSI:
        return ""
    return region.official_name.removeprefix("Kabupaten ").removeprefix("Kota ")


def outgoing_letter_sign(
    *, user: AbstractBaseUser, letter: OutgoingLetter, signer: Signer | None = None
) -> OutgoingLetter:
    """Sign an approved letter as whoever acts today for its signer position (ForbiddenError `not_signer`
    otherwise; ConflictError `invalid_transition` unless approved). Assigns the number and today's date,
    renders the PDF through `signer` (default: the region's), stores it under the region's prefix with its
    SHA-256, all or nothing; the internal recipients and copies see it from then on."""
    official = _official_for(user, letter.signer_position_id)
    if official is None:
        raise ForbiddenError("not_signer", _("Hanya pejabat penanda tangan yang dapat menandatangani naskah ini."))
    saved: list[str] = []
    try:
        with transaction.atomic():
            return _sign(user=user, letter=letter, official=official, signer=signer or signer_for_region(), saved=saved)
    except BaseException:
        # The rows (and the number) rolled back; the file written must go too.
        for name in saved:
            default_storage.delete(name)
        raise


def _sign(
    *, user: AbstractBaseUser, letter: OutgoingLetter, official: Official, signer: Signer, saved: list[str]
) -> OutgoingLetter:
    locked = OutgoingLetter.objects.select_for_update().select_related("unit", "signer_position").get(pk=letter.pk)
    if Status.SIGNED not in OUTGOING_TRANSITIONS[locked.status]:
        raise ConflictError(
            "invalid_transition",
            _("Naskah berstatus %(status)s belum dapat ditandatangani.") % {"status": locked.get_status_display()},
        )
    actor = actor_for(user)
    today = org_today()
    issued = letter_number_issue(
        unit=locked.unit,
        classification_code=locked.classification_code,
        year=today.year,
        actor=actor,
        letter_ref=f"outgoing:{locked.pk}",
    )
    title = f"{official.prefix} {official.position.title}".strip()
    identity = SignerIdentity(name=official.employee.name, nip=official.employee.nip, title=title)
    settings_ = region_settings_get()
    content = LetterContent(
        letterhead=settings_.letterhead_lines,
        logo=settings_.logo,
        type_label=locked.get_letter_type_display(),
        letter_type=locked.letter_type,
        place=letter_place(current_region()),
        number=issued.number,
        letter_date=today,
        subject=locked.subject,
        body=locked.body,
        recipients=[p.title for p in locked.recipients.order_by("title")] + locked.external_recipient_lines,
        copies=[p.title for p in locked.copies.order_by("title")],
        signer_name=identity.name,
        signer_nip=identity.nip,
        signer_title=title,
        signature_label=signer.label,
        verification_url=verification_url(locked),
    )
    result = signer.sign(letter_pdf_render(content), identity)
    digest = hashlib.sha256(result.data).hexdigest()
    name = default_storage.save(f"eoffice/outgoing/{locked.pk}/{digest[:16]}.pdf", ContentFile(result.data))
    saved.append(name)
    signed = outgoing_letter_transition(
        letter=locked,
        to=Status.SIGNED,
        user=user,
        changes={
            "number": issued,
            "letter_date": today,
            "signed_at": timezone.now(),
            "signed_by": user,
            "signer_name": identity.name,
            "signer_title": title,
            "pdf": name,
            "pdf_sha256": digest,
            "signature_provider": result.provider,
            "signature_certified": result.certified,
            "signature_info": result.certificate,
        },
    )
    audit_record(
        actor=actor,
        action="eoffice.outgoing.sign",
        target_type="eoffice.outgoing_letter",
        target_id=signed.pk,
        region=connection.schema_name,
        after={
            "number": issued.number,
            "date": today.isoformat(),
            "sha256": digest,
            "as": official.basis,
            "signer": title,
            "provider": result.provider,
        },
    )
    # Filed into its classification's dossier in the same transaction (never makes signing fail).
    outgoing_letter_file_on_sign(letter=signed, actor=actor)
    letter.refresh_from_db()
    return letter
