"""Scheduled licence bookkeeping (public schema)."""

from __future__ import annotations

from celery import shared_task

from shared_apps.licensing.services import licence_expire_due


@shared_task(name="licensing.expire_licences")
def expire_licences() -> int:
    """Mark licences past their end date as expired; run daily by beat. Returns how many changed."""
    return licence_expire_due()
