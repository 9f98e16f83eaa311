"""CSV import and export of the organisation: preview then confirm, all or nothing, idempotent, every error in
Indonesian with its row number, encodings and delimiters, the licence's seat limit, formula-safe exports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.audit.models import AuditRecord
from tenant_apps.org import importing
from tenant_apps.org.importing import plan_import, safe_cell
from tenant_apps.org.models import Employee, ImportBatch, Position, Unit
from tenant_apps.org.roles import Role
from tests.fixtures.control import licensed
from tests.fixtures.org import login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

UNITS = """kode,nama,jenis,kode_induk
DISKOMINFO,Dinas Komunikasi dan Informatika,opd,
DISKOMINFO.IKP.1,Seksi Pengelolaan Informasi,seksi,DISKOMINFO.IKP
DISKOMINFO.IKP,Bidang Informasi dan Komunikasi Publik,bidang,DISKOMINFO
SETDA,Sekretariat Daerah,opd,
SETDA.UMUM,Bagian Umum,bagian,SETDA
"""
POSITIONS = """kode,nama,kode_unit,jenis,kode_atasan
KADIS-KOMINFO,Kepala Dinas Komunikasi dan Informatika,DISKOMINFO,struktural,
KASI-PI,Kepala Seksi Pengelolaan Informasi,DISKOMINFO.IKP.1,struktural,KABID-IKP
KABID-IKP,Kepala Bidang Informasi dan Komunikasi Publik,DISKOMINFO.IKP,struktural,KADIS-KOMINFO
PRAKOM,Pranata Komputer,DISKOMINFO.IKP.1,fungsional,KASI-PI
"""
EMPLOYEES = """nip,nama,golongan,kode_jabatan,email,aktif,peran
197805152003121002,"Drs. Ahmad Fauzi, M.Si.",IV/b,KADIS-KOMINFO,ahmad@brebeskab.go.id,ya,pimpinan
198203082006042001,Siti Rahmawati,iii/d,KABID-IKP,,ya,
199001012015031003,Budi Santoso,III/b,PRAKOM,budi@brebeskab.go.id,,pencatat_surat staf
199202022019032004,Rina Wulandari,III/a,PRAKOM,,tidak,
"""
NIP_AHMAD, NIP_SITI, NIP_BUDI, NIP_RINA = (
    "197805152003121002",
    "198203082006042001",
    "199001012015031003",
    "199202022019032004",
)


def upload(client: Client, kind: str, content: bytes | str, name: str = "data.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post("/organisasi/impor/", {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv")})


def preview_path(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def confirm(client: Client, path: str):
    html = client.get(path).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', html)
    assert digest, "the preview offers no confirmation"
    return client.post(path, {"digest": digest.group(1)})


def import_file(client: Client, kind: str, content: bytes | str) -> None:
    response = confirm(client, preview_path(upload(client, kind, content)))
    assert response.status_code == 302, response.content.decode()[:3000]


def counts() -> tuple[int, int, int, int]:
    with schema_context("brebes"):
        return (
            Unit.objects.count(),
            Position.objects.count(),
            Employee.objects.count(),
            get_user_model().objects.count(),
        )


def audit_count() -> int:
    with schema_context("brebes"):
        return AuditRecord.objects.count()


def plan(kind: str, text: str, **kwargs):
    with schema_context("brebes"):
        return plan_import(kind=kind, text=text, **kwargs)


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.message) for e in result.errors]


def has_error(result, line: int, column: str, words: str) -> bool:
    return any(e.line == line and e.column == column and words in e.message for e in result.errors)


@pytest.fixture
def admin(seed) -> Client:
    return login(seed)


@pytest.fixture
def imported(admin) -> Client:
    """Brebes with the three example files imported."""
    import_file(admin, "unit", UNITS)
    import_file(admin, "jabatan", POSITIONS)
    import_file(admin, "pegawai", EMPLOYEES)
    return admin


# --- happy path ----------------------------------------------------------------------------------------------


def test_preview_lists_what_will_be_created_and_writes_nothing(admin):
    before = counts(), audit_count()
    path = preview_path(upload(admin, "unit", UNITS))
    html = admin.get(path).content.decode()
    assert "5 akan dibuat" in html
    assert "0 akan diubah" in html
    assert "Seksi Pengelolaan Informasi" in html
    assert "Konfirmasi dan simpan" in html
    assert (counts(), audit_count()) == before


def test_confirmed_units_positions_and_employees_are_created_with_accounts(imported):
    assert counts()[:3] == (5, 4, 4)
    with schema_context("brebes"):
        section = Unit.objects.get(code="DISKOMINFO.IKP.1")
        assert (section.kind, section.parent.code, section.parent.parent.code) == (
            "seksi",
            "DISKOMINFO.IKP",
            "DISKOMINFO",
        )
        assert Unit.objects.get(code="SETDA.UMUM").kind == Unit.Kind.DIVISION  # "bagian"
        kasi = Position.objects.get(code="KASI-PI")
        assert (kasi.superior.code, kasi.unit.code, kasi.kind) == ("KABID-IKP", "DISKOMINFO.IKP.1", "struktural")
        assert Position.objects.get(code="PRAKOM").kind == Position.Kind.FUNCTIONAL
        ahmad = Employee.objects.select_related("account", "position").get(nip=NIP_AHMAD)
        assert (ahmad.name, ahmad.rank, ahmad.position.code) == ("Drs. Ahmad Fauzi, M.Si.", "IV/b", "KADIS-KOMINFO")
        assert ahmad.account.username == NIP_AHMAD
        assert not ahmad.account.has_usable_password()
        assert ahmad.account.email == "ahmad@brebeskab.go.id"
        assert set(ahmad.account.groups.values_list("name", flat=True)) == {"pimpinan"}
        siti = Employee.objects.get(nip=NIP_SITI)
        assert siti.rank == "III/d"  # normalised
        assert set(siti.account.groups.values_list("name", flat=True)) == {Role.STAFF.value}
        budi = Employee.objects.get(nip=NIP_BUDI)
        assert set(budi.account.groups.values_list("name", flat=True)) == {"pencatat_surat", "staf"}
        assert budi.active  # empty "aktif" means yes
        rina = Employee.objects.get(nip=NIP_RINA)
        assert not rina.active
        assert not rina.account.is_active
        actions = list(AuditRecord.objects.values_list("action", flat=True))
        assert actions.count("unit.create") == 5
        assert actions.count("position.create") == 4
        assert actions.count("employee.create") == 4
        assert actions.count("org.import") == 3
        assert ImportBatch.objects.filter(applied_at__isnull=False).count() == 3
        assert set(ImportBatch.objects.values_list("content", flat=True)) == {""}  # no personal data kept


def test_the_tree_shows_the_imported_organisation(imported):
    html = imported.get("/organisasi/").content.decode()
    for text in ("Dinas Komunikasi dan Informatika", "Kepala Seksi Pengelolaan Informasi", "Drs. Ahmad Fauzi, M.Si."):
        assert text in html


# --- idempotence -----------------------------------------------------------------------------------------------


def test_reimporting_the_same_files_changes_nothing(imported):
    before = counts(), audit_count()
    for kind, content in (("unit", UNITS), ("jabatan", POSITIONS), ("pegawai", EMPLOYEES)):
        html = imported.get(preview_path(upload(imported, kind, content))).content.decode()
        assert "0 akan dibuat" in html
        assert "0 akan diubah" in html
        assert "Tidak ada perubahan" in html
        assert 'name="digest"' not in html
    assert (counts(), audit_count()) == before


def test_reimport_updates_by_natural_key_and_never_duplicates(imported):
    changed = EMPLOYEES.replace("Siti Rahmawati,iii/d", "Siti Rahmawati S.Kom.,IV/a").replace(
        "199202022019032004,Rina Wulandari,III/a,PRAKOM,,tidak,", "199202022019032004,Rina Wulandari,III/a,PRAKOM,,ya,"
    )
    changed += "200001012024011005,Joko Susilo,II/c,,,ya,\n"
    path = preview_path(upload(imported, "pegawai", changed))
    html = imported.get(path).content.decode()
    assert "1 akan dibuat" in html
    assert "2 akan diubah" in html
    assert "2 tidak berubah" in html
    assert "Siti Rahmawati → Siti Rahmawati S.Kom." in html
    assert confirm(imported, path).status_code == 302
    assert counts()[2] == 5
    with schema_context("brebes"):
        siti = Employee.objects.get(nip=NIP_SITI)
        assert (siti.name, siti.rank) == ("Siti Rahmawati S.Kom.", "IV/a")
        assert siti.account.first_name == "Siti"
        assert Employee.objects.get(nip=NIP_RINA).account.is_active
        # Roles set by the admin survive a file with an empty "peran".
        assert set(siti.account.groups.values_list("name", flat=True)) == {"staf"}
        update = AuditRecord.objects.filter(action="employee.update", target_id=str(siti.pk)).get()
        assert update.before == {"name": "Siti Rahmawati", "rank": "III/d"}
    units = UNITS.replace("Bagian Umum,bagian", "Bagian Umum dan Protokol,bagian").replace("diskominfo", "DISKOMINFO")
    path = preview_path(upload(imported, "unit", units.lower().replace("kode,nama", "KODE,Nama")))
    # Codes are matched ignoring case: lower-cased codes update spelling, never duplicate.
    assert confirm(imported, path).status_code == 302
    assert counts()[0] == 5


# --- every error, in Indonesian, with its row --------------------------------------------------------------------


def test_unit_errors_name_their_rows():
    text = """kode,nama,jenis,kode_induk
DISKOMINFO,Dinas Kominfo,opd,
DISKOMINFO,Dinas Lagi,opd,
,Tanpa Kode,opd,
BAD/CODE,Garis Miring,opd,
DISKOMINFO.X,,bidang,DISKOMINFO
DISKOMINFO.Y,Jenis Aneh,direktorat,DISKOMINFO
DISKOMINFO.Z,Tanpa Induk,seksi,
ANAK,Induk Hilang,seksi,TIDAKADA
OPD2,OPD Berinduk,opd,DISKOMINFO
SEKSI.A,Seksi A,seksi,DISKOMINFO
BIDANG.B,Bidang di bawah seksi,bidang,SEKSI.A
"""
    result = plan("unit", text)
    expected = [
        (3, "kode", "Duplikat dalam berkas: 'DISKOMINFO' sudah ada di baris 2"),
        (4, "kode", "wajib diisi"),
        (5, "kode", "tanpa garis miring"),
        (6, "nama", "Kolom 'nama' wajib diisi"),
        (7, "jenis", "Jenis unit 'direktorat' tidak dikenal"),
        (8, "kode_induk", "harus mempunyai kode_induk"),
        (9, "kode_induk", "Unit induk 'TIDAKADA' tidak dikenal"),
        (10, "kode_induk", "tidak mempunyai unit induk"),
        (12, "kode_induk", "harus lebih tinggi tingkatnya"),
    ]
    for line, column, words in expected:
        assert has_error(result, line, column, words), (line, column, words, errors_of(result))
    assert not result.is_valid


def test_position_errors_name_their_rows(imported):
    text = """kode,nama,kode_unit,jenis,kode_atasan
A,Jabatan A,DISKOMINFO,struktural,B
B,Jabatan B,DISKOMINFO,struktural,C
C,Jabatan C,DISKOMINFO,struktural,A
D,Jabatan D,UNIT-HILANG,struktural,
E,Jabatan E,DISKOMINFO,struktural,ATASAN-HILANG
F,Jabatan F,DISKOMINFO,eselon,
G,Jabatan G,DISKOMINFO,struktural,G
PRAKOM,Pranata Komputer,DISKOMINFO.IKP.1,struktural,KASI-PI
"""
    with schema_context("brebes"):
        Employee.objects.filter(nip=NIP_RINA).update(active=True)
    result = plan("jabatan", text)
    for line in (2, 3, 4):
        assert has_error(result, line, "kode_atasan", "Rantai atasan melingkar"), errors_of(result)
    assert has_error(result, 5, "kode_unit", "Unit 'UNIT-HILANG' tidak dikenal; impor unit kerja lebih dulu")
    assert has_error(result, 6, "kode_atasan", "Jabatan atasan 'ATASAN-HILANG' tidak dikenal")
    assert has_error(result, 7, "jenis", "Jenis jabatan 'eselon' tidak dikenal")
    assert has_error(result, 8, "kode_atasan", "atasan dirinya sendiri")
    # Two active employees hold PRAKOM: it cannot become structural.
    assert has_error(result, 9, "jenis", "dipegang 2 pegawai aktif")


def test_employee_errors_name_their_rows(imported):
    text = """nip,nama,golongan,kode_jabatan,email,aktif,peran
19780515200312100,Kurang Digit,,,,,
197805152003123002,Jenis Kelamin Tiga,,,,,
1.97805E+17,Diubah Excel,,,,,
200001012024011005,Golongan Salah,III/z,,,,
200001012024011006,Jabatan Hilang,,JABATAN-HILANG,,,
200001012024011007,Surel Salah,,,bukan-surel,,
200001012024011008,Aktif Aneh,,,,mungkin,
200001012024011009,Peran Aneh,,,,,raja
200001012024011009,Ganda,,,,,
,Tanpa NIP,,,,,
200001012024011010,,,,,,
200001012024011011,Kursi Terisi,,KADIS-KOMINFO,,,
200001012024011012,Kolom Lebih,,,,,,extra
"""
    result = plan("pegawai", text)
    expected = [
        (2, "nip", "NIP harus 18 digit, bukan 17 digit"),
        (3, "nip", "jenis kelamin"),
        (4, "nip", "notasi ilmiah"),
        (5, "golongan", "Golongan 'III/z' tidak dikenal"),
        (6, "kode_jabatan", "Jabatan 'JABATAN-HILANG' tidak dikenal; impor jabatan lebih dulu"),
        (7, "email", "Alamat surel 'bukan-surel' tidak valid"),
        (8, "aktif", "harus ya atau tidak"),
        (9, "peran", "Peran tidak dikenal: raja"),
        (10, "nip", "Duplikat dalam berkas: '200001012024011009' sudah ada di baris 9"),
        (11, "nip", "Kolom 'nip' wajib diisi"),
        (12, "nama", "Kolom 'nama' wajib diisi"),
        (13, "kode_jabatan", "Jabatan struktural 'KADIS-KOMINFO' sudah dipegang oleh Drs. Ahmad Fauzi, M.Si."),
        (14, "", "lebih banyak kolom"),
    ]
    for line, column, words in expected:
        assert has_error(result, line, column, words), (line, column, words, errors_of(result))


def test_two_rows_of_one_file_cannot_share_a_structural_seat(imported):
    text = """nip,nama,kode_jabatan
200001012024011005,Satu,KASI-PI
200001012024011006,Dua,KASI-PI
200001012024011007,Tiga,PRAKOM
"""
    result = plan("pegawai", text)
    assert errors_of(result) == [(3, "kode_jabatan", "Jabatan struktural 'KASI-PI' sudah dipegang oleh baris 2.")]


def test_moving_the_holder_away_in_the_same_file_frees_the_seat(imported):
    text = f"""nip,nama,kode_jabatan
{NIP_AHMAD},"Drs. Ahmad Fauzi, M.Si.",
200001012024011005,Kepala Baru,KADIS-KOMINFO
"""
    assert plan("pegawai", text).is_valid


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("nama,jenis\nX,opd\n", "Kolom wajib tidak ada di baris pertama: kode"),
        ("kode,nama,jenis,kode,kode_induk\nA,B,opd,A,\n", "Nama kolom ganda"),
        ("kode,nama,jenis\n", "tidak berisi baris data"),
        ("", "Berkas kosong"),
        ('kode,nama,jenis\n"A,B,opd\n', "rusak"),
    ],
)
def test_file_level_problems_are_explained(admin, content, words):
    response = upload(admin, "unit", content)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert counts()[0] == 0


def test_a_file_with_one_bad_row_writes_nothing_even_if_confirmed_anyway(imported):
    before = counts(), audit_count()
    text = EMPLOYEES + "200001012024011005,Joko,,,,,\n200001012024011006,Salah,,,,,\n" + "123,NIP Pendek,,,,,\n"
    path = preview_path(upload(imported, "pegawai", text))
    html = imported.get(path).content.decode()
    assert "Ada 1 kesalahan" in html
    assert "Tidak ada data yang akan disimpan" in html
    assert 'name="digest"' not in html
    with schema_context("brebes"):
        batch = ImportBatch.objects.get(applied_at__isnull=True)
        forged = importing.plan_import(kind="pegawai", text=batch.content).digest()
    response = imported.post(path, {"digest": forged})
    assert response.status_code == 400
    assert "NIP harus 18 digit" in response.content.decode()
    assert (counts(), audit_count()) == before


def test_a_failure_while_applying_rolls_everything_back(imported, monkeypatch):
    from tenant_apps.org import services

    before = counts(), audit_count()
    text = "nip,nama\n200001012024011005,Satu\n200001012024011006,Dua\n"
    path = preview_path(upload(imported, "pegawai", text))
    real = services._audit_row
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_audit_row", failing)
    imported.raise_request_exception = False
    assert confirm(imported, path).status_code == 500
    assert (counts(), audit_count()) == before


# --- encodings and delimiters -------------------------------------------------------------------------------------

NAMES = "nip,nama\n200001012024011005,José Müller\n200001012024011006,Ngurah Öztürk\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NAMES.encode("utf-8"), "utf-8-sig"),
        (b"\xef\xbb\xbf" + NAMES.encode("utf-8"), "utf-8-sig"),
        (NAMES.replace("\n", "\r\n").encode("cp1252"), "cp1252"),
        (NAMES.replace(",", ";").encode("cp1252"), "cp1252"),
    ],
)
def test_utf8_with_or_without_bom_and_windows_1252_are_read_right(admin, data, encoding):
    path = preview_path(upload(admin, "pegawai", data))
    html = admin.get(path).content.decode()
    assert encoding in html
    assert confirm(admin, path).status_code == 302
    with schema_context("brebes"):
        assert set(Employee.objects.values_list("name", flat=True)) == {"José Müller", "Ngurah Öztürk"}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "tidak dapat dibaca"),
        (NAMES.encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"x" * 100, "berformat Excel"),
        (b"nip,nama\n200001012024011005,Nama \x81\x8d\n", "bukan teks UTF-8 atau Windows-1252"),
        (b"nip,nama\n200001012024011005,Nama\x01\x02\x03\n", "bukan teks UTF-8 atau Windows-1252"),
    ],
)
def test_binary_and_other_encodings_are_refused_clearly(admin, data, words):
    response = upload(admin, "pegawai", data)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert counts()[2] == 0
    with schema_context("brebes"):
        assert not ImportBatch.objects.exists()


def test_semicolons_and_quoted_commas_are_read(admin):
    text = 'nip;nama;golongan\n200001012024011005;"Dr. Joko, M.Kom.";III/c\n'
    import_file(admin, "pegawai", text)
    with schema_context("brebes"):
        assert Employee.objects.get().name == "Dr. Joko, M.Kom."


def test_a_header_in_another_case_with_extra_columns_is_accepted_with_a_notice(admin):
    text = "KODE,Nama ,Jenis,Kode Induk,Catatan\nDISKOMINFO,Dinas Kominfo,OPD,,apa saja\n"
    path = preview_path(upload(admin, "unit", text))
    assert "tidak dikenal dan diabaikan: Catatan" in admin.get(path).content.decode()


def test_a_file_over_the_size_limit_is_refused(admin, monkeypatch):
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 1000)
    monkeypatch.setattr("tenant_apps.org.forms.MAX_UPLOAD_BYTES", 1000)
    response = upload(admin, "unit", UNITS + "X" * 2000)
    assert response.status_code == 400
    assert "terlalu besar" in response.content.decode()


def test_a_file_over_the_row_limit_is_refused(admin, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    response = upload(admin, "unit", UNITS)
    assert response.status_code == 400
    assert "lebih dari 3 baris" in response.content.decode()


# --- the licence's seat limit --------------------------------------------------------------------------------------


def test_the_seat_limit_is_shown_on_the_preview_and_nothing_is_written(admin):
    licensed("brebes", ["eoffice"], seats=3)  # admin and staf already take two seats
    import_file(admin, "unit", UNITS)
    import_file(admin, "jabatan", POSITIONS)
    before = counts(), audit_count()
    path = preview_path(upload(admin, "pegawai", EMPLOYEES))
    html = admin.get(path).content.decode()
    assert "Batas akun lisensi terlampaui: 2 dari 3 akun sudah terpakai, tidak dapat menambah 3 akun lagi." in html
    assert 'name="digest"' not in html
    assert (counts(), audit_count()) == before


def test_inactive_employees_take_no_seat(admin):
    licensed("brebes", ["eoffice"], seats=5)
    import_file(admin, "unit", UNITS)
    import_file(admin, "jabatan", POSITIONS)
    import_file(admin, "pegawai", EMPLOYEES)  # three active, one inactive: 2 + 3 = 5 seats
    with schema_context("brebes"):
        assert get_user_model().objects.filter(is_active=True).count() == 5
    # Reactivating Rina would need a sixth seat; deactivating Budi in the same file frees one.
    swap = EMPLOYEES.replace(",tidak,", ",ya,").replace("budi@brebeskab.go.id,,", "budi@brebeskab.go.id,tidak,")
    import_file(admin, "pegawai", swap)
    with schema_context("brebes"):
        assert Employee.objects.get(nip=NIP_RINA).account.is_active
        assert not Employee.objects.get(nip=NIP_BUDI).account.is_active
    reactivate_both = EMPLOYEES.replace(",tidak,", ",ya,")
    html = admin.get(preview_path(upload(admin, "pegawai", reactivate_both))).content.decode()
    assert "Batas akun lisensi terlampaui" in html


def test_a_region_whose_licence_expired_cannot_import_new_accounts(admin):
    from tests.fixtures.control import pass_time

    licence = licensed("brebes", ["eoffice"], seats=100)
    pass_time(
        licence, valid_from=licence.valid_from - timedelta(days=400), valid_until=licence.valid_from - timedelta(days=1)
    )
    html = admin.get(preview_path(upload(admin, "pegawai", "nip,nama\n200001012024011005,Joko\n"))).content.decode()
    assert "tidak memiliki lisensi yang berlaku" in html


# --- the preview between requests ----------------------------------------------------------------------------


def test_the_preview_belongs_to_the_session_that_uploaded_it(seed, admin):
    path = preview_path(upload(admin, "unit", UNITS))
    assert admin.get(path).status_code == 200
    other_session = login(seed)  # the same admin in another browser
    assert other_session.get(path).status_code == 404
    assert other_session.post(path, {"digest": "0" * 64}).status_code == 404
    tegal = login(seed, "tegal")
    tegal_on_its_host = tegal.get(path)
    assert tegal_on_its_host.status_code == 404
    assert counts()[0] == 0


def test_a_preview_cannot_be_applied_twice(admin):
    path = preview_path(upload(admin, "unit", UNITS))
    html = admin.get(path).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)
    assert admin.post(path, {"digest": digest}).status_code == 302
    response = admin.post(path, {"digest": digest}, follow=True)
    assert "sudah diterapkan" in response.content.decode()
    assert counts()[0] == 5


def test_data_changed_since_the_preview_asks_for_a_new_look(admin):
    path = preview_path(upload(admin, "unit", UNITS))
    html = admin.get(path).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)
    with schema_context("brebes"):
        Unit.objects.create(code="SETDA", name="Setda lama", kind=Unit.Kind.OPD)
    response = admin.post(path, {"digest": digest})
    assert response.status_code == 409
    assert "Data wilayah berubah sejak pratinjau" in response.content.decode()
    assert "4 akan dibuat" in response.content.decode()
    assert counts()[0] == 1
    assert confirm(admin, path).status_code == 302
    with schema_context("brebes"):
        assert Unit.objects.get(code="SETDA").name == "Sekretariat Daerah"


def test_an_expired_preview_is_gone(admin):
    path = preview_path(upload(admin, "unit", UNITS))
    with schema_context("brebes"):
        ImportBatch.objects.update(created_at=ImportBatch.objects.get().created_at - timedelta(hours=3))
    response = admin.get(path, follow=True)
    assert "kedaluwarsa" in response.content.decode()


def test_an_admin_cannot_lock_themselves_out_through_an_import(seed, imported):
    with schema_context("brebes"):
        me = Employee.objects.get(nip=NIP_AHMAD).account
        me.set_password(seed.password)
        me.save()
        me.groups.add(Group.objects.get(name="admin_wilayah"))
    ahmad = login(seed, username=NIP_AHMAD)
    result_html = ahmad.get(preview_path(upload(ahmad, "pegawai", EMPLOYEES))).content.decode()
    assert "Peran admin wilayah tidak dapat dicabut dari akun Anda sendiri" in result_html
    off = EMPLOYEES.replace("ahmad@brebeskab.go.id,ya,pimpinan", "ahmad@brebeskab.go.id,tidak,admin_wilayah")
    assert (
        "Akun Anda sendiri tidak dapat dinonaktifkan"
        in ahmad.get(preview_path(upload(ahmad, "pegawai", off))).content.decode()
    )


# --- export and templates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+62 812", "'+62 812"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Bagian Umum", "Bagian Umum"),
        ("", ""),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_escaped(value, expected):
    assert safe_cell(value) == expected


def test_the_export_is_excel_friendly_and_formula_safe(admin):
    with schema_context("brebes"):
        Unit.objects.create(code="JAHAT", name='=HYPERLINK("http://evil","klik")', kind=Unit.Kind.OPD)
        Unit.objects.create(code="JAHAT2", name="@SUM(1+1)", kind=Unit.Kind.OPD)
    response = admin.get("/organisasi/ekspor/unit.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "kode,nama,jenis,kode_induk"
    assert '\'=HYPERLINK(""http://evil"",""klik"")"' in text
    assert "'@SUM(1+1)" in text
    semicolon = admin.get("/organisasi/ekspor/unit.csv?pemisah=titik-koma").content.decode("utf-8-sig")
    assert semicolon.splitlines()[0] == "kode;nama;jenis;kode_induk"


def test_exported_files_import_back_unchanged(imported):
    with schema_context("brebes"):
        Unit.objects.filter(code="SETDA").update(name="-Sekretariat (uji rumus)")
    before = counts(), audit_count()
    for kind in ("unit", "jabatan", "pegawai"):
        exported = imported.get(f"/organisasi/ekspor/{kind}.csv?pemisah=titik-koma").content
        html = imported.get(preview_path(upload(imported, kind, exported))).content.decode()
        assert "0 akan dibuat" in html, kind
        assert "0 akan diubah" in html, kind
        assert "kesalahan" not in html, kind
    assert (counts(), audit_count()) == before


def test_the_templates_import_in_order(admin):
    for kind in ("unit", "jabatan", "pegawai"):
        template = admin.get(f"/organisasi/impor/templat/{kind}.csv")
        assert template.content.startswith(b"\xef\xbb\xbf")
        import_file(admin, kind, template.content)
    assert counts()[:3] == (3, 3, 3)


def test_unknown_kinds_are_not_found(admin):
    assert admin.get("/organisasi/ekspor/rahasia.csv").status_code == 404
    assert admin.get("/organisasi/impor/templat/rahasia.csv").status_code == 404
    response = admin.post("/organisasi/impor/", {"kind": "rahasia", "file": SimpleUploadedFile("a.csv", b"a")})
    assert response.status_code == 400
