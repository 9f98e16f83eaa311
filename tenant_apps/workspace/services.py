"""Writes of the region's workspace: its settings, and password reset by e-mail."""

from __future__ import annotations

import hashlib
import logging
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.authtoken.models import Token

from shared_apps.audit.services import audit_record
from tenant_apps.workspace.models import SINGLETON_ID, RegionSettings
from tenant_apps.workspace.selectors import accounts_for_password_reset, current_region, region_settings_get
from tenant_apps.workspace.validation import logo_inspect
from tenants.selectors import region_base_url

logger = logging.getLogger(__name__)

# Reset mails per address and region within an hour: enough for a lost mail or two, too few to bomb an inbox.
RESET_MAILS_PER_HOUR = 3


class RegionPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, bound to the region's schema as well: a Brebes token is worthless on another
    region's host even for an account with the same id, password hash and e-mail there (a cloned schema)."""

    key_salt = "mitra.workspace.RegionPasswordResetTokenGenerator"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        return f"{connection.schema_name}:{super()._make_hash_value(user, timestamp)}"


password_reset_token = RegionPasswordResetTokenGenerator()


def _settings_snapshot(settings_row: RegionSettings) -> dict[str, Any]:
    return {
        "letterhead": settings_row.letterhead_lines,
        "logo_sha256": settings_row.logo_sha256,
        "timezone": settings_row.timezone,
        "letter_number_format": settings_row.letter_number_format,
    }


@transaction.atomic
def region_settings_update(
    *,
    actor: str,
    letterhead: str,
    timezone: str,
    letter_number_format: str,
    logo: IO[bytes] | None = None,
    logo_size: int | None = None,
    remove_logo: bool = False,
) -> RegionSettings:
    """Change the region's settings. Audited (`region_settings.update`, before/after) when anything changed.

    Invariants: the time zone is WIB/WITA/WIT; the letter number format passes `number_format_validate`; the
    letterhead has at most 5 non-empty lines of at most 120 characters; a logo is a PNG or JPEG of at most
    1 MB (checked by content). Raises django ValidationError (field codes) and changes nothing otherwise.
    Side effects: a new logo is written to default storage (under the region's prefix) before the row is
    saved; the replaced file is deleted after commit. A rolled-back update can leave the new file behind
    under the region's prefix: harmless, and never referenced.
    """
    region_settings_get()  # creates the row on first use
    row = RegionSettings.objects.select_for_update().get(pk=SINGLETON_ID)
    before = _settings_snapshot(row)
    old_logo = row.logo
    row.letterhead = "\n".join(line.strip() for line in letterhead.splitlines() if line.strip())
    row.timezone = timezone
    row.letter_number_format = letter_number_format.strip()
    row.full_clean()

    if logo is not None:
        info = logo_inspect(logo, size=logo_size)
        data = logo.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != row.logo_sha256:
            row.logo = default_storage.save(f"workspace/logo/{digest[:16]}.{info.extension}", ContentFile(data))
            row.logo_content_type = info.content_type
            row.logo_sha256 = digest
    elif remove_logo:
        row.logo = row.logo_content_type = row.logo_sha256 = ""

    after = _settings_snapshot(row)
    if after == before:
        return row
    row.save()
    audit_record(
        actor=actor,
        action="region_settings.update",
        target_type="region_settings",
        target_id=row.pk,
        before=before,
        after=after,
    )
    if old_logo and old_logo != row.logo:
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    return row


def _reset_mail_allowed(email: str) -> bool:
    key = f"pwreset:{connection.schema_name}:{hashlib.sha256(email.casefold().encode()).hexdigest()[:32]}"
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) <= RESET_MAILS_PER_HOUR
    except ValueError:  # the hour ran out between add and incr
        return True
    except Exception:
        logger.exception("reset mail limiter unavailable; sending anyway")
        return True


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Someone asked for a password reset link for `email` on this region's host.

    Queues one mail per matching account (tasks.send_password_reset_mail, after commit) and audits each
    request (`account.password_reset_request`). Returns how many were queued; the caller must not reveal it
    (the page says the same thing whether or not the address is known). At most 3 mails per address and
    hour; more are dropped silently. The link itself is built by the task, from the region's own address.
    """
    from tenant_apps.workspace.tasks import send_password_reset_mail

    accounts = accounts_for_password_reset(email)
    if not accounts or not _reset_mail_allowed(email):
        return 0
    for user in accounts:
        audit_record(
            actor="anonymous",
            action="account.password_reset_request",
            target_type="account",
            target_id=user.pk,
        )
        # The region is pinned now: whatever schema is active when the commit hook runs, the mail is built
        # in this one.
        transaction.on_commit(
            lambda user_id=user.pk, schema=connection.schema_name: send_password_reset_mail.apply_async(
                (user_id,), headers={"_schema_name": schema}
            )
        )
    return len(accounts)


@transaction.atomic
def account_password_reset(*, user: AbstractBaseUser, password: str) -> AbstractBaseUser:
    """Set a new password through a reset link (the password is already validated). Audited
    (`account.password_reset`). The account's API token is revoked: whoever reset the password may be
    locking someone out, and a token issued before must not outlive that. Other sessions end by themselves
    (Django ties a session to the password hash)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    audit_record(
        actor=f"{connection.schema_name}:{user.get_username()}",
        action="account.password_reset",
        target_type="account",
        target_id=user.pk,
    )
    return user


def password_reset_link(user: AbstractBaseUser) -> str:
    """The reset link for `user`, always on the current region's own address (tenants.selectors
    .region_base_url): never built from a request's Host or X-Forwarded-Host header."""
    region = current_region()
    if region is None:
        raise RuntimeError("Password reset links exist only inside a region's schema")
    path = reverse(
        "password_reset_confirm",
        urlconf="mitra.urls_tenants",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": password_reset_token.make_token(user)},
    )
    return region_base_url(region) + path


def password_reset_mail_send(*, user_id: int) -> bool:
    """Send the reset mail to one account of the current region (the Celery task's body). Returns False,
    sending nothing, when the account can no longer reset its password (deactivated, e-mail removed…)."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    email = getattr(user, get_user_model().get_email_field_name(), "") if user else ""
    if user is None or not email or not user.has_usable_password():
        return False
    region = current_region()
    context = {
        "region_name": region.official_name if region else "",
        "username": user.get_username(),
        "link": password_reset_link(user),
        "base_url": region_base_url(region) if region else "",
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = "".join(render_to_string("workspace/email/password_reset_subject.txt", context).splitlines())
    body = render_to_string("workspace/email/password_reset_body.txt", context)
    EmailMultiAlternatives(subject, body, to=[email]).send()
    return True
