"""Error reporting: Sentry, initialised in one place, only when SENTRY_DSN is set.

No personal data leaves the platform: send_default_pii is off, stack frames are sent without their local
variables, and the same scrubber runs on errors and on transactions to drop what the SDK could still attach
(user identity, cookies, request bodies, query strings, client addresses). Each event carries the region's
schema as a tag. tests/integration/test_sentry.py checks all of this against what the SDK really sends.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from django.conf import settings

REGION_TAG = "region"
# Query strings carry search terms (a name, a NIK) as often as page numbers; env holds the client address.
_SCRUBBED_REQUEST_KEYS = ("cookies", "data", "env", "query_string")
# Secrets and client addresses. The SDK already masks some of these, but not X-CSRFToken, which it sends as is.
_SCRUBBED_HEADERS = frozenset(
    ("cookie", "authorization", "proxy-authorization", "x-csrftoken", "x-forwarded-for", "x-real-ip", "forwarded")
)


def _strip_personal_data(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in _SCRUBBED_REQUEST_KEYS:
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in _SCRUBBED_HEADERS}
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
        # A view's locals hold the citizen's data it was working on (a NIK, a name); the SDK would send them
        # verbatim with every frame, and its scrubber only recognises names like "password".
        include_local_variables=False,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        before_send=_strip_personal_data,
        # Transactions carry the same request data and do not pass through before_send.
        before_send_transaction=_strip_personal_data,
    )
    return True


def tag_region(schema_name: str) -> None:
    """Tag events of the current request or task with the region they happened in."""
    sentry_sdk.set_tag(REGION_TAG, schema_name)
