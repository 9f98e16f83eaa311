"""Celery glue for regions: the task base class that refuses to run outside a region."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from tenant_schemas_celery.task import TenantTask

from mitra.observability import tag_region

PUBLIC_SCHEMA = "public"


class RegionRequiredError(RuntimeError):
    """A region task was sent or run without a region: it must never touch the public schema."""


class RegionTask(TenantTask):
    """Base for tasks that work inside one region's schema.

    tenant-schemas-celery carries the sender's schema in a header and switches to it before the task runs.
    A task sent from the public schema would silently run there; this class refuses both sides: sending
    without a region raises at once, and a message that arrives without one fails instead of running.
    """

    abstract = True

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        headers = options.get("headers") or {}
        if headers.get("_schema_name", connection.schema_name) == PUBLIC_SCHEMA:
            raise RegionRequiredError(f"Task {self.name} needs a region; it was sent from the public schema")
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if connection.schema_name == PUBLIC_SCHEMA:
            raise RegionRequiredError(f"Task {self.name} arrived without a region; refusing to run in public")
        tag_region(connection.schema_name)
        return super().__call__(*args, **kwargs)


@shared_task(base=RegionTask, name="tenants.region_self_check")
def region_self_check() -> dict[str, Any]:
    """Proves the worker reaches this region's schema: `mitra region_check <slug>` runs it."""
    return {"schema": connection.schema_name, "accounts": get_user_model().objects.count()}


# Control-plane tasks: plain tasks in the public schema (never RegionTask), taking ids, calling one service.


@shared_task(name="tenants.provision_region")
def provision_region(job_id: int) -> dict[str, Any]:
    """Run a provisioning job (tenants.services.region_provision_run); the job row records the outcome."""
    from tenants.models import ProvisioningJob
    from tenants.services import region_provision_run

    connection.set_schema_to_public()
    job = region_provision_run(job=ProvisioningJob.objects.get(pk=job_id))
    return {"job": job.pk, "status": job.status, "progress": job.progress}


@shared_task(name="tenants.export_region")
def export_region(export_id: int) -> dict[str, Any]:
    """Run an export job (tenants.export.region_export_run); the RegionExport row records the outcome."""
    from tenants.export import region_export_run
    from tenants.models import RegionExport

    connection.set_schema_to_public()
    export = region_export_run(export=RegionExport.objects.get(pk=export_id))
    return {"export": export.pk, "status": export.status}


@shared_task(name="tenants.drop_terminated_regions")
def drop_terminated_regions(now: str | None = None) -> list[str]:
    """Drop the schemas of regions terminated more than the grace period ago (`now`: ISO time, for tests)."""
    from tenants.selectors import regions_due_for_drop
    from tenants.services import region_schema_drop

    connection.set_schema_to_public()
    moment = datetime.fromisoformat(now) if now else timezone.now()
    dropped = []
    for region in regions_due_for_drop(now=moment):
        region_schema_drop(region=region, actor="system:beat", now=moment)
        dropped.append(region.schema_name)
    return dropped
