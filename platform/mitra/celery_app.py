"""The Celery app. Tenant-aware: a task sent while a region is active carries that region's schema and
runs in it (tenant-schemas-celery); tasks that need a region use tenants.tasks.RegionTask."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings.local")

app = CeleryApp("mitra")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
