"""e-Office reads (region schema). A letter is visible to whoever acts today for the position it is addressed
to (definitive holder or Plt./Plh.), to the account that registered it, and to records officers and region
admins. Anything else answers "not found", the same as an id that does not exist."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from mitra.errors import NotFoundError
from tenant_apps.eoffice.models import IncomingAttachment, IncomingLetter
from tenant_apps.org.models import Employee
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import Official, positions_held

_MAX_ID = 2**63 - 1


def _pk(value: int | str) -> int:
    try:
        pk = int(str(value).strip())
    except ValueError:
        return 0
    return pk if 0 < pk <= _MAX_ID else 0


def user_positions(*, user: AbstractBaseUser | AnonymousUser) -> list[Official]:
    """The positions the user's employee record acts for today (own seat and Plt./Plh. assignments)."""
    if not user.is_authenticated:
        return []
    employee = Employee.objects.select_related("position").filter(account_id=user.pk, active=True).first()
    return positions_held(employee=employee) if employee is not None else []


def _listing(qs: QuerySet[IncomingLetter]) -> QuerySet[IncomingLetter]:
    return qs.select_related("agenda", "addressed_to", "addressed_to__unit").annotate(
        n_attachments=Count("attachments")
    )


def incoming_inbox(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[IncomingLetter]:
    """Letters addressed to the positions the user acts for today, newest received first."""
    positions = [official.position.pk for official in user_positions(user=user)]
    return _listing(IncomingLetter.objects.filter(addressed_to_id__in=positions)).order_by("-received_date", "-id")


def incoming_agenda() -> QuerySet[IncomingLetter]:
    """Every incoming letter of the region (the records officer's agenda book), newest first."""
    return _listing(IncomingLetter.objects.all()).order_by("-agenda_year", "-agenda__value")


def incoming_visible(*, user: AbstractBaseUser | AnonymousUser, letter: IncomingLetter) -> bool:
    if not user.is_authenticated:
        return False
    if can(user, Action.EOFFICE_INCOMING_REGISTER) or letter.registered_by_id == user.pk:
        return True
    return any(official.position.pk == letter.addressed_to_id for official in user_positions(user=user))


def incoming_get_for(*, user: AbstractBaseUser | AnonymousUser, letter_id: int | str) -> IncomingLetter:
    letter = (
        IncomingLetter.objects.select_related("agenda", "addressed_to", "addressed_to__unit", "registered_by")
        .filter(pk=_pk(letter_id))
        .first()
    )
    if letter is None or not incoming_visible(user=user, letter=letter):
        raise NotFoundError("letter_not_found", _("Surat tidak ditemukan."))
    return letter


def attachment_get_for(
    *, user: AbstractBaseUser | AnonymousUser, letter_id: int | str, attachment_id: int | str
) -> IncomingAttachment:
    letter = incoming_get_for(user=user, letter_id=letter_id)
    attachment = IncomingAttachment.objects.filter(letter=letter, pk=_pk(attachment_id)).first()
    if attachment is None:
        raise NotFoundError("attachment_not_found", _("Lampiran tidak ditemukan."))
    return attachment
