"""Login on every host (the control plane and each region), behind one brute-force throttle.

The page (`LoginView`) and the token API (`mitra.auth_api.TokenObtainApi`) both authenticate through
`authenticate_throttled`, so failures on one count against the other: five wrong passwords for one account
within the window lock that account on that host, whichever door they came through.

Why our own ~100 lines instead of django-axes: axes wants its backend first in AUTHENTICATION_BACKENDS, its
middleware and signal handlers, and (by default) attempt tables in every schema; our needs are two counters in
the cache, which is already per region (django-tenants' key function prefixes every key with the schema).
The schema is also written into our keys, so the separation holds even if the cache's key function changes.

Two counters, both per host (per region, or the control plane):
- per username: `username_limit` failures within `window` seconds lock that username for `window` seconds,
  even for the right password (otherwise guessing would simply go on until it succeeds); a successful
  login clears it. The lock applies to unknown usernames too, so it says nothing about which accounts exist.
- per client address: `ip_limit` failures within the window lock the address. Kept well above the username
  limit because a whole office (often a whole pemda) reaches us through one NAT address; a successful login
  does not clear it, or an attacker holding one account could wipe it between rounds of password spraying.

The client address is REMOTE_ADDR, or, behind `REST_FRAMEWORK["NUM_PROXIES"]` trusted proxies, the address
that many hops from the end of X-Forwarded-For (DRF's rule). The header is never trusted without that
setting: anyone can write it, and a throttle keyed on it could be dodged by changing it on every attempt.

If the cache is unreachable the throttle lets attempts through (logging an error for Sentry): a cache
outage must not lock every official out of every region; the password check itself still applies.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)

DEFAULTS = {"username_limit": 5, "ip_limit": 50, "window": 15 * 60}


def throttle_settings() -> dict[str, int]:
    """Limits, overridable with settings.MITRA_LOGIN_THROTTLE = {"username_limit": …, "ip_limit": …, "window": …}."""
    return {**DEFAULTS, **getattr(settings, "MITRA_LOGIN_THROTTLE", {})}


class LoginLockedError(Exception):
    """Too many failed logins for this username or address on this host; `retry_after` in seconds."""

    code = "login_locked"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"login locked for {retry_after}s")
        self.retry_after = max(1, retry_after)

    @property
    def message(self) -> str:
        minutes = math.ceil(self.retry_after / 60)
        return ngettext(
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)d menit.",
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(minutes)d menit.",
            minutes,
        ) % {"minutes": minutes}


def client_address(request: HttpRequest) -> str:
    remote_addr = request.META.get("REMOTE_ADDR") or "unknown"
    num_proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies <= 0 or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(num_proxies, len(hops))] if hops else remote_addr


def _digest(value: str) -> str:
    # Hashed: usernames may hold characters a cache key must not, and the cache need not learn them.
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int
    window: int

    @property
    def lock_key(self) -> str:
        return f"{self.key}:lock"

    def locked_for(self) -> int:
        """Seconds left on this counter's lock, 0 when not locked."""
        until = cache.get(self.lock_key)
        return max(0, math.ceil(until - time.time())) if until else 0

    def fail(self) -> None:
        cache.add(self.key, 0, timeout=self.window)  # starts the window at the first failure
        try:
            count = cache.incr(self.key)
        except ValueError:  # the window ran out between add and incr
            cache.set(self.key, 1, timeout=self.window)
            count = 1
        if count >= self.limit:
            # The lock runs a full window from the failure that reached the limit.
            cache.set(self.lock_key, time.time() + self.window, timeout=self.window)
            cache.delete(self.key)

    def clear(self) -> None:
        cache.delete_many([self.key, self.lock_key])


class LoginThrottle:
    """The two counters for one login attempt on the current host."""

    def __init__(self, request: HttpRequest, username: str) -> None:
        conf = throttle_settings()
        scope = f"login:{connection.schema_name}"
        self.by_username = _Counter(
            f"{scope}:user:{_digest(username.strip().casefold())}", conf["username_limit"], conf["window"]
        )
        self.by_address = _Counter(f"{scope}:addr:{_digest(client_address(request))}", conf["ip_limit"], conf["window"])

    def check(self) -> None:
        """Raise LoginLockedError while the username or the address is locked."""
        try:
            wait = max(self.by_username.locked_for(), self.by_address.locked_for())
        except Exception:
            logger.exception("login throttle unavailable; letting the attempt through")
            return
        if wait:
            raise LoginLockedError(wait)

    def failed(self) -> None:
        try:
            self.by_username.fail()
            self.by_address.fail()
        except Exception:
            logger.exception("login throttle unavailable; failure not counted")

    def succeeded(self) -> None:
        try:
            self.by_username.clear()
        except Exception:
            logger.exception("login throttle unavailable; failures not cleared")


def authenticate_throttled(request: HttpRequest, *, username: str, password: str) -> AbstractBaseUser | None:
    """`authenticate()` behind the throttle: raises LoginLockedError (without checking the password) while
    locked; counts a failure when no active user matches; clears the username's count on success."""
    throttle = LoginThrottle(request, username)
    throttle.check()
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        throttle.failed()
        return None
    throttle.succeeded()
    return user


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Nama pengguna atau kata sandi salah."),
        "inactive": _("Nama pengguna atau kata sandi salah."),
    }

    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = authenticate_throttled(self.request, username=username, password=password)
            except LoginLockedError as exc:
                self.retry_after = exc.retry_after
                raise ValidationError(exc.message, code=LoginLockedError.code) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    """Django's login page with the throttle; a locked attempt answers 429 with Retry-After."""

    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: ThrottledAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, LoginLockedError.code) and form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response
