"""An operator onboards Kota Tegal from registration to a provisioned region, in a real browser.

Everything is real: gunicorn serves the pages, a Celery worker runs the provisioning job, Chromium clicks
through the console like the operator at Pemkot Tangerang would, and the region admin sets a first password
through the one-time link on the new region's own host.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.processes import ARTIFACTS

pytestmark = [pytest.mark.browser]

SLUG = "kota-tegal"
PHONE = {"width": 360, "height": 740}
ADMIN_PASSWORD = "Tegal-Bahari-2026!"


def small_pdf(path: Path) -> Path:
    """A one-page PDF with a correct cross-reference table: what a scanner would save, only smaller."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _wait_for_jobs_to_end(slug: str, timeout: float = 60.0) -> None:
    """A test that failed mid-provisioning must not drop the schema under a worker still building it."""
    from tenants.models import ProvisioningJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = ProvisioningJob.objects.filter(region__slug=slug, status__in=["queued", "running"])
        if not running.exists():
            return
        time.sleep(0.5)


@pytest.fixture
def kota_tegal(committed_db) -> Iterator[str]:
    """Kota Tegal does not exist before the test and is gone after it (schema, domain, MoU, licence, jobs),
    also when the test fails halfway."""
    from tests.fixtures.processes import drop_region

    drop_region(SLUG)
    yield SLUG
    _wait_for_jobs_to_end(SLUG)
    drop_region(SLUG)


def funnel(page) -> dict[str, int]:
    counts = {}
    for item in page.locator("ol.funnel li").all():
        code = (item.get_attribute("class") or "").removeprefix("funnel-")
        counts[code] = int(item.locator("strong").inner_text())
    return counts


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


class Clock:
    """Seconds per step, printed at the end (run with -s to see them)."""

    def __init__(self) -> None:
        self.start = self.last = time.monotonic()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps.append((name, now - self.last))
        self.last = now

    def report(self) -> str:
        steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.laps)
        return f"onboarding journey: {steps}; total {time.monotonic() - self.start:.1f}s"


def test_operator_onboards_kota_tegal_from_registration_to_a_working_region(
    live_platform, task_worker, browser, page, seed, kota_tegal, tmp_path
):
    clock = Clock()
    console = live_platform.url("localhost", "").rstrip("/")
    region_host = live_platform.url(f"{SLUG}.localhost", "/")

    # --- log in to the console; the dashboard's funnel before --------------------------------------------
    page.goto(console + "/")
    page.get_by_label("Nama pengguna").fill("operator")
    page.get_by_label("Kata sandi").fill(seed.password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(console + "/")
    before = funnel(page)
    assert set(before) == {"registered", "signed", "licensed", "provisioned", "active"}
    clock.lap("login")

    # --- 1. register Kota Tegal; a bad subdomain first ----------------------------------------------------
    page.get_by_role("link", name="Daftarkan wilayah").first.click()
    page.wait_for_url(console + "/wilayah/baru/")
    page.get_by_label("Subdomain").fill("Admin")
    page.get_by_label("Kode wilayah Kemendagri").fill("33.76")
    page.get_by_role("button", name="Daftarkan").click()
    slug_error = page.locator("p.error[data-field=slug]")
    assert slug_error.inner_text() == "Subdomain 'admin' dicadangkan oleh platform."
    # What the operator typed stays in the form, so only the subdomain needs fixing.
    assert page.get_by_label("Kode wilayah Kemendagri").input_value() == "33.76"
    page.get_by_label("Subdomain").fill(SLUG)
    page.get_by_role("button", name="Daftarkan").click()
    page.wait_for_url(console + f"/wilayah/{SLUG}/")
    assert page.locator(".messages").inner_text() == "Kota Tegal terdaftar."
    assert page.locator("h1").inner_text() == "Kota Tegal Menunggu"
    clock.lap("register")

    # --- 2. record the MoU with its scan, then sign it ----------------------------------------------------
    page.get_by_role("link", name="Catat kerja sama").click()
    page.wait_for_url(console + f"/kerja-sama/baru/?region={SLUG}")
    region_select = page.get_by_label("Wilayah")
    assert region_select.input_value() == SLUG  # came from Kota Tegal's page: already chosen
    page.get_by_label("Jenis").select_option(label="MoU (nota kesepahaman)")
    page.get_by_label("Nomor").fill("180/12/MOU/2026")
    page.get_by_label("Judul").fill("Pemanfaatan aplikasi e-government Pemerintah Kota Tangerang")
    page.get_by_label("Para pihak").fill("Pemkot Tangerang : pihak pertama\nPemkot Tegal : pihak kedua")
    page.get_by_label("Penanda tangan").fill(
        "Sachrudin : Wali Kota Tangerang : Pemkot Tangerang\nDedy Yon Supriyono : Wali Kota Tegal : Pemkot Tegal"
    )
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()  # Kota Tegal's calendar day (WIB)
    page.get_by_label("Berlaku mulai").fill(today.isoformat())
    page.get_by_label("Berlaku sampai").fill((today + timedelta(days=730)).isoformat())
    page.get_by_role("checkbox", name=re.compile(r"e-Office —")).check()
    page.get_by_role("checkbox", name=re.compile(r"e-Kinerja —")).check()
    scan = small_pdf(tmp_path / "mou-kota-tegal.pdf")
    page.get_by_label("Pindaian PDF (maks. 10 MB)").set_input_files(str(scan))
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url(re.compile(r".*/kerja-sama/\d+/$"))
    assert page.locator(".messages").inner_text() == "Kerja sama 180/12/MOU/2026 dicatat sebagai draf."
    agreement_url = page.url
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    assert Path(download.value.path()).read_bytes() == scan.read_bytes()
    # Stored under the region's own prefix, like every file of a region.
    stored = list(Path(live_platform.env["MEDIA_ROOT"]).glob("**/*.pdf"))
    assert [path.relative_to(live_platform.env["MEDIA_ROOT"]).parts[0] for path in stored] == ["kota_tegal"]

    page.get_by_role("button", name="Catat penandatanganan").click()
    page.wait_for_url(re.compile(re.escape(agreement_url + "tandatangani/")))
    assert page.get_by_text("Catat bahwa kerja sama ini sudah ditandatangani?").is_visible()
    page.get_by_role("button", name="Ya, catat penandatanganan").click()
    page.wait_for_url(agreement_url)
    assert page.locator(".messages").inner_text() == "Penandatanganan dicatat."
    assert page.locator("h1 .status").inner_text() == "Ditandatangani"
    clock.lap("mou")

    # --- 3. a licence for e-Office only, from the region's page -------------------------------------------
    page.get_by_role("link", name="Kota Tegal").click()
    page.wait_for_url(console + f"/wilayah/{SLUG}/")
    assert "Modul dalam lingkup MoU yang berlaku: ekinerja, eoffice" in page.locator("main").inner_text()
    page.get_by_role("link", name="Terbitkan lisensi").click()
    page.wait_for_url(console + f"/lisensi/terbitkan/?region={SLUG}")
    assert page.get_by_label("Wilayah").input_value() == SLUG
    # Still the console, not dressed as Kota Tegal's workspace.
    assert page.locator(".brand-name").inner_text() == "Mitra"
    assert page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Lisensi").is_visible()
    page.get_by_label("e-Office").check()
    page.get_by_label("e-Kinerja").uncheck()
    page.get_by_label("Batas akun").fill("250")
    page.get_by_role("button", name="Terbitkan").click()
    page.wait_for_url(re.compile(r".*/lisensi/\d+/$"))
    assert page.locator(".messages").inner_text() == "Lisensi untuk Kota Tegal diterbitkan."
    licence_url = page.url
    clock.lap("licence")

    # --- 4. provision and watch it happen -----------------------------------------------------------------
    page.get_by_role("link", name="Kota Tegal").click()
    page.wait_for_url(console + f"/wilayah/{SLUG}/")
    polls: list[str] = []
    page.on("response", lambda r: polls.append(r.url) if "/penyiapan/" in r.url and "/status/" in r.url else None)
    page.get_by_role("button", name="Siapkan wilayah").click()
    page.wait_for_url(console + f"/wilayah/{SLUG}/")
    assert page.locator(".messages").inner_text() == "Penyiapan Kota Tegal masuk antrean."
    job = page.locator("#job")
    assert job.get_attribute("data-finished") == "false"
    # No reload from here on: the page follows the job by itself and reloads once when it ends.
    reveal = page.get_by_role("button", name="Tampilkan tautan aktivasi")
    reveal.wait_for(timeout=90_000)
    assert polls, "the page never asked for the job's progress"
    assert page.locator("#job [data-progress]").inner_text() == "100%"
    assert page.locator("#job [data-status]").inner_text() == "Berhasil"
    assert page.locator("h1 .status").inner_text() == "Aktif"
    clock.lap("provision")

    reveal.click()
    link = page.locator("#setup-link").input_value()
    assert re.fullmatch(rf"{re.escape(region_host)}aktivasi/[A-Za-z0-9_-]{{43}}/", link), link
    # Link copied, the operator signs out right from this page (its forms must still pass CSRF).
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(console + "/masuk/")

    # The region admin opens the link (their own browser: no console session there).
    admin = browser.new_context(locale="id-ID")
    admin_page = admin.new_page()
    admin_page.set_default_timeout(15000)
    try:
        admin_page.goto(link)
        assert admin_page.locator("h1").inner_text() == "Aktivasi akun"
        # A slip of the finger first: the second entry differs.
        admin_page.get_by_label("Kata sandi baru", exact=True).fill(ADMIN_PASSWORD)
        admin_page.get_by_label("Ulangi kata sandi baru").fill(ADMIN_PASSWORD + "x")
        admin_page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
        assert admin_page.locator("p.error").inner_text() == "Kedua kata sandi tidak sama. Ketik ulang dengan teliti."
        admin_page.get_by_label("Kata sandi baru", exact=True).fill(ADMIN_PASSWORD)
        admin_page.get_by_label("Ulangi kata sandi baru").fill(ADMIN_PASSWORD)
        admin_page.get_by_role("button", name="Simpan kata sandi dan masuk").click()
        admin_page.wait_for_url(region_host)
        assert admin_page.locator(".messages").inner_text() == "Kata sandi tersimpan. Selamat datang, admin."
        assert admin_page.locator(".brand-name").inner_text() == "Kota Tegal"
        menu = admin_page.get_by_role("navigation", name="Menu utama")
        assert menu.get_by_role("link", name="e-Office").is_visible()
        assert menu.get_by_role("link", name="e-Kinerja").count() == 0
        admin_page.goto(link)  # the link is spent
        assert admin_page.get_by_role("alert").inner_text() == "Tautan aktivasi ini sudah dipakai."
    except Exception:
        admin_page.screenshot(path=str(ARTIFACTS / "onboarding-region-admin-failed.png"), full_page=True)
        raise
    finally:
        admin.close()
    clock.lap("activate")

    # --- 5. back in the console: the link is gone, the dashboard counts Kota Tegal as provisioned ----------
    page.goto(console + f"/wilayah/{SLUG}/")
    page.get_by_label("Nama pengguna").fill("operator")
    page.get_by_label("Kata sandi").fill(seed.password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(console + f"/wilayah/{SLUG}/")
    assert page.locator("#setup-link").count() == 0  # shown once only
    assert "Tautan aktivasi sudah ditampilkan kepada operator:operator" in page.locator("#job").inner_text()
    assert page.get_by_role("button", name="Tampilkan tautan aktivasi").count() == 0

    page.get_by_role("link", name="Dasbor").click()
    page.wait_for_url(console + "/")
    after = funnel(page)
    assert after == {stage: count + 1 for stage, count in before.items()}
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Kota Tegal"))
    cells = [text.strip() for text in row.get_by_role("cell").all_inner_texts()]
    assert cells[:5] == ["Kota Tegal", "33.76", "Aktif", "ditandatangani", "berlaku"]
    assert cells[5] == region_host.rstrip("/")

    page.goto(console + f"/wilayah/{SLUG}/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "onboarding-kota-tegal.png"), full_page=True)
    clock.lap("dashboard")

    # --- the console on a phone ---------------------------------------------------------------------------
    phone = browser.new_context(viewport=PHONE, locale="id-ID", storage_state=page.context.storage_state())
    try:
        phone_page = phone.new_page()
        wide, dressed_as_region = {}, []
        for number, path in enumerate(
            [
                "/",
                "/wilayah/",
                "/wilayah/baru/",
                f"/wilayah/{SLUG}/",
                "/kerja-sama/",
                "/kerja-sama/baru/",
                agreement_url.removeprefix(console),
                "/lisensi/",
                f"/lisensi/terbitkan/?region={SLUG}",
                licence_url.removeprefix(console),
                "/modul/",
            ]
        ):
            phone_page.goto(console + path)
            wide[path] = horizontal_overflow(phone_page)
            if phone_page.locator(".brand-name").inner_text() != "Mitra":
                dressed_as_region.append(path)
            phone_page.screenshot(path=str(ARTIFACTS / f"onboarding-phone-{number:02d}.png"), full_page=True)
        assert {path: px for path, px in wide.items() if px > 0} == {}
        assert dressed_as_region == []
    finally:
        phone.close()
    clock.lap("phone")
    print(clock.report())
