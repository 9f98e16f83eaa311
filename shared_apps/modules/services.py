"""Keeping the catalogue equal to what the code declares."""

from __future__ import annotations

from django.db import transaction

from shared_apps.audit.services import audit_record
from shared_apps.modules.models import CatalogueModule
from tenant_apps.registry import all_modules


@transaction.atomic
def catalogue_sync(*, actor: str = "system:sync") -> list[CatalogueModule]:
    """Upsert one row per declared module; mark rows whose module is gone as unavailable. Idempotent."""
    declared = {spec.code: spec for spec in all_modules()}
    rows = []
    for spec in declared.values():
        values = {
            "name": spec.name,
            "description": str(spec.description),
            "version": spec.version,
            "depends_on": list(spec.depends_on),
            "available": True,
        }
        row = CatalogueModule.objects.filter(code=spec.code).first()
        if row is None:
            row = CatalogueModule.objects.create(code=spec.code, **values)
            audit_record(actor=actor, action="module.add", target_type="module", target_id=spec.code, after=values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            before = {k: getattr(row, k) for k in values}
            CatalogueModule.objects.filter(pk=row.pk).update(**values)
            row.refresh_from_db()
            audit_record(
                actor=actor,
                action="module.update",
                target_type="module",
                target_id=spec.code,
                before=before,
                after=values,
            )
        rows.append(row)
    gone = CatalogueModule.objects.exclude(code__in=declared).filter(available=True)
    for row in gone:
        audit_record(actor=actor, action="module.withdraw", target_type="module", target_id=row.code)
    gone.update(available=False)
    return rows
