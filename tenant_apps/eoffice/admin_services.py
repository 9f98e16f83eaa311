"""The region's own e-Office lists, kept by its people: the standard disposition instructions (region admin)
and numbers reserved by hand for letters signed on paper (records officers), which can be cancelled but
never reused."""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.eoffice.models import DispositionInstruction, IssuedNumber
from tenant_apps.eoffice.services import letter_number_cancel, letter_number_issue
from tenant_apps.eoffice.validation import classification_code_check
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import org_today

MANUAL_REF = "manual:"
_CODE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$")
LABEL_MAX = 100
NOTE_MAX = 60 - len(MANUAL_REF)


def _require(user: AbstractBaseUser, action: Action) -> None:
    if not can(user, action):
        raise ForbiddenError("permission_denied", _("Peran akun Anda tidak mengizinkan tindakan ini."))


def _invalid(field: str, code: str, message: str) -> DomainError:
    return DomainError(code, message, fields={field: [message]})


def _label_check(label: str) -> str:
    value = " ".join((label or "").split())
    if not value:
        raise _invalid("label", "label_required", _("Teks instruksi wajib diisi."))
    if len(value) > LABEL_MAX:
        raise _invalid("label", "label_too_long", _("Teks instruksi paling panjang 100 karakter."))
    return value


def _order_check(order: int) -> int:
    if not 0 <= order <= 32767:
        raise _invalid("order", "order_invalid", _("Urutan harus bilangan 0 sampai 32767."))
    return order


def _snapshot(instruction: DispositionInstruction) -> dict[str, object]:
    return {
        "code": instruction.code,
        "label": instruction.label,
        "order": instruction.order,
        "active": instruction.active,
    }


@transaction.atomic
def instruction_create(*, user: AbstractBaseUser, code: str, label: str, order: int = 0) -> DispositionInstruction:
    """Add an instruction to the region's list (region admin). Codes are lowercase slugs, unique for good."""
    _require(user, Action.EOFFICE_SETTINGS)
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise _invalid(
            "code", "code_invalid", _("Kode hanya huruf kecil, angka, tanda hubung atau garis bawah (maks. 40).")
        )
    values = {"label": _label_check(label), "order": _order_check(order)}
    if DispositionInstruction.objects.filter(code=code).exists():
        raise ConflictError("code_taken", _("Kode instruksi sudah dipakai."), fields={"code": [_("Sudah dipakai.")]})
    instruction = DispositionInstruction.objects.create(code=code, **values)
    audit_record(
        actor=actor_for(user),
        action="eoffice.instruction.create",
        target_type="eoffice.instruction",
        target_id=instruction.pk,
        region=connection.schema_name,
        after=_snapshot(instruction),
    )
    return instruction


@transaction.atomic
def instruction_update(
    *, user: AbstractBaseUser, instruction: DispositionInstruction, label: str, order: int, active: bool
) -> DispositionInstruction:
    """Rename, reorder, retire or bring back an instruction. Dispositions already sent keep the label they
    carried, so a retired instruction is only hidden from new dispositions. At least one must stay active."""
    _require(user, Action.EOFFICE_SETTINGS)
    locked = DispositionInstruction.objects.select_for_update().get(pk=instruction.pk)
    before = _snapshot(locked)
    locked.label = _label_check(label)
    locked.order = _order_check(order)
    if not active and locked.active:
        others = DispositionInstruction.objects.filter(active=True).exclude(pk=locked.pk)
        if not others.select_for_update().exists():
            raise ConflictError(
                "last_active_instruction", _("Sedikitnya satu instruksi harus tetap aktif agar disposisi bisa dikirim.")
            )
    locked.active = active
    locked.save(update_fields=["label", "order", "active"])
    audit_record(
        actor=actor_for(user),
        action="eoffice.instruction.update",
        target_type="eoffice.instruction",
        target_id=locked.pk,
        region=connection.schema_name,
        before=before,
        after=_snapshot(locked),
    )
    return locked


@transaction.atomic
def letter_number_reserve(*, user: AbstractBaseUser, unit: Unit, classification_code: str, note: str) -> IssuedNumber:
    """Take the unit's next letter number for a letter made outside e-Office (signed on paper), with a note
    saying what it is for. It comes from the same gap-free sequence as signed letters."""
    _require(user, Action.EOFFICE_NUMBERS)
    note = " ".join((note or "").split())
    if not note:
        raise _invalid("note", "note_required", _("Tuliskan untuk naskah apa nomor ini dipakai."))
    if len(note) > NOTE_MAX:
        raise _invalid("note", "note_too_long", _("Keterangan paling panjang %(n)d karakter.") % {"n": NOTE_MAX})
    try:
        code = classification_code_check(classification_code)
    except ValidationError as exc:
        raise _invalid("classification_code", "classification_code_invalid", exc.messages[0]) from None
    return letter_number_issue(
        unit=unit,
        classification_code=code,
        year=org_today().year,
        actor=actor_for(user),
        letter_ref=f"{MANUAL_REF}{note}",
    )


def letter_number_cancel_by(*, user: AbstractBaseUser, issued: IssuedNumber, reason: str) -> IssuedNumber:
    """Cancel a number on a records officer's word. A number carried by a letter signed in e-Office stays:
    the signed PDF prints it, so cancelling it would leave a valid-looking letter with a void number."""
    _require(user, Action.EOFFICE_NUMBERS)
    if issued.letter_ref.startswith("outgoing:"):
        raise ConflictError("number_in_use", _("Nomor ini dipakai naskah yang sudah ditandatangani di e-Office."))
    return letter_number_cancel(issued=issued, reason=reason, actor=actor_for(user))
