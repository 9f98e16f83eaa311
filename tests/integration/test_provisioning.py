"""Provisioning as a Celery job: preconditions, a real worker end to end, failure at every step, resuming,
the template clone, and the first admin's one-time activation link."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from mitra.errors import ConflictError
from shared_apps.licensing.selectors import region_today
from shared_apps.onboarding.services import agreement_create
from tenant_apps.org.activation import activation_token_issue
from tenant_apps.org.models import ActivationToken
from tenants import schema_clone
from tenants.models import Domain, ProvisioningJob, Region
from tenants.schema_clone import signature_differences
from tenants.services import (
    PROVISION_STEPS,
    TEMPLATE_SCHEMA,
    _session_lock,
    provisioning_setup_link_reveal,
    region_provision,
    region_provision_request,
    region_provision_run,
    region_register,
)
from tenants.services import provisioning as services
from tests.fixtures.control import api_client, make_ready
from tests.fixtures.processes import celery_worker, drop_region

pytestmark = [pytest.mark.integration]
S = Region.Status
J = ProvisioningJob.Status
ACTOR = "operator:uji"
QUEUE = f"mitra-prov-{os.getpid()}"  # our own queue: no other run's worker takes these jobs
SCRATCH = ("pemalang", "33.27")


def link_path(link: str) -> str:
    match = re.fullmatch(r"http://([a-z0-9-]+)\.localhost:8000(/aktivasi/[A-Za-z0-9_-]+/)", link)
    assert match, link
    return match.group(2)


@pytest.fixture
def scratch(committed_db) -> Iterator[str]:
    """A committed scratch region slug, removed with its schema, domain, jobs, agreements and licences."""
    drop_region(SCRATCH[0])
    yield SCRATCH[0]
    drop_region(SCRATCH[0])


def _register() -> Region:
    return region_register(slug=SCRATCH[0], region_code=SCRATCH[1], actor=ACTOR)


def _new_job(region: Region, *, with_first_admin: bool = True) -> ProvisioningJob:
    return ProvisioningJob.objects.create(region=region, requested_by=ACTOR, with_first_admin=with_first_admin)


# --- preconditions --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_provisioning_is_refused_without_a_signed_agreement(seed):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    with pytest.raises(ConflictError) as exc:
        region_provision_request(region=region, actor=ACTOR)
    assert exc.value.code == "no_signed_agreement"
    # A draft MoU is not enough either.
    today = region_today(region)
    agreement_create(
        region=region,
        kind="mou",
        number="MOU/draft/1",
        title="Draf",
        parties=[{"name": "A", "role": "1"}, {"name": "B", "role": "2"}],
        signatories=[],
        valid_from=today,
        valid_until=today + timedelta(days=30),
        modules=["eoffice"],
        actor=ACTOR,
    )
    with pytest.raises(ConflictError) as exc:
        region_provision_request(region=region, actor=ACTOR)
    assert exc.value.code == "no_signed_agreement"
    assert not ProvisioningJob.objects.filter(region=region).exists()


@pytest.mark.django_db
def test_provisioning_is_refused_without_a_current_licence(seed):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    make_ready(region, licence=False)
    with pytest.raises(ConflictError) as exc:
        region_provision_request(region=region, actor=ACTOR)
    assert exc.value.code == "no_active_licence"
    assert not ProvisioningJob.objects.filter(region=region).exists()


@pytest.mark.django_db
def test_provisioning_request_queues_one_job_and_sends_the_task_after_commit(
    seed, django_capture_on_commit_callbacks, monkeypatch
):
    from tenants import tasks

    sent = []
    # The broker is not what is tested here (the worker tests below use it): record what would be sent.
    monkeypatch.setattr(tasks.provision_region, "delay", lambda job_id: sent.append(job_id))
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    make_ready(region)
    with django_capture_on_commit_callbacks(execute=True):
        job = region_provision_request(region=region, actor=ACTOR)
    assert sent == [job.pk]
    assert (job.status, job.progress, job.steps_total) == (J.QUEUED, 0, len(PROVISION_STEPS))
    # A second request while the first is queued is refused, and so is one while a worker runs it.
    with pytest.raises(ConflictError) as exc:
        region_provision_request(region=region, actor=ACTOR)
    assert exc.value.code == "provisioning_in_progress"
    ProvisioningJob.objects.filter(pk=job.pk).update(status=J.RUNNING)
    with _session_lock(region.pk, wait=True), pytest.raises(ConflictError) as exc:
        region_provision_request(region=region, actor=ACTOR)
    assert exc.value.code == "provisioning_in_progress"
    assert ProvisioningJob.objects.filter(region=region).count() == 1
    assert sent == [job.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("abandoned", ["running_without_a_worker", "queued_for_an_hour"])
def test_an_abandoned_job_is_sent_again_instead_of_blocking_the_region(
    seed, django_capture_on_commit_callbacks, monkeypatch, abandoned
):
    from tenants import tasks

    sent = []
    monkeypatch.setattr(tasks.provision_region, "delay", lambda job_id: sent.append(job_id))
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    make_ready(region)
    job = _new_job(region)
    if abandoned == "running_without_a_worker":  # its worker died: nobody holds the region's lock
        ProvisioningJob.objects.filter(pk=job.pk).update(status=J.RUNNING)
    else:
        ProvisioningJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        again = region_provision_request(region=region, actor=ACTOR)
    assert again.pk == job.pk
    assert sent == [job.pk]
    assert ProvisioningJob.objects.filter(region=region).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.PROVISIONING, S.ACTIVE, S.SUSPENDED, S.TERMINATED])
def test_only_a_pending_or_failed_region_can_be_provisioned(seed, status):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    make_ready(region)
    Region.objects.filter(pk=region.pk).update(status=status)
    with pytest.raises(ConflictError) as exc:
        region_provision_request(region=region, actor=ACTOR)
    assert exc.value.code == "region_not_provisionable"


# --- a real worker, end to end -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def worker(django_db_setup) -> Iterator[subprocess.Popen]:
    with celery_worker(QUEUE) as proc:
        yield proc


def _activate_and_log_in(slug: str, path: str) -> None:
    host = f"{slug}.localhost"
    browser = Client(HTTP_HOST=host)
    form = browser.get(path)
    assert form.status_code == 200
    assert "Tetapkan kata sandi" in form.content.decode()
    done = browser.post(path, {"new_password1": "Kata-sandi-baru-2026", "new_password2": "Kata-sandi-baru-2026"})
    assert done.status_code == 302
    assert done["Location"] == "/"
    assert browser.get("/").status_code == 200  # logged in by the activation
    # The link is spent; the new password works on the region's own login page.
    assert Client(HTTP_HOST=host).get(path).status_code == 410
    fresh = Client(HTTP_HOST=host)
    login = fresh.post("/masuk/", {"username": "admin", "password": "Kata-sandi-baru-2026"})
    assert login.status_code == 302
    assert fresh.get("/").status_code == 200


def test_a_worker_provisions_a_region_with_progress_and_a_working_activation_link(worker, scratch):
    region = _register()
    make_ready(region)
    api = api_client()
    queued = api.post(f"/api/v1/regions/{scratch}/provision/")
    assert queued.status_code == 202, queued.content
    job_id = queued.json()["id"]

    deadline = time.monotonic() + 120
    seen_progress = set()
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/regions/{scratch}/jobs/{job_id}/").json()
        seen_progress.add(job["progress"])
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    assert (job["progress"], job["steps_done"], job["steps_total"]) == (100, 6, 6)
    assert job["setup_link_ready"] is True
    assert "setup_link" not in job  # the link is never part of a status read

    region.refresh_from_db()
    assert region.status == S.ACTIVE
    assert schema_exists(region.schema_name)
    assert Domain.objects.filter(tenant=region, domain=f"{scratch}.localhost").exists()
    with schema_context(region.schema_name):
        admin = get_user_model().objects.get(username="admin")
        assert not admin.has_usable_password()
        assert set(admin.groups.values_list("name", flat=True)) == {"admin_wilayah"}
        token = ActivationToken.objects.get(user=admin)
        assert len(token.token_hash) == 64
        assert timedelta(hours=71) < token.expires_at - timezone.now() <= timedelta(hours=72)

    shown = api.post(f"/api/v1/regions/{scratch}/jobs/{job_id}/setup-link/")
    assert shown.status_code == 200
    link = shown.json()["setup_link"]
    again = api.post(f"/api/v1/regions/{scratch}/jobs/{job_id}/setup-link/")
    assert (again.status_code, again.json()["error"]["code"]) == (410, "setup_link_unavailable")
    assert ProvisioningJob.objects.get(pk=job_id).setup_link == ""
    path = link_path(link)
    with schema_context(region.schema_name):  # only the hash is stored in the region
        assert not ActivationToken.objects.filter(token_hash=path.split("/")[2]).exists()
    _activate_and_log_in(scratch, path)


def test_cli_provision_wait_shows_a_progress_bar_and_the_link_once(worker, scratch):
    make_ready(_register())
    out = StringIO()
    call_command("region", "provision", scratch, "--wait", "--timeout", "120", stdout=out)
    text = out.getvalue()
    assert re.search(r"^\[#{20}\] 100% Selesai$", text, re.MULTILINE), text
    assert text.index("Pekerjaan penyiapan #") < text.index("100% Selesai") < text.index("Tautan aktivasi")
    link = re.search(r"http://\S+/aktivasi/\S+/", text).group(0)
    job = ProvisioningJob.objects.get(region__slug=scratch)
    assert job.setup_link == ""
    assert job.setup_link_shown_by.startswith("cli:")
    _activate_and_log_in(scratch, link_path(link))


# --- failure at every step, undone and retried ---------------------------------------------------------------

STEP_CODES = [step.code for step in PROVISION_STEPS]


@pytest.mark.parametrize(
    ("step", "when"),
    [(code, "before") for code in STEP_CODES] + [(code, "after") for code in STEP_CODES if code != "activate"],
)
def test_a_failure_at_any_step_leaves_nothing_behind_and_a_retry_succeeds(scratch, monkeypatch, step, when):
    region = _register()
    real = services.STEP_RUNNERS[step]

    # Injected fault standing for a crash at this step, before or after the step's own work.
    def broken(*, region: Region, job: ProvisioningJob) -> None:
        if when == "after":
            real(region=region, job=job)
        raise RuntimeError(f"gangguan uji di {step}")

    monkeypatch.setitem(services.STEP_RUNNERS, step, broken)
    job = region_provision_run(job=_new_job(region))
    region.refresh_from_db()
    assert job.status == J.FAILED
    assert f"gangguan uji di {step}" in job.error
    assert str(services.STEP_LABELS[step]) in job.error
    assert job.finished_at is not None
    assert job.setup_link == ""
    assert region.status == S.FAILED
    assert "gangguan uji" in region.status_reason
    assert not schema_exists(region.schema_name)
    assert not Domain.objects.filter(tenant=region).exists()
    assert schema_exists(TEMPLATE_SCHEMA) or not services.provisioning_uses_template()

    monkeypatch.setitem(services.STEP_RUNNERS, step, real)
    retry = region_provision_run(job=_new_job(region))
    region.refresh_from_db()
    assert (retry.status, retry.progress, region.status) == (J.SUCCEEDED, 100, S.ACTIVE)
    assert retry.setup_link
    with schema_context(region.schema_name):
        assert ActivationToken.objects.count() == 1
        assert get_user_model().objects.count() == 1


def test_a_job_whose_worker_died_is_resumed(scratch):
    region = _register()
    job = _new_job(region)
    # What a worker leaves when it dies after two steps: the job running, the region provisioning, a schema.
    services.region_transition(region=region, to=S.PROVISIONING, actor=ACTOR)
    services.STEP_RUNNERS["schema"](region=region, job=job)
    services.STEP_RUNNERS["migrate"](region=region, job=job)
    ProvisioningJob.objects.filter(pk=job.pk).update(status=J.RUNNING, step="domain", steps_done=2, progress=33)

    job = region_provision_run(job=job)
    region.refresh_from_db()
    assert (job.status, job.progress, region.status) == (J.SUCCEEDED, 100, S.ACTIVE)
    # A finished job is left as it is.
    assert region_provision_run(job=job).status == J.SUCCEEDED


def test_a_job_another_worker_is_running_is_left_alone(scratch):
    region = _register()
    job = _new_job(region)
    with _session_lock(region.pk, wait=True) as held:
        assert held
        result = region_provision_run(job=job)
    assert result.status == J.QUEUED
    assert not schema_exists(region.schema_name)


def test_the_synchronous_wrapper_skips_the_first_admin_unless_asked(scratch):
    region = region_provision(region=_register(), actor=ACTOR)
    job = ProvisioningJob.objects.get(region=region)
    assert (region.status, job.status, job.steps_total, job.setup_link) == (S.ACTIVE, J.SUCCEEDED, 5, "")
    with schema_context(region.schema_name):
        assert not get_user_model().objects.exists()
        assert set(Group.objects.values_list("name", flat=True)) == {
            "admin_wilayah",
            "pencatat_surat",
            "pimpinan",
            "staf",
        }


# --- the template clone -----------------------------------------------------------------------------------


def test_a_cloned_schema_is_identical_to_a_migrated_one(scratch, settings):
    settings.MITRA_PROVISION_FROM_TEMPLATE = True
    region = region_provision(region=_register(), actor=ACTOR)
    assert ProvisioningJob.objects.get(region=region).method == "clone"
    drop_region(SCRATCH[0])
    settings.MITRA_PROVISION_FROM_TEMPLATE = False
    region = region_provision(region=_register(), actor=ACTOR)
    assert ProvisioningJob.objects.get(region=region).method == "migrate"
    # Brebes was cloned by the session fixture: same tables, columns, constraint and index names, triggers,
    # sequences, functions and applied migrations as this freshly migrated schema.
    assert signature_differences("brebes", region.schema_name) == []


def test_a_clone_that_does_not_match_falls_back_to_migrations(scratch, monkeypatch, settings):
    settings.MITRA_PROVISION_FROM_TEMPLATE = True
    # Without the repair, pg-clone-schema's renamed unique constraints make the copy differ.
    monkeypatch.setattr(schema_clone, "_repair", lambda template, target: None)
    region = region_provision(region=_register(), actor=ACTOR)
    assert ProvisioningJob.objects.get(region=region).method == "migrate"
    assert region.status == S.ACTIVE
    assert signature_differences("brebes", region.schema_name) == []


def test_cloned_regions_keep_the_audit_log_append_only_in_their_own_schema(scratch):
    from django.db import DatabaseError, transaction

    from shared_apps.audit.models import AuditRecord
    from shared_apps.audit.services import audit_record

    region = region_provision(region=_register(), actor=ACTOR)
    with schema_context(region.schema_name):
        record = audit_record(actor=ACTOR, action="uji", target_type="uji", target_id=1)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditRecord.objects.filter(pk=record.pk).delete()


# --- the one-time setup link and the activation page -------------------------------------------------------


@pytest.mark.django_db
def test_the_setup_link_is_handed_out_once_and_never_after_expiry(seed):
    region = Region.objects.get(slug="brebes")
    job = ProvisioningJob.objects.create(
        region=region,
        requested_by=ACTOR,
        status=J.SUCCEEDED,
        setup_link="http://brebes.localhost:8000/aktivasi/abc/",
        setup_link_expires_at=timezone.now() + timedelta(hours=1),
    )
    link, _expires = provisioning_setup_link_reveal(job=job, actor=ACTOR)
    assert link.endswith("/aktivasi/abc/")
    with pytest.raises(Exception, match="sudah pernah ditampilkan") as exc:
        provisioning_setup_link_reveal(job=job, actor=ACTOR)
    assert exc.value.code == "setup_link_unavailable"
    expired = ProvisioningJob.objects.create(
        region=region,
        requested_by=ACTOR,
        setup_link="http://brebes.localhost:8000/aktivasi/old/",
        setup_link_expires_at=timezone.now() - timedelta(seconds=1),
    )
    with pytest.raises(Exception, match="kedaluwarsa"):
        provisioning_setup_link_reveal(job=expired, actor=ACTOR)
    expired.refresh_from_db()
    assert expired.setup_link == ""


def _fresh_account(schema: str, username: str = "baru"):
    with schema_context(schema):
        user = get_user_model().objects.create_user(username=username, password=None)
        raw, _expires = activation_token_issue(user=user, actor=ACTOR)
    return user, raw


@pytest.mark.django_db
def test_an_activation_link_works_once(seed):
    _user, raw = _fresh_account("brebes")
    browser = Client(HTTP_HOST="brebes.localhost")
    page = browser.get(f"/aktivasi/{raw}/")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "strict-origin"
    done = browser.post(
        f"/aktivasi/{raw}/", {"new_password1": "Sandi-pertama-2026", "new_password2": "Sandi-pertama-2026"}
    )
    assert done.status_code == 302
    again = Client(HTTP_HOST="brebes.localhost").post(
        f"/aktivasi/{raw}/", {"new_password1": "Sandi-kedua-20266", "new_password2": "Sandi-kedua-20266"}
    )
    assert again.status_code == 410
    assert "sudah dipakai" in again.content.decode()
    with schema_context("brebes"):
        assert get_user_model().objects.get(username="baru").check_password("Sandi-pertama-2026")


@pytest.mark.django_db
def test_a_weak_password_is_refused_in_indonesian_and_keeps_the_link(seed):
    _user, raw = _fresh_account("brebes")
    response = Client(HTTP_HOST="brebes.localhost").post(
        f"/aktivasi/{raw}/", {"new_password1": "12345", "new_password2": "12345"}
    )
    assert response.status_code == 200
    assert "terlalu pendek" in response.content.decode()
    with schema_context("brebes"):
        assert ActivationToken.objects.get(user__username="baru").used_at is None


@pytest.mark.django_db
def test_an_expired_activation_link_is_refused(seed):
    user, raw = _fresh_account("brebes")
    with schema_context("brebes"):
        ActivationToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client(HTTP_HOST="brebes.localhost").get(f"/aktivasi/{raw}/")
    assert response.status_code == 410
    assert "kedaluwarsa" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["tidak-dikenal", "x" * 500, "%00", "%F0%9F%98%80", "..%2F..%2Fmasuk"])
def test_an_unknown_activation_link_gives_a_clear_404(seed, token):
    response = Client(HTTP_HOST="brebes.localhost").get(f"/aktivasi/{token}/")
    assert response.status_code == 404
    if "%2F" not in token:  # a slash in the token does not match the route at all: the ordinary 404 page
        assert "Tautan aktivasi tidak dikenal" in response.content.decode()


@pytest.mark.django_db
def test_a_brebes_activation_link_does_nothing_on_tegals_host(seed):
    _user, raw = _fresh_account("brebes")
    tegal = Client(HTTP_HOST="tegal.localhost")
    assert tegal.get(f"/aktivasi/{raw}/").status_code == 404
    post = tegal.post(f"/aktivasi/{raw}/", {"new_password1": "Sandi-serang-2026", "new_password2": "Sandi-serang-2026"})
    assert post.status_code == 404
    with schema_context("brebes"):
        token = ActivationToken.objects.get(user__username="baru")
        assert token.used_at is None
        assert not token.user.has_usable_password()
    with schema_context("tegal"):
        assert not get_user_model().objects.filter(username="baru").exists()


@pytest.mark.django_db
def test_issuing_a_new_link_retires_the_old_one(seed):
    user, first = _fresh_account("brebes")
    with schema_context("brebes"):
        second, _expires = activation_token_issue(user=user, actor=ACTOR)
    browser = Client(HTTP_HOST="brebes.localhost")
    assert browser.get(f"/aktivasi/{first}/").status_code == 404
    assert browser.get(f"/aktivasi/{second}/").status_code == 200


def test_a_provisioning_lock_is_free_as_soon_as_its_holder_is_done(scratch):
    """A retry right after a failed run must find the region's lock free (else its job would stay queued):
    the lock is released, not left to the server to drop when it notices the closed session."""
    from tenants.services.provisioning import _LOCK_NAMESPACE, _session_lock

    for key in range(900_001, 900_051):
        with _session_lock(key, wait=False) as held:
            assert held
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, key])
            assert cursor.fetchone()[0], f"lock {key} still held after its holder finished"
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, key])
