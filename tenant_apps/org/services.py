"""Writes to a region's accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import connection, transaction

from shared_apps.audit.services import audit_record
from shared_apps.licensing.selectors import seats_check
from tenant_apps.org.roles import Role


@transaction.atomic
def roles_ensure() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def account_upsert(
    *, username: str, password: str, full_name: str, roles: list[Role], actor: str, email: str = ""
) -> AbstractUser:
    """Create or update a staff account in the current region's schema (idempotent: demo and imports).

    Creating a new account takes a seat of the region's licence: raises DomainError `seat_limit_exceeded`
    (or `no_active_licence`) and creates nothing when the licence has no room; updates never count.
    """
    roles_ensure()
    user_model = get_user_model()
    if not user_model.objects.filter(username=username).exists():
        seats_check(schema_name=connection.schema_name)
    first, _, last = full_name.partition(" ")
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": email}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    if created:
        audit_record(
            actor=actor,
            action="account.create",
            target_type="account",
            target_id=user.pk,
            after={"username": username, "roles": sorted(r.value for r in roles)},
        )
    return user
