"""Reads of the region's workspace (region schema)."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from tenant_apps.org.models import ActivationToken
from tenant_apps.workspace.models import (
    SINGLETON_ID,
    Notification,
    NotificationPreference,
    RegionSettings,
    RegionTimezone,
)
from tenants.models import Region


def current_region() -> Region | None:
    """The Region row (public schema) of the schema in use; None on the control plane."""
    if connection.schema_name == "public":
        return None
    return Region.objects.filter(schema_name=connection.schema_name).first()


def region_settings_get() -> RegionSettings:
    """The current region's settings, created on first read with defaults taken from the control plane's
    record of the region: its time zone and a letterhead line `PEMERINTAH <OFFICIAL NAME>`.

    Creating the row here (rather than in provisioning) keeps regions provisioned before this table existed
    working; a concurrent first read is safe (get_or_create falls back to reading the winner's row).
    """
    if connection.schema_name == "public":
        raise RuntimeError("Region settings exist only inside a region's schema")
    found = RegionSettings.objects.filter(pk=SINGLETON_ID).first()
    if found is not None:
        return found
    region = current_region()
    defaults: dict[str, str] = {}
    if region is not None:
        defaults["letterhead"] = f"PEMERINTAH {region.official_name.upper()}"
        if region.timezone in RegionTimezone.values:
            defaults["timezone"] = region.timezone
    found, _created = RegionSettings.objects.get_or_create(pk=SINGLETON_ID, defaults=defaults)
    return found


def active_account_count() -> int:
    return get_user_model().objects.filter(is_active=True).count()


def pending_activation_count() -> int:
    """Accounts whose one-time activation link is issued, unused and not yet expired."""
    return ActivationToken.objects.filter(used_at__isnull=True, expires_at__gt=timezone.now()).count()


def _same_email(a: str, b: str) -> bool:
    # As Django's PasswordResetForm compares them: case-insensitive, Unicode-normalised.
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


def accounts_for_password_reset(email: str) -> list[AbstractBaseUser]:
    """Active accounts of this region with that e-mail and a usable password (an account still waiting
    for its activation link has none, and is activated through that link instead)."""
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    candidates = user_model._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
    return [u for u in candidates if u.has_usable_password() and _same_email(email, getattr(u, email_field))]


def notification_list_for(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    """The user's own notifications, newest first (unread and read alike)."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def notification_unread_count(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_email_enabled(*, user: AbstractBaseUser) -> bool:
    """Whether the user gets notification e-mails (on unless they turned it off)."""
    return not NotificationPreference.objects.filter(user_id=user.pk, email_enabled=False).exists()
