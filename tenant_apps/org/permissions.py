"""Who may do what inside a region: one table, read by the page decorator and the DRF permission alike.

Roles are the region's groups (tenant_apps.org.roles.Role). Accounts live in the region's schema, so a
role held in Brebes means nothing on Tegal's host: there the session or token finds no account at all.
Modules add their actions to PERMISSIONS here, so a reviewer reads every rule in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tenant_apps.org.roles import Role, user_roles


class Action(StrEnum):
    ORG_VIEW = "org.view"  # the organisation tree, units and positions (no personal data)
    ORG_MANAGE = "org.manage"  # employees' personal data, acting officials, account links
    ORG_IMPORT = "org.import"
    ORG_EXPORT = "org.export"
    REGION_SETTINGS = "region.settings"  # letterhead, logo, timezone, numbering formats (workspace)
    EOFFICE_INCOMING_REGISTER = "eoffice.incoming.register"  # register incoming letters, see the whole agenda
    EOFFICE_DISPOSITION_MONITOR = "eoffice.disposition.monitor"  # overdue dispositions of any unit
    EOFFICE_OUTGOING_DRAFT = "eoffice.outgoing.draft"  # write outgoing letters (review and signing go by position)
    EOFFICE_SETTINGS = "eoffice.settings"  # the region's disposition instructions
    EOFFICE_NUMBERS = "eoffice.numbers"  # the register of issued numbers: reserve by hand, cancel
    EOFFICE_ARCHIVE_MANAGE = "eoffice.archive.manage"  # file letters, open/close dossiers, dispose after retention
    EOFFICE_CLASSIFICATION_MANAGE = "eoffice.classification.manage"  # the classification codes and their JRA
    EKINERJA_MANAGE = "ekinerja.manage"  # settings, activity catalogue, OPD predikat; reads any SKP
    EKINERJA_REPORT = "ekinerja.report"  # fill rate and rating distribution of every unit (aggregates only)
    REPORTS_VIEW = "reports.view"  # the region's adoption report (its own figures, the platform median), exports


ALL_ROLES = frozenset(Role)
ADMIN = frozenset({Role.REGION_ADMIN})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.ORG_VIEW: ALL_ROLES,
    Action.ORG_MANAGE: ADMIN,
    Action.ORG_IMPORT: ADMIN,
    Action.ORG_EXPORT: ADMIN,
    Action.REGION_SETTINGS: ADMIN,
    Action.EOFFICE_INCOMING_REGISTER: frozenset({Role.RECORDS_OFFICER, Role.REGION_ADMIN}),
    Action.EOFFICE_DISPOSITION_MONITOR: frozenset({Role.LEADER, Role.RECORDS_OFFICER, Role.REGION_ADMIN}),
    Action.EOFFICE_OUTGOING_DRAFT: ALL_ROLES,
    Action.EOFFICE_SETTINGS: ADMIN,
    Action.EOFFICE_NUMBERS: frozenset({Role.RECORDS_OFFICER, Role.REGION_ADMIN}),
    Action.EOFFICE_ARCHIVE_MANAGE: frozenset({Role.RECORDS_OFFICER, Role.REGION_ADMIN}),
    Action.EOFFICE_CLASSIFICATION_MANAGE: ADMIN,
    Action.EKINERJA_MANAGE: ADMIN,
    Action.EKINERJA_REPORT: frozenset({Role.LEADER, Role.REGION_ADMIN}),
    Action.REPORTS_VIEW: frozenset({Role.LEADER, Role.REGION_ADMIN}),
}


def can(user: AbstractBaseUser | AnonymousUser, action: Action) -> bool:
    """True when the user holds one of the roles the table allows for `action` in the current region."""
    allowed = PERMISSIONS[action]
    return bool(user_roles(user) & {role.value for role in allowed})


def permission_required(action: Action) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator for region pages: anonymous visitors go to the login page, others need `action` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRegionPermission(BasePermission):
    """DRF permission: the view's `required_action` (an Action) must be allowed for the caller's roles.
    Unauthenticated callers are refused (401 with token auth)."""

    message = _("Peran akun Anda tidak mengizinkan tindakan ini.")

    def has_permission(self, request: Request, view: Any) -> bool:
        action = getattr(view, "required_action", None)
        if action is None:
            raise RuntimeError(f"{type(view).__name__} uses HasRegionPermission but sets no required_action")
        return bool(request.user and request.user.is_authenticated and can(request.user, action))
