"""The one way an e-Office record (a disposition, an outgoing letter) changes status.

Each model keeps its own transition table; this applies one transition: re-read the row under a lock, check
the table, set the status and the given fields, save, and write the audit record in the same transaction.
Callers check who may act; this only guards the state machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction

from mitra.errors import ConflictError
from shared_apps.audit.services import actor_for, audit_record

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def apply_transition(
    *,
    obj: M,
    to: str,
    table: Mapping[str, frozenset[str]],
    user: AbstractBaseUser,
    action: str,
    target_type: str,
    refusal: str,
    changes: dict[str, Any] | None = None,
    audit_after: dict[str, Any] | None = None,
) -> M:
    """`refusal` is the Indonesian message for ConflictError `invalid_transition`, with %(status)s and %(to)s."""
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined]
    if to not in table[locked.status]:
        raise ConflictError(
            "invalid_transition",
            refusal % {"status": locked.get_status_display(), "to": model.Status(to).label},  # type: ignore[attr-defined]
        )
    before = locked.status
    locked.status = to
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save()
    audit_record(
        actor=actor_for(user),
        action=f"{action}.{to}",
        target_type=target_type,
        target_id=locked.pk,
        before={"status": before},
        after={"status": to, **(audit_after or {})},
    )
    obj.refresh_from_db()
    return obj
