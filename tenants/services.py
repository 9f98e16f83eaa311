"""Every write to a region: registration, status transitions and provisioning.

Region status is the single source of truth for routing, beat jobs and migrations; it changes only through
region_transition, which checks the transition table and writes the audit record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.services import audit_record
from tenants.models import Domain, Region, schema_name_for_slug, validate_schema_name, validate_slug
from tenants.selectors import region_hostname
from tenants.wilayah import wilayah_get

logger = logging.getLogger(__name__)
S = Region.Status

REGION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PROVISIONING, S.TERMINATED}),
    S.PROVISIONING: frozenset({S.ACTIVE, S.FAILED}),
    S.FAILED: frozenset({S.PROVISIONING, S.TERMINATED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.TERMINATED: frozenset(),
}


class RegionError(DomainError):
    pass


class InvalidTransitionError(ConflictError):
    pass


def _snapshot(region: Region) -> dict[str, str]:
    return {"status": region.status, "reason": region.status_reason}


@transaction.atomic
def region_transition(*, region: Region, to: str, actor: str, reason: str = "") -> Region:
    """Move a region to another status, or raise InvalidTransitionError. Audited."""
    locked = Region.objects.select_for_update().get(pk=region.pk)
    if to not in REGION_TRANSITIONS[locked.status]:
        raise InvalidTransitionError(
            "invalid_transition",
            _("Status wilayah tidak dapat diubah dari %(from)s ke %(to)s.") % {"from": locked.status, "to": to},
        )
    before = _snapshot(locked)
    locked.status = to
    locked.status_reason = reason
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=f"region.{to}",
        target_type="region",
        target_id=locked.schema_name,
        region=locked.schema_name,
        before=before,
        after=_snapshot(locked),
    )
    region.status, region.status_reason = locked.status, locked.status_reason
    return region


@transaction.atomic
def region_register(
    *, slug: str, region_code: str, actor: str, official_name: str | None = None, timezone: str | None = None
) -> Region:
    """Register a region from its Kemendagri code. Name, kind and province come from the reference data;
    a given official name must match it. Raises ValidationError with field-keyed messages."""
    slug = (slug or "").strip().lower()
    errors: dict[str, list[ValidationError]] = {}
    try:
        validate_slug(slug)
        validate_schema_name(schema_name_for_slug(slug))
    except ValidationError as exc:
        errors["slug"] = exc.error_list
    wilayah = wilayah_get(region_code or "")
    if wilayah is None:
        errors["region_code"] = [
            ValidationError(
                _("Kode wilayah %(code)s tidak dikenal dalam data Kemendagri."),
                code="unknown_region_code",
                params={"code": region_code},
            )
        ]
    elif official_name and official_name.strip().casefold() != wilayah.name.casefold():
        errors["official_name"] = [
            ValidationError(
                _("Nama resmi untuk kode %(code)s adalah '%(name)s'."),
                code="name_mismatch",
                params={"code": wilayah.code, "name": wilayah.name},
            )
        ]
    if not errors:
        assert wilayah is not None
        if Region.objects.filter(slug=slug).exists():
            errors["slug"] = [ValidationError(_("Subdomain sudah dipakai wilayah lain."), code="duplicate_subdomain")]
        if Region.objects.filter(region_code=wilayah.code).exists():
            errors["region_code"] = [ValidationError(_("Wilayah ini sudah terdaftar."), code="duplicate_region")]
    if errors:
        raise ValidationError(errors)
    assert wilayah is not None
    region = Region.objects.create(
        schema_name=schema_name_for_slug(slug),
        slug=slug,
        official_name=wilayah.name,
        kind=wilayah.kind,
        region_code=wilayah.code,
        province_code=wilayah.province_code,
        timezone=timezone or wilayah.timezone,
        status=S.PENDING,
    )
    audit_record(
        actor=actor,
        action="region.register",
        target_type="region",
        target_id=region.schema_name,
        region=region.schema_name,
        after={"slug": slug, "official_name": region.official_name, "region_code": region.region_code},
    )
    return region


@dataclass(frozen=True)
class ProvisionStep:
    code: str
    label: str


PROVISION_STEPS = (
    ProvisionStep("schema", "Membuat skema basis data"),
    ProvisionStep("migrate", "Menerapkan struktur tabel"),
    ProvisionStep("domain", "Mendaftarkan domain"),
    ProvisionStep("activate", "Mengaktifkan wilayah"),
)


def _drop_schema(schema_name: str) -> None:
    validate_schema_name(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


def region_provision(*, region: Region, actor: str) -> Region:
    """Create the region's schema, tables and domain, then activate it. Idempotent and resumable.

    A failure drops what this run created (schema, domain), marks the region failed with the error, and
    re-raises; provisioning again starts over cleanly. Runs outside a single transaction because schema
    migration commits as it goes.
    """
    region.refresh_from_db()
    if region.status == S.ACTIVE:
        return region
    region_transition(region=region, to=S.PROVISIONING, actor=actor)
    connection.set_schema_to_public()
    try:
        if not schema_exists(region.schema_name):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{region.schema_name}"')
        call_command("migrate_schemas", schema_name=region.schema_name, interactive=False, verbosity=0)
        connection.set_schema_to_public()
        domain, _created = Domain.objects.get_or_create(
            domain=region_hostname(region), defaults={"tenant": region, "is_primary": True}
        )
        if domain.tenant_id != region.pk:
            raise RegionError("domain_taken", _("Domain %(d)s sudah dipakai wilayah lain.") % {"d": domain.domain})
        region_transition(region=region, to=S.ACTIVE, actor=actor)
    except Exception as exc:
        logger.exception("provisioning %s failed", region.schema_name)
        connection.set_schema_to_public()
        Domain.objects.filter(tenant=region).delete()
        # A region that never became active holds no data, so whatever schema exists is half-made.
        _drop_schema(region.schema_name)
        region_transition(region=region, to=S.FAILED, actor=actor, reason=f"{type(exc).__name__}: {exc}")
        raise
    return region
