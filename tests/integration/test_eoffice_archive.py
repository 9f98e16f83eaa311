"""Archive: classification codes with their retention schedule (seeded, managed by the region admin, a code in
use never deleted), dossiers (filing by the records officer, automatic filing of signed outgoing letters),
retention (refused before the end, a disposal record after it, the database refusing deletes), full-text
search with filters and pages (web and API), who sees what in search, the attacker's side (another region,
another role) and bounded queries on the list pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.models import AuditRecord
from tenant_apps.eoffice.archive_selectors import archive_search, classification_for_code, search_filters
from tenant_apps.eoffice.archive_services import (
    DOSSIER_TRANSITIONS,
    archive_item_dispose,
    classification_code_create,
    classification_code_delete,
    dossier_close,
    dossier_dispose,
    dossier_reopen,
    dossier_transfer,
    incoming_letter_file,
    years_after,
)
from tenant_apps.eoffice.models import (
    ArchiveDisposal,
    ClassificationCode,
    Dossier,
    DossierItem,
    IncomingLetter,
    OutgoingLetter,
)
from tenant_apps.eoffice.outgoing_services import outgoing_letter_create, outgoing_letter_sign, outgoing_letter_submit
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import org_today
from tenant_apps.org.services import account_upsert
from tests.fixtures.control import licensed
from tests.fixtures.eoffice import Office
from tests.fixtures.org import api, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DStatus = Dossier.Status
# Session, account, roles, licence gate, menu and counters take about 15; a list page adds a fixed handful.
QUERIES_MAX = 30


def register(
    office: Office,
    subject: str,
    *,
    sender: str = "Kementerian Dalam Negeri",
    number: str = "100.2/1234/SJ",
    received: date | None = None,
    to=None,
) -> IncomingLetter:
    day = received or org_today()
    return incoming_letter_register(
        user=office.officer,
        sender=sender,
        letter_number=number,
        letter_date=day,
        received_date=day,
        subject=subject,
        addressed_to=to or office.org.head,
    )


def signed_letter(
    office: Office,
    subject: str,
    *,
    code: str = "000.1.2",
    body: str = "Dengan hormat.",
) -> OutgoingLetter:
    # Drafted by the records officer (who sees it as its drafter), signed by the Kepala Dinas.
    letter = outgoing_letter_create(
        user=office.officer,
        letter_type="surat_undangan",
        subject=subject,
        body=body,
        classification_code=code,
        signer_position=office.org.head,
        recipients=[office.org.division_head],
    )
    outgoing_letter_submit(user=office.officer, letter=letter)
    return outgoing_letter_sign(user=office.leader, letter=letter)


def code(value: str) -> ClassificationCode:
    return ClassificationCode.objects.get(code=value)


def pass_retention(dossier: Dossier, *, days_ago: int = 1) -> None:
    """Simulate the calendar moving past the dossier's retention (the services compute it from today)."""
    Dossier.objects.filter(pk=dossier.pk).update(retention_until=org_today() - timedelta(days=days_ago))
    dossier.refresh_from_db()


# --- classification codes ------------------------------------------------------------------------------------


def test_the_seeded_codes_form_a_tree_by_prefix_with_a_schedule(seed, office):
    with schema_context("brebes"):
        codes = {c.code: c for c in ClassificationCode.objects.select_related("parent")}
        for top in ("000", "100", "400", "500", "800", "900"):
            assert codes[top].parent is None
        assert codes["000.1"].parent.code == "000"
        assert codes["800.1"].parent.code == "800"
        assert codes["900.1"].parent.code == "900"
        assert codes["005"].name == "Undangan"
        assert all(c.final_disposition in ("musnah", "permanen", "dinilai_kembali") for c in codes.values())
        assert classification_for_code("000.1.2").code == "000.1"
        assert classification_for_code("400.14").code == "400"
        assert classification_for_code("999.1") is None


def test_a_new_code_takes_its_parent_and_adopts_codes_below_it(seed, office):
    with schema_context("brebes"):
        admin = get_user_model().objects.get(username="admin")
        deep = classification_code_create(
            user=admin, code="000.1.2.3", name="Rapat", active_years=1, inactive_years=2, final_disposition="musnah"
        )
        assert deep.parent.code == "000.1"
        middle = classification_code_create(
            user=admin, code="000.1.2", name="Undangan rapat", active_years=1, inactive_years=2,
            final_disposition="musnah",
        )  # fmt: skip
        deep.refresh_from_db()
        assert middle.parent.code == "000.1"
        assert deep.parent_id == middle.pk
        assert AuditRecord.objects.filter(action="eoffice.classification.create", target_id=str(middle.pk)).exists()
        with pytest.raises(ForbiddenError):
            classification_code_create(
                user=office.officer,
                code="000.9",
                name="X",
                active_years=1,
                inactive_years=1,
                final_disposition="musnah",
            )


# --- filing, retention, disposal -----------------------------------------------------------------------------


def test_signing_files_the_letter_into_its_classification_dossier(seed, office):
    with schema_context("brebes"):
        letter = signed_letter(office, "Undangan rapat koordinasi SPBE")
        item = DossierItem.objects.select_related("dossier__classification", "dossier__unit").get(outgoing=letter)
        assert item.automatic
        assert item.dossier.classification.code == "000.1"
        assert item.dossier.unit == office.org.opd
        assert item.dossier.year == letter.letter_date.year
        assert item.dossier.status == DStatus.OPEN
        assert AuditRecord.objects.filter(action="eoffice.archive.file", target_id=str(letter.pk)).exists()
        # A second letter of the same code goes into the same dossier.
        other = signed_letter(office, "Undangan rapat kedua")
        assert DossierItem.objects.get(outgoing=other).dossier_id == item.dossier_id


def test_the_records_officer_files_an_incoming_letter_once_into_an_open_dossier(seed, office):
    with schema_context("brebes"):
        letter = register(office, "Permohonan data kepegawaian")
        item = incoming_letter_file(user=office.officer, letter=letter, classification=code("800.1"))
        assert item.dossier.reference == f"800.1/{office.org.opd.code}/{letter.received_date.year}"
        with pytest.raises(ConflictError) as exc:
            incoming_letter_file(user=office.officer, letter=letter, classification=code("800"))
        assert exc.value.code == "already_filed"
        with pytest.raises(ForbiddenError):
            incoming_letter_file(user=office.leader, letter=register(office, "Lain"), classification=code("800"))
        dossier_close(user=office.officer, dossier=item.dossier)
        with pytest.raises(ConflictError) as exc:
            incoming_letter_file(
                user=office.officer, letter=register(office, "Terlambat"), classification=code("800.1")
            )
        assert exc.value.code == "dossier_closed"


def test_closing_fixes_retention_from_the_schedule_of_that_day(seed, office):
    with schema_context("brebes"):
        letter = register(office, "Laporan keuangan")
        dossier = incoming_letter_file(user=office.officer, letter=letter, classification=code("900.1")).dossier
        day = date(2028, 2, 29)
        dossier_close(user=office.officer, dossier=dossier, on=day)
        assert dossier.status == DStatus.CLOSED
        assert dossier.active_until == date(2033, 2, 28)
        assert dossier.retention_until == date(2038, 2, 28)
        assert dossier.final_disposition == "musnah"
        # A later change of the schedule does not shorten what was fixed.
        ClassificationCode.objects.filter(code="900.1").update(active_years=0, inactive_years=0)
        dossier.refresh_from_db()
        assert dossier.retention_until == date(2038, 2, 28)
        assert years_after(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_nothing_is_disposed_before_retention_ends_and_after_it_a_record_is_kept(seed, office):
    with schema_context("brebes"):
        letter = register(office, "Undangan upacara")
        item = incoming_letter_file(user=office.officer, letter=letter, classification=code("005"))
        dossier = item.dossier
        for attempt in (
            lambda: dossier_dispose(user=office.officer, dossier=dossier, reference="BA/1", reason="JRA"),
            lambda: archive_item_dispose(user=office.officer, item=item, reference="BA/1", reason="JRA"),
        ):
            with pytest.raises(ConflictError) as exc:  # still open
                attempt()
            assert exc.value.code == "retention_not_ended"
        dossier_close(user=office.officer, dossier=dossier)
        with pytest.raises(ConflictError) as exc:
            dossier_dispose(user=office.officer, dossier=dossier, reference="BA/1", reason="JRA")
        assert exc.value.code == "retention_not_ended"
        assert not ArchiveDisposal.objects.exists()
        with pytest.raises(DomainError) as exc:
            dossier_dispose(user=office.officer, dossier=dossier, reference="", reason="")
        assert set(exc.value.fields) == {"reference", "reason"}

        pass_retention(dossier)
        with pytest.raises(ForbiddenError):
            dossier_dispose(user=office.leader, dossier=dossier, reference="BA/1", reason="JRA")
        record = dossier_dispose(user=office.officer, dossier=dossier, reference="BA/2026/01", reason="Sesuai JRA")
        assert record.letters == [
            {"kind": "masuk", "id": letter.pk, "number": letter.letter_number, "subject": letter.subject}
        ]
        dossier.refresh_from_db()
        item.refresh_from_db()
        assert dossier.status == DStatus.DISPOSED
        assert item.disposed_at is not None
        # The rows stay: the letter and its filing are the evidence of the disposal.
        assert IncomingLetter.objects.filter(pk=letter.pk).exists()
        assert AuditRecord.objects.filter(action="eoffice.archive.musnah", target_id=str(dossier.pk)).exists()
        assert AuditRecord.objects.filter(action="eoffice.dossier.dimusnahkan", target_id=str(dossier.pk)).exists()
        with pytest.raises(ConflictError):
            dossier_dispose(user=office.officer, dossier=dossier, reference="BA/2", reason="lagi")


def test_a_single_letter_is_disposed_after_retention_and_a_permanent_dossier_is_handed_over(seed, office):
    with schema_context("brebes"):
        ClassificationCode.objects.filter(code="100").update(final_disposition="permanen")
        keep = incoming_letter_file(user=office.officer, letter=register(office, "Perda"), classification=code("100"))
        dossier_close(user=office.officer, dossier=keep.dossier)
        pass_retention(keep.dossier)
        with pytest.raises(ConflictError) as exc:
            dossier_dispose(user=office.officer, dossier=keep.dossier, reference="BA/3", reason="x")
        assert exc.value.code == "permanent_record"
        with pytest.raises(ConflictError) as exc:
            archive_item_dispose(user=office.officer, item=keep, reference="BA/3", reason="x")
        assert exc.value.code == "permanent_record"
        dossier_transfer(user=office.officer, dossier=keep.dossier, reference="BA/4", reason="Ke arsip daerah")
        keep.dossier.refresh_from_db()
        assert keep.dossier.status == DStatus.TRANSFERRED

        one = incoming_letter_file(user=office.officer, letter=register(office, "Nota"), classification=code("005"))
        dossier_close(user=office.officer, dossier=one.dossier)
        with pytest.raises(ConflictError) as exc:
            dossier_transfer(user=office.officer, dossier=one.dossier, reference="BA/5", reason="x")
        assert exc.value.code == "retention_not_ended"
        pass_retention(one.dossier)
        with pytest.raises(ConflictError) as exc:
            dossier_transfer(user=office.officer, dossier=one.dossier, reference="BA/5", reason="x")
        assert exc.value.code == "not_transferable"
        archive_item_dispose(user=office.officer, item=one, reference="BA/6", reason="Duplikat")
        one.refresh_from_db()
        assert one.disposed_at is not None
        assert ArchiveDisposal.objects.get(item=one).kind == "musnah"


def test_the_database_refuses_deleting_a_dossier_or_filing_before_retention(seed, office):
    with schema_context("brebes"):
        item = incoming_letter_file(user=office.officer, letter=register(office, "Arsip"), classification=code("000"))
        for statement, pk in (
            ("DELETE FROM eoffice_dossieritem WHERE id = %s", item.pk),
            ("DELETE FROM eoffice_dossier WHERE id = %s", item.dossier_id),
            # A filed letter is held by its filing's foreign key.
            ("SET CONSTRAINTS ALL IMMEDIATE; DELETE FROM eoffice_incomingletter WHERE id = %s", item.incoming_id),
        ):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [pk])
        dossier_close(user=office.officer, dossier=item.dossier)
        pass_retention(item.dossier, days_ago=2)
        with transaction.atomic():
            sid = transaction.savepoint()
            with connection.cursor() as cursor:  # after retention the guard lets it through
                cursor.execute("DELETE FROM eoffice_dossieritem WHERE id = %s", [item.pk])
                assert cursor.rowcount == 1
            transaction.savepoint_rollback(sid)


def test_every_forbidden_dossier_transition_is_refused(seed, office):
    with schema_context("brebes"):
        item = incoming_letter_file(user=office.officer, letter=register(office, "Uji"), classification=code("000"))
        dossier = item.dossier
        from tenant_apps.eoffice.archive_services import _transition

        for status, allowed in DOSSIER_TRANSITIONS.items():
            Dossier.objects.filter(pk=dossier.pk).update(
                status=status, closed_on=org_today(), retention_until=org_today() + timedelta(days=1)
            )
            for target in set(DStatus.values) - set(allowed):
                with pytest.raises(ConflictError) as exc:
                    _transition(dossier=dossier, to=target, user=office.officer, changes={})
                assert exc.value.code == "invalid_transition"
        Dossier.objects.filter(pk=dossier.pk).update(status=DStatus.CLOSED)
        dossier_reopen(user=office.officer, dossier=dossier)
        assert dossier.status == DStatus.OPEN
        assert dossier.retention_until is None


def test_a_code_in_use_cannot_be_deleted(seed, office):
    with schema_context("brebes"):
        admin = get_user_model().objects.get(username="admin")
        incoming_letter_file(user=office.officer, letter=register(office, "Uji"), classification=code("400"))
        with pytest.raises(ConflictError) as exc:
            classification_code_delete(user=admin, classification=code("400"))
        assert exc.value.code == "classification_in_use"
        with pytest.raises(ConflictError) as exc:
            classification_code_delete(user=admin, classification=code("800"))
        assert exc.value.code == "classification_has_children"
        classification_code_delete(user=admin, classification=code("005"))
        assert not ClassificationCode.objects.filter(code="005").exists()


# --- search --------------------------------------------------------------------------------------------------


def hits(user, **filters) -> list[tuple[str, int]]:
    return [(kind, pk) for kind, pk, _day in archive_search(user=user, filters=search_filters(**filters))]


def test_search_finds_by_subject_number_sender_and_body_with_prefixes(seed, office):
    with schema_context("brebes"):
        a = register(office, "Undangan rapat koordinasi SPBE", sender="Kementerian Keuangan", number="005/77/SETJEN")
        b = register(office, "Permohonan data pegawai", sender="BKD Provinsi", number="800.1/12/BKD/2026")
        out = signed_letter(office, "Pemberitahuan libur", body="Kantor tutup karena cuti bersama nasional.")
        officer = office.officer
        assert hits(officer, q="undang") == [("masuk", a.pk)]
        assert hits(officer, q="rapat SPBE") == [("masuk", a.pk)]
        assert hits(officer, q="rapat pegawai") == []
        assert hits(officer, q="BKD") == [("masuk", b.pk)]
        assert hits(officer, q="800.1/12/BKD/2026") == [("masuk", b.pk)]
        assert hits(officer, q="12/bkd") == [("masuk", b.pk)]
        assert hits(officer, q="keuangan") == [("masuk", a.pk)]
        assert hits(officer, q="005/77") == [("masuk", a.pk)]
        assert hits(officer, q="cuti bersama") == [("keluar", out.pk)]
        assert hits(officer, q=out.number.number) == [("keluar", out.pk)]
        assert hits(officer, q="tidakada") == []
        assert hits(officer, q="'; DROP TABLE x; --") == []
        assert hits(officer, q="&|!:*()")
        assert len(hits(officer, q="")) == 3


def test_search_filters_by_kind_type_date_unit_status_and_classification(seed, office):
    with schema_context("brebes"):
        today = org_today()
        old = register(office, "Surat lama", received=today - timedelta(days=40))
        new = register(office, "Surat baru", to=office.org.division_head)
        out = signed_letter(office, "Naskah keluar")
        incoming_letter_file(user=office.officer, letter=new, classification=code("800.1"))
        user = office.officer
        assert hits(user, kind="masuk") == [("masuk", new.pk), ("masuk", old.pk)]
        assert hits(user, kind="keluar") == [("keluar", out.pk)]
        assert hits(user, letter_type="surat_undangan") == [("keluar", out.pk)]
        assert hits(user, letter_type="nota_dinas") == []
        assert hits(user, date_to=today - timedelta(days=30)) == [("masuk", old.pk)]
        assert hits(user, date_from=today - timedelta(days=1), kind="masuk") == [("masuk", new.pk)]
        assert hits(user, unit=office.org.division) == [("masuk", new.pk)]
        assert hits(user, status="ditandatangani") == [("keluar", out.pk)]
        assert ("masuk", old.pk) in hits(user, status="terdaftar")
        assert hits(user, classification="800") == [("masuk", new.pk)]
        assert hits(user, classification="000.1") == [("keluar", out.pk)]
        for bad in (
            {"kind": "semua"},
            {"letter_type": "x"},
            {"status": "x"},
            {"classification": "abc"},
            {"date_from": today, "date_to": today - timedelta(days=1)},
            {"q": "x" * 201},
            {"letter_type": "memo", "kind": "masuk"},
        ):
            with pytest.raises(DomainError) as exc:
                search_filters(**bad)
            assert exc.value.code == "invalid"
            assert exc.value.fields


def test_a_staff_member_not_involved_does_not_find_a_letter(seed, office):
    with schema_context("brebes"):
        letter = register(office, "Rahasia pimpinan")
        outsider = account_upsert(
            username="luar", password=seed.password, full_name="Orang Luar", roles=[Role.STAFF], actor="t"
        )
        assert hits(office.leader, q="rahasia") == [("masuk", letter.pk)]  # addressed to his position
        assert hits(office.officer, q="rahasia") == [("masuk", letter.pk)]  # the whole agenda
        assert hits(outsider, q="rahasia") == []
        assert hits(office.acting, q="rahasia") == []
    connection.set_schema_to_public()
    response = api(username="luar").get("/api/v1/eoffice/search/", {"q": "rahasia"})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    response = login(seed, username="luar").get("/eoffice/arsip/", {"q": "rahasia"})
    assert response.status_code == 200
    assert "Rahasia pimpinan" not in response.content.decode()


def test_search_pages_through_results_with_a_bounded_number_of_queries(seed, office, django_assert_max_num_queries):
    with schema_context("brebes"):
        for i in range(30):
            register(office, f"Laporan bulanan {i}", received=org_today() - timedelta(days=i))
        signed_letter(office, "Laporan keluar")
    client = login(seed, username="tu")
    with django_assert_max_num_queries(QUERIES_MAX):
        first = client.get("/eoffice/arsip/", {"q": "laporan"})
    body = first.content.decode()
    assert first.status_code == 200
    assert "31 surat" in body
    assert "Laporan bulanan 0<" in body
    assert "Laporan bulanan 29<" not in body
    assert "q=laporan&amp;page=2" in body
    with django_assert_max_num_queries(QUERIES_MAX):
        second = client.get("/eoffice/arsip/", {"q": "laporan", "page": "2"})
    assert "Laporan bulanan 29<" in second.content.decode()
    with django_assert_max_num_queries(QUERIES_MAX):
        response = api(username="tu").get("/api/v1/eoffice/search/", {"q": "laporan", "page": 1})
    data = response.json()
    assert response.status_code == 200
    assert data["count"] == 31
    assert len(data["results"]) == 31
    assert {r["kind"] for r in data["results"]} == {"masuk", "keluar"}
    assert data["results"][0]["url"].startswith("/api/v1/eoffice/")
    filtered = api(username="tu").get("/api/v1/eoffice/search/", {"q": "laporan", "kind": "keluar"}).json()
    assert [r["subject"] for r in filtered["results"]] == ["Laporan keluar"]
    assert filtered["results"][0]["dossier"].startswith("000.1/")


def test_bad_search_and_archive_inputs_give_clear_errors_never_a_500(seed, office):
    client = api(username="tu")
    for params, field in (
        ({"date_from": "kemarin"}, "date_from"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"),
        ({"kind": "semua"}, "kind"),
        ({"letter_type": "surat_cinta"}, "letter_type"),
        ({"status": "hilang"}, "status"),
        ({"classification": "1.2"}, "classification"),
        ({"unit": "abc"}, "unit"),
        ({"unit": "999999"}, "unit"),
        ({"q": "x" * 300}, "q"),
        ({"page": "0"}, "page"),
    ):
        response = client.get("/api/v1/eoffice/search/", params)
        assert response.status_code == 400, (params, response.content)
        assert field in response.json()["error"]["fields"], (params, response.json())
    assert client.get("/api/v1/eoffice/search/", {"page": "99"}).status_code == 404
    web = login(seed, username="tu")
    for params in ({"date_from": "kemarin"}, {"date_from": "2026-05-02", "date_to": "2026-05-01"}, {"page": "x"},
                   {"classification": "abc"}, {"unit": "abc"}, {"q": "\x00"}):  # fmt: skip
        response = web.get("/eoffice/arsip/", params)
        assert response.status_code == 200, params
    assert (
        "Tanggal akhir tidak boleh sebelum tanggal awal."
        in web.get("/eoffice/arsip/", {"date_from": "2026-05-02", "date_to": "2026-05-01"}).content.decode()
    )
    admin = api(username="admin")
    for payload in (
        {"code": "ABC", "name": "x", "active_years": 1, "inactive_years": 1, "final_disposition": "musnah"},
        {"code": "000", "name": "x", "active_years": 1, "inactive_years": 1, "final_disposition": "musnah"},
        {"code": "000.9", "name": "", "active_years": -1, "inactive_years": 1, "final_disposition": "hilang"},
    ):
        response = admin.post("/api/v1/eoffice/classifications/", payload, format="json")
        assert response.status_code == 400, response.content
    assert admin.post("/api/v1/eoffice/classifications/", payload, format="json").json()["error"]["fields"].keys() >= {
        "name", "active_years", "final_disposition"
    }  # fmt: skip
    assert client.post("/api/v1/eoffice/archive/file/", {"classification": "000"}, format="json").status_code == 400
    response = client.post("/api/v1/eoffice/archive/file/", {"incoming": 999, "classification": "000"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "letter_not_found"
    response = client.post(
        "/api/v1/eoffice/dossiers/", {"classification": "777", "unit": 1, "year": 2026}, format="json"
    )
    assert response.status_code == 400
    assert "classification" in response.json()["error"]["fields"]
    for path in ("/api/v1/eoffice/dossiers/abc/", "/api/v1/eoffice/dossiers/99999/close/",
                 "/api/v1/eoffice/classifications/-1/"):  # fmt: skip
        response = client.get(path) if "close" not in path else client.post(path)
        assert response.status_code == 404, path
    assert web.get("/eoffice/arsip/berkas/abc/").status_code == 404
    assert web.post("/eoffice/arsip/berkas/1/hapus/").status_code == 404


def test_archive_flow_through_the_api_refuses_disposal_before_retention(seed, office):
    with schema_context("brebes"):
        letter = register(office, "Undangan HUT")
    client = api(username="tu")
    response = client.post(
        "/api/v1/eoffice/archive/file/", {"incoming": letter.pk, "classification": "005"}, format="json"
    )
    assert response.status_code == 201, response.json()
    dossier = response.json()
    assert dossier["reference"].startswith("005/")
    assert dossier["letters"][0]["letter"] == letter.pk
    again = client.post(
        "/api/v1/eoffice/archive/file/", {"incoming": letter.pk, "classification": "005"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_filed"
    url = f"/api/v1/eoffice/dossiers/{dossier['id']}/"
    disposal = {"reference": "BA/01", "reason": "JRA"}
    response = client.post(url + "dispose/", disposal, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "retention_not_ended"
    closed = client.post(url + "close/").json()
    assert closed["status"] == "ditutup"
    assert closed["retention_until"]
    response = client.post(url + "dispose/", disposal, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "retention_not_ended"
    assert client.post(url + "dispose/", {}, format="json").status_code == 400
    with schema_context("brebes"):
        pass_retention(Dossier.objects.get(pk=dossier["id"]))
    assert api(username="kadis").post(url + "dispose/", disposal, format="json").status_code == 403
    response = client.post(url + "dispose/", disposal, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "dimusnahkan"
    assert response.json()["disposals"][0]["reference"] == "BA/01"
    listing = client.get("/api/v1/eoffice/dossiers/", {"status": "dimusnahkan"}).json()
    assert [d["id"] for d in listing["results"]] == [dossier["id"]]
    # A disposed letter no longer turns up in search.
    assert client.get("/api/v1/eoffice/search/", {"q": "HUT"}).json()["count"] == 0


def test_the_web_pages_file_close_and_manage_codes(seed, office, django_assert_max_num_queries):
    with schema_context("brebes"):
        letter = register(office, "Permohonan cuti")
    tu = login(seed, username="tu")
    assert "/eoffice/arsip/" in tu.get("/eoffice/").content.decode()
    page = tu.get("/eoffice/arsip/", {"q": "cuti"}).content.decode()
    assert f"/eoffice/arsip/berkaskan/masuk/{letter.pk}/" in page
    with schema_context("brebes"):
        code_800 = code("800").pk
    response = tu.post(f"/eoffice/arsip/berkaskan/masuk/{letter.pk}/", {"classification": code_800})
    assert response.status_code == 302
    with schema_context("brebes"):
        dossier = DossierItem.objects.get(incoming=letter).dossier
    detail = tu.get(response["Location"]).content.decode()
    assert "Permohonan cuti" in detail
    assert "Tutup berkas" in detail
    assert tu.post(f"/eoffice/arsip/berkas/{dossier.pk}/tutup/").status_code == 302
    detail = tu.get(f"/eoffice/arsip/berkas/{dossier.pk}/").content.decode()
    assert "tidak dapat dimusnahkan sebelum masa retensinya berakhir" in detail
    response = tu.post(f"/eoffice/arsip/berkas/{dossier.pk}/musnah/", {"reference": "BA/1", "reason": "x"}, follow=True)
    assert "Masa retensi berkas ini baru berakhir" in response.content.decode()
    with django_assert_max_num_queries(QUERIES_MAX):
        assert tu.get("/eoffice/arsip/berkas/").status_code == 200
    # The classification list is the admin's; the records officer and staff are refused.
    assert tu.get("/eoffice/arsip/klasifikasi/").status_code == 403
    assert login(seed, username="kadis").get("/eoffice/arsip/berkas/").status_code == 403
    admin = login(seed, username="admin")
    with django_assert_max_num_queries(QUERIES_MAX):
        listing = admin.get("/eoffice/arsip/klasifikasi/")
    assert "Kepegawaian" in listing.content.decode()
    created = admin.post(
        "/eoffice/arsip/klasifikasi/",
        {
            "code": "800.1.2",
            "name": "Cuti pegawai",
            "active_years": 1,
            "inactive_years": 2,
            "final_disposition": "musnah",
        },
    )
    assert created.status_code == 302
    bad = admin.post("/eoffice/arsip/klasifikasi/", {"code": "8", "name": "", "active_years": "x"})
    assert bad.status_code == 200
    assert "error" in bad.content.decode()
    refused = admin.post(f"/eoffice/arsip/klasifikasi/{code_800}/", {"delete": "1"}, follow=True)
    assert "dipakai berkas" in refused.content.decode()
    with schema_context("brebes"):
        assert ClassificationCode.objects.filter(code="800").exists()
        assert code("800.1.2").parent.code == "800.1"


def test_tegal_cannot_search_or_see_brebes_letters_or_dossiers(seed, office):
    licensed("tegal", ["eoffice"])
    with schema_context("brebes"):
        letter = register(office, "Rahasia Brebes")
        dossier = incoming_letter_file(user=office.officer, letter=letter, classification=code("000")).dossier
    connection.set_schema_to_public()
    attacker = api("tegal", "admin")
    assert attacker.get("/api/v1/eoffice/search/", {"q": "rahasia"}).json()["count"] == 0
    assert attacker.get(f"/api/v1/eoffice/dossiers/{dossier.pk}/").status_code == 404
    assert attacker.get("/api/v1/eoffice/dossiers/").json()["count"] == 0
    assert attacker.post(f"/api/v1/eoffice/dossiers/{dossier.pk}/close/").status_code == 404
    response = attacker.post(
        "/api/v1/eoffice/archive/file/", {"incoming": letter.pk, "classification": "000"}, format="json"
    )
    assert response.status_code == 404
    web = login(seed, "tegal", "admin")
    assert "Rahasia Brebes" not in web.get("/eoffice/arsip/", {"q": "rahasia"}).content.decode()
    assert web.get(f"/eoffice/arsip/berkas/{dossier.pk}/").status_code == 404
    assert web.post(f"/eoffice/arsip/berkas/{dossier.pk}/tutup/").status_code == 404
    # A Brebes token means nothing on Tegal's host.
    with schema_context("brebes"):
        from rest_framework.authtoken.models import Token

        token, _created = Token.objects.get_or_create(user=office.officer)
    from rest_framework.test import APIClient

    stolen = APIClient(HTTP_HOST="tegal.localhost")
    stolen.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert stolen.get("/api/v1/eoffice/search/", {"q": "rahasia"}).status_code == 401
    with schema_context("brebes"):
        dossier.refresh_from_db()
        assert dossier.status == DStatus.OPEN


def test_a_letter_signed_with_an_unknown_code_or_into_a_closed_dossier_is_left_for_the_records_officer(
    seed,
    office,
):
    with schema_context("brebes"):
        unknown = signed_letter(office, "Kode asing", code="999.1")
        assert unknown.status == OutgoingLetter.Status.SIGNED
        assert not DossierItem.objects.filter(outgoing=unknown).exists()
        first = signed_letter(office, "Undangan pertama")
        dossier_close(user=office.officer, dossier=DossierItem.objects.get(outgoing=first).dossier)
        late = signed_letter(office, "Undangan terlambat")
        assert late.status == OutgoingLetter.Status.SIGNED
        assert not DossierItem.objects.filter(outgoing=late).exists()
    tu = login(seed, username="tu")
    page = tu.get("/eoffice/arsip/berkas/").content.decode()
    assert f"/eoffice/arsip/berkaskan/keluar/{unknown.pk}/" in page
    assert f"/eoffice/arsip/berkaskan/keluar/{late.pk}/" in page
    with schema_context("brebes"):
        code_900 = code("900").pk
    assert tu.post(f"/eoffice/arsip/berkaskan/keluar/{unknown.pk}/", {"classification": code_900}).status_code == 302
    with schema_context("brebes"):
        assert DossierItem.objects.get(outgoing=unknown).dossier.classification.code == "900"
    assert tu.get(f"/eoffice/arsip/berkaskan/keluar/{first.pk + 999}/").status_code == 404
    assert login(seed, username="kadis").get(f"/eoffice/arsip/berkaskan/keluar/{late.pk}/").status_code == 403


def test_browsing_and_word_searches_count_up_to_a_cap_and_still_page_past_it(seed, office, monkeypatch):
    from tenant_apps.eoffice import archive_selectors, archive_views
    from tenant_apps.eoffice.api import archive_views as api_archive_views

    monkeypatch.setattr(archive_selectors, "SEARCH_COUNT_CAP", 5)
    monkeypatch.setattr(archive_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(api_archive_views, "API_PAGE_SIZE", 2)
    with schema_context("brebes"):
        for i in range(8):
            register(office, f"Nota pemberitahuan {i}", received=org_today() - timedelta(days=i))
    client = api(username="tu")
    browse = client.get("/api/v1/eoffice/search/").json()
    assert browse["count"] == 6
    assert browse["count_capped"] is True
    words = client.get("/api/v1/eoffice/search/", {"q": "nota"}).json()
    assert words["count"] == 6
    assert words["count_capped"] is True
    # Below the cap the count is exact.
    few = client.get("/api/v1/eoffice/search/", {"q": "nota pemberitahuan 7"}).json()
    assert few["count_capped"] is False
    assert few["count"] == len(few["results"]) >= 1
    web = login(seed, username="tu")
    assert "Lebih dari" in web.get("/eoffice/arsip/").content.decode()
    # Pages past the cap are still reached, in order (the count goes one row past the page asked for), and
    # a capped count shows no page total.
    subjects = []
    for number in range(1, 5):
        body = web.get("/eoffice/arsip/", {"q": "nota", "page": number}).content.decode()
        subjects += [f"Nota pemberitahuan {i}" for i in range(8) if f"Nota pemberitahuan {i}<" in body]
        assert (f"page={number + 1}" in body) is (number < 4), number
        assert " dari " not in body.split("Halaman")[-1].split("</p>")[0]
    assert subjects == [f"Nota pemberitahuan {i}" for i in range(8)]
    # A page beyond the end gives the last one on the web, 404 in the API.
    assert "Nota pemberitahuan 7<" in web.get("/eoffice/arsip/", {"q": "nota", "page": 99}).content.decode()
    assert client.get("/api/v1/eoffice/search/", {"q": "nota", "page": 99}).status_code == 404
    api_subjects = []
    url = "/api/v1/eoffice/search/?q=nota"
    while url:
        data = client.get(url).json()
        api_subjects += [r["subject"] for r in data["results"]]
        url = data["next"]
    assert api_subjects == [f"Nota pemberitahuan {i}" for i in range(8)]


def test_search_lists_exactly_the_letters_each_user_may_open_once_each(seed, office):
    """The search splits visibility into parts (addressed or registered / disposed / outgoing): whatever a user
    holds, the hits are the letters the detail pages let them open, each once, newest first."""
    from tenant_apps.eoffice.disposition_services import disposition_create
    from tenant_apps.eoffice.models import Disposition
    from tenant_apps.eoffice.selectors import incoming_visible, outgoing_list_for
    from tenant_apps.org.models import Employee

    org = office.org
    with schema_context("brebes"):
        kabid = account_upsert(
            username="kabid", password=seed.password, full_name="Siti", roles=[Role.STAFF], actor="t"
        )
        Employee.objects.filter(pk=org.kabid.pk).update(account=kabid)
        today = org_today()
        to_head = register(office, "Surat arsip kepala", received=today - timedelta(days=1))
        to_kabid = register(office, "Surat arsip bidang", to=org.division_head, received=today - timedelta(days=2))
        to_section = register(office, "Surat arsip seksi", to=org.section_head, received=today - timedelta(days=3))
        register(office, "Surat arsip lain", to=org.analyst, received=today - timedelta(days=4))
        disposition_create(
            user=office.leader,
            letter=to_head,
            to_positions=[org.division_head, org.section_head],
            instructions=["tindak_lanjuti"],
            note="",
            urgency="biasa",
            deadline=None,
        )
        # Addressed to the Kepala Bidang and disposed to him too: one hit, not two.
        twice = Disposition.objects.filter(letter=to_head, to_position=org.division_head).first()
        twice.pk, twice.letter = None, to_kabid
        twice.save()
        signed_letter(office, "Naskah arsip untuk bidang")  # the Kepala Bidang receives it once signed
        users = [office.officer, office.leader, office.acting, kabid]
        for user in users:
            got = hits(user, q="arsip")
            assert len(got) == len(set(got)), user
            incoming = [pk for kind, pk in got if kind == "masuk"]
            expected = [
                letter.pk
                for letter in IncomingLetter.objects.filter(subject__startswith="Surat arsip").order_by(
                    "-received_date", "-id"
                )
                if incoming_visible(user=user, letter=letter)
            ]
            assert incoming == expected, user
            outgoing = {pk for kind, pk in got if kind == "keluar"}
            assert outgoing == set(
                outgoing_list_for(user=user).filter(subject__contains="arsip").values_list("pk", flat=True)
            )
        assert hits(kabid, q="arsip", kind="masuk") == [("masuk", to_head.pk), ("masuk", to_kabid.pk)]
        assert ("keluar", OutgoingLetter.objects.get(subject="Naskah arsip untuk bidang").pk) in hits(kabid, q="arsip")
        assert hits(office.acting, q="arsip") == [("masuk", to_head.pk), ("masuk", to_section.pk)]
