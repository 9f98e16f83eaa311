"""The lists a region keeps itself: disposition instructions (region admin) and the register of issued
numbers (records officers): web and API, refusals with stable codes, audit, and the attacker's side (a
staff member, another region's admin)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from shared_apps.audit.models import AuditRecord
from tenant_apps.eoffice.models import DispositionInstruction, IssuedNumber
from tenant_apps.eoffice.selectors import instruction_list
from tenant_apps.eoffice.services import letter_number_issue
from tenant_apps.org.selectors import org_today
from tests.fixtures.control import licensed
from tests.fixtures.eoffice import incoming_letter
from tests.fixtures.org import api, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def brebes_instruction(code: str) -> DispositionInstruction:
    with schema_context("brebes"):
        return DispositionInstruction.objects.get(code=code)


# --- instructions ----------------------------------------------------------------------------------------------


def test_the_admin_adds_renames_and_retires_an_instruction_on_the_web(seed, office):
    admin = login(seed)
    page = admin.get("/eoffice/pengaturan/instruksi/")
    assert page.status_code == 200
    assert "Tindak lanjuti" in page.content.decode()
    response = admin.post("/eoffice/pengaturan/instruksi/", {"code": "monitor", "label": "Pantau", "order": 90})
    assert response.status_code == 302
    added = brebes_instruction("monitor")
    with schema_context("brebes"):
        assert added in instruction_list()
    response = admin.post(
        f"/eoffice/pengaturan/instruksi/{added.pk}/", {"label": "Pantau pelaksanaannya", "order": 5, "active": ""}
    )
    assert response.status_code == 302
    with schema_context("brebes"):
        assert added not in instruction_list()  # retired: new dispositions cannot pick it
        added.refresh_from_db()
        assert (added.label, added.order, added.active) == ("Pantau pelaksanaannya", 5, False)
        actions = list(
            AuditRecord.objects.filter(target_type="eoffice.instruction", target_id=str(added.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["eoffice.instruction.create", "eoffice.instruction.update"]


def test_bad_instructions_are_refused_in_indonesian_on_the_form(seed, office):
    admin = login(seed)
    for data, words in (
        ({"code": "Tindak Lanjut!", "label": "x", "order": 0}, "huruf kecil"),
        ({"code": "tindak_lanjuti", "label": "x", "order": 0}, "sudah dipakai"),
        ({"code": "baru", "label": "   ", "order": 0}, "harus diisi"),
    ):
        response = admin.post("/eoffice/pengaturan/instruksi/", data)
        assert response.status_code == 200
        assert words in response.content.decode().lower(), data
    with schema_context("brebes"):
        assert not DispositionInstruction.objects.filter(code="baru").exists()


def test_the_api_refuses_with_stable_codes_and_keeps_one_instruction_active(seed, office):
    client = api()
    assert client.post("/api/v1/eoffice/instructions/", {"code": "a b", "label": "x"}).json()["error"]["code"] == (
        "code_invalid"
    )
    taken = client.post("/api/v1/eoffice/instructions/", {"code": "pelajari", "label": "x"})
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "code_taken")
    listed = client.get("/api/v1/eoffice/instructions/").json()
    *others, last = listed
    for item in others:
        assert client.put(f"/api/v1/eoffice/instructions/{item['id']}/", {**item, "active": False}).status_code == 200
    refused = client.put(f"/api/v1/eoffice/instructions/{last['id']}/", {**last, "active": False})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "last_active_instruction")
    assert brebes_instruction(last["code"]).active
    for bad in ("abc", "0", "99999999999999999999"):
        assert client.put(f"/api/v1/eoffice/instructions/{bad}/", last).status_code == 404


def test_staff_and_records_officers_cannot_change_instructions(seed, office):
    target = brebes_instruction("pelajari")
    assert login(seed, username="tu").get("/eoffice/pengaturan/instruksi/").status_code == 403
    response = api(username="tu").put(
        f"/api/v1/eoffice/instructions/{target.pk}/", {"label": "diubah", "order": 0, "active": False}
    )
    assert response.status_code == 403
    assert brebes_instruction("pelajari").label == target.label


def test_tegal_admin_changes_only_tegal_instructions_even_with_a_brebes_id(seed, office):
    licensed("tegal", ["eoffice"])
    target = brebes_instruction("pelajari")
    response = api("tegal").put(
        f"/api/v1/eoffice/instructions/{target.pk}/", {"label": "Diubah Tegal", "order": 0, "active": True}
    )
    assert response.status_code in (200, 404)
    assert brebes_instruction("pelajari").label == target.label
    connection.set_schema_to_public()


# --- the number register ---------------------------------------------------------------------------------------


def test_a_records_officer_reserves_a_number_from_the_same_sequence_and_cancels_it(seed, office):
    officer = login(seed, username="tu")
    unit = office.org.opd
    response = officer.post("/eoffice/nomor/", {"unit": unit.pk, "classification_code": "000.1", "note": "SK manual"})
    assert response.status_code == 302
    year = org_today().year
    with schema_context("brebes"):
        reserved = IssuedNumber.objects.get(letter_ref="manual:SK manual")
        assert reserved.number == f"000.1/1/{unit.code}/{year}"
        following = letter_number_issue(unit=unit, classification_code="400.14", year=year, actor="t")
        assert following.value == 2  # electronic letters continue the same sequence
    page = officer.get("/eoffice/nomor/").content.decode()
    assert reserved.number in page
    assert "Naskah manual: SK manual" in page
    assert officer.post(f"/eoffice/nomor/{reserved.pk}/batal/", {"reason": ""}).status_code == 200  # form error
    response = officer.post(f"/eoffice/nomor/{reserved.pk}/batal/", {"reason": "Naskah tidak jadi dikirim"})
    assert response.status_code == 302
    with schema_context("brebes"):
        reserved.refresh_from_db()
        assert (reserved.cancelled, reserved.cancelled_reason) == (True, "Naskah tidak jadi dikirim")
        after = letter_number_issue(unit=unit, classification_code="400.14", year=year, actor="t")
        assert after.value == 3  # the cancelled value is never given again
    again = api(username="tu").post(f"/api/v1/eoffice/numbers/{reserved.pk}/cancel/", {"reason": "lagi"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "number_already_cancelled")
    cancelled = api(username="tu").get("/api/v1/eoffice/numbers/", {"state": "cancelled"}).json()["results"]
    assert [n["number"] for n in cancelled] == [reserved.number]


def test_numbers_in_use_cannot_be_cancelled(seed, office):
    with schema_context("brebes"):
        agenda = incoming_letter(office).agenda
        signed = letter_number_issue(
            unit=office.org.opd, classification_code="000.1", year=org_today().year, actor="t", letter_ref="outgoing:7"
        )
    client = api(username="tu")
    for issued in (agenda, signed):
        response = client.post(f"/api/v1/eoffice/numbers/{issued.pk}/cancel/", {"reason": "coba"})
        assert (response.status_code, response.json()["error"]["code"]) == (409, "number_in_use")
    with schema_context("brebes"):
        assert not IssuedNumber.objects.filter(cancelled=True).exists()


def test_bad_reservations_are_refused_per_field_and_take_no_number(seed, office):
    client = api(username="tu")
    for data, field in (
        ({"unit": office.org.opd.pk, "classification_code": "bukan kode", "note": "x"}, "classification_code"),
        ({"unit": office.org.opd.pk, "classification_code": "000.1", "note": "   "}, "note"),
        ({"unit": 999999, "classification_code": "000.1", "note": "x"}, "unit"),
        ({"unit": office.org.opd.pk, "classification_code": "000.1", "note": "x" * 80}, "note"),
    ):
        response = client.post("/api/v1/eoffice/numbers/", data)
        assert response.status_code == 400, (data, response.json())
        assert field in response.json()["error"]["fields"], response.json()
    bad_filter = client.get("/api/v1/eoffice/numbers/", {"year": "dua ribu"})
    assert bad_filter.status_code == 400
    with schema_context("brebes"):
        assert not IssuedNumber.objects.exists()


def test_staff_cannot_see_the_register_and_tegal_cannot_cancel_a_brebes_number(seed, office):
    with schema_context("brebes"):
        issued = letter_number_issue(unit=office.org.opd, classification_code="000.1", year=org_today().year, actor="t")
    assert login(seed, username="plt").get("/eoffice/nomor/").status_code == 403
    assert api(username="plt").get("/api/v1/eoffice/numbers/").status_code == 403
    licensed("tegal", ["eoffice"])
    tegal = api("tegal")
    assert tegal.get("/api/v1/eoffice/numbers/").json()["results"] == []
    assert tegal.post(f"/api/v1/eoffice/numbers/{issued.pk}/cancel/", {"reason": "serang"}).status_code == 404
    with schema_context("brebes"):
        issued.refresh_from_db()
        assert not issued.cancelled


def test_the_register_reads_the_same_number_of_queries_for_5_or_45_numbers(seed, office):
    officer = login(seed, username="tu")

    def queries_after_issuing(count: int) -> int:
        with schema_context("brebes"):
            for _ in range(count):
                letter_number_issue(unit=office.org.opd, classification_code="000.1", year=org_today().year, actor="t")
        connection.set_schema_to_public()
        with CaptureQueriesContext(connection) as captured:
            assert officer.get("/eoffice/nomor/").status_code == 200
        return len(captured.captured_queries)

    few = queries_after_issuing(5)
    # session, account, roles, licence, region, settings, units twice, count, page; each after SET search_path
    assert few <= 22
    assert queries_after_issuing(40) == few
