"""Counters on the region's home page, contributed by each module (unread letters, pending dispositions,
activities awaiting validation…).

A module registers a source once, usually in its AppConfig.ready():

    from tenant_apps.workspace.counters import Counter, register

    def eoffice_counters(request):
        return [Counter(_("Surat belum dibaca"), unread_count(request.user), reverse("eoffice:inbox"))]

    register(eoffice_counters, module="eoffice")

A source gets the request (user, region) and returns a list of Counter; it should be cheap (one or two
COUNT queries). Sources of a module show only while the region's licence covers that module today (the
same licensed set as the gate and the menu); sources registered without a module (the workspace's own)
always show. One failing source is logged (and reported to Sentry) and left out; the home page stays up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tenants.gate import request_licensed_modules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counter:
    label: str  # Indonesian, through gettext
    value: int
    url: str = ""  # where the number leads, if anywhere


CounterSource = Callable[[HttpRequest], list[Counter]]

_sources: list[tuple[str | None, CounterSource]] = []


def register(source: CounterSource, *, module: str | None = None) -> CounterSource:
    """Add a counter source; `module` is the module code whose licence it needs (None: always shown).
    Registering the same source twice is a no-op, so a reloaded AppConfig does not double it."""
    if not any(existing is source for _module, existing in _sources):
        _sources.append((module, source))
    return source


def unregister(source: CounterSource) -> None:
    _sources[:] = [(module, existing) for module, existing in _sources if existing is not source]


def home_counters(request: HttpRequest) -> list[Counter]:
    """The counters the request's user sees on the region's home page, in registration order."""
    licensed = request_licensed_modules(request)
    counters: list[Counter] = []
    for module, source in list(_sources):
        if module is not None and module not in licensed:
            continue
        try:
            produced = source(request)
            if not all(isinstance(counter, Counter) for counter in produced):
                raise TypeError(f"{source!r} must return a list of Counter")
        except Exception:
            logger.exception("home counter source %r failed", getattr(source, "__qualname__", source))
            continue
        counters.extend(produced)
    return counters


# --- the workspace's own counters ----------------------------------------------------------------------------


def account_counters(request: HttpRequest) -> list[Counter]:
    """For region admins: accounts in use and first-login links not yet used."""
    from tenant_apps.workspace.permissions import can_manage_region
    from tenant_apps.workspace.selectors import active_account_count, pending_activation_count

    if not can_manage_region(request.user):
        return []
    return [
        Counter(_("Akun aktif"), active_account_count()),
        Counter(_("Menunggu aktivasi"), pending_activation_count()),
    ]


def notification_counters(request: HttpRequest) -> list[Counter]:
    """Everyone's unread notifications (one COUNT query), leading to the notifications page."""
    from django.urls import reverse

    from tenant_apps.workspace.selectors import notification_unread_count

    if not request.user.is_authenticated:
        return []
    return [
        Counter(
            _("Notifikasi belum dibaca"),
            notification_unread_count(user=request.user),
            reverse("workspace:notifications"),
        )
    ]
