"""What e-Office tells people, through tenant_apps.workspace.notifications.notify.

Each function runs inside the service transaction that caused the event and names it with a key that is
the same however often the service is retried ("eoffice.disposition.sent:<id>", "…review:<id>:<round>:
<step>"), so nobody hears of one event twice. Work addressed to a position reaches whoever acts for it
today (Plt./Plh. included); news about one's own letter reaches its drafter (outgoing) or the sender
position of a disposition.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils.translation import gettext as _

from tenant_apps.eoffice.models import Disposition, IncomingLetter, OutgoingLetter
from tenant_apps.org.models import Position
from tenant_apps.workspace.notifications import Message, in_region_language, notify, position_accounts


def _to_positions(positions: Iterable[Position], *, exclude: AbstractBaseUser | None = None) -> list[int]:
    accounts = position_accounts(positions=positions)
    ids = {pk for ids in accounts.values() for pk in ids}
    if exclude is not None:
        ids.discard(exclude.pk)  # nobody is told about what they did themselves
    return sorted(ids)


def incoming_registered(*, letter: IncomingLetter) -> None:
    """A new letter is in the addressed position's inbox."""
    with in_region_language():
        message = Message(
            title=_("Surat masuk baru: %(subject)s") % {"subject": letter.subject},
            body=_("Nomor agenda %(agenda)s dari %(sender)s, sifat %(nature)s, kecepatan %(urgency)s.")
            % {
                "agenda": letter.agenda.number,
                "sender": letter.sender,
                "nature": letter.get_nature_display().lower(),
                "urgency": letter.get_urgency_display().lower(),
            },
            url=reverse("eoffice:incoming-detail", args=[letter.pk]),
        )
    notify(
        event_key=f"eoffice.incoming.registered:{letter.pk}",
        kind="eoffice.incoming.registered",
        recipients=_to_positions([letter.addressed_to]),
        message=message,
    )


def dispositions_sent(*, rows: list[Disposition], user: AbstractBaseUser) -> None:
    """Each recipient position of a new disposition (one event per row)."""
    accounts = position_accounts(positions=[row.to_position for row in rows])
    for row in rows:
        with in_region_language():
            deadline = _(" Batas waktu %(date)s.") % {"date": row.deadline.strftime("%d-%m-%Y")} if row.deadline else ""
            message = Message(
                title=_("Disposisi baru: %(subject)s") % {"subject": row.letter.subject},
                body=_("Dari %(sender)s: %(instructions)s.")
                % {
                    "sender": row.from_position.title,
                    "instructions": ", ".join(row.instructions),
                }
                + deadline,
                url=reverse("eoffice:disposition-detail", args=[row.pk]),
            )
        notify(
            event_key=f"eoffice.disposition.sent:{row.pk}",
            kind="eoffice.disposition.sent",
            recipients=[pk for pk in accounts.get(row.to_position_id, []) if pk != user.pk],
            message=message,
        )


def disposition_finished(*, disposition: Disposition, user: AbstractBaseUser) -> None:
    """The sender position hears that its disposition was done or returned."""
    status = Disposition.Status
    with in_region_language():
        if disposition.status == status.DONE:
            title = _("Disposisi selesai: %(subject)s")
            body = disposition.done_note
        elif disposition.status == status.RETURNED:
            title = _("Disposisi dikembalikan: %(subject)s")
            body = disposition.return_reason
        else:
            return
        message = Message(
            title=title % {"subject": disposition.letter.subject},
            body=f"{disposition.to_position.title}: {body}",
            url=reverse("eoffice:disposition-detail", args=[disposition.pk]),
        )
    notify(
        event_key=f"eoffice.disposition.{disposition.status}:{disposition.pk}",
        kind=f"eoffice.disposition.{disposition.status}",
        recipients=_to_positions([disposition.from_position], exclude=user),
        message=message,
    )


def outgoing_changed(*, letter: OutgoingLetter, user: AbstractBaseUser) -> None:
    """Whoever must act next on an outgoing letter, and its drafter, per the state it is now in: the current
    reviewer (needs review), the signer (needs signature), the drafter (returned, rejected, approved,
    signed), and the internal recipients and copies once signed."""
    from tenant_apps.eoffice.selectors import outgoing_current_step

    status = OutgoingLetter.Status
    url = reverse("eoffice:outgoing-detail", args=[letter.pk])
    subject = {"subject": letter.subject}
    round_ = letter.review_round
    events: list[tuple[str, str, list[int], Message]] = []
    with in_region_language():
        if letter.status == status.IN_REVIEW:
            step = outgoing_current_step(letter=letter)
            if step is not None:
                events.append(
                    (
                        f"review:{letter.pk}:{round_}:{step.order}",
                        "eoffice.outgoing.review",
                        _to_positions([step.position], exclude=user),
                        Message(_("Naskah perlu diperiksa: %(subject)s") % subject, "", url),
                    )
                )
        elif letter.status == status.APPROVED:
            events.append(
                (
                    f"sign:{letter.pk}:{round_}",
                    "eoffice.outgoing.sign",
                    _to_positions([letter.signer_position], exclude=user),
                    Message(_("Naskah perlu ditandatangani: %(subject)s") % subject, "", url),
                )
            )
            events.append(
                (
                    f"approved:{letter.pk}:{round_}",
                    "eoffice.outgoing.approved",
                    [letter.drafter_id] if letter.drafter_id != user.pk else [],
                    Message(_("Naskah disetujui: %(subject)s") % subject, "", url),
                )
            )
        elif letter.status in (status.RETURNED, status.REJECTED):
            note = letter.reviews.filter(round=round_).order_by("-order").values_list("note", flat=True).first()
            title = (
                _("Naskah dikembalikan: %(subject)s")
                if letter.status == status.RETURNED
                else _("Naskah ditolak: %(subject)s")
            )
            events.append(
                (
                    f"{letter.status}:{letter.pk}:{round_}",
                    f"eoffice.outgoing.{letter.status}",
                    [letter.drafter_id] if letter.drafter_id != user.pk else [],
                    Message(title % subject, note or "", url),
                )
            )
        elif letter.status == status.SIGNED:
            number = letter.number.number if letter.number_id else ""
            events.append(
                (
                    f"signed:{letter.pk}",
                    "eoffice.outgoing.signed",
                    [letter.drafter_id] if letter.drafter_id != user.pk else [],
                    Message(_("Naskah ditandatangani: %(subject)s") % subject, number, url),
                )
            )
            readers = list(letter.recipients.all()) + list(letter.copies.all())
            events.append(
                (
                    f"received:{letter.pk}",
                    "eoffice.outgoing.received",
                    _to_positions(readers, exclude=user),
                    Message(_("Naskah dinas masuk: %(subject)s") % subject, number, url),
                )
            )
    for key, kind, recipients, message in events:
        notify(event_key=f"eoffice.outgoing.{key}", kind=kind, recipients=recipients, message=message)
