"""In a real browser: a staff member logs the day's activities on a phone (one from the catalogue, linked to
an RHK of their approved SKP, one in free text), their superior (a Plt. of the vacant section head) validates
both from the queue and completes the monthly appraisal, and the predikat the matrix gives appears.

The server is a separate process, so the data is committed (committed_db) and removed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from shared_apps.licensing.models import Licence
from shared_apps.onboarding.models import Agreement
from tenant_apps.ekinerja.admin_services import catalogue_upsert
from tenant_apps.ekinerja.models import (
    ActivityEntry,
    Appraisal,
    AppraisalPeriod,
    CatalogueActivity,
    EkinerjaSettings,
    Skp,
)
from tenant_apps.org.models import ActingAssignment, Employee, Position, Unit
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import org_today
from tenant_apps.org.services import account_upsert
from tests.fixtures.control import licensed
from tests.fixtures.ekinerja import approved
from tests.fixtures.org import build_org

pytestmark = [pytest.mark.browser]

USERNAMES = ["ekj-analis", "ekj-plt"]


@dataclass
class Journey:
    skp_id: int
    rhk_text: str


@pytest.fixture
def journey(committed_db, seed) -> Iterator[Journey]:
    licensed("brebes", ["eoffice", "ekinerja"])
    try:
        with schema_context("brebes"):
            org = build_org("EKJ")
            analyst = account_upsert(
                username="ekj-analis", password=seed.password, full_name="Budi Santoso", roles=[Role.STAFF], actor="t"
            )
            plt = account_upsert(
                username="ekj-plt", password=seed.password, full_name="Eko Prasetyo", roles=[Role.STAFF], actor="t"
            )
            Employee.objects.filter(pk=org.analysts[0].pk).update(account=analyst)
            Employee.objects.filter(pk=org.spare.pk).update(account=plt)
            ActingAssignment.objects.create(
                employee=org.spare, position=org.section_head, kind="plt",
                start=org_today() - timedelta(days=10), created_by="t",
            )  # fmt: skip
            catalogue_upsert(user=plt, code="ekj-konten", name="Menyusun konten media sosial", standard_minutes=45)
            skp = approved(analyst, plt, org_today().year)
            rhk_text = skp.rhks.get().text
        connection.set_schema_to_public()
        yield Journey(skp.pk, rhk_text)
    finally:
        with schema_context("brebes"):
            Appraisal.objects.filter(skp__position__code__startswith="EKJ-").delete()
            ActivityEntry.objects.filter(employee__position__code__startswith="EKJ-").delete()
            Skp.objects.filter(position__code__startswith="EKJ-").delete()
            AppraisalPeriod.objects.filter(appraisals__isnull=True).delete()
            CatalogueActivity.objects.filter(code="ekj-konten").delete()
            EkinerjaSettings.objects.all().delete()
            ActingAssignment.objects.filter(position__code__startswith="EKJ-").delete()
            Employee.objects.filter(position__code__startswith="EKJ-").delete()
            Employee.objects.filter(account__username__in=USERNAMES).delete()  # the Plt. has no position
            positions = Position.objects.filter(code__startswith="EKJ-")
            positions.update(superior=None)
            positions.delete()
            for kind in (Unit.Kind.SECTION, Unit.Kind.DIVISION, Unit.Kind.OPD):
                Unit.objects.filter(code__startswith="EKJ", kind=kind).delete()
            get_user_model().objects.filter(username__in=USERNAMES).delete()
        connection.set_schema_to_public()
        Licence.objects.filter(region__slug="brebes").delete()
        Agreement.objects.filter(region__slug="brebes").delete()


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_staff_logs_activities_and_the_superior_validates_and_appraises(live_platform, browser, seed, journey):
    base = live_platform.url("brebes.localhost", "").rstrip("/")
    phone = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740})
    staff = phone.new_page()
    staff.set_default_timeout(15000)
    try:
        sign_in(staff, base, "ekj-analis", seed.password)
        staff.goto(f"{base}/ekinerja/aktivitas/")
        staff.select_option("#id_catalogue", label="Menyusun konten media sosial (45 menit)")
        staff.select_option("#id_rhk", label=journey.rhk_text)
        staff.get_by_role("button", name="Catat aktivitas").click()
        staff.wait_for_load_state()
        assert "Aktivitas dicatat" in staff.locator(".messages").inner_text()
        staff.fill("#id_description", "Rapat koordinasi persiapan SPBE")
        staff.fill("#id_minutes", "90")
        staff.fill("#id_link", "https://brebeskab.go.id/berita/spbe")
        staff.get_by_role("button", name="Catat aktivitas").click()
        staff.wait_for_load_state()
        table = staff.locator("#entries").inner_text()
        assert "Menyusun konten media sosial" in table
        assert "Rapat koordinasi persiapan SPBE" in table
        assert table.count("Menunggu validasi") == 2
        overflow = staff.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        phone.close()

    desk = browser.new_context(locale="id-ID")
    superior = desk.new_page()
    superior.set_default_timeout(15000)
    try:
        sign_in(superior, base, "ekj-plt", seed.password)
        superior.goto(f"{base}/ekinerja/")
        assert "2 aktivitas bawahan menunggu validasi" in superior.locator("main").inner_text()
        superior.goto(f"{base}/ekinerja/validasi/")
        assert superior.locator("input[name=entries]").count() == 2
        superior.get_by_role("button", name="Validasi yang dipilih").click()
        superior.wait_for_load_state()
        assert "2 aktivitas divalidasi" in superior.locator(".messages").inner_text()
        assert superior.locator("#queue-empty").is_visible()

        superior.goto(f"{base}/ekinerja/skp/{journey.skp_id}/")
        superior.get_by_role("button", name="Nilai kinerja").click()
        superior.wait_for_url("**/penilaian/**")
        assert "2 divalidasi (135 menit)" in superior.locator("main").inner_text()
        superior.locator("input[id^=realisasi-]").first.fill("13 konten")
        superior.select_option("#id_results_rating", "diatas")
        superior.select_option("#id_behaviour_rating", "sesuai")
        superior.fill("#id_feedback", "Konten rutin dan tepat waktu.")
        superior.get_by_role("button", name="Selesaikan penilaian").click()
        superior.wait_for_load_state()
        assert "Penilaian selesai dengan predikat Baik" in superior.locator(".messages").inner_text()
        assert "Baik" in superior.locator("#appraisal-result").inner_text()
    finally:
        desk.close()
    with schema_context("brebes"):
        appraisal = Appraisal.objects.get(skp_id=journey.skp_id)
        assert (appraisal.status, appraisal.predikat, appraisal.period.kind) == ("selesai", "baik", "bulanan")
        assert set(
            ActivityEntry.objects.filter(employee__account__username="ekj-analis").values_list("status", flat=True)
        ) == {"divalidasi"}
