"""Scheduled work on agreements (control plane, public schema)."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from shared_apps.onboarding.services import agreement_refresh_states


@shared_task(name="onboarding.refresh_agreements")
def refresh_agreements() -> dict[str, int]:
    """Activate agreements whose period has begun and expire those past it. Scheduled daily by beat.

    Agreements live in the public schema; the task switches there even if it was sent from a region.
    """
    with schema_context(get_public_schema_name()):
        return agreement_refresh_states()
