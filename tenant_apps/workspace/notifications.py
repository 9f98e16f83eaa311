"""Notifications of a region (region schema): recording them, mailing them, marking them read.

A module records an event for people with `notify(...)` inside the transaction of the service that caused
it. Each (event key, recipient) is recorded at most once (a unique constraint, INSERT … ON CONFLICT DO
NOTHING), so a retried service adds nothing. The e-mails of the rows it did add are queued after commit
(`transaction.on_commit`): a rolled-back service leaves neither a row nor a mail. The mail task claims each
row under a lock and only while `emailed_at` is empty, so a redelivered task sends nothing twice.

Positions, not people, receive e-Office work: `position_accounts` resolves them to the accounts of whoever
acts for them today (the Plh. or Plt. when one is appointed, else every active holder of the seat, as
e-Office inboxes do).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.org.models import Employee, Position
from tenant_apps.org.selectors import positions_officials
from tenant_apps.workspace.models import Notification, NotificationPreference
from tenant_apps.workspace.selectors import current_region
from tenants.selectors import region_base_url

logger = logging.getLogger(__name__)

TITLE_MAX = 300
BODY_MAX = 2000


@dataclass(frozen=True)
class Message:
    """What a notification says. Build it inside `in_region_language()` so that the text does not depend on
    the language of whoever caused the event."""

    title: str
    body: str = ""
    url: str = ""


def in_region_language() -> translation.override:
    """Notifications are written in the platform's language (Indonesian), not the actor's choice."""
    return translation.override(settings.LANGUAGE_CODE)


def position_accounts(*, positions: Iterable[Position]) -> dict[int, list[int]]:
    """Account ids of whoever acts today for each position: the acting official (Plh. before Plt.) when one
    is appointed, else every active holder with an account. Three queries for any number of positions."""
    by_id = {p.pk: p for p in positions}
    if not by_id:
        return {}
    officials = positions_officials(positions=by_id.values())
    result: dict[int, list[int]] = {pk: [] for pk in by_id}
    definitive = [pk for pk, official in officials.items() if official is None or not official.is_acting]
    for pk, official in officials.items():
        if official is not None and official.is_acting and official.employee.account_id and official.employee.active:
            result[pk].append(official.employee.account_id)
    for position_id, account_id in (
        Employee.objects.filter(position_id__in=definitive, active=True, account__isnull=False)
        .order_by("nip")
        .values_list("position_id", "account_id")
    ):
        result[position_id].append(account_id)
    return result


def notify(*, event_key: str, kind: str, recipients: Iterable[int], message: Message) -> list[int]:
    """Record `message` for each recipient account id (duplicates and the ones already notified of this
    event are skipped); returns the ids of the rows added. Run it inside the causing service's transaction:
    the rows commit with it, and their e-mails are queued only once it commits."""
    account_ids = sorted({int(pk) for pk in recipients if pk})
    if not account_ids:
        return []
    now = timezone.now()
    values = [
        (event_key[:120], pk, kind[:60], message.title[:TITLE_MAX], message.body[:BODY_MAX], message.url[:300], now)
        for pk in account_ids
    ]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(values))
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        # One statement, idempotent under retries and races: a row already there is left alone.
        cursor.execute(
            f"INSERT INTO {table} (event_key, recipient_id, kind, title, body, url, created_at)"  # noqa: S608 (table name from the model, values bound)
            f" VALUES {placeholders} ON CONFLICT (event_key, recipient_id) DO NOTHING RETURNING id",
            [item for row in values for item in row],
        )
        added = [row[0] for row in cursor.fetchall()]
    if added:
        _mail_after_commit(added)
    return added


def _mail_after_commit(notification_ids: list[int]) -> None:
    from tenant_apps.workspace.tasks import send_notification_mails

    # Only rows whose recipient has an address and wants mail are worth a task.
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    opted_out = NotificationPreference.objects.filter(email_enabled=False).values("user_id")
    ids = list(
        Notification.objects.filter(pk__in=notification_ids, recipient__is_active=True)
        .exclude(**{f"recipient__{email_field}": ""})
        .exclude(recipient_id__in=opted_out)
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    schema = connection.schema_name
    # The schema is pinned now: whatever schema is active when the commit hook runs, the task runs here.
    transaction.on_commit(lambda: send_notification_mails.apply_async((sorted(ids),), headers={"_schema_name": schema}))


def notification_mail_send(*, notification_id: int) -> bool:
    """Mail one notification (the task's body) unless it was mailed already, its recipient has no address
    any more or turned mail off. The row is locked and `emailed_at` set in the same transaction as the send:
    a second delivery of the task waits for the first, then finds it mailed and sends nothing. Returns
    whether a mail went out."""
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        address = getattr(row.recipient, email_field, "") or ""
        wants = not NotificationPreference.objects.filter(user_id=row.recipient_id, email_enabled=False).exists()
        if not address or not row.recipient.is_active or not wants:
            return False
        region = current_region()
        base_url = region_base_url(region) if region is not None else ""
        context = {
            "name": row.recipient.get_full_name() or row.recipient.get_username(),
            "title": row.title,
            "body": row.body,
            "link": base_url + row.url if row.url else base_url,
            "settings_link": base_url + "/notifikasi/",
            "region_name": region.official_name if region is not None else "",
        }
        with in_region_language():
            subject = "".join(render_to_string("workspace/email/notification_subject.txt", context).splitlines())
            body = render_to_string("workspace/email/notification_body.txt", context)
        EmailMultiAlternatives(subject, body, to=[address]).send()
        # If the commit fails after the send the mail may go again on retry: at least once beats never.
        Notification.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
    return True


# --- the person's own actions on their notifications ----------------------------------------------------------


def notification_mark_read(*, user: AbstractBaseUser, notification_id: int) -> int:
    """Mark one of the user's own notifications read; 0 when it is not theirs, unknown or already read."""
    return Notification.objects.filter(pk=notification_id, recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_all_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def notification_email_set(*, user: AbstractBaseUser, enabled: bool) -> NotificationPreference:
    """Turn notification e-mails on or off for the user (audited `notification.email_preference`)."""
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user_id=user.pk)
    if preference.email_enabled != enabled:
        before = preference.email_enabled
        preference.email_enabled = enabled
        preference.save(update_fields=["email_enabled", "updated_at"])
        audit_record(
            actor=actor_for(user),
            action="notification.email_preference",
            target_type="account",
            target_id=user.pk,
            before={"email": before},
            after={"email": enabled},
        )
    return preference
