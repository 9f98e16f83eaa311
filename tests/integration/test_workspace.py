"""The region's workspace: settings for the region admin (letterhead, logo, time zone, letter number format),
the shell that shows the region's name and logo, and the home page counters."""

from __future__ import annotations

import base64
import io
import re
import struct
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.audit.models import AuditRecord
from tenant_apps.org.activation import activation_token_issue
from tenant_apps.workspace import counters
from tenant_apps.workspace.counters import Counter
from tenant_apps.workspace.models import RegionSettings
from tenant_apps.workspace.selectors import region_settings_get
from tenant_apps.workspace.validation import logo_inspect, number_format_render, number_format_validate
from tests.fixtures.control import licensed

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# A 16x16 JPEG from CPython's test data (Lib/test/imghdrdata/python.jpg, PSF licence): a real camera-style
# file that no code of ours produced. Pillow is not a dependency, so no image is generated here.
PYTHON_JPG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/"
    "2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QA"
    "FgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAEC"
    "BQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXm"
    "m3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+"
    "Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolvw4KOp1KM6iCNvngZHwet"
    "f//Z"
)


def png(width: int = 2, height: int = 2) -> bytes:
    """A real PNG (grey pixels), built with zlib: PNG needs nothing more."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def signed_in(seed, slug: str = "brebes", username: str = "admin") -> Client:
    client = Client(HTTP_HOST=f"{slug}.localhost")
    assert client.post("/masuk/", {"username": username, "password": seed.password}).status_code == 302
    connection.set_schema_to_public()
    return client


def valid_post(**overrides) -> dict:
    data = {
        "letterhead": "PEMERINTAH KABUPATEN BREBES\nDINAS KOMUNIKASI DAN INFORMATIKA\nJl. Jenderal Sudirman No. 1",
        "timezone": "Asia/Jakarta",
        "letter_number_format": "{klasifikasi}/{nomor:03d}/{unit}/{tahun}",
    }
    data.update(overrides)
    return data


def saved(schema: str = "brebes") -> RegionSettings:
    with schema_context(schema):
        return region_settings_get()


# --- settings: who may change them ---------------------------------------------------------------------------


def test_staff_gets_403_on_the_settings_page_and_cannot_post(seed):
    staff = signed_in(seed, username="staf")
    assert staff.get("/pengaturan/").status_code == 403
    before = saved().letterhead
    assert staff.post("/pengaturan/", valid_post(letterhead="DIRETAS")).status_code == 403
    assert saved().letterhead == before


def test_anonymous_visitor_is_sent_to_the_login_page(seed):
    response = Client(HTTP_HOST="brebes.localhost").get("/pengaturan/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_settings_link_is_shown_to_the_region_admin_only(seed):
    assert 'href="/pengaturan/"' in signed_in(seed).get("/").content.decode()
    assert 'href="/pengaturan/"' not in signed_in(seed, username="staf").get("/").content.decode()


def test_settings_are_created_on_first_read_from_the_control_planes_record(seed):
    with schema_context("brebes"):
        RegionSettings.objects.all().delete()
        first = region_settings_get()
        assert first.letterhead == "PEMERINTAH KABUPATEN BREBES"
        assert first.timezone == "Asia/Jakarta"
        assert first.letter_number_format == "{klasifikasi}/{nomor}/{unit}/{tahun}"
        assert region_settings_get().pk == first.pk
        assert RegionSettings.objects.count() == 1


def test_a_second_settings_row_is_refused_by_the_database(seed):
    from django.db import IntegrityError, transaction

    with schema_context("brebes"):
        region_settings_get()
        with pytest.raises(IntegrityError), transaction.atomic():
            RegionSettings.objects.create(id=2)


def test_admin_saves_settings_and_the_change_is_audited(seed):
    admin = signed_in(seed)
    response = admin.post("/pengaturan/", valid_post(timezone="Asia/Makassar"))
    assert response.status_code == 302
    assert response["Location"] == "/pengaturan/"
    row = saved()
    assert row.letterhead_lines == [
        "PEMERINTAH KABUPATEN BREBES",
        "DINAS KOMUNIKASI DAN INFORMATIKA",
        "Jl. Jenderal Sudirman No. 1",
    ]
    assert row.timezone == "Asia/Makassar"
    assert row.letter_number_format == "{klasifikasi}/{nomor:03d}/{unit}/{tahun}"
    with schema_context("brebes"):
        record = AuditRecord.objects.filter(action="region_settings.update").latest("id")
        assert record.actor == "brebes:admin"
        assert record.after["timezone"] == "Asia/Makassar"
    page = admin.get("/pengaturan/").content.decode()
    assert "Pengaturan wilayah tersimpan." in page
    assert "000.1.2.3/007/DISKOMINFO/2026" in page  # the example of the saved format
    # Tegal's settings are its own.
    assert saved("tegal").timezone == "Asia/Jakarta"


def test_the_region_time_zone_does_not_move_the_control_planes_validity_dates(seed):
    from tenants.models import Region

    signed_in(seed).post("/pengaturan/", valid_post(timezone="Asia/Jayapura"))
    assert saved().timezone == "Asia/Jayapura"
    assert Region.objects.get(slug="brebes").timezone == "Asia/Jakarta"


def test_region_pages_show_times_in_the_regions_own_time_zone(seed):
    from datetime import UTC, datetime

    from django.contrib.auth.models import AnonymousUser
    from django.template import engines
    from django.test import RequestFactory

    from tenants.models import Region

    signed_in(seed).post("/pengaturan/", valid_post(timezone="Asia/Jayapura"))
    page = engines["django"].from_string(
        "{% extends 'base.html' %}{% block content %}<p id=t>{{ when|date:'H:i' }}</p>{% endblock %}"
    )
    request = RequestFactory(HTTP_HOST="brebes.localhost").get("/")
    request.region = Region.objects.get(slug="brebes")
    request.user = AnonymousUser()
    midnight_utc = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    with schema_context("brebes"):
        assert "<p id=t>09:00</p>" in page.render({"when": midnight_utc}, request)  # WIT = UTC+9
    request = RequestFactory(HTTP_HOST="tegal.localhost").get("/")
    request.region = Region.objects.get(slug="tegal")
    request.user = AnonymousUser()
    with schema_context("tegal"):
        assert "<p id=t>07:00</p>" in page.render({"when": midnight_utc}, request)  # Tegal stays on WIB


def test_saving_unchanged_settings_writes_no_audit_record(seed):
    admin = signed_in(seed)
    admin.post("/pengaturan/", valid_post())
    with schema_context("brebes"):
        count = AuditRecord.objects.filter(action="region_settings.update").count()
    admin.post("/pengaturan/", valid_post())
    with schema_context("brebes"):
        assert AuditRecord.objects.filter(action="region_settings.update").count() == count


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("letter_number_format", "{klasifikasi}/{unit}/{tahun}", "harus memuat {nomor}"),
        ("letter_number_format", "{nomor}/{unit}", "harus memuat {tahun}"),
        ("letter_number_format", "{nomor}/{bulan}/{tahun}", "Penanda {bulan} tidak dikenal"),
        ("letter_number_format", "{nomor}/{tahun", "pasangan kurung kurawal"),
        ("letter_number_format", "{nomor}/{tahun!r}", "Hanya {nomor} yang boleh diberi lebar"),
        ("letter_number_format", "{nomor}/{tahun:>8}", "Hanya {nomor} yang boleh diberi lebar"),
        ("letter_number_format", "{nomor.__class__}/{tahun}", "tidak dikenal"),
        ("letter_number_format", "{0}/{nomor}/{tahun}", "tidak dikenal"),
        ("letter_number_format", "", "Bidang ini harus diisi"),
        ("timezone", "Europe/Amsterdam", "bukan salah satu dari pilihan"),
        ("letterhead", "\n".join(f"BARIS {n}" for n in range(6)), "paling banyak 5 baris"),
        ("letterhead", "X" * 121, "paling panjang 120 karakter"),
    ],
)
def test_invalid_settings_are_refused_with_an_indonesian_message(seed, field, value, message):
    before = saved()
    response = signed_in(seed).post("/pengaturan/", valid_post(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    after = saved()
    assert (after.letterhead, after.timezone, after.letter_number_format) == (
        before.letterhead,
        before.timezone,
        before.letter_number_format,
    )


def test_number_format_renders_a_letter_number():
    number_format_validate("{klasifikasi}/{nomor:03d}/{unit}/{tahun}")
    assert (
        number_format_render(
            "{klasifikasi}/{nomor:03d}/{unit}/{tahun}", klasifikasi="800", nomor=5, unit="BKD", tahun=2026
        )
        == "800/005/BKD/2026"
    )
    with pytest.raises(ValidationError):
        number_format_validate("{nomor}\n{tahun}")


# --- logo -------------------------------------------------------------------------------------------------


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_png_logo_is_stored_under_the_regions_prefix_and_shown_in_the_header(seed):
    admin = signed_in(seed)
    response = admin.post("/pengaturan/", {**valid_post(), "logo_file": upload("logo.png", png())})
    assert response.status_code == 302
    row = saved()
    assert row.logo.startswith("brebes/workspace/logo/")
    assert row.logo_content_type == "image/png"

    home = admin.get("/").content.decode()
    assert f'src="/logo/?v={row.logo_sha256[:12]}"' in home
    served = Client(HTTP_HOST="brebes.localhost").get("/logo/")  # public: the login page shows it
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png()
    assert "brebes.localhost" not in row.logo
    # Tegal has no logo; Brebes's is not reachable from Tegal's host.
    assert Client(HTTP_HOST="tegal.localhost").get("/logo/").status_code == 404
    with schema_context("brebes"):
        default_storage.delete(row.logo)


def test_a_jpeg_logo_is_accepted(seed):
    response = signed_in(seed).post("/pengaturan/", {**valid_post(), "logo_file": upload("logo.jpg", PYTHON_JPG)})
    assert response.status_code == 302
    row = saved()
    assert row.logo_content_type == "image/jpeg"
    with schema_context("brebes"):
        default_storage.delete(row.logo)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"Ini bukan gambar, hanya teks yang diberi nama .png\n", "harus gambar PNG atau JPEG"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "harus gambar PNG atau JPEG"),
        ("logo.png", png()[:40], "harus gambar PNG atau JPEG"),  # truncated
        ("logo.png", png() + b"<script>alert(1)</script>", "harus gambar PNG atau JPEG"),  # polyglot
        ("logo.jpg", PYTHON_JPG[:-2], "harus gambar PNG atau JPEG"),  # no end-of-image marker
        ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "harus gambar PNG atau JPEG"),
        ("logo.png", png(5000, 1), "paling besar 4096 x 4096 piksel"),
        ("logo.png", png() + b"\x01" * (1024 * 1024), "paling besar 1 MB"),
    ],
)
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(seed, name, content, message):
    response = signed_in(seed).post("/pengaturan/", {**valid_post(), "logo_file": upload(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert saved().logo == ""


def test_a_corrupted_png_chunk_is_refused():
    damaged = bytearray(png())
    damaged[30] ^= 0xFF  # inside IHDR: its CRC no longer matches
    with pytest.raises(ValidationError):
        logo_inspect(io.BytesIO(bytes(damaged)))


def test_replacing_the_logo_deletes_the_old_file_after_commit(seed, django_capture_on_commit_callbacks):
    admin = signed_in(seed)
    admin.post("/pengaturan/", {**valid_post(), "logo_file": upload("a.png", png(2, 2))})
    first = saved().logo
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/pengaturan/", {**valid_post(), "logo_file": upload("b.png", png(3, 3))})
    connection.set_schema_to_public()
    second = saved().logo
    assert second != first
    with schema_context("brebes"):
        assert not default_storage.exists(first)
        assert default_storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/pengaturan/", {**valid_post(), "remove_logo": "on"})
    connection.set_schema_to_public()
    assert saved().logo == ""
    with schema_context("brebes"):
        assert not default_storage.exists(second)
    assert Client(HTTP_HOST="brebes.localhost").get("/logo/").status_code == 404


def test_the_login_page_shows_the_regions_name_and_fits_a_phone(seed):
    page = Client(HTTP_HOST="brebes.localhost").get("/masuk/").content.decode()
    assert '<span class="brand-name">Kabupaten Brebes</span>' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "cdn" not in page.lower()
    assert "https://" not in page  # every asset from our own host


# --- home counters --------------------------------------------------------------------------------------


@pytest.fixture
def registered():
    added = []

    def add(source, module=None):
        counters.register(source, module=module)
        added.append(source)
        return source

    yield add
    for source in added:
        counters.unregister(source)


def test_the_region_admin_sees_active_accounts_and_pending_activations(seed):
    with schema_context("brebes"):
        waiting = get_user_model().objects.create_user("calon", password=None)
        activation_token_issue(user=waiting, actor="system:test")
        active = get_user_model().objects.filter(is_active=True).count()
    page = signed_in(seed).get("/").content.decode()
    assert re.search(rf'counter-value">{active}</span>\s*<span class="counter-label">Akun aktif', page)
    assert re.search(r'counter-value">1</span>\s*<span class="counter-label">Menunggu aktivasi', page)
    staff_page = signed_in(seed, username="staf").get("/").content.decode()
    assert "Akun aktif" not in staff_page


def test_a_module_counter_shows_only_while_the_module_is_licensed(seed, registered):
    def letters(request):
        return [Counter("Surat belum dibaca", 7, "/eoffice/")]

    def appraisals(request):
        return [Counter("Aktivitas menunggu validasi", 3, "/ekinerja/")]

    registered(letters, module="eoffice")
    registered(appraisals, module="ekinerja")
    staff = signed_in(seed, username="staf")
    page = staff.get("/").content.decode()
    assert "Surat belum dibaca" not in page
    assert "Aktivitas menunggu validasi" not in page

    licensed("brebes", ["eoffice"], scope=["eoffice", "ekinerja"])
    page = staff.get("/").content.decode()
    assert '<a class="counter" href="/eoffice/">' in page
    assert "Surat belum dibaca" in page
    assert "Aktivitas menunggu validasi" not in page
    # Tegal is not licensed: the same source shows nothing there.
    assert "Surat belum dibaca" not in signed_in(seed, "tegal").get("/").content.decode()


def test_a_failing_counter_is_left_out_and_the_home_page_stays_up(seed, registered, caplog):
    def broken(request):
        raise RuntimeError("database of a module is down")

    def wrong_type(request):
        return [("Bukan", 1)]

    def fine(request):
        return [Counter("Penghitung yang sehat", 2)]

    registered(broken)
    registered(wrong_type)
    registered(fine)
    response = signed_in(seed, username="staf").get("/")
    assert response.status_code == 200
    assert "Penghitung yang sehat" in response.content.decode()
    assert "Bukan" not in response.content.decode()
    assert "home counter source" in caplog.text


def test_registering_a_source_twice_shows_it_once(seed, registered):
    def once(request):
        return [Counter("Sekali saja", 1)]

    registered(once)
    counters.register(once)
    assert signed_in(seed, username="staf").get("/").content.decode().count("Sekali saja") == 1


def test_menu_shows_workspace_pages_by_role(seed):
    def menu_of(username: str) -> str:
        client = Client(HTTP_HOST="brebes.localhost")
        assert client.post("/masuk/", {"username": username, "password": seed.password}).status_code == 302
        page = client.get("/").content.decode()
        return page[page.index('class="mainnav"') : page.index("</nav>", page.index('class="mainnav"'))]

    admin_menu, staff_menu = menu_of("admin"), menu_of("staf")
    assert 'href="/organisasi/"' in admin_menu
    assert 'href="/organisasi/"' in staff_menu
    assert 'href="/pengaturan/"' in admin_menu
    assert 'href="/pengaturan/"' not in staff_menu
    assert 'href="/notifikasi/"' in admin_menu
    assert 'href="/notifikasi/"' in staff_menu
    assert 'href="/laporan/"' in admin_menu  # the region's adoption report: admins and leaders
    assert 'href="/laporan/"' not in staff_menu
