"""In a real browser: the Brebes admin imports the organisation from CSV (preview, then confirm), hands an
imported staff member an activation link, and that staff member logs in and sees only licensed modules.

The server is a separate process, so the data is committed (committed_db) and removed afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from shared_apps.licensing.models import Licence
from shared_apps.onboarding.models import Agreement
from tenant_apps.org.models import Employee, ImportBatch, Position, Unit
from tests.fixtures.control import licensed

pytestmark = [pytest.mark.browser]

UNITS = """kode;nama;jenis;kode_induk
BRW-KOMINFO;Dinas Komunikasi dan Informatika;opd;
BRW-KOMINFO.APT;Bidang Aplikasi dan Informatika;bidang;BRW-KOMINFO
"""
POSITIONS = """kode,nama,kode_unit,jenis,kode_atasan
BRW-KADIS,Kepala Dinas Komunikasi dan Informatika,BRW-KOMINFO,struktural,
BRW-KABID,Kepala Bidang Aplikasi dan Informatika,BRW-KOMINFO.APT,struktural,BRW-KADIS
BRW-PRAKOM,Pranata Komputer,BRW-KOMINFO.APT,fungsional,BRW-KABID
"""
# Saved by Excel on Indonesian Windows: Windows-1252, semicolons.
EMPLOYEES = """nip;nama;golongan;kode_jabatan;email;aktif;peran
197805152003121002;Drs. Ahmad Fauzi, M.Si.;IV/b;BRW-KADIS;;ya;pimpinan
198203082006042001;Siti Rahmawati;III/d;BRW-KABID;;ya;
199103042019032005;Désirée Anggraini;III/a;BRW-PRAKOM;desiree@brebeskab.go.id;ya;
""".encode("cp1252")
STAFF_NIP = "199103042019032005"
NIPS = ["197805152003121002", "198203082006042001", STAFF_NIP]
NEW_PASSWORD = "Kopi-Tubruk-Brebes-2026"


@pytest.fixture
def brebes_licensed_for_eoffice(committed_db) -> Iterator[None]:
    licensed("brebes", ["eoffice"], seats=50, scope=["eoffice", "ekinerja"])
    try:
        yield
    finally:
        with schema_context("brebes"):
            Employee.objects.filter(nip__in=NIPS).delete()
            positions = Position.objects.filter(code__startswith="BRW-")
            positions.update(superior=None)  # superiors are protected; unlink before deleting
            positions.delete()
            for kind in (Unit.Kind.SECTION, Unit.Kind.DIVISION, Unit.Kind.OPD):
                Unit.objects.filter(code__startswith="BRW-", kind=kind).delete()
            ImportBatch.objects.all().delete()
            get_user_model().objects.filter(username__in=NIPS).delete()
        connection.set_schema_to_public()
        Licence.objects.filter(region__slug="brebes").delete()
        Agreement.objects.filter(region__slug="brebes").delete()


def import_csv(page, base: str, kind: str, name: str, content: bytes, expect: str) -> None:
    page.goto(f"{base}/organisasi/impor/")
    page.check(f"input[name=kind][value={kind}]")
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Unggah dan lihat pratinjau").click()
    page.wait_for_url("**/organisasi/impor/*/")
    assert expect in page.locator("#import-summary").inner_text()
    page.get_by_role("button", name="Konfirmasi dan simpan").click()
    page.wait_for_load_state()
    assert "Impor" in page.locator(".messages").inner_text()
    assert "selesai" in page.locator(".messages").inner_text()


def test_admin_imports_the_organisation_and_a_staff_member_sees_only_licensed_modules(
    live_platform, browser, page, seed, brebes_licensed_for_eoffice
):
    base = live_platform.url("brebes.localhost", "").rstrip("/")
    page.goto(f"{base}/masuk/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", seed.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    import_csv(page, base, "unit", "unit.csv", UNITS.encode("utf-8-sig"), "2 akan dibuat")
    import_csv(page, base, "jabatan", "jabatan.csv", POSITIONS.encode("utf-8"), "3 akan dibuat")
    import_csv(page, base, "pegawai", "pegawai.csv", EMPLOYEES, "3 akan dibuat")

    page.goto(f"{base}/organisasi/")
    tree = page.locator(".org-tree").inner_text()
    assert "Dinas Komunikasi dan Informatika" in tree
    assert "Drs. Ahmad Fauzi, M.Si." in tree

    # The admin hands the new staff member a one-time link (shown once, on the page).
    page.goto(f"{base}/organisasi/pegawai/?q=anggraini")
    page.get_by_role("link", name="Désirée Anggraini").click()
    page.get_by_role("button", name="Buat tautan aktivasi").click()
    link = page.locator("#activation-link").input_value()
    assert link.startswith(f"{base}/aktivasi/")

    staff_context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740})
    staff = staff_context.new_page()
    staff.set_default_timeout(15000)
    try:
        staff.goto(link)
        staff.fill("#id_new_password1", NEW_PASSWORD)
        staff.fill("#id_new_password2", NEW_PASSWORD)
        staff.click("button[type=submit]")
        staff.wait_for_url(f"{base}/")
        # Log out and in again with the NIP: the account is the staff member's own from now on.
        staff.get_by_role("button", name="Keluar").click()
        staff.wait_for_url("**/masuk/**")
        staff.fill("#id_username", STAFF_NIP)
        staff.fill("#id_password", NEW_PASSWORD)
        staff.click("button[type=submit]")
        staff.wait_for_url(f"{base}/")
        menu = [text.strip() for text in staff.locator("nav.mainnav a").all_inner_texts()]
        assert "e-Office" in menu
        assert not [entry for entry in menu if "Kinerja" in entry]
        assert staff.goto(f"{base}/ekinerja/").status == 403
        assert staff.goto(f"{base}/eoffice/").status == 200
        assert staff.goto(f"{base}/organisasi/impor/").status == 403
        overflow = staff.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        staff_context.close()
