"""Who may change the region's workspace: the permission table of tenant_apps.org.permissions decides
(Action.REGION_SETTINGS: region admins only)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from tenant_apps.org.permissions import Action, can


def can_manage_region(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_active and can(user, Action.REGION_SETTINGS)
