"""A letter's history in words, read from the region's audit chain: who (name and position), did what, when,
newest first. The incoming letter's timeline includes the records of its dispositions; the outgoing letter's
those of its drafting, review chain and signing.

Reads only: callers check first that the user may see the letter (selectors.incoming_get_for /
outgoing_get_for), and the timeline shows nothing the letter's pages do not. A fixed number of queries
whatever the history holds (records, dispositions, accounts, employees, positions), at most LIMIT entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from shared_apps.audit.models import AuditRecord
from shared_apps.audit.templatetags.audit_tags import audit_action
from tenant_apps.eoffice.models import Disposition, IncomingLetter, OutgoingLetter
from tenant_apps.org.models import Employee, Position

LIMIT = 200
_NOTE_MAX = 300


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str  # the audit action code ("eoffice.disposition.selesai")
    label: str  # what happened, in words
    actor: str  # as the audit record names it ("brebes:kadis")
    actor_name: str
    actor_position: str
    detail: str


def _short(text: Any) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= _NOTE_MAX else value[: _NOTE_MAX - 1] + "…"


def _people(records: list[AuditRecord]) -> dict[str, tuple[str, str]]:
    """actor → (name, position title) for the region's own accounts; two queries."""
    prefix = f"{connection.schema_name}:"
    usernames = {r.actor[len(prefix) :] for r in records if r.actor.startswith(prefix)}
    if not usernames:
        return {}
    user_model = get_user_model()
    users = {u.pk: u for u in user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__in": usernames})}
    employees = {
        e.account_id: e
        for e in Employee.objects.filter(account_id__in=list(users)).select_related("position").order_by("-active")
    }
    people: dict[str, tuple[str, str]] = {}
    for pk, user in users.items():
        employee = employees.get(pk)
        name = (employee.name if employee else "") or user.get_full_name() or user.get_username()
        position = employee.position.title if employee and employee.position_id else ""
        people[prefix + user.get_username()] = (name, position)
    return people


def _position_titles(records: list[AuditRecord], known: dict[str, str]) -> dict[str, str]:
    codes: set[str] = set()
    for record in records:
        after = record.after if isinstance(record.after, dict) else {}
        for key in ("from", "position", "signer_position"):
            if isinstance(after.get(key), str):
                codes.add(after[key])
        for key in ("to", "recipients", "copies", "reviewers"):
            if isinstance(after.get(key), list):
                codes.update(str(code) for code in after[key])
    missing = codes - set(known)
    titles = dict(known)
    if missing:
        titles.update(Position.objects.filter(code__in=missing).values_list("code", "title"))
    return titles


def _detail(record: AuditRecord, dispositions: dict[str, Disposition], titles: dict[str, str]) -> str:
    after = record.after if isinstance(record.after, dict) else {}
    action = record.action

    def title(code: Any) -> str:
        return titles.get(str(code), str(code))

    if action == "eoffice.incoming.register":
        return _("Nomor agenda %(agenda)s, dari %(sender)s") % {
            "agenda": after.get("agenda", ""),
            "sender": after.get("sender", ""),
        }
    if action == "eoffice.disposition.send":
        to = ", ".join(title(code) for code in after.get("to", []))
        text = _("Dari %(sender)s kepada %(to)s") % {"sender": title(after.get("from", "")), "to": to}
        if after.get("instructions"):
            text += f" — {', '.join(map(str, after['instructions']))}"
        if after.get("as") in ("plt", "plh"):
            text += f" ({str(after['as']).capitalize()}.)"
        return text
    if record.target_type == "eoffice.disposition":
        row = dispositions.get(record.target_id)
        text = f"{row.from_position.title} → {row.to_position.title}" if row else ""
        note = after.get("done_note") or after.get("return_reason")
        return f"{text}: {_short(note)}" if note else text
    if action.startswith("eoffice.outgoing.review."):
        text = title(after.get("position", ""))
        return f"{text}: {_short(after['note'])}" if after.get("note") else text
    if action == "eoffice.outgoing.sign":
        return _("Nomor %(number)s, sebagai %(title)s") % {
            "number": after.get("number", ""),
            "title": after.get("signer", ""),
        }
    if action in ("eoffice.outgoing.create", "eoffice.outgoing.update"):
        return _short(after.get("subject", ""))
    if after.get("note"):
        return _short(after["note"])
    return ""


def _entries(
    records: Iterable[AuditRecord], dispositions: dict[str, Disposition], known_titles: dict[str, str]
) -> list[TimelineEntry]:
    rows = list(records)
    people = _people(rows)
    titles = _position_titles(rows, known_titles)
    entries = []
    for record in rows:
        name, position = people.get(record.actor, (record.actor, ""))
        entries.append(
            TimelineEntry(
                at=record.occurred_at,
                action=record.action,
                label=audit_action(record.action),
                actor=record.actor,
                actor_name=name,
                actor_position=position,
                detail=_detail(record, dispositions, titles),
            )
        )
    return entries


def incoming_timeline(*, letter: IncomingLetter, limit: int = LIMIT) -> list[TimelineEntry]:
    """The letter's own records and its dispositions' records, newest first."""
    dispositions = {
        str(d.pk): d for d in Disposition.objects.filter(letter=letter).select_related("from_position", "to_position")
    }
    known = {}
    for row in dispositions.values():
        known[row.from_position.code] = row.from_position.title
        known[row.to_position.code] = row.to_position.title
    records = AuditRecord.objects.filter(
        Q(target_type="eoffice.incoming_letter", target_id=str(letter.pk))
        | Q(target_type="eoffice.disposition", target_id__in=list(dispositions))
    ).order_by("-id")[:limit]
    return _entries(records, dispositions, known)


def outgoing_timeline(*, letter: OutgoingLetter, limit: int = LIMIT) -> list[TimelineEntry]:
    """The letter's drafting, review, signing records, newest first."""
    records = AuditRecord.objects.filter(target_type="eoffice.outgoing_letter", target_id=str(letter.pk)).order_by(
        "-id"
    )[:limit]
    return _entries(records, {}, {})
