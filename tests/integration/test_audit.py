"""The audit log is append-only and hash-chained: edits and deletions are refused or detected."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from shared_apps.audit.models import AuditRecord
from shared_apps.audit.selectors import audit_verify
from shared_apps.audit.services import audit_record

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _append_three() -> list[AuditRecord]:
    return [
        audit_record(
            actor="operator:uji",
            action="test.step",
            target_type="thing",
            target_id=i,
            before={"n": i},
            after={"n": i + 1},
        )
        for i in range(3)
    ]


def test_each_record_links_to_the_previous_one(seed):
    records = _append_three()
    assert records[1].prev_hash == records[0].hash
    assert records[2].prev_hash == records[1].hash
    checked, problems = audit_verify()
    assert checked >= 3
    assert problems == []


def test_database_refuses_updates_and_deletes(seed):
    record = _append_three()[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).update(actor="operator:palsu")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=record.pk).delete()


def _bypass_trigger(sql: str, params: list) -> None:
    # What an attacker with table-owner rights could do: switch the guard off and edit.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER audit_append_only")


def test_an_edited_record_is_detected(seed):
    records = _append_three()
    _bypass_trigger("UPDATE audit_auditrecord SET after = '{\"n\": 99}' WHERE id = %s", [records[1].pk])
    _, problems = audit_verify()
    assert [(p.record_id, p.problem.split(":")[0]) for p in problems] == [(records[1].pk, "content altered")]


def test_a_deleted_record_is_detected(seed):
    records = _append_three()
    _bypass_trigger("DELETE FROM audit_auditrecord WHERE id = %s", [records[1].pk])
    _, problems = audit_verify()
    assert [(p.record_id, p.problem.split(":")[0]) for p in problems] == [(records[2].pk, "link broken")]


def test_each_region_keeps_its_own_chain(seed):
    with schema_context("brebes"):
        before = AuditRecord.objects.count()
        audit_record(actor="brebes:admin", action="test.region", target_type="thing", target_id=1)
        assert AuditRecord.objects.count() == before + 1
    with schema_context("tegal"):
        assert not AuditRecord.objects.filter(action="test.region").exists()
    assert not AuditRecord.objects.filter(action="test.region").exists()


def test_audit_verify_command_fails_on_tampering(seed):
    records = _append_three()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()
    _bypass_trigger("UPDATE audit_auditrecord SET actor = 'operator:palsu' WHERE id = %s", [records[0].pk])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())
    assert exc.value.code == 1


def test_audit_verify_command_checks_a_region_schema(seed):
    with schema_context("brebes"):
        audit_record(actor="brebes:admin", action="test.region", target_type="thing", target_id=1)
    out = StringIO()
    call_command("audit", "verify", "--schema", "brebes", stdout=out)
    assert "brebes" in out.getvalue()
    assert "intact" in out.getvalue()
