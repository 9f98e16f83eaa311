"""Every write to a region's record: registration, status transitions, suspension, resumption, termination and
dropping the schema after the grace period.

Region status is the single source of truth for routing, beat jobs and migrations; it changes only through
region_transition, which checks the transition table and writes the audit record.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone as tz
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.services import audit_record
from tenants.export import region_export, region_export_request
from tenants.models import (
    TERMINATION_GRACE_DAYS,
    Domain,
    ProvisioningJob,
    Region,
    RegionExport,
    schema_name_for_slug,
    validate_schema_name,
    validate_slug,
)
from tenants.wilayah import wilayah_get

logger = logging.getLogger(__name__)
S = Region.Status
J = ProvisioningJob.Status

REGION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.PROVISIONING, S.TERMINATED}),
    S.PROVISIONING: frozenset({S.ACTIVE, S.FAILED}),
    S.FAILED: frozenset({S.PROVISIONING, S.TERMINATED}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.TERMINATED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.TERMINATED: frozenset(),
}


JOB_IN_PROGRESS = (J.QUEUED, J.RUNNING)


def _drop_schema(schema_name: str) -> None:
    validate_schema_name(schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')


class RegionError(DomainError):
    pass


class InvalidTransitionError(ConflictError):
    pass


def _snapshot(region: Region) -> dict[str, str]:
    return {"status": region.status, "reason": region.status_reason}


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


@transaction.atomic
def region_transition(*, region: Region, to: str, actor: str, reason: str = "") -> Region:
    """Move a region to another status, or raise InvalidTransitionError. Audited."""
    locked = Region.objects.select_for_update().get(pk=region.pk)
    if to not in REGION_TRANSITIONS[locked.status]:
        raise InvalidTransitionError(
            "invalid_transition",
            _("Status wilayah tidak dapat diubah dari %(from)s ke %(to)s.")
            % {"from": _label(locked.status), "to": _label(to)},
        )
    before = _snapshot(locked)
    locked.status = to
    locked.status_reason = reason
    fields = ["status", "status_reason", "updated_at"]
    if to == S.TERMINATED:
        locked.terminated_at = tz.now()
        fields.append("terminated_at")
    locked.save(update_fields=fields)
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
    region.terminated_at = locked.terminated_at
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


# --- Operating: suspend, resume, terminate, drop after the grace period ------------------------------------


def region_suspend(*, region: Region, actor: str, reason: str) -> Region:
    """Suspend an active region: its staff see an explanatory page, nothing is deleted. A reason is required."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Alasan penangguhan wajib diisi.")
        raise RegionError("reason_required", message, fields={"reason": [message]})
    return region_transition(region=region, to=S.SUSPENDED, actor=actor, reason=reason)


def region_resume(*, region: Region, actor: str) -> Region:
    """Give a suspended region back to its staff. Only a suspended region can be resumed (not, say, one that
    is being provisioned, although the table lets provisioning end in active)."""
    region.refresh_from_db()
    if region.status != S.SUSPENDED:
        raise InvalidTransitionError(
            "invalid_transition",
            _("Hanya wilayah yang ditangguhkan yang dapat diaktifkan kembali (status sekarang: %(s)s).")
            % {"s": _label(region.status)},
        )
    return region_transition(region=region, to=S.ACTIVE, actor=actor)


def region_terminate_check(region: Region) -> None:
    """Refuse (with a stable code) a region that cannot be terminated now."""
    if S.TERMINATED not in REGION_TRANSITIONS[region.status]:
        raise InvalidTransitionError(
            "invalid_transition",
            _("Wilayah berstatus %(s)s tidak dapat diakhiri.") % {"s": _label(region.status)},
        )
    if region.provisioning_jobs.filter(status__in=JOB_IN_PROGRESS).exists():
        raise ConflictError(
            "provisioning_in_progress", _("Penyiapan wilayah ini sedang berjalan; tunggu sampai selesai.")
        )


def region_terminate(*, region: Region, actor: str, reason: str = "") -> Region:
    """End a region's use of the platform in the foreground (the CLI): export its data, then mark it
    terminated.

    The schema stays for TERMINATION_GRACE_DAYS (the region is no longer routed) and is then dropped by
    `region_schema_drop`. If the export fails the region is not terminated. Side effect: an export file in
    the public storage area (tenants.export). The console and the API use `region_terminate_request`.
    """
    region.refresh_from_db()
    region_terminate_check(region)
    if schema_exists(region.schema_name):
        region_export(region=region, actor=actor)
    return region_transition(region=region, to=S.TERMINATED, actor=actor, reason=(reason or "").strip())


def region_terminate_request(*, region: Region, actor: str, reason: str = "") -> tuple[Region, RegionExport | None]:
    """End a region's use from the console or the API: a region with a schema gets an export job that
    terminates it once the archive is stored (returned, the region still as it was); a region without one
    (never provisioned) has nothing to export and is terminated at once."""
    region.refresh_from_db()
    region_terminate_check(region)
    if schema_exists(region.schema_name):
        return region, region_export_request(region=region, actor=actor, terminate=True, reason=reason)
    return region_transition(region=region, to=S.TERMINATED, actor=actor, reason=(reason or "").strip()), None


def region_terminate_after_export(*, region: Region, actor: str, reason: str) -> Region:
    """The last step of a terminating export job: the archive is stored, so the region may end."""
    region.refresh_from_db()
    region_terminate_check(region)
    return region_transition(region=region, to=S.TERMINATED, actor=actor, reason=reason)


@transaction.atomic
def region_schema_drop(*, region: Region, actor: str, now: datetime | None = None) -> Region:
    """Drop the schema of a region terminated more than TERMINATION_GRACE_DAYS ago, and its domain.

    The region row, its agreements, licences, exports and audit history stay. Refuses (ConflictError) a
    region that is not terminated or whose grace period has not ended.
    """
    now = now or tz.now()
    locked = Region.objects.select_for_update().get(pk=region.pk)
    if locked.status != S.TERMINATED or locked.terminated_at is None:
        raise ConflictError("region_not_terminated", _("Hanya skema wilayah yang sudah diakhiri yang dapat dihapus."))
    if locked.terminated_at > now - timedelta(days=TERMINATION_GRACE_DAYS):
        raise ConflictError(
            "grace_period_running",
            _("Masa tenggang %(days)d hari sejak pengakhiran belum lewat.") % {"days": TERMINATION_GRACE_DAYS},
        )
    if locked.schema_dropped_at is not None:
        return locked
    if schema_exists(locked.schema_name) and not locked.exports.filter(status=RegionExport.Status.SUCCEEDED).exists():
        # Termination stores an archive first; a schema is never dropped without one.
        raise ConflictError("no_export", _("Belum ada ekspor data yang berhasil untuk wilayah ini."))
    _drop_schema(locked.schema_name)
    Domain.objects.filter(tenant=locked).delete()
    locked.schema_dropped_at = now
    locked.save(update_fields=["schema_dropped_at", "updated_at"])
    audit_record(
        actor=actor,
        action="region.schema_drop",
        target_type="region",
        target_id=locked.schema_name,
        region=locked.schema_name,
        after={"terminated_at": locked.terminated_at, "dropped_at": now},
    )
    region.schema_dropped_at = locked.schema_dropped_at
    return region
