"""Error reporting: Sentry, initialised in one place, only when SENTRY_DSN is set.

No personal data leaves the platform: send_default_pii is off, and before_send drops what the SDK could
still attach (user identity, cookies, request bodies). Each event carries the region's schema as a tag.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from django.conf import settings

REGION_TAG = "region"
_SCRUBBED_REQUEST_KEYS = ("cookies", "data", "env")


def _strip_personal_data(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in _SCRUBBED_REQUEST_KEYS:
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                k: v for k, v in headers.items() if k.lower() not in {"cookie", "authorization", "x-forwarded-for"}
            }
    return event


def init_sentry(dsn: str | None = None) -> bool:
    """Start the Sentry SDK if a DSN is configured; returns whether it was started."""
    dsn = dsn if dsn is not None else settings.SENTRY_DSN
    if not dsn:
        return False
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=settings.SENTRY_ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        before_send=_strip_personal_data,
    )
    return True


def tag_region(schema_name: str) -> None:
    """Tag events of the current request or task with the region they happened in."""
    sentry_sdk.set_tag(REGION_TAG, schema_name)
