"""The operators' console: dashboard (funnel, expiring licences), region pages, provisioning progress, the
one-time setup link, operations, and the roles (viewers read only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shared_apps.console.roles import OperatorRole, operator_role_set
from shared_apps.console.selectors import onboarding_funnel, region_overview
from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import licence_current, platform_today, region_today
from shared_apps.onboarding.selectors import agreement_signed_scope
from tenants.models import ProvisioningJob, Region
from tenants.services import region_register
from tests.fixtures.control import PROVISIONING_ACTOR as ACTOR
from tests.fixtures.control import make_ready

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
S = Region.Status


def console(seed, username: str = "operator") -> Client:
    client = Client(HTTP_HOST="localhost")
    response = client.post("/masuk/", {"username": username, "password": seed.password})
    assert response.status_code == 302, "login failed"
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- dashboard -------------------------------------------------------------------------------------------------


def test_the_dashboard_needs_an_operator_login(seed):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")
    # A region's staff account does not exist on the control plane.
    login = Client(HTTP_HOST="localhost").post("/masuk/", {"username": "staf", "password": seed.password})
    assert login.status_code == 200


def test_the_dashboard_shows_the_onboarding_funnel(seed):
    brebes = Region.objects.get(slug="brebes")
    make_ready(brebes)  # brebes: signed, licensed, provisioned, active; tegal: only provisioned and active
    region_register(slug="batang", region_code="33.25", actor=ACTOR)  # registered only
    pekalongan = region_register(slug="pekalongan", region_code="33.26", actor=ACTOR)
    make_ready(pekalongan, licence=False)  # MoU signed, nothing more
    response = console(seed, "pemantau").get("/")
    assert response.status_code == 200
    funnel = {stage.code: stage.count for stage in response.context["funnel"]}
    assert funnel == {"registered": 4, "signed": 2, "licensed": 1, "provisioned": 2, "active": 2}
    html = response.content.decode()
    assert "Alur adopsi wilayah" in html
    assert "Kabupaten Batang" in html


def test_the_funnel_agrees_with_the_per_region_selectors(seed):
    """The overview reads agreements and licences in bulk; it must say what the per-region selectors say."""
    make_ready(Region.objects.get(slug="brebes"))
    pekalongan = region_register(slug="pekalongan", region_code="33.26", actor=ACTOR)
    make_ready(pekalongan, licence=False)
    tegal = Region.objects.get(slug="tegal")
    make_ready(tegal)
    Licence.objects.filter(region=tegal).update(valid_from=region_today(tegal) + timedelta(days=5))
    for row in region_overview():
        assert row.signed == (agreement_signed_scope(region=row.region) is not None), row.region.slug
        assert row.licensed == (licence_current(region=row.region) is not None), row.region.slug


def test_the_dashboard_reads_a_bounded_number_of_queries(seed):
    client = console(seed)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for index, (slug, code) in enumerate([("batang", "33.25"), ("pekalongan", "33.26"), ("pemalang", "33.27")]):
        region = region_register(slug=slug, region_code=code, actor=ACTOR)
        if index:
            make_ready(region)
    with CaptureQueriesContext(connection) as more:
        client.get("/")
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]


def test_the_dashboard_warns_of_licences_expiring_within_30_days(seed):
    make_ready(Region.objects.get(slug="brebes"))
    make_ready(Region.objects.get(slug="tegal"))
    soon = platform_today() + timedelta(days=12)
    Licence.objects.filter(region__slug="brebes").update(valid_until=soon)
    html = console(seed).get("/").content.decode()
    assert "lisensi berakhir dalam 12 hari" in html
    assert html.count("lisensi berakhir dalam") == 1  # Tegal's ends in a year


# --- registration ----------------------------------------------------------------------------------------------


def test_an_operator_registers_a_region_in_the_console(seed):
    client = console(seed)
    assert client.get("/wilayah/baru/").status_code == 200
    response = client.post("/wilayah/baru/", {"slug": "batang", "region_code": "33.25", "timezone": ""})
    assert response.status_code == 302
    assert response["Location"] == "/wilayah/batang/"
    page = client.get("/wilayah/batang/")
    assert "Kabupaten Batang" in page.content.decode()
    assert "Kabupaten Batang terdaftar." in _messages(page)


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"slug": "brebes", "region_code": "33.25"}, "slug", "duplicate_subdomain"),
        ({"slug": "www", "region_code": "33.25"}, "slug", "reserved_subdomain"),
        ({"slug": "Ba tang", "region_code": "33.25"}, "slug", "invalid_subdomain"),
        ({"slug": "batang", "region_code": "33.29"}, "region_code", "duplicate_region"),
        ({"slug": "batang", "region_code": "00.00"}, "region_code", "unknown_region_code"),
        ({"slug": "batang", "region_code": "33.25", "official_name": "Kota Batang"}, "official_name", "name_mismatch"),
        ({"slug": "", "region_code": "33.25"}, "slug", "required"),
    ],
)
def test_registration_errors_show_on_their_field_in_indonesian(seed, data, field, code):
    response = console(seed).post("/wilayah/baru/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors[field]] == [code]
    assert f'data-field="{field}"' in response.content.decode()
    assert not Region.objects.filter(slug="batang").exists()


def test_a_viewer_cannot_register_or_act(seed):
    viewer = console(seed, "pemantau")
    assert viewer.get("/wilayah/baru/").status_code == 403
    assert viewer.post("/wilayah/baru/", {"slug": "batang", "region_code": "33.25"}).status_code == 403
    for action, data in [
        ("siapkan", {}),
        ("tangguhkan", {"reason": "x"}),
        ("aktifkan-kembali", {}),
        ("akhiri", {"confirm": "brebes"}),
        ("ekspor", {}),
        ("penyiapan/1/tautan", {}),
    ]:
        assert viewer.post(f"/wilayah/brebes/{action}/", data).status_code == 403, action
    assert Region.objects.get(slug="brebes").status == S.ACTIVE
    page = viewer.get("/wilayah/brebes/").content.decode()
    assert "Tangguhkan" not in page
    assert 'action="/wilayah/brebes/akhiri/"' not in page


# --- region detail ----------------------------------------------------------------------------------------------


def test_the_region_page_shows_agreements_licence_job_and_timeline(seed):
    brebes = Region.objects.get(slug="brebes")
    make_ready(brebes)
    response = console(seed, "pemantau").get("/wilayah/brebes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kabupaten Brebes" in html
    assert "MOU/brebes/" in html
    assert "Lisensi berlaku" in html
    assert "Pekerjaan #" in html  # the job that provisioned it in the session fixture
    assert "Wilayah didaftarkan" in html  # the timeline, from the audit chain, in words
    assert "Kerja sama ditandatangani" in html
    assert '<meta http-equiv="refresh"' not in html  # nothing is running


def test_unknown_region_pages_are_404(seed):
    client = console(seed)
    assert client.get("/wilayah/tidak-ada/").status_code == 404
    assert client.get("/wilayah/brebes/penyiapan/999999/status/").status_code == 404
    assert client.post("/wilayah/tidak-ada/tangguhkan/", {"reason": "x"}).status_code == 404


def test_a_running_job_refreshes_itself_and_its_status_never_carries_the_link(seed):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    job = ProvisioningJob.objects.create(
        region=region,
        requested_by=ACTOR,
        status="running",
        step="migrate",
        steps_done=1,
        steps_total=6,
        progress=16,
        setup_link="http://batang.localhost:8000/aktivasi/rahasia/",
        setup_link_expires_at=timezone.now() + timedelta(hours=72),
    )
    client = console(seed, "pemantau")
    html = client.get("/wilayah/batang/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert f'data-status-url="/wilayah/batang/penyiapan/{job.pk}/status/"' in html
    assert "setTimeout(tick, 2000)" in html
    assert "rahasia" not in html
    operator_page = console(seed).get("/wilayah/batang/").content.decode()
    assert 'action="/wilayah/batang/siapkan/"' not in operator_page  # no second job while one runs
    status = client.get(f"/wilayah/batang/penyiapan/{job.pk}/status/").json()
    assert (status["progress"], status["step"], status["step_label"], status["finished"]) == (
        16,
        "migrate",
        "Menerapkan struktur tabel",
        False,
    )
    assert "rahasia" not in str(status)


def test_the_setup_link_is_shown_once_after_a_post_and_never_to_a_viewer(seed):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    job = ProvisioningJob.objects.create(
        region=region,
        requested_by=ACTOR,
        status="succeeded",
        steps_done=6,
        steps_total=6,
        progress=100,
        setup_link="http://batang.localhost:8000/aktivasi/rahasia-sekali/",
        setup_link_expires_at=timezone.now() + timedelta(hours=72),
    )
    viewer = console(seed, "pemantau")
    assert "Tampilkan tautan aktivasi" not in viewer.get("/wilayah/batang/").content.decode()
    assert viewer.post(f"/wilayah/batang/penyiapan/{job.pk}/tautan/").status_code == 403

    operator = console(seed)
    page = operator.get("/wilayah/batang/").content.decode()
    assert "Tampilkan tautan aktivasi" in page
    assert "rahasia-sekali" not in page
    shown = operator.post(f"/wilayah/batang/penyiapan/{job.pk}/tautan/")
    assert shown.status_code == 200
    assert "rahasia-sekali" in shown.content.decode()
    assert "hanya ditampilkan sekali" in shown.content.decode()
    assert shown["Cache-Control"].startswith("max-age=0")
    again = operator.post(f"/wilayah/batang/penyiapan/{job.pk}/tautan/", follow=True)
    assert "rahasia-sekali" not in again.content.decode()
    assert "sudah pernah ditampilkan" in again.content.decode()
    later = operator.get("/wilayah/batang/").content.decode()
    assert "sudah ditampilkan kepada operator:operator" in later


def test_provisioning_from_the_console_checks_the_preconditions(seed, django_capture_on_commit_callbacks):
    region = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    client = console(seed)
    refused = client.post("/wilayah/batang/siapkan/", follow=True)
    assert "Wilayah belum memiliki MoU yang ditandatangani dan masih berlaku." in _messages(refused)
    make_ready(region)
    with django_capture_on_commit_callbacks(execute=False):
        queued = client.post("/wilayah/batang/siapkan/", follow=True)
    assert "Penyiapan Kabupaten Batang masuk antrean." in _messages(queued)
    assert ProvisioningJob.objects.filter(region=region, status="queued").count() == 1


# --- operations -------------------------------------------------------------------------------------------------


def test_suspend_needs_a_reason_and_resume_brings_the_region_back(seed):
    client = console(seed)
    empty = client.post("/wilayah/tegal/tangguhkan/", {"reason": "  "}, follow=True)
    assert "Alasan penangguhan wajib diisi." in _messages(empty)
    assert Region.objects.get(slug="tegal").status == S.ACTIVE
    done = client.post("/wilayah/tegal/tangguhkan/", {"reason": "Audit keamanan"}, follow=True)
    assert "Kabupaten Tegal ditangguhkan." in _messages(done)
    assert Client(HTTP_HOST="tegal.localhost").get("/masuk/").status_code == 403
    wrong = client.post("/wilayah/tegal/tangguhkan/", {"reason": "lagi"}, follow=True)
    assert any("tidak dapat diubah" in m for m in _messages(wrong))
    client.post("/wilayah/tegal/aktifkan-kembali/")
    assert Region.objects.get(slug="tegal").status == S.ACTIVE


def test_termination_is_for_admins_and_needs_the_subdomain_typed(seed):
    user = get_user_model().objects.create_user("budi", password=seed.password)
    operator_role_set(user, OperatorRole.OPERATOR)
    assert console(seed, "budi").post("/wilayah/batang/akhiri/", {"confirm": "batang"}).status_code == 403
    region_register(slug="batang", region_code="33.25", actor=ACTOR)  # pending: no schema, nothing to export
    admin = console(seed)
    mismatch = admin.post("/wilayah/batang/akhiri/", {"confirm": "brebes"}, follow=True)
    assert "Subdomain tidak cocok." in _messages(mismatch)
    assert Region.objects.get(slug="batang").status == S.PENDING
    done = admin.post("/wilayah/batang/akhiri/", {"confirm": "batang", "reason": "Batal bergabung"}, follow=True)
    assert any("diakhiri" in m for m in _messages(done))
    assert Region.objects.get(slug="batang").status == S.TERMINATED


def test_get_on_an_action_is_not_allowed(seed):
    client = console(seed)
    assert client.get("/wilayah/brebes/tangguhkan/").status_code == 405
    assert Region.objects.get(slug="brebes").status == S.ACTIVE


def test_funnel_counts_each_stage_for_live_regions_only(seed):
    batang = region_register(slug="batang", region_code="33.25", actor=ACTOR)
    Region.objects.filter(pk=batang.pk).update(status=S.TERMINATED)
    funnel = {stage.code: stage.count for stage in onboarding_funnel(region_overview())}
    assert funnel["registered"] == 2
