"""The one way an e-Kinerja record (SKP, activity entry, appraisal) changes status.

Each model has its transition table here. `transition` applies one (the e-Office helper: lock, check, save,
audit); `transition_many` applies one to many rows of a model at once (the superior validating a day's
entries in bulk): it locks them all, refuses the whole batch if any row may not move, updates them with one
statement and writes one audit record per row. Callers check who may act; this only guards the state machine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.utils.translation import gettext as _

from mitra.errors import ConflictError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.ekinerja.models import ActivityEntry, Appraisal, Skp
from tenant_apps.eoffice.transitions import apply_transition

SKP_TRANSITIONS: dict[str, frozenset[str]] = {
    Skp.Status.DRAFT: frozenset({Skp.Status.SUBMITTED}),
    Skp.Status.SUBMITTED: frozenset({Skp.Status.APPROVED, Skp.Status.RETURNED}),
    Skp.Status.RETURNED: frozenset({Skp.Status.SUBMITTED}),
    Skp.Status.APPROVED: frozenset(),  # the year's plan is settled; appraisals refer to it
}

ENTRY_TRANSITIONS: dict[str, frozenset[str]] = {
    ActivityEntry.Status.SUBMITTED: frozenset({ActivityEntry.Status.VALIDATED, ActivityEntry.Status.REJECTED}),
    ActivityEntry.Status.REJECTED: frozenset({ActivityEntry.Status.SUBMITTED}),  # corrected and sent again
    ActivityEntry.Status.VALIDATED: frozenset(),
}

APPRAISAL_TRANSITIONS: dict[str, frozenset[str]] = {
    Appraisal.Status.DRAFT: frozenset({Appraisal.Status.COMPLETED}),
    Appraisal.Status.COMPLETED: frozenset(),
}

TABLES: dict[type[models.Model], tuple[Mapping[str, frozenset[str]], str]] = {
    Skp: (SKP_TRANSITIONS, "ekinerja.skp"),
    ActivityEntry: (ENTRY_TRANSITIONS, "ekinerja.entry"),
    Appraisal: (APPRAISAL_TRANSITIONS, "ekinerja.appraisal"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return value.isoformat() if hasattr(value, "isoformat") else value


def transition(*, obj: Any, to: str, user: AbstractBaseUser, changes: dict[str, Any] | None = None) -> Any:
    """Move `obj` (an Skp, ActivityEntry or Appraisal) to `to`, audited; ConflictError `invalid_transition`."""
    table, name = TABLES[type(obj)]
    return apply_transition(
        obj=obj,
        to=to,
        table=table,
        user=user,
        action=name,
        target_type=name,
        refusal=_("Data berstatus %(status)s tidak dapat diubah menjadi %(to)s."),
        changes=changes,
        audit_after={k: _plain(v) for k, v in (changes or {}).items() if not k.endswith("_by")},
    )


@transaction.atomic
def transition_many(
    *, model: type[models.Model], ids: Sequence[int], to: str, user: AbstractBaseUser, changes: dict[str, Any]
) -> int:
    """Move every row of `model` with these ids to `to` in one go, or none of them (ConflictError
    `invalid_transition` naming the first row that may not move). Returns how many rows moved."""
    table, name = TABLES[model]
    rows = list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", "status"))  # type: ignore[attr-defined]
    for pk, status in rows:
        if to not in table[status]:
            label = dict(model.Status.choices)  # type: ignore[attr-defined]
            raise ConflictError(
                "invalid_transition",
                _("Data #%(id)s berstatus %(status)s tidak dapat diubah menjadi %(to)s.")
                % {"id": pk, "status": label[status], "to": label[to]},
            )
    model.objects.filter(pk__in=[pk for pk, _status in rows]).update(status=to, **changes)  # type: ignore[attr-defined]
    actor = actor_for(user)
    after = {k: _plain(v) for k, v in changes.items() if not k.endswith("_by")}
    for pk, status in rows:
        audit_record(
            actor=actor,
            action=f"{name}.{to}",
            target_type=name,
            target_id=pk,
            before={"status": status},
            after={"status": to, **after},
        )
    return len(rows)
