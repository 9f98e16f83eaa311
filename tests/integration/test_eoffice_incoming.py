"""Incoming letters: registration through the web and the API, validation with nothing stored on error,
the inbox of whoever acts for the addressed position (Plt. included), attachments, and the attacker's side
(another region, another role, an unlicensed region)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from mitra.errors import ForbiddenError
from shared_apps.audit.models import AuditRecord
from tenant_apps.eoffice.models import IncomingAttachment, IncomingLetter, IssuedNumber
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.eoffice.validation import ATTACHMENT_MAX_BYTES
from tenant_apps.org.models import ActingAssignment
from tenant_apps.org.selectors import org_today
from tests.fixtures.control import licensed
from tests.fixtures.eoffice import PDF, Office, png, upload
from tests.fixtures.org import api, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def form_data(office: Office, **changes) -> dict:
    with schema_context("brebes"):
        today = org_today()
    data = {
        "sender": "Kementerian Dalam Negeri",
        "letter_number": "100.2/1234/SJ",
        "letter_date": (today - timedelta(days=2)).isoformat(),
        "received_date": today.isoformat(),
        "subject": "Undangan rapat koordinasi SPBE",
        "nature": "penting",
        "urgency": "segera",
        "addressed_to": office.org.head.pk,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def nothing_stored(media: Path) -> None:
    with schema_context("brebes"):
        assert not IncomingLetter.objects.exists()
        assert not IncomingAttachment.objects.exists()
        assert not IssuedNumber.objects.exists()  # no agenda number consumed either
    assert stored_files(media) == []


# --- registration --------------------------------------------------------------------------------------------


def test_the_records_officer_registers_a_letter_on_the_web_and_the_leader_finds_it(seed, office, media):
    client = login(seed, username="tu")
    assert client.get("/eoffice/surat-masuk/catat/").status_code == 200
    response = client.post(
        "/eoffice/surat-masuk/catat/",
        {**form_data(office), "attachments": [upload(), upload(png(), "foto.png", "image/png")]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context("brebes"):
        letter = IncomingLetter.objects.get()
        year = org_today().year
        assert letter.agenda.number == f"1/{year}"
        assert letter.agenda_year == year
        assert (letter.nature, letter.urgency, letter.addressed_to_id) == ("penting", "segera", office.org.head.pk)
        assert letter.registered_by == office.officer
        files = list(letter.attachments.order_by("id"))
        assert [(f.content_type, f.original_name) for f in files] == [
            ("application/pdf", "surat.pdf"),
            ("image/png", "foto.png"),
        ]
        assert all("eoffice/incoming/" in f.file for f in files)
        assert AuditRecord.objects.filter(action="eoffice.incoming.register", target_id=str(letter.pk)).exists()
    # Stored under the region's prefix.
    assert sorted(p.relative_to(media).parts[0] for p in stored_files(media)) == ["brebes", "brebes"]
    detail = client.get(response["Location"])
    assert "Undangan rapat koordinasi SPBE" in detail.content.decode()

    leader = login(seed, username="kadis")
    inbox = leader.get("/eoffice/surat-masuk/").content.decode()
    assert "Undangan rapat koordinasi SPBE" in inbox
    download = leader.get(f"/eoffice/surat-masuk/{letter.pk}/lampiran/{files[0].pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]


def test_agenda_numbers_follow_each_other_within_a_year(seed, office):
    with schema_context("brebes"):
        today = org_today()
        numbers = [
            incoming_letter_register(
                user=office.officer,
                sender="BKN",
                letter_number=f"X/{i}",
                letter_date=today,
                received_date=today,
                subject=f"Surat {i}",
                addressed_to=office.org.head,
            ).agenda.value
            for i in range(3)
        ]
        assert numbers == [1, 2, 3]


def test_the_api_registers_a_letter_with_attachments_and_lists_it(seed, office):
    client = api(username="tu")
    response = client.post(
        "/api/v1/eoffice/incoming/",
        {**form_data(office), "attachments": [upload(), upload(png(), "foto.png", "image/png")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["agenda_number"] == f"1/{body['agenda_year']}"
    assert [a["content_type"] for a in body["attachments"]] == ["application/pdf", "image/png"]
    detail = client.get(f"/api/v1/eoffice/incoming/{body['id']}/")
    assert detail.status_code == 200
    assert detail.json()["subject"] == "Undangan rapat koordinasi SPBE"
    download = client.get(body["attachments"][1]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png()
    agenda = client.get("/api/v1/eoffice/incoming/?scope=agenda").json()
    assert [row["id"] for row in agenda["results"]] == [body["id"]]
    # JSON without files works too.
    plain = client.post("/api/v1/eoffice/incoming/", form_data(office, subject="Tanpa lampiran"), format="json")
    assert plain.status_code == 201
    assert plain.json()["attachments"] == []
    assert plain.json()["agenda_number"].startswith("2/")


# --- validation: nothing stored --------------------------------------------------------------------------


def test_a_text_file_named_pdf_is_refused_on_the_web_and_nothing_is_stored(seed, office, media):
    client = login(seed, username="tu")
    response = client.post(
        "/eoffice/surat-masuk/catat/",
        {**form_data(office), "attachments": [upload(), upload(b"<html>bukan pdf</html>", "palsu.pdf")]},
    )
    assert response.status_code == 200
    assert "Lampiran harus berkas PDF, PNG atau JPEG yang utuh." in response.content.decode()
    nothing_stored(media)


@pytest.mark.parametrize(
    ("attachment", "code"),
    [
        (upload(b"MZ\x90\x00 executable", "surat.pdf"), "attachment_type_not_allowed"),
        (upload(PDF[:-7], "terpotong.pdf"), "attachment_type_not_allowed"),  # truncated: no %%EOF
        (upload(b"\xff\xd8\xff\xe0 no end", "foto.jpg", "image/jpeg"), "attachment_type_not_allowed"),
        (upload(b"", "kosong.pdf"), "attachment_empty"),
        (upload(b"%PDF-1.4\n" + b"0" * ATTACHMENT_MAX_BYTES + b"\n%%EOF"), "attachment_too_large"),
    ],
)
def test_the_api_refuses_bad_attachments_with_a_stable_code_and_stores_nothing(seed, office, media, attachment, code):
    response = api(username="tu").post(
        "/api/v1/eoffice/incoming/", {**form_data(office), "attachments": [upload(), attachment]}, format="multipart"
    )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [e["code"] for e in error["fields"]["attachments"]] == [code]
    nothing_stored(media)


def test_missing_fields_and_wrong_values_are_reported_per_field(seed, office, media):
    client = api(username="tu")
    response = client.post(
        "/api/v1/eoffice/incoming/", {"nature": "sangat_rahasia", "addressed_to": "x"}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    for name in ("sender", "letter_number", "letter_date", "received_date", "subject"):
        assert fields[name][0]["code"] == "required", name
    assert fields["nature"][0]["code"] == "invalid_choice"
    assert fields["addressed_to"][0]["code"] == "invalid"
    unknown = client.post("/api/v1/eoffice/incoming/", form_data(office, addressed_to=10**12), format="json")
    assert unknown.json()["error"]["fields"]["addressed_to"][0]["code"] == "position_not_found"
    with schema_context("brebes"):
        today = org_today()
    future = client.post(
        "/api/v1/eoffice/incoming/",
        form_data(office, received_date=(today + timedelta(days=1)).isoformat()),
        format="json",
    )
    assert future.json()["error"]["fields"]["received_date"][0]["code"] == "received_date_in_future"
    backwards = client.post(
        "/api/v1/eoffice/incoming/",
        form_data(office, letter_date=(today + timedelta(days=1)).isoformat(), received_date=today.isoformat()),
        format="json",
    )
    assert backwards.json()["error"]["fields"]["letter_date"][0]["code"] == "letter_date_after_received"
    blank = client.post("/api/v1/eoffice/incoming/", form_data(office, subject="   "), format="json")
    assert blank.status_code == 400
    assert "subject" in blank.json()["error"]["fields"]
    huge = client.post("/api/v1/eoffice/incoming/", form_data(office, sender="x" * 10_000), format="json")
    assert huge.status_code == 400
    malformed = client.generic("POST", "/api/v1/eoffice/incoming/", b"{not json", content_type="application/json")
    assert malformed.status_code == 400
    nothing_stored(media)
    page = login(seed, username="tu").post("/eoffice/surat-masuk/catat/", form_data(office, sender=""))
    assert page.status_code == 200
    assert "Bidang ini harus diisi." in page.content.decode()  # Indonesian, next to the field
    nothing_stored(media)


def test_the_service_refuses_bad_input_before_writing(seed, office, media):
    with schema_context("brebes"):
        with pytest.raises(ValidationError) as refused:
            incoming_letter_register(
                user=office.officer,
                sender="",
                letter_number="1",
                letter_date=None,
                received_date=org_today(),
                subject="x",
                addressed_to=None,
                nature="biasa",
                urgency="kilat",
                attachments=[upload(b"GIF89a")],
            )
        assert set(refused.value.message_dict) == {"sender", "letter_date", "urgency", "addressed_to", "attachments"}
    nothing_stored(media)


# --- who sees what -------------------------------------------------------------------------------------------


def test_a_letter_to_a_vacant_seat_reaches_its_plt_and_nobody_else(seed, office):
    client = api(username="tu")
    created = client.post(
        "/api/v1/eoffice/incoming/", form_data(office, addressed_to=office.org.section_head.pk), format="json"
    ).json()
    plt_inbox = api(username="plt").get("/api/v1/eoffice/incoming/").json()
    assert [row["id"] for row in plt_inbox["results"]] == [created["id"]]
    assert "Undangan rapat" in login(seed, username="plt").get("/eoffice/surat-masuk/").content.decode()
    assert api(username="plt").get(f"/api/v1/eoffice/incoming/{created['id']}/").status_code == 200
    # The Kepala Dinas acts for his own seat only; a staff member with no position has an empty inbox.
    assert api(username="kadis").get("/api/v1/eoffice/incoming/").json()["results"] == []
    assert api(username="kadis").get(f"/api/v1/eoffice/incoming/{created['id']}/").status_code == 404
    assert api(username="staf").get("/api/v1/eoffice/incoming/").json()["results"] == []
    # Once the assignment has ended, the letter leaves the former Plt.'s inbox.
    with schema_context("brebes"):
        ActingAssignment.objects.filter(employee=office.org.spare).update(
            start=org_today() - timedelta(days=10), end=org_today() - timedelta(days=1)
        )
    assert api(username="plt").get("/api/v1/eoffice/incoming/").json()["results"] == []


def test_staff_cannot_register_nor_read_the_agenda(seed, office, media):
    staff = api(username="staf")
    refused = staff.post("/api/v1/eoffice/incoming/", form_data(office), format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    agenda = staff.get("/api/v1/eoffice/incoming/?scope=agenda")
    assert agenda.status_code == 403
    assert agenda.json()["error"]["code"] == "permission_denied"
    page = login(seed, username="staf")
    assert page.get("/eoffice/surat-masuk/catat/").status_code == 403
    assert page.post("/eoffice/surat-masuk/catat/", form_data(office)).status_code == 403
    with schema_context("brebes"):
        staff_user = get_user_model().objects.get(username="staf")
        with pytest.raises(ForbiddenError):
            incoming_letter_register(
                user=staff_user,
                sender="a",
                letter_number="b",
                letter_date=org_today(),
                received_date=org_today(),
                subject="c",
                addressed_to=office.org.head,
            )
    nothing_stored(media)


def test_tegal_cannot_see_or_download_a_brebes_letter(seed, office):
    licensed("tegal", ["eoffice"])
    created = api(username="tu").post(
        "/api/v1/eoffice/incoming/", {**form_data(office), "attachments": [upload()]}, format="multipart"
    )
    letter_id, attachment_id = created.json()["id"], created.json()["attachments"][0]["id"]
    tegal = api("tegal", "admin")
    assert tegal.get("/api/v1/eoffice/incoming/?scope=agenda").json()["results"] == []
    assert tegal.get(f"/api/v1/eoffice/incoming/{letter_id}/").status_code == 404
    assert tegal.get(f"/api/v1/eoffice/incoming/{letter_id}/attachments/{attachment_id}/").status_code == 404
    web = login(seed, "tegal", "admin")
    assert web.get(f"/eoffice/surat-masuk/{letter_id}/").status_code == 404
    assert web.get(f"/eoffice/surat-masuk/{letter_id}/lampiran/{attachment_id}/").status_code == 404
    assert "Undangan rapat" not in web.get("/eoffice/surat-masuk/?semua=1").content.decode()
    # A Brebes token presented on Tegal's host finds no account there.
    stolen = api(username="tu")
    stolen.defaults["HTTP_HOST"] = "tegal.localhost"
    assert stolen.get(f"/api/v1/eoffice/incoming/{letter_id}/").status_code in (401, 403)
    # Malformed and unknown ids answer 404 in JSON, never 500.
    brebes = api(username="tu")
    for bad in ("abc", "0", "-1", str(2**70)):
        response = brebes.get(f"/api/v1/eoffice/incoming/{bad}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "letter_not_found"
    assert brebes.get(f"/api/v1/eoffice/incoming/{letter_id}/attachments/999999/").status_code == 404


def test_a_region_without_an_eoffice_licence_gets_403(seed):
    tegal = api("tegal", "admin")
    for response in (
        tegal.get("/api/v1/eoffice/incoming/"),
        tegal.post("/api/v1/eoffice/incoming/", {}, format="json"),
        tegal.get("/api/v1/eoffice/incoming/1/"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "module_not_licensed"
    web = login(seed, "tegal", "admin")
    assert web.get("/eoffice/surat-masuk/").status_code == 403
    assert web.get("/eoffice/surat-masuk/catat/").status_code == 403


def test_the_inbox_page_runs_the_same_number_of_queries_for_3_or_30_letters(seed, office):
    def register(count: int) -> None:
        with schema_context("brebes"):
            today = org_today()
            for i in range(count):
                incoming_letter_register(
                    user=office.officer,
                    sender="BKN",
                    letter_number=f"X/{i}",
                    letter_date=today,
                    received_date=today,
                    subject=f"Surat nomor {i}",
                    addressed_to=office.org.head,
                    attachments=[upload()] if i % 2 else [],
                )

    def queries(client) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/eoffice/surat-masuk/")
        assert page.status_code == 200
        return len(captured), page.content.decode()

    leader = login(seed, username="kadis")
    leader.get("/eoffice/surat-masuk/")  # first read creates the region settings row
    register(3)
    few, _page = queries(leader)
    register(27)
    many, page = queries(leader)
    assert many == few
    assert "Halaman 1 dari 2" in page
