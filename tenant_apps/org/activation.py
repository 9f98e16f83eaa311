"""The first region admin's one-time activation link: issued by provisioning, used once on the region's host.

The raw token exists only in the link handed to the operator; the region's schema keeps its SHA-256. The token
is looked up in the schema of the host it is opened on, so a Brebes link opened on Tegal's host finds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from mitra.errors import DomainError
from shared_apps.audit.services import audit_record
from shared_apps.licensing.selectors import seats_check
from tenant_apps.org.models import ActivationToken
from tenant_apps.org.roles import Role
from tenant_apps.org.services import roles_ensure

ACTIVATION_TTL = timedelta(hours=72)
FIRST_ADMIN_USERNAME = "admin"
# Tokens are 43 characters (32 random bytes, URL-safe base64); anything far longer is not one of ours.
_MAX_TOKEN_LENGTH = 128


class ActivationError(DomainError):
    pass


class ActivationForm(SetPasswordForm):
    """Django's form in the words of our own pages: the login page says "kata sandi", Django's Indonesian
    catalogue says "sandi"; a new admin should not wonder whether those are two different things."""

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": gettext_lazy("Kedua kata sandi tidak sama. Ketik ulang dengan teliti."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = gettext_lazy("Kata sandi baru")
        self.fields["new_password2"].label = gettext_lazy("Ulangi kata sandi baru")
        self.fields["new_password2"].help_text = gettext_lazy("Ketik kata sandi yang sama sekali lagi.")


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def activation_token_issue(
    *, user: AbstractBaseUser, actor: str, ttl: timedelta = ACTIVATION_TTL
) -> tuple[str, datetime]:
    """Issue a one-time activation token for `user` in the current region; returns (raw token, expiry).

    One live link per account: issuing a new one retires the account's unused ones.
    """
    ActivationToken.objects.filter(user=user, used_at__isnull=True).delete()
    raw = secrets.token_urlsafe(32)
    expires_at = timezone.now() + ttl
    ActivationToken.objects.create(user=user, token_hash=token_hash(raw), expires_at=expires_at)
    audit_record(
        actor=actor,
        action="account.activation_issue",
        target_type="account",
        target_id=user.pk,
        after={"username": user.get_username(), "expires_at": expires_at},
    )
    return raw, expires_at


@transaction.atomic
def first_admin_ensure(*, actor: str) -> tuple[str, datetime]:
    """Make sure the region has its first admin account (`admin`, unusable password, region admin role) and
    issue its activation token. Idempotent: a run resumed after a crash re-issues the token."""
    roles_ensure()
    user_model = get_user_model()
    user = user_model.objects.filter(username=FIRST_ADMIN_USERNAME).first()
    if user is None:
        # The first admin takes a seat like any other account.
        seats_check(schema_name=connection.schema_name)
        user = user_model.objects.create_user(
            username=FIRST_ADMIN_USERNAME, password=None, first_name="Admin", last_name="Wilayah"
        )
        audit_record(
            actor=actor,
            action="account.create",
            target_type="account",
            target_id=user.pk,
            after={"username": FIRST_ADMIN_USERNAME, "roles": [Role.REGION_ADMIN.value]},
        )
    user.groups.add(Group.objects.get(name=Role.REGION_ADMIN.value))
    return activation_token_issue(user=user, actor=actor)


def activation_token_check(*, raw: str, lock: bool = False) -> ActivationToken:
    """The usable token for `raw` in the current region, or ActivationError: `activation_unknown` (404),
    `activation_used` or `activation_expired` (410)."""
    token = None
    if raw and len(raw) <= _MAX_TOKEN_LENGTH:
        tokens = ActivationToken.objects.select_related("user")
        if lock:
            tokens = tokens.select_for_update()
        token = tokens.filter(token_hash=token_hash(raw)).first()
    if token is None:
        raise ActivationError("activation_unknown", _("Tautan aktivasi tidak dikenal di wilayah ini."), status=404)
    if token.used_at is not None:
        raise ActivationError("activation_used", _("Tautan aktivasi ini sudah dipakai."), status=410)
    if token.expires_at <= timezone.now():
        raise ActivationError(
            "activation_expired",
            _("Tautan aktivasi ini sudah kedaluwarsa. Mintalah tautan baru kepada operator Mitra."),
            status=410,
        )
    if not token.user.is_active:
        raise ActivationError("activation_unknown", _("Tautan aktivasi tidak dikenal di wilayah ini."), status=404)
    return token


@transaction.atomic
def account_activate(*, raw: str, password: str) -> AbstractBaseUser:
    """Set the account's first password through its activation token and spend the token. Audited.

    The password must already be validated (SetPasswordForm). Raises ActivationError like
    activation_token_check; the token row is locked, so a link cannot be used twice concurrently.
    """
    token = activation_token_check(raw=raw, lock=True)
    user = token.user
    user.set_password(password)
    user.save(update_fields=["password"])
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])
    audit_record(
        actor=f"{connection.schema_name}:{user.get_username()}",
        action="account.activate",
        target_type="account",
        target_id=user.pk,
    )
    return user


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@csrf_protect
def activate(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a form to set the first password. POST: set it, spend the link, log in, go home. No login needed:
    the link is the credential. Invalid links give a clear page (404/410), never an error trace."""
    try:
        record = activation_token_check(raw=token)
    except ActivationError as exc:
        return _no_token_in_referer(render(request, "org/activate.html", {"error": exc.message}, status=exc.status))
    form = ActivationForm(record.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_activate(raw=token, password=form.cleaned_data["new_password1"])
        except ActivationError as exc:  # spent by a concurrent request between the check and now
            return _no_token_in_referer(render(request, "org/activate.html", {"error": exc.message}, status=exc.status))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Kata sandi tersimpan. Selamat datang, %(name)s.") % {"name": user.get_username()})
        return redirect("home")
    return _no_token_in_referer(render(request, "org/activate.html", {"form": form, "account": record.user}))


def _no_token_in_referer(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: no Referer header may carry it, to another site or to ours. Not "no-referrer":
    # under that policy browsers send `Origin: null` with the page's own form, and CSRF refuses the password.
    response["Referrer-Policy"] = "strict-origin"
    return response
