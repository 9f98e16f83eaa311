"""e-Office reads (region schema). A letter is visible to whoever acts today for the position it is addressed
to (definitive holder or Plt./Plh.), to the account that registered it, and to records officers and region
admins, and to whoever acts today for a position that received a disposition of it. Anything else answers
"not found", the same as an id that does not exist.

A disposition is visible to whoever acts today for its sending or receiving position and to whoever may see
its letter (the letter's tracking tree shows them all).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from mitra.errors import NotFoundError
from tenant_apps.eoffice.models import (
    Disposition,
    DispositionInstruction,
    IncomingAttachment,
    IncomingLetter,
    OutgoingLetter,
    OutgoingReview,
    OutgoingReviewer,
)
from tenant_apps.org.models import Employee, Unit
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import Official, org_today, positions_held

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
    # A correlated count, not Count("attachments"): an aggregate would GROUP BY every row of the inbox before
    # the page is cut (and in the paginator's count), which costs seconds with 100k letters.
    attachments = (
        IncomingAttachment.objects.filter(letter=OuterRef("pk")).order_by().values("letter").annotate(n=Count("pk"))
    )
    return qs.select_related("agenda", "addressed_to", "addressed_to__unit").annotate(
        n_attachments=Coalesce(Subquery(attachments.values("n")), 0)
    )


def incoming_inbox(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[IncomingLetter]:
    """Letters addressed to the positions the user acts for today, newest received first."""
    positions = [official.position.pk for official in user_positions(user=user)]
    return _listing(IncomingLetter.objects.filter(addressed_to_id__in=positions)).order_by("-received_date", "-id")


def incoming_agenda() -> QuerySet[IncomingLetter]:
    """Every incoming letter of the region (the records officer's agenda book), newest first."""
    # Agenda numbers of a year are taken in id order under the sequence's lock, so the number's id orders them
    # like its value does, without a join (index eoffice_incoming_agenda).
    return _listing(IncomingLetter.objects.all()).order_by("-agenda_year", "-agenda_id")


def incoming_visible(*, user: AbstractBaseUser | AnonymousUser, letter: IncomingLetter) -> bool:
    if not user.is_authenticated:
        return False
    if can(user, Action.EOFFICE_INCOMING_REGISTER) or letter.registered_by_id == user.pk:
        return True
    held = [official.position.pk for official in user_positions(user=user)]
    if letter.addressed_to_id in held:
        return True
    return Disposition.objects.filter(letter=letter, to_position_id__in=held).exists()


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


# --- dispositions --------------------------------------------------------------------------------------------


def instruction_list() -> QuerySet[DispositionInstruction]:
    """The instructions a disposition may carry today, in the region's order."""
    return DispositionInstruction.objects.filter(active=True).order_by("order", "code")


def _disposition_listing(qs: QuerySet[Disposition]) -> QuerySet[Disposition]:
    return qs.select_related(
        "letter", "letter__agenda", "from_position", "to_position", "to_position__unit", "read_by", "done_by"
    )


def disposition_list_by_ids(*, ids: list[int]) -> list[Disposition]:
    """Dispositions just written by a service, reloaded for output, in id order."""
    return list(_disposition_listing(Disposition.objects.filter(pk__in=ids)).order_by("id"))


def disposition_inbox(*, user: AbstractBaseUser | AnonymousUser, open_only: bool = False) -> QuerySet[Disposition]:
    """Dispositions received by the positions the user acts for today (cancelled ones left out), unread
    first, then newest. A bounded number of queries whatever the inbox holds."""
    positions = [official.position.pk for official in user_positions(user=user)]
    qs = Disposition.objects.filter(to_position_id__in=positions).exclude(status=Disposition.Status.CANCELLED)
    if open_only:
        qs = qs.filter(status__in=Disposition.OPEN)
    unread_first = Case(When(status=Disposition.Status.SENT, then=Value(0)), default=Value(1))
    return _disposition_listing(qs).order_by(unread_first, "-sent_at", "-id")


def disposition_sent(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Disposition]:
    """Dispositions sent from the positions the user acts for today, newest first."""
    positions = [official.position.pk for official in user_positions(user=user)]
    return _disposition_listing(Disposition.objects.filter(from_position_id__in=positions)).order_by("-sent_at", "-id")


def disposition_get_for(*, user: AbstractBaseUser | AnonymousUser, disposition_id: int | str) -> Disposition:
    """The disposition if the user may see it, else NotFoundError `disposition_not_found`."""
    disposition = (
        _disposition_listing(Disposition.objects.all())
        .select_related("letter__addressed_to", "from_position__unit", "parent", "returned_by", "cancelled_by")
        .filter(pk=_pk(disposition_id))
        .first()
    )
    if disposition is None or not user.is_authenticated:
        raise NotFoundError("disposition_not_found", _("Disposisi tidak ditemukan."))
    held = {official.position.pk for official in user_positions(user=user)}
    if held & {disposition.to_position_id, disposition.from_position_id}:
        return disposition
    if not incoming_visible(user=user, letter=disposition.letter):
        raise NotFoundError("disposition_not_found", _("Disposisi tidak ditemukan."))
    return disposition


def user_holds(*, user: AbstractBaseUser | AnonymousUser, position_id: int) -> bool:
    return any(official.position.pk == position_id for official in user_positions(user=user))


@dataclass
class DispositionNode:
    disposition: Disposition
    children: list[DispositionNode] = field(default_factory=list)


def disposition_tree(*, letter: IncomingLetter) -> list[DispositionNode]:
    """Every disposition of `letter` as a forest (the letter's addressee's dispositions at the roots, each
    forwarded one under its parent), in the order they were sent. One query; the tree is built here."""
    rows = list(
        Disposition.objects.filter(letter=letter)
        .select_related("from_position", "to_position", "to_position__unit", "read_by", "done_by", "returned_by")
        .order_by("id")
    )
    nodes = {row.pk: DispositionNode(row) for row in rows}
    roots: list[DispositionNode] = []
    for row in rows:
        if row.parent_id is not None and row.parent_id in nodes:
            nodes[row.parent_id].children.append(nodes[row.pk])
        else:
            roots.append(nodes[row.pk])
    return roots


def disposition_overdue(*, unit: Unit, on: date | None = None) -> QuerySet[Disposition]:
    """Open dispositions (sent, read or in progress) received by positions of `unit` or of the units below
    it whose deadline has passed on `on` (default: today in the region), the oldest deadline first.
    Returned ones are closed for the recipient: the sender decides what happens next."""
    day = on or org_today()
    in_unit = Q(to_position__unit=unit) | Q(to_position__unit__parent=unit) | Q(to_position__unit__parent__parent=unit)
    return (
        _disposition_listing(Disposition.objects.filter(in_unit, deadline__lt=day, status__in=Disposition.OPEN))
        .select_related("from_position__unit")
        .order_by("deadline", "id")
    )


def disposition_actions(*, user: AbstractBaseUser | AnonymousUser, disposition: Disposition) -> set[str]:
    """What the user may do with the disposition now: "forward", "start", "complete", "return" for whoever
    acts for the receiving position, "cancel" for whoever acts for the sending one (only while unread). The
    pages show these buttons only; the services check the same rules again."""
    held = {official.position.pk for official in user_positions(user=user)}
    status = Disposition.Status
    actions: set[str] = set()
    if disposition.to_position_id in held:
        if disposition.status in (status.SENT, status.READ, status.IN_PROGRESS):
            actions |= {"forward", "complete", "return"}
        if disposition.status in (status.SENT, status.READ):
            actions.add("start")
    if disposition.from_position_id in held and disposition.status == status.SENT:
        actions.add("cancel")
    return actions


# --- outgoing letters ----------------------------------------------------------------------------------------
#
# An outgoing letter is visible to its drafter, to whoever acts today for its signer position or a position
# of its review chain, and, once signed, to whoever acts today for a recipient or copy position (copies only
# read). A Brebes verification id is unknown on any other region's host: each region's rows are in its schema.


def _outgoing_listing(qs: QuerySet[OutgoingLetter]) -> QuerySet[OutgoingLetter]:
    return qs.select_related("number", "unit", "signer_position", "drafter")


def _outgoing_scope(user: AbstractBaseUser | AnonymousUser, held: list[int] | None = None) -> Q:
    """`held`: the positions the user acts for today, when the caller has them already."""
    if held is None:
        held = [official.position.pk for official in user_positions(user=user)]
    signed = Q(status=OutgoingLetter.Status.SIGNED) & (Q(recipients__in=held) | Q(copies__in=held))
    return Q(drafter_id=user.pk) | Q(signer_position_id__in=held) | Q(reviewers__position_id__in=held) | signed


def outgoing_list_for(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[OutgoingLetter]:
    """Every outgoing letter the user may see, most recently changed first."""
    if not user.is_authenticated:
        return OutgoingLetter.objects.none()
    ids = OutgoingLetter.objects.filter(_outgoing_scope(user)).values("pk")
    return _outgoing_listing(OutgoingLetter.objects.filter(pk__in=ids)).order_by("-updated_at", "-id")


def outgoing_get_for(*, user: AbstractBaseUser | AnonymousUser, letter_id: int | str) -> OutgoingLetter:
    """The letter if the user may see it, else NotFoundError `letter_not_found` (same as an unknown id)."""
    pk = _pk(letter_id)
    if not user.is_authenticated or not OutgoingLetter.objects.filter(_outgoing_scope(user), pk=pk).exists():
        raise NotFoundError("letter_not_found", _("Naskah tidak ditemukan."))
    return _outgoing_listing(OutgoingLetter.objects.all()).get(pk=pk)


def outgoing_current_step(*, letter: OutgoingLetter) -> OutgoingReviewer | None:
    """The review step whose turn it is in the letter's current round: the first one not yet approved.
    None when every step approved (or the chain is empty)."""
    approved = set(
        OutgoingReview.objects.filter(
            letter=letter, round=letter.review_round, decision=OutgoingReview.Decision.APPROVE
        ).values_list("order", flat=True)
    )
    return next(
        (step for step in letter.reviewers.select_related("position").order_by("order") if step.order not in approved),
        None,
    )


def outgoing_viewer_role(*, user: AbstractBaseUser | AnonymousUser, letter: OutgoingLetter) -> str:
    """ "copy" when the user sees a signed letter only as a copy (tembusan: read only), else ""."""
    held = {official.position.pk for official in user_positions(user=user)}
    if letter.status != OutgoingLetter.Status.SIGNED or letter.drafter_id == user.pk:
        return ""
    if held & set(letter.copies.values_list("pk", flat=True)) and not held & set(
        letter.recipients.values_list("pk", flat=True)
    ):
        return "copy"
    return ""


def outgoing_actions(*, user: AbstractBaseUser | AnonymousUser, letter: OutgoingLetter) -> set[str]:
    """What the user may do now: "edit" and "submit" for the drafter while it is editable, "approve",
    "return", "reject" for whoever acts for the current review step, "sign" for whoever acts for the signer
    position once approved. The pages show these only; the services check the same rules again."""
    status = OutgoingLetter.Status
    actions: set[str] = set()
    if letter.drafter_id == user.pk and letter.status in OutgoingLetter.EDITABLE:
        actions |= {"edit", "submit"}
    held = {official.position.pk for official in user_positions(user=user)}
    if letter.status == status.IN_REVIEW:
        step = outgoing_current_step(letter=letter)
        if step is not None and step.position_id in held:
            actions |= {"approve", "return", "reject"}
    if letter.status == status.APPROVED and letter.signer_position_id in held:
        actions.add("sign")
    return actions


def outgoing_reviews(*, letter: OutgoingLetter) -> QuerySet[OutgoingReview]:
    return letter.reviews.select_related("position", "decided_by").order_by("round", "order")


def outgoing_verification_get(*, verification_id: str) -> OutgoingLetter:
    """A signed letter of the current region by its verification id (public page), else NotFoundError."""
    try:
        key = uuid.UUID(str(verification_id))
    except ValueError:
        key = None
    letter = (
        _outgoing_listing(OutgoingLetter.objects.filter(verification_id=key, status=OutgoingLetter.Status.SIGNED))
        .select_related("signer_position__unit")
        .first()
        if key is not None
        else None
    )
    if letter is None:
        raise NotFoundError("letter_not_found", _("Naskah tidak ditemukan."))
    return letter
