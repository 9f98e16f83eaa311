"""Roles inside a region. Each is a Django group in the region's schema; permissions are checked here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGION_ADMIN = "admin_wilayah", _("Admin wilayah")
    RECORDS_OFFICER = "pencatat_surat", _("Pencatat surat (TU)")
    LEADER = "pimpinan", _("Pimpinan")
    STAFF = "staf", _("Staf")


def user_roles(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_mitra_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        user._mitra_roles = cached  # type: ignore[union-attr]
    return cached


def user_has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
