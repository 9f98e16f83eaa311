"""Reading and verifying the audit chain of the current schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from shared_apps.audit.models import AuditRecord
from shared_apps.audit.services import GENESIS_HASH, record_hash


@dataclass(frozen=True)
class ChainProblem:
    record_id: int
    problem: str


def audit_for_target(*, target_type: str, target_id: str | int) -> QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("id")


def audit_for_region(*, schema_name: str) -> QuerySet[AuditRecord]:
    """The control plane's history of one region (registration, MoU, licences, provisioning, status)."""
    return AuditRecord.objects.filter(region=schema_name).order_by("-id")


def audit_verify(*, batch_size: int = 5000) -> tuple[int, list[ChainProblem]]:
    """Walk the chain in id order; returns (records checked, problems found)."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS_HASH
    checked = 0
    for rec in AuditRecord.objects.order_by("id").iterator(chunk_size=batch_size):
        checked += 1
        if rec.prev_hash != prev_hash:
            problems.append(ChainProblem(rec.id, "link broken: a record before it was deleted or altered"))
        expected = record_hash(
            prev_hash=rec.prev_hash,
            occurred_at=rec.occurred_at.isoformat(),
            actor=rec.actor,
            action=rec.action,
            target_type=rec.target_type,
            target_id=rec.target_id,
            region=rec.region,
            before=rec.before,
            after=rec.after,
            request_id=rec.request_id,
        )
        if expected != rec.hash:
            problems.append(ChainProblem(rec.id, "content altered: hash does not match"))
        prev_hash = rec.hash
    return checked, problems
