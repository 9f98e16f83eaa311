"""Celery glue for regions: the task base class that refuses to run outside a region."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection
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
