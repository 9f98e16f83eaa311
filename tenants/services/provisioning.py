"""Provisioning a region: a ProvisioningJob runs its steps (PROVISION_STEPS) one after another.

Every step is idempotent, so a run cut short by a dead worker resumes when the broker delivers the task again.
A step that fails undoes the whole run: the schema is dropped, the domain deleted, the region marked failed;
a new job starts over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone as tz
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import schema_context, schema_exists

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.services import audit_record
from shared_apps.licensing.selectors import licence_current
from shared_apps.onboarding.selectors import agreement_signed_scope
from tenant_apps.org.activation import first_admin_ensure
from tenant_apps.org.services import roles_ensure
from tenants.models import (
    Domain,
    ProvisioningJob,
    Region,
)
from tenants.schema_clone import CloneMismatchError, clone_verified
from tenants.selectors import region_base_url, region_hostname
from tenants.services.regions import (
    JOB_IN_PROGRESS,
    J,
    RegionError,
    S,
    _drop_schema,
    _label,
    region_transition,
)

logger = logging.getLogger(__name__)

# Every region schema is cloned from this migrated one (the fast path). "template" is a reserved name, so no
# region can ever take it.
TEMPLATE_SCHEMA = "template"
# Keys for PostgreSQL advisory locks (namespace, key): one per region for provisioning runs, one for the template.
_LOCK_NAMESPACE = 0x50524F56  # "PROV"
_TEMPLATE_LOCK_KEY = 0


@dataclass(frozen=True)
class ProvisionStep:
    code: str
    label: str | Promise


PROVISION_STEPS = (
    ProvisionStep("schema", gettext_lazy("Membuat skema basis data")),
    ProvisionStep("migrate", gettext_lazy("Menerapkan struktur tabel")),
    ProvisionStep("domain", gettext_lazy("Mendaftarkan domain")),
    ProvisionStep("reference", gettext_lazy("Mengisi data acuan")),
    ProvisionStep("first_admin", gettext_lazy("Membuat akun admin wilayah")),
    ProvisionStep("activate", gettext_lazy("Mengaktifkan wilayah")),
)
STEP_LABELS = {step.code: step.label for step in PROVISION_STEPS}
# A job still queued this long after it was sent is taken as lost and may be sent again.
QUEUED_JOB_RESEND_AFTER = timedelta(minutes=15)


def provision_steps(*, with_first_admin: bool) -> tuple[ProvisionStep, ...]:
    return tuple(step for step in PROVISION_STEPS if with_first_admin or step.code != "first_admin")


@contextmanager
def _session_lock(key: int, *, wait: bool) -> Iterator[bool]:
    """A PostgreSQL advisory lock held on a connection of its own.

    Not on Django's connection: migrate_schemas closes that one after each schema, which would release a
    session lock in the middle of the work it guards. If the worker dies, its connection closes and the lock
    goes with it, so a redelivered task can take over.
    """
    lock_conn = connections.create_connection(DEFAULT_DB_ALIAS)
    acquired = False
    try:
        with lock_conn.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, key])
                acquired = True
            else:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, key])
                acquired = bool(cursor.fetchone()[0])
        yield acquired
    finally:
        try:
            if acquired:
                # Released here, not by closing: the server ends a closed session a moment later, and a retry
                # asked for in that moment would find the lock still held and leave its job queued.
                with lock_conn.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, key])
        finally:
            lock_conn.close()


def provisioning_uses_template() -> bool:
    """Clone region schemas from the template (fast path) unless MITRA_PROVISION_FROM_TEMPLATE is False."""
    return bool(getattr(settings, "MITRA_PROVISION_FROM_TEMPLATE", True))


def _migrate(schema_name: str) -> None:
    call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def _template_clone(schema_name: str) -> bool:
    """Create `schema_name` as a verified copy of the template schema; False if the copy did not match (then
    nothing is left behind and the caller migrates instead).

    The template is migrated first (a no-op when up to date), so it never lags behind the code. One lock
    serialises this for every worker: django-tenants re-creates its clone function on each call.
    """
    with _session_lock(_TEMPLATE_LOCK_KEY, wait=True):
        connection.set_schema_to_public()
        if not schema_exists(TEMPLATE_SCHEMA):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{TEMPLATE_SCHEMA}"')
        _migrate(TEMPLATE_SCHEMA)
        try:
            clone_verified(TEMPLATE_SCHEMA, schema_name)
        except CloneMismatchError:
            return False
        finally:
            connection.set_schema_to_public()
    return True


def _step_schema(*, region: Region, job: ProvisioningJob) -> None:
    if schema_exists(region.schema_name):
        return  # resumed run: the schema was made (in one statement) before the worker stopped
    if provisioning_uses_template() and _template_clone(region.schema_name):
        job.method = ProvisioningJob.Method.CLONE
    else:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{region.schema_name}"')
        job.method = ProvisioningJob.Method.MIGRATE
    job.save(update_fields=["method", "updated_at"])


def _step_migrate(*, region: Region, job: ProvisioningJob) -> None:
    # After a clone this applies only migrations newer than the template (normally none).
    _migrate(region.schema_name)


def _step_domain(*, region: Region, job: ProvisioningJob) -> None:
    domain, _created = Domain.objects.get_or_create(
        domain=region_hostname(region), defaults={"tenant": region, "is_primary": True}
    )
    if domain.tenant_id != region.pk:
        raise RegionError("domain_taken", _("Domain %(d)s sudah dipakai wilayah lain.") % {"d": domain.domain})


def _step_reference(*, region: Region, job: ProvisioningJob) -> None:
    with schema_context(region.schema_name):
        roles_ensure()


def _step_first_admin(*, region: Region, job: ProvisioningJob) -> None:
    with schema_context(region.schema_name):
        token, expires_at = first_admin_ensure(actor=job.requested_by)
    job.setup_link = f"{region_base_url(region)}/aktivasi/{token}/"
    job.setup_link_expires_at = expires_at
    job.save(update_fields=["setup_link", "setup_link_expires_at", "updated_at"])


def _step_activate(*, region: Region, job: ProvisioningJob) -> None:
    region_transition(region=region, to=S.ACTIVE, actor=job.requested_by)


STEP_RUNNERS: dict[str, Callable[..., None]] = {
    "schema": _step_schema,
    "migrate": _step_migrate,
    "domain": _step_domain,
    "reference": _step_reference,
    "first_admin": _step_first_admin,
    "activate": _step_activate,
}


def _job_save(job: ProvisioningJob, **fields: object) -> None:
    """Save progress at once (outside any transaction, so the console sees it while the job runs)."""
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=[*fields, "updated_at"])


def _job_abandoned(job: ProvisioningJob) -> bool:
    """A job no worker will finish: running without a worker holding its lock (the worker died and the broker
    did not deliver the task again), or still queued long after it was sent (the message was lost)."""
    if job.status == J.QUEUED:
        return job.created_at < tz.now() - QUEUED_JOB_RESEND_AFTER
    with _session_lock(job.region_id, wait=False) as free:
        return free


@transaction.atomic
def region_provision_request(*, region: Region, actor: str) -> ProvisioningJob:
    """Queue provisioning of a region as a Celery job; returns the job.

    Refuses (ConflictError) while another job of the region is queued or running (`provisioning_in_progress`),
    a region that is not pending or failed (`region_not_provisionable`), a region with no signed agreement
    (`no_signed_agreement`) or no current licence (`no_active_licence`). An abandoned job (see _job_abandoned)
    is sent to the workers again instead, and returned: running a job twice is harmless. The task is sent
    after commit.
    """
    from tenants.tasks import provision_region  # tasks import this module

    locked = Region.objects.select_for_update().get(pk=region.pk)
    current = locked.provisioning_jobs.filter(status__in=JOB_IN_PROGRESS).order_by("-id").first()
    if current is not None:
        if not _job_abandoned(current):
            raise ConflictError("provisioning_in_progress", _("Penyiapan wilayah ini sedang berjalan."))
        audit_record(
            actor=actor,
            action="region.provision_resend",
            target_type="region",
            target_id=locked.schema_name,
            region=locked.schema_name,
            after={"job": current.pk, "status": current.status},
        )
        transaction.on_commit(lambda: provision_region.delay(current.pk))
        return current
    if locked.status not in (S.PENDING, S.FAILED):
        raise ConflictError(
            "region_not_provisionable",
            _("Wilayah berstatus %(s)s tidak dapat disiapkan lagi.") % {"s": _label(locked.status)},
        )
    if agreement_signed_scope(region=locked) is None:
        raise ConflictError(
            "no_signed_agreement", _("Wilayah belum memiliki MoU yang ditandatangani dan masih berlaku.")
        )
    if licence_current(region=locked) is None:
        raise ConflictError("no_active_licence", _("Wilayah belum memiliki lisensi yang berlaku hari ini."))
    job = ProvisioningJob.objects.create(
        region=locked, requested_by=actor, steps_total=len(provision_steps(with_first_admin=True))
    )
    audit_record(
        actor=actor,
        action="region.provision_request",
        target_type="region",
        target_id=locked.schema_name,
        region=locked.schema_name,
        after={"job": job.pk},
    )
    transaction.on_commit(lambda: provision_region.delay(job.pk))
    return job


def region_provision_run(*, job: ProvisioningJob, raise_errors: bool = False) -> ProvisioningJob:
    """Run (or resume) a provisioning job: every step, with progress saved after each.

    Idempotent: a finished job is returned unchanged; a job another worker is running is left to it (an
    advisory lock per region); a job found running with no worker holding the lock is resumed from the top,
    each step skipping what is already done. On failure: drops the schema, deletes the domain, marks the
    region and the job failed with the error (re-raised if `raise_errors`). Runs outside a transaction on
    purpose: migrations commit as they go and progress must be visible.
    """
    with _session_lock(job.region_id, wait=False) as acquired:
        job.refresh_from_db()
        if not acquired or job.is_finished:
            return job
        connection.set_schema_to_public()
        region = Region.objects.get(pk=job.region_id)
        actor = job.requested_by
        steps = provision_steps(with_first_admin=job.with_first_admin)
        _job_save(job, status=J.RUNNING, started_at=job.started_at or tz.now(), steps_total=len(steps))
        if region.status == S.ACTIVE:
            # Already provisioned (an earlier run finished): nothing to do, nothing to undo.
            _job_save(job, status=J.SUCCEEDED, steps_done=len(steps), progress=100, step="", finished_at=tz.now())
            return job
        try:
            if region.status != S.PROVISIONING:
                region_transition(region=region, to=S.PROVISIONING, actor=actor)
            for index, step in enumerate(steps):
                _job_save(job, step=step.code)
                STEP_RUNNERS[step.code](region=region, job=job)
                connection.set_schema_to_public()
                _job_save(job, steps_done=index + 1, progress=(index + 1) * 100 // len(steps))
        except Exception as exc:
            _provision_undo(region=region, job=job, exc=exc)
            if raise_errors:
                raise
            return job
        _job_save(job, status=J.SUCCEEDED, step="", finished_at=tz.now())
        logger.info("provisioned %s (job %s, %s)", region.schema_name, job.pk, job.method)
        return job


def _provision_undo(*, region: Region, job: ProvisioningJob, exc: Exception) -> None:
    logger.exception("provisioning %s failed at step %s", region.schema_name, job.step)
    connection.set_schema_to_public()
    error = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    region.refresh_from_db()
    # Only a region still being provisioned holds nothing but this run's work; never touch a live one.
    if region.status in (S.PROVISIONING, S.PENDING, S.FAILED):
        Domain.objects.filter(tenant=region).delete()
        _drop_schema(region.schema_name)
        if region.status == S.PROVISIONING:
            region_transition(region=region, to=S.FAILED, actor=job.requested_by, reason=error)
    _job_save(
        job,
        status=J.FAILED,
        error=f"{STEP_LABELS.get(job.step, job.step)}: {error}" if job.step else error,
        setup_link="",
        setup_link_expires_at=None,
        finished_at=tz.now(),
    )


def region_provision(*, region: Region, actor: str, with_first_admin: bool = False) -> Region:
    """Provision a region synchronously, through the same job and steps as the Celery task.

    For the demo seeder and test fixtures, which create their own accounts with known passwords: the
    first-admin step (unusable password and a one-time link) runs only when asked. Idempotent: an active
    region is returned unchanged. On failure everything is undone (see region_provision_run) and the error
    is re-raised.
    """
    region.refresh_from_db()
    if region.status == S.ACTIVE:
        return region
    job = ProvisioningJob.objects.create(
        region=region,
        requested_by=actor,
        with_first_admin=with_first_admin,
        steps_total=len(provision_steps(with_first_admin=with_first_admin)),
    )
    region_provision_run(job=job, raise_errors=True)
    region.refresh_from_db()
    return region


def provisioning_setup_link_reveal(*, job: ProvisioningJob, actor: str) -> tuple[str, datetime]:
    """Hand the first admin's one-time setup link to an operator, once: it is blanked from the job as it is
    returned (only its hash exists in the region). Audited without the link. Raises `setup_link_unavailable`
    (410) when it was already shown, has expired (then it is blanked too), or was never made."""
    with transaction.atomic():
        locked = ProvisioningJob.objects.select_for_update().select_related("region").get(pk=job.pk)
        link, expires_at = locked.setup_link, locked.setup_link_expires_at
        usable = bool(link) and expires_at is not None and expires_at > tz.now()
        if link:
            locked.setup_link = ""
            fields = ["setup_link", "updated_at"]
            if usable:
                locked.setup_link_shown_at = tz.now()
                locked.setup_link_shown_by = actor
                fields += ["setup_link_shown_at", "setup_link_shown_by"]
                audit_record(
                    actor=actor,
                    action="region.setup_link_shown",
                    target_type="region",
                    target_id=locked.region.schema_name,
                    region=locked.region.schema_name,
                    after={"job": locked.pk, "expires_at": expires_at},
                )
            locked.save(update_fields=fields)
    job.setup_link = ""
    job.setup_link_shown_at, job.setup_link_shown_by = locked.setup_link_shown_at, locked.setup_link_shown_by
    if not usable:
        raise DomainError(
            "setup_link_unavailable",
            _("Tautan aktivasi sudah pernah ditampilkan, kedaluwarsa, atau tidak ada."),
            status=410,
        )
    assert expires_at is not None
    return link, expires_at
