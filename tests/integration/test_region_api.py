"""/api/v1/regions/ and `mitra region …`: register, provision, operate (suspend, resume, terminate, export),
every forbidden transition, the roles, and the grace period before a terminated region's schema is dropped."""

from __future__ import annotations

import io
import json
import os
import tarfile
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context, schema_exists
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shared_apps.audit.models import AuditRecord
from shared_apps.console.roles import OperatorRole, operator_role_set
from tenants.models import Domain, ProvisioningJob, Region, RegionExport
from tenants.services import REGION_TRANSITIONS, region_provision, region_register
from tenants.storage import storage_prefix
from tenants.tasks import drop_terminated_regions, export_region
from tests.fixtures.control import PROVISIONING_ACTOR as ACTOR
from tests.fixtures.control import api_client, make_ready
from tests.fixtures.processes import celery_worker, drop_region

pytestmark = [pytest.mark.integration]
S = Region.Status
API = "/api/v1/regions/"


@pytest.fixture
def media(settings, tmp_path):
    """Exports and region files in a folder of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def operator_only(db):
    """An account with the operator role (not admin)."""
    user = get_user_model().objects.create_user("budi", password="x")
    operator_role_set(user, OperatorRole.OPERATOR)
    return api_client("budi")


def _code(response) -> str:
    return response.json()["error"]["code"]


def _field_codes(response) -> dict[str, list[str]]:
    return {field: [e["code"] for e in errors] for field, errors in response.json()["error"]["fields"].items()}


# --- register, list, detail ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_operator_registers_a_region_through_the_api(seed):
    response = api_client().post(API, {"slug": "batang", "region_code": "33.25"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["official_name"], body["kind"], body["status"], body["url"]) == (
        "Kabupaten Batang",
        "kabupaten",
        "pending",
        "http://batang.localhost:8000/",
    )
    assert body["current_job"] is None
    assert AuditRecord.objects.filter(action="region.register", target_id="batang", actor="operator:operator").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"slug": "brebes", "region_code": "33.25"}, {"slug": ["duplicate_subdomain"]}),
        ({"slug": "batang2", "region_code": "33.29"}, {"region_code": ["duplicate_region"]}),
        ({"slug": "admin", "region_code": "33.25"}, {"slug": ["reserved_subdomain"]}),
        ({"slug": "baru", "region_code": "33.25"}, {"slug": ["reserved_subdomain"]}),
        ({"slug": "Kab Batang", "region_code": "33.25"}, {"slug": ["invalid_subdomain"]}),
        ({"slug": "entah", "region_code": "99.99"}, {"region_code": ["unknown_region_code"]}),
        (
            {"slug": "batang", "region_code": "33.25", "official_name": "Kota Batang"},
            {"official_name": ["name_mismatch"]},
        ),
        ({"region_code": "33.25"}, {"slug": ["required"]}),
        ({"slug": ["batang"], "region_code": "33.25"}, {"slug": ["invalid"]}),
        ({"slug": "batang", "region_code": "33.25", "timezone": "Europe/Paris"}, {"timezone": ["invalid_choice"]}),
        ({"slug": "x" * 500, "region_code": "33.25"}, {"slug": ["max_length"]}),
    ],
)
def test_bad_registrations_get_field_errors_with_stable_codes(seed, payload, expected):
    response = api_client().post(API, payload, format="json")
    assert response.status_code == 400
    assert _code(response) == "invalid"
    assert _field_codes(response) == expected
    assert Region.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{not json", "[]", "null", '"batang"'])
def test_malformed_bodies_are_400_not_500(seed, body):
    response = api_client().post(API, body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_list_shows_every_region_with_its_onboarding_state(seed):
    make_ready(Region.objects.get(slug="brebes"))
    response = api_client("pemantau").get(API)
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()}
    assert (rows["brebes"]["has_signed_agreement"], rows["brebes"]["has_current_licence"]) == (True, True)
    assert (rows["tegal"]["has_signed_agreement"], rows["tegal"]["has_current_licence"]) == (False, False)
    assert rows["tegal"]["status"] == "active"
    assert api_client().get(API, {"status": "bogus"}).status_code == 400
    assert [r["slug"] for r in api_client().get(API, {"status": "pending"}).json()] == []


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["tidak-ada", "PUBLIC", "public", "%00", "a" * 300])
def test_unknown_regions_are_a_json_404(seed, slug):
    response = api_client().get(f"{API}{slug}/")
    assert response.status_code == 404
    assert _code(response) == "region_not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("job_id", ["999999", "abc", "-1", "99999999999999999999999"])
def test_unknown_jobs_are_a_json_404(seed, job_id):
    response = api_client().get(f"{API}brebes/jobs/{job_id}/")
    assert response.status_code == 404
    assert _code(response) == "job_not_found"


# --- provisioning through the API ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_provision_is_refused_without_agreement_or_licence_then_accepted(seed):
    api = api_client()
    api.post(API, {"slug": "batang", "region_code": "33.25"}, format="json")
    region = Region.objects.get(slug="batang")
    refused = api.post(f"{API}batang/provision/")
    assert (refused.status_code, _code(refused)) == (409, "no_signed_agreement")
    make_ready(region, licence=False)
    refused = api.post(f"{API}batang/provision/")
    assert (refused.status_code, _code(refused)) == (409, "no_active_licence")
    make_ready(region, agreement=False)
    accepted = api.post(f"{API}batang/provision/")
    assert accepted.status_code == 202
    job = accepted.json()
    assert (job["status"], job["progress"], job["steps_total"], job["region"]) == ("queued", 0, 6, "batang")
    again = api.post(f"{API}batang/provision/")
    assert (again.status_code, _code(again)) == (409, "provisioning_in_progress")
    detail = api.get(f"{API}batang/").json()
    assert detail["current_job"]["id"] == job["id"]
    assert api.get(f"{API}batang/jobs/{job['id']}/").json()["status"] == "queued"
    # Nothing to hand out yet.
    link = api.post(f"{API}batang/jobs/{job['id']}/setup-link/")
    assert (link.status_code, _code(link)) == (410, "setup_link_unavailable")


# --- every status change through the API -------------------------------------------------------------------------

OPERATIONS = {
    # operation -> (path, body, the statuses it is allowed from, the status it leads to)
    "suspend": ("suspend/", {"reason": "Tunggakan administrasi"}, {S.ACTIVE}, S.SUSPENDED),
    "resume": ("resume/", {}, {S.SUSPENDED}, S.ACTIVE),
    "terminate": ("terminate/", {"reason": "MoU berakhir"}, {S.PENDING, S.FAILED, S.ACTIVE, S.SUSPENDED}, S.TERMINATED),
    "provision": ("provision/", {}, {S.PENDING, S.FAILED}, None),
}


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("start", S.values)
def test_every_operation_is_allowed_or_refused_from_every_status(seed, media, operation, start):
    # A registered region with no schema, put into each status directly: what is tested is the API's answer.
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    make_ready(region)
    Region.objects.filter(pk=region.pk).update(status=start)
    path, body, allowed_from, target = OPERATIONS[operation]
    response = api_client().post(f"{API}batang/{path}", body, format="json")
    region.refresh_from_db()
    if start in allowed_from:
        assert response.status_code in (200, 202), response.content
        if target is not None:
            assert region.status == target
            assert target in REGION_TRANSITIONS[start]
        else:
            assert ProvisioningJob.objects.filter(region=region, status="queued").exists()
    else:
        assert response.status_code == 409, response.content
        assert _code(response) in ("invalid_transition", "region_not_provisionable")
        assert region.status == start


@pytest.mark.django_db
def test_a_region_with_a_queued_job_cannot_be_terminated(seed):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    ProvisioningJob.objects.create(region=region, requested_by=ACTOR)
    response = api_client().post(f"{API}batang/terminate/", {}, format="json")
    assert (response.status_code, _code(response)) == (409, "provisioning_in_progress")
    assert Region.objects.get(slug="batang").status == S.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_suspension_needs_a_reason(seed, body):
    response = api_client().post(f"{API}brebes/suspend/", body, format="json")
    assert response.status_code == 400
    assert set(_field_codes(response)) == {"reason"}
    assert Region.objects.get(slug="brebes").status == S.ACTIVE


@pytest.mark.django_db
def test_a_suspended_region_shows_staff_a_notice_and_keeps_its_data(seed):
    api = api_client()
    suspended = api.post(f"{API}brebes/suspend/", {"reason": "Pembaruan MoU"}, format="json")
    assert (suspended.status_code, suspended.json()["status_reason"]) == (200, "Pembaruan MoU")
    page = Client(HTTP_HOST="brebes.localhost").get("/masuk/")
    assert page.status_code == 403
    with schema_context("brebes"):
        assert get_user_model().objects.filter(username="staf").exists()
    resumed = api.post(f"{API}brebes/resume/")
    assert resumed.json()["status"] == "active"
    assert Client(HTTP_HOST="brebes.localhost").get("/masuk/").status_code == 200
    connection.set_schema_to_public()
    actions = list(AuditRecord.objects.filter(region="brebes").values_list("action", flat=True).order_by("id"))
    assert actions[-2:] == ["region.suspended", "region.active"]


# --- roles --------------------------------------------------------------------------------------------------

WRITES = [
    ("post", API, {"slug": "batang", "region_code": "33.25"}),
    ("post", f"{API}brebes/provision/", {}),
    ("post", f"{API}brebes/suspend/", {"reason": "x"}),
    ("post", f"{API}brebes/resume/", {}),
    ("post", f"{API}brebes/terminate/", {}),
    ("post", f"{API}brebes/export/", {}),
    ("post", f"{API}brebes/jobs/1/setup-link/", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "body"), WRITES)
def test_a_viewer_reads_but_cannot_write(seed, method, url, body):
    viewer = api_client("pemantau")
    assert viewer.get(f"{API}brebes/").status_code == 200
    response = getattr(viewer, method)(url, body, format="json")
    assert response.status_code == 403
    assert _code(response) == "permission_denied"
    assert Region.objects.get(slug="brebes").status == S.ACTIVE
    assert not Region.objects.filter(slug="batang").exists()


@pytest.mark.django_db
def test_only_an_admin_terminates(seed, operator_only):
    response = operator_only.post(f"{API}tegal/terminate/", {}, format="json")
    assert response.status_code == 403
    assert Region.objects.get(slug="tegal").status == S.ACTIVE
    # The same operator may suspend.
    assert operator_only.post(f"{API}tegal/suspend/", {"reason": "uji"}, format="json").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "body"), [("get", API, None), *WRITES])
def test_anonymous_and_region_staff_tokens_are_refused(seed, method, url, body):
    anonymous = APIClient(HTTP_HOST="localhost")
    assert getattr(anonymous, method)(url, body, format="json").status_code in (401, 403)
    with schema_context("brebes"):
        staff_token = Token.objects.create(user=get_user_model().objects.get(username="admin")).key
    connection.set_schema_to_public()
    staff = APIClient(HTTP_HOST="localhost")
    staff.credentials(HTTP_AUTHORIZATION=f"Token {staff_token}")
    assert getattr(staff, method)(url, body, format="json").status_code == 401
    # And a region's host has no region API at all.
    assert APIClient(HTTP_HOST="brebes.localhost").get(API).status_code == 404


# --- export, terminate, drop after the grace period (committed: pg_dump reads what is committed) --------------


@pytest.fixture
def scratch(committed_db, media):
    drop_region("batang")
    region = region_provision(region=region_register(slug="batang", region_code="33.25", actor=ACTOR), actor=ACTOR)
    with schema_context("batang"):
        get_user_model().objects.create_user("penanda-ekspor", password=None)
        with storage_prefix("batang"):
            default_storage.save("eoffice/surat/nota-1.pdf", ContentFile(b"%PDF-1.4 nota"))
            default_storage.save("logo.png", ContentFile(b"\x89PNG logo"))
    with storage_prefix("tegal"):
        default_storage.save("rahasia-tegal.txt", ContentFile(b"milik tegal"))
    connection.set_schema_to_public()
    yield region
    drop_region("batang")


def _archive(export: RegionExport) -> dict[str, bytes]:
    with storage_prefix("public"), default_storage.open(export.file_name, "rb") as fh:
        data = fh.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert len(data) == export.size_bytes
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """The export jobs that would go to the broker; tests run them with the task function itself (a real
    worker runs one in test_a_worker_runs_an_export_job)."""
    from tenants import tasks

    ids: list[int] = []
    monkeypatch.setattr(tasks.export_region, "delay", lambda export_id: ids.append(export_id))
    return ids


def test_export_holds_the_schema_dump_and_the_regions_files_only(scratch, sent):
    api = api_client()
    response = api.post(f"{API}batang/export/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["file_name"], body["terminate_after"]) == ("queued", "", False)
    assert sent == [body["id"]]
    again = api.post(f"{API}batang/export/")
    assert (again.status_code, _code(again)) == (409, "export_in_progress")
    assert export_region(body["id"]) == {"export": body["id"], "status": "succeeded"}
    detail = api.get(f"{API}batang/exports/{body['id']}/").json()
    export = RegionExport.objects.get(pk=body["id"])
    assert (detail["status"], detail["sha256"]) == ("succeeded", export.sha256)
    assert export.file_name.startswith("public/exports/batang-")
    assert export.file_name.endswith(".tar.gz")
    assert export.file_count == 2
    members = _archive(export)
    assert set(members) == {"schema.sql", "manifest.json", "files/eoffice/surat/nota-1.pdf", "files/logo.png"}
    assert members["files/eoffice/surat/nota-1.pdf"] == b"%PDF-1.4 nota"
    dump = members["schema.sql"].decode()
    assert "CREATE TABLE batang.auth_user" in dump
    assert "penanda-ekspor" in dump
    assert "brebes." not in dump
    assert "tegal." not in dump
    manifest = json.loads(members["manifest.json"])
    assert (manifest["region"], manifest["schema"], manifest["exported_by"]) == (
        "batang",
        "batang",
        "operator:operator",
    )
    assert {f["name"] for f in manifest["files"]} == {"eoffice/surat/nota-1.pdf", "logo.png"}
    assert AuditRecord.objects.filter(action="region.export", region="batang").exists()
    # A message delivered twice finds the job done and makes no second archive.
    assert export_region(body["id"])["status"] == "succeeded"
    assert RegionExport.objects.get(pk=body["id"]).file_name == export.file_name
    for bad in ("x", "0", str(body["id"] + 1000)):
        assert api.get(f"{API}batang/exports/{bad}/").status_code == 404


def test_terminate_exports_first_then_the_schema_is_dropped_only_after_the_grace_period(scratch, sent):
    response = api_client().post(f"{API}batang/terminate/", {"reason": "MoU tidak diperpanjang"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["terminate_after"] is True
    assert Region.objects.get(slug="batang").status == S.ACTIVE  # until the archive is stored
    export_region(sent[0])
    region = Region.objects.get(slug="batang")
    assert region.status == S.TERMINATED
    assert region.status_reason == "MoU tidak diperpanjang"
    assert region.terminated_at is not None
    assert "schema.sql" in _archive(region.exports.get())
    assert Client(HTTP_HOST="batang.localhost").get("/masuk/").status_code == 404
    assert schema_exists("batang")  # kept during the grace period

    day_29 = (region.terminated_at + timedelta(days=29)).isoformat()
    assert drop_terminated_regions(now=day_29) == []
    assert schema_exists("batang")
    day_31 = (region.terminated_at + timedelta(days=31)).isoformat()
    assert drop_terminated_regions(now=day_31) == ["batang"]
    region.refresh_from_db()
    assert not schema_exists("batang")
    assert not Domain.objects.filter(tenant=region).exists()
    assert region.schema_dropped_at is not None
    assert region.exports.count() == 1  # the region row and its export stay
    assert AuditRecord.objects.filter(action="region.schema_drop", region="batang").exists()
    assert drop_terminated_regions(now=day_31) == []
    # Nothing to export any more, and a terminated region is never provisioned or resumed again.
    api = api_client()
    assert _code(api.post(f"{API}batang/export/")) == "no_schema"
    assert _code(api.post(f"{API}batang/resume/")) == "invalid_transition"
    assert _code(api.post(f"{API}batang/provision/")) == "region_not_provisionable"


def test_a_failed_export_does_not_terminate(scratch, sent, monkeypatch):
    monkeypatch.setenv("MITRA_PG_DUMP", "/bin/false")
    response = api_client().post(f"{API}batang/terminate/", {}, format="json")
    assert response.status_code == 202
    assert export_region(sent[0])["status"] == "failed"
    assert Region.objects.get(slug="batang").status == S.ACTIVE
    failed = RegionExport.objects.get(region__slug="batang")
    assert (failed.file_name, failed.sha256) == ("", "")
    assert "pg_dump gagal" in failed.error
    assert AuditRecord.objects.filter(action="region.export.failed", region="batang").exists()
    # The console shows why, offers no download, and lets the operator try again.
    console = Client(HTTP_HOST="localhost")
    console.force_login(get_user_model().objects.get(username="operator"))
    page = console.get("/wilayah/batang/").content.decode()
    assert "pg_dump gagal" in page
    assert console.get(f"/wilayah/batang/ekspor/{failed.pk}/unduh/").status_code == 404
    monkeypatch.delenv("MITRA_PG_DUMP")
    retry = api_client().post(f"{API}batang/terminate/", {}, format="json")
    assert retry.status_code == 202
    assert export_region(retry.json()["id"])["status"] == "succeeded"
    assert Region.objects.get(slug="batang").status == S.TERMINATED


def test_a_worker_runs_an_export_job(scratch, media):
    with celery_worker(f"mitra-export-{os.getpid()}", env={"MEDIA_ROOT": str(media)}):
        response = api_client().post(f"{API}batang/export/")
        assert response.status_code == 202
        export = RegionExport.objects.get(pk=response.json()["id"])
        for _ in range(300):
            export.refresh_from_db()
            if not export.in_progress:
                break
            time.sleep(0.1)
    assert export.status == RegionExport.Status.SUCCEEDED, export.error
    assert export.file_count == 2  # the worker saw the region's files too
    assert "schema.sql" in _archive(export)


def test_the_console_queues_an_export_refreshes_until_it_is_done_then_offers_the_download(scratch, sent):
    console = Client(HTTP_HOST="localhost")
    console.force_login(get_user_model().objects.get(username="operator"))
    queued = console.post("/wilayah/batang/ekspor/", follow=True).content.decode()
    assert "masuk antrean" in queued
    assert 'http-equiv="refresh"' in queued
    assert 'action="/wilayah/batang/ekspor/"' not in queued  # no second job while one waits
    export_region(sent[0])
    page = console.get("/wilayah/batang/").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Berhasil" in page
    download = console.get(f"/wilayah/batang/ekspor/{sent[0]}/unduh/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_a_region_with_nothing_to_export_is_terminated_at_once(seed, sent):
    region_register(slug="batang", region_code="33.25", actor=ACTOR)
    response = api_client().post(f"{API}batang/terminate/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == S.TERMINATED
    assert sent == []


def test_a_schema_is_never_dropped_without_a_stored_export(scratch):
    from mitra.errors import ConflictError
    from tenants.services import region_schema_drop, region_transition

    region = region_transition(region=scratch, to=S.TERMINATED, actor=ACTOR)
    later = region.terminated_at + timedelta(days=31)
    with pytest.raises(ConflictError) as exc:
        region_schema_drop(region=region, actor=ACTOR, now=later)
    assert exc.value.code == "no_export"
    assert schema_exists("batang")


def test_cli_exports_and_terminates_only_when_confirmed(scratch):
    out = StringIO()
    call_command("region", "export", "batang", stdout=out)
    export = RegionExport.objects.get(region__slug="batang")
    assert export.sha256 in out.getvalue()
    with pytest.raises(CommandError, match="--yes"):
        call_command("region", "terminate", "batang", stdout=StringIO())
    assert Region.objects.get(slug="batang").status == S.ACTIVE
    out = StringIO()
    call_command("region", "terminate", "batang", "--yes", "--reason", "uji", stdout=out)
    assert "diakhiri" in out.getvalue()
    assert Region.objects.get(slug="batang").status == S.TERMINATED
    assert RegionExport.objects.filter(region__slug="batang").count() == 2


def test_a_direct_drop_during_the_grace_period_is_refused(scratch):
    from mitra.errors import ConflictError
    from tenants.services import region_schema_drop, region_terminate

    region = region_terminate(region=scratch, actor=ACTOR)
    with pytest.raises(ConflictError) as exc:
        region_schema_drop(region=region, actor=ACTOR)
    assert exc.value.code == "grace_period_running"
    assert schema_exists("batang")


# --- CLI ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_registers_and_lists_regions(seed):
    out = StringIO()
    call_command("region", "register", "--slug", "batang", "--code", "33.25", "--timezone", "Asia/Jakarta", stdout=out)
    assert "Kabupaten Batang (33.25)" in out.getvalue()
    listing = StringIO()
    call_command("region", "list", stdout=listing)
    assert "batang" in listing.getvalue()
    assert "pending" in listing.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--slug", "brebes", "--code", "33.25"], "duplicate_subdomain"),
        (["--slug", "api", "--code", "33.25"], "reserved_subdomain"),
        (["--slug", "batang", "--code", "99.99"], "unknown_region_code"),
    ],
)
def test_cli_registration_errors_name_their_code(seed, args, code):
    with pytest.raises(CommandError, match=rf"\[{code}\]"):
        call_command("region", "register", *args, stdout=StringIO())


@pytest.mark.django_db
def test_cli_suspends_with_a_reason_and_resumes(seed):
    call_command("region", "suspend", "tegal", "--reason", "Perbaikan data", stdout=StringIO())
    region = Region.objects.get(slug="tegal")
    assert (region.status, region.status_reason) == (S.SUSPENDED, "Perbaikan data")
    with pytest.raises(CommandError, match=r"\[invalid_transition\]"):
        call_command("region", "suspend", "tegal", "--reason", "lagi", stdout=StringIO())
    call_command("region", "resume", "tegal", stdout=StringIO())
    assert Region.objects.get(slug="tegal").status == S.ACTIVE
    with pytest.raises(CommandError, match=r"\[region_not_found\]"):
        call_command("region", "resume", "tidak-ada", stdout=StringIO())


@pytest.mark.django_db
def test_cli_provision_without_wait_queues_and_prints_the_job(seed, django_capture_on_commit_callbacks):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    with pytest.raises(CommandError, match=r"\[no_signed_agreement\]"):
        call_command("region", "provision", "batang", stdout=StringIO())
    make_ready(region)
    out = StringIO()
    # The task would be sent after commit; this test's transaction never commits, so no worker is involved.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command("region", "provision", "batang", stdout=out)
    job = ProvisioningJob.objects.get(region=region)
    assert f"#{job.pk}" in out.getvalue()
    assert len(callbacks) == 1
