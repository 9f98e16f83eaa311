"""Sync the catalogue after the public schema is migrated, so it always matches the deployed code."""

from __future__ import annotations

from typing import Any

from django.db import connection


def sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    if connection.schema_name != "public":
        return
    from shared_apps.modules.services import catalogue_sync

    catalogue_sync(actor="system:migrate")
