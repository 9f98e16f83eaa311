"""An append-only, hash-chained log of every state change.

The app is installed in the public schema (control-plane changes) and in every region schema (that
region's changes), so each schema carries its own chain and a region exports with its history.
Rows are never updated or deleted: a database trigger refuses it, and the hash chain exposes any edit
made around the trigger.
"""

from __future__ import annotations

from django.db import models


class AuditRecord(models.Model):
    occurred_at = models.DateTimeField()
    actor = models.CharField(max_length=150)  # "operator:budi", "brebes:admin", "system"
    action = models.CharField(max_length=80)  # "region.provision", "letter.sign", …
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    # The region the change concerns (its schema name), blank for platform-wide changes: the console's
    # region timeline reads the public chain by it.
    region = models.CharField(max_length=63, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["target_type", "target_id", "id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_type}:{self.target_id}"
