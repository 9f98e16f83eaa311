"""Operator roles on the control plane: viewer < operator < admin, held as groups in the public schema.

Viewers read everything; operators run adoptions (register, agreements, licences, provisioning, suspend);
admins also terminate regions and manage operator accounts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class OperatorRole(models.TextChoices):
    VIEWER = "viewer", _("Pemantau")
    OPERATOR = "operator", _("Operator")
    ADMIN = "admin", _("Admin platform")


RANK = {OperatorRole.VIEWER: 1, OperatorRole.OPERATOR: 2, OperatorRole.ADMIN: 3}
GROUP_PREFIX = "platform:"


def group_name(role: OperatorRole) -> str:
    return f"{GROUP_PREFIX}{role.value}"


def operator_role(user: AbstractBaseUser | AnonymousUser) -> OperatorRole | None:
    """The highest role an account holds on the control plane; None outside the public schema."""
    if not user.is_authenticated or connection.schema_name != "public":
        return None
    cached = getattr(user, "_mitra_operator_role", False)
    if cached is not False:
        return cached
    names = set(user.groups.filter(name__startswith=GROUP_PREFIX).values_list("name", flat=True))  # type: ignore[union-attr]
    held = [role for role in OperatorRole if group_name(role) in names]
    role = max(held, key=lambda r: RANK[r]) if held else None
    user._mitra_operator_role = role  # type: ignore[union-attr]
    return role


def has_operator_role(user: AbstractBaseUser | AnonymousUser, minimum: OperatorRole) -> bool:
    role = operator_role(user)
    return role is not None and RANK[role] >= RANK[minimum]


def operator_role_set(user: Any, role: OperatorRole) -> None:
    """Give an operator account exactly one role."""
    user.groups.remove(*Group.objects.filter(name__startswith=GROUP_PREFIX))
    group, _created = Group.objects.get_or_create(name=group_name(role))
    user.groups.add(group)
    user.__dict__.pop("_mitra_operator_role", None)


def operator_required(
    minimum: OperatorRole = OperatorRole.VIEWER,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator for console views: login first, then at least `minimum`, else a 403 page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_operator_role(request.user, minimum):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class IsOperator(BasePermission):
    """DRF permission: reads need viewer; writes need the view's `write_role` (default operator)."""

    message = _("Akun Anda tidak memiliki peran yang cukup untuk tindakan ini.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            minimum = getattr(view, "read_role", OperatorRole.VIEWER)
        else:
            minimum = getattr(view, "write_role", OperatorRole.OPERATOR)
        return has_operator_role(request.user, minimum)
