"""`mitra bootstrap`: create the database if missing, migrate the public schema and every live region."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from mitra.database import describe_database, ensure_database


class Command(BaseCommand):
    help = "Creates the database if missing and migrates the public schema and every active or suspended region."

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        created = ensure_database(db)
        self.stdout.write(f"Database: {describe_database(db)}" + (" (created)" if created else ""))
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        from tenants.models import Region

        # Status is the single source of truth: regions without a live schema are not migrated.
        live = Region.objects.filter(status__in=[Region.Status.ACTIVE, Region.Status.SUSPENDED])
        for schema in live.values_list("schema_name", flat=True):
            call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Migrated public and {live.count()} region schema(s)."))
