"""Writing audit records. Every state-change service calls audit_record inside its transaction."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from shared_apps.audit.context import current_request_id
from shared_apps.audit.models import AuditRecord

GENESIS_HASH = "0" * 64
# One advisory-lock key per schema serialises appends to that schema's chain.
_LOCK_NAMESPACE = 0x4D495452  # "MITR"


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(
    *,
    prev_hash: str,
    occurred_at: str,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    region: str,
    before: Any,
    after: Any,
    request_id: str,
) -> str:
    payload = {
        "prev": prev_hash,
        "at": occurred_at,
        "actor": actor,
        "action": action,
        "type": target_type,
        "id": target_id,
        "region": region,
        "before": before,
        "after": after,
        "request": request_id,
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    return None if value is None else json.loads(_canonical({"v": value}))["v"]


@transaction.atomic
def audit_record(
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str | int,
    region: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the current schema's chain.

    Must run inside the caller's transaction so the record and the change commit or roll back together.
    `region` names the region concerned (its schema); inside a region schema it defaults to that schema.
    """
    if not region and connection.schema_name != "public":
        region = connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [_LOCK_NAMESPACE])
    last = AuditRecord.objects.order_by("-id").only("hash").first()
    prev_hash = last.hash if last else GENESIS_HASH
    occurred_at = timezone.now()
    fields = {
        "occurred_at": occurred_at.isoformat(),
        "actor": actor,
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "region": region,
        "before": _jsonable(before),
        "after": _jsonable(after),
        "request_id": current_request_id(),
    }
    digest = record_hash(prev_hash=prev_hash, **fields)
    return AuditRecord.objects.create(
        occurred_at=occurred_at,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        region=region,
        before=fields["before"],
        after=fields["after"],
        request_id=fields["request_id"],
        prev_hash=prev_hash,
        hash=digest,
    )


def actor_for(user: Any) -> str:
    """How a user is named in audit records: "operator:budi" on the control plane, "brebes:budi" in a region."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    schema = connection.schema_name
    return f"{'operator' if schema == 'public' else schema}:{user.get_username()}"
