"""Outgoing letters: drafting, the review chain (two verifikator, one a Plt.), signing (number, date, PDF,
SHA-256, stored under the region's prefix), who sees the signed letter (recipients; copies read only), every
forbidden transition, the public verification page, and the attacker's side (another region, another
role, the verification id on another region's host)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, ForbiddenError
from shared_apps.audit.models import AuditRecord
from tenant_apps.eoffice.models import IssuedNumber, OutgoingLetter
from tenant_apps.eoffice.outgoing_services import outgoing_letter_sign, verification_url
from tenant_apps.eoffice.signing import BuiltinSigner, SignerIdentity, SignResult
from tenant_apps.org.models import Employee
from tenant_apps.org.selectors import org_today
from tenants.selectors import region_base_url, region_get
from tests.fixtures.control import licensed
from tests.fixtures.eoffice import DraftingOffice as Office
from tests.fixtures.eoffice import act, create, draft_data
from tests.fixtures.org import api, login
from tests.fixtures.pdf import pdf_text

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def office(drafting_office: Office) -> Office:
    """This module's office drafts outgoing letters (tests.fixtures.eoffice.drafting_office)."""
    return drafting_office


def approved(office: Office) -> dict:
    letter = create(office)
    assert act("konseptor", letter["id"], "submit").status_code == 200
    assert act("plt", letter["id"], "review", decision="setuju").status_code == 200
    body = act("kabid", letter["id"], "review", decision="setuju").json()
    assert body["status"] == "disetujui"
    return body


def signed(office: Office) -> dict:
    letter = approved(office)
    response = act("kadis", letter["id"], "sign")
    assert response.status_code == 200, response.json()
    return response.json()


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


def pdf_bytes(username: str, letter_id: int) -> bytes:
    response = api(username=username).get(f"/api/v1/eoffice/outgoing/{letter_id}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


# --- the full flow -------------------------------------------------------------------------------------------


def test_draft_review_by_two_then_sign_numbers_renders_stores_and_delivers(seed, office, media):
    letter = create(office)
    assert letter["status"] == "draf"
    assert letter["allowed_actions"] == ["edit", "submit"]
    # Before signing, the recipient and the copy do not see it.
    assert api(username="sekre").get(f"/api/v1/eoffice/outgoing/{letter['id']}/").status_code == 404
    assert api(username="sekre").get("/api/v1/eoffice/outgoing/").json()["results"] == []

    assert act("konseptor", letter["id"], "submit").json()["status"] == "diperiksa"
    # The second reviewer waits for the first.
    early = act("kabid", letter["id"], "review", decision="setuju")
    assert early.status_code == 403
    assert early.json()["error"]["code"] == "not_reviewer"
    first = act("plt", letter["id"], "review", decision="setuju", note="Sudah sesuai.")
    assert first.json()["status"] == "diperiksa"
    assert first.json()["reviews"][0]["decided_as"] == "plt"
    assert act("kabid", letter["id"], "review", decision="setuju").json()["status"] == "disetujui"

    response = act("kadis", letter["id"], "sign")
    assert response.status_code == 200, response.json()
    body = response.json()
    with schema_context("brebes"):
        today = org_today()
    assert body["status"] == "ditandatangani"
    assert body["number"] == f"000.1.2/1/KOMINFO/{today.year}"
    assert body["letter_date"] == today.isoformat()
    assert (body["signer_name"], body["signer_title"]) == ("Ahmad Fauzi", "Kepala Dinas Komunikasi dan Informatika")
    assert (body["signature_provider"], body["signature_certified"]) == ("builtin", False)
    assert body["allowed_actions"] == []

    # The PDF is stored once, under the region's prefix, and its SHA-256 is the one recorded.
    files = stored_files(media)
    assert len(files) == 1
    assert files[0].relative_to(media).parts[:3] == ("brebes", "eoffice", "outgoing")
    data = files[0].read_bytes()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == body["pdf_sha256"]
    printed = pdf_text(data)
    for shown in (
        "PEMERINTAH ",  # the region's letterhead
        body["number"],
        "Ahmad Fauzi",
        "Ditandatangani: tidak tersertifikasi",
        f"/verifikasi/{body['verification_id']}/",
        "Inspektur Pembantu",  # tembusan
        "Kepala Dinas Kominfo Provinsi Jawa Tengah",  # external recipient
        "(Brebes, ",  # an invitation is dated at the regency, as a letter, above its Nomor/Hal block
        "(Hal)",
    ):
        assert shown in printed, shown
    with schema_context("brebes"):
        row = OutgoingLetter.objects.get(pk=letter["id"])
        assert row.number.letter_ref == f"outgoing:{row.pk}"
        assert BuiltinSigner().seal_matches(sha256=row.pdf_sha256, seal=row.signature_info["seal"])
        actions = set(AuditRecord.objects.filter(target_id=str(row.pk)).values_list("action", flat=True))
        assert {
            "eoffice.outgoing.create",
            "eoffice.outgoing.diperiksa",
            "eoffice.outgoing.review.setuju",
            "eoffice.outgoing.disetujui",
            "eoffice.outgoing.ditandatangani",
            "eoffice.outgoing.sign",
        } <= actions

    # The recipient now sees it and downloads the same bytes; the copy sees it read only.
    assert [r["id"] for r in api(username="sekre").get("/api/v1/eoffice/outgoing/").json()["results"]] == [letter["id"]]
    assert pdf_bytes("sekre", letter["id"]) == data
    copy = api(username="insp").get(f"/api/v1/eoffice/outgoing/{letter['id']}/").json()
    assert (copy["viewer_role"], copy["allowed_actions"]) == ("copy", [])
    assert pdf_bytes("insp", letter["id"]) == data
    # Someone else in the region still does not.
    assert api(username="staf").get(f"/api/v1/eoffice/outgoing/{letter['id']}/").status_code == 404


def test_the_web_pages_take_a_letter_from_draft_to_signed_pdf(seed, office, media):
    drafter = login(seed, username="konseptor")
    assert drafter.get("/eoffice/surat-keluar/buat/").status_code == 200
    response = drafter.post(
        "/eoffice/surat-keluar/buat/",
        {
            "letter_type": "nota_dinas",
            "subject": "Permohonan data SPBE",
            "classification_code": "400.14",
            "body": "Mohon data.",
            "signer_position": office.org.head.pk,
            "recipients": [office.secretary.pk],
            "reviewer_1": office.org.division_head.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    detail_url = response["Location"]
    letter_id = int(re.search(r"/surat-keluar/(\d+)/", detail_url).group(1))
    assert "Permohonan data SPBE" in drafter.get(detail_url).content.decode()
    assert drafter.get(f"/eoffice/surat-keluar/{letter_id}/ubah/").status_code == 200
    assert drafter.post(f"/eoffice/surat-keluar/{letter_id}/aksi/submit/").status_code == 302

    reviewer = login(seed, username="kabid")
    page = reviewer.get(detail_url).content.decode()
    assert "Setujui" in page
    assert reviewer.post(f"/eoffice/surat-keluar/{letter_id}/aksi/approve/").status_code == 302
    signer = login(seed, username="kadis")
    assert "Tandatangani" in signer.get(detail_url).content.decode()
    assert signer.post(f"/eoffice/surat-keluar/{letter_id}/aksi/sign/").status_code == 302
    page = signer.get(detail_url).content.decode()
    with schema_context("brebes"):
        year = org_today().year
    assert f"400.14/1/KOMINFO/{year}" in page
    download = login(seed, username="sekre").get(f"/eoffice/surat-keluar/{letter_id}/pdf/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # The signed letter is frozen on the web as well.
    assert drafter.get(f"/eoffice/surat-keluar/{letter_id}/ubah/").status_code == 403
    assert "Permohonan data SPBE" in login(seed, username="sekre").get("/eoffice/surat-keluar/").content.decode()


# --- forbidden transitions -----------------------------------------------------------------------------------


def test_signing_before_approval_and_by_anyone_but_the_signer_is_refused(seed, office, media):
    letter = create(office)
    for expected_status in ("draf", "diperiksa"):
        refused = act("kadis", letter["id"], "sign")
        assert refused.status_code == 409, expected_status
        assert refused.json()["error"]["code"] == "invalid_transition"
        if expected_status == "draf":
            act("konseptor", letter["id"], "submit")
    act("plt", letter["id"], "review", decision="setuju")
    act("kabid", letter["id"], "review", decision="setuju")
    for outsider in ("konseptor", "kabid", "plt", "admin"):
        response = act(outsider, letter["id"], "sign")
        assert response.status_code in (403, 404), outsider
        if response.status_code == 403:
            assert response.json()["error"]["code"] == "not_signer"
    with schema_context("brebes"):
        assert not IssuedNumber.objects.exists()  # no number was taken by any refused attempt
    assert stored_files(media) == []
    assert act("kadis", letter["id"], "sign").status_code == 200
    again = act("kadis", letter["id"], "sign")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    with schema_context("brebes"):
        assert IssuedNumber.objects.count() == 1


def test_a_signed_letter_cannot_be_edited_submitted_or_reviewed(seed, office):
    letter = signed(office)
    client = api(username="konseptor")
    edit = client.put(f"/api/v1/eoffice/outgoing/{letter['id']}/", draft_data(office, subject="Diubah"), format="json")
    assert edit.status_code == 409
    assert edit.json()["error"]["code"] == "not_editable"
    submit = act("konseptor", letter["id"], "submit")
    assert (submit.status_code, submit.json()["error"]["code"]) == (409, "invalid_transition")
    review = act("plt", letter["id"], "review", decision="tolak", note="Terlambat")
    assert (review.status_code, review.json()["error"]["code"]) == (409, "invalid_transition")
    body = client.get(f"/api/v1/eoffice/outgoing/{letter['id']}/").json()
    assert (body["subject"], body["pdf_sha256"]) == (letter["subject"], letter["pdf_sha256"])


def test_editing_is_for_the_drafter_and_only_in_draft_or_returned(seed, office):
    letter = create(office)
    other = api(username="kabid").put(f"/api/v1/eoffice/outgoing/{letter['id']}/", draft_data(office), format="json")
    assert other.status_code in (403, 404)
    assert api(username="sekre").put(f"/api/v1/eoffice/outgoing/{letter['id']}/", draft_data(office)).status_code == 404
    assert act("kabid", letter["id"], "submit").json()["error"]["code"] == "not_drafter"
    act("konseptor", letter["id"], "submit")
    in_review = api(username="konseptor").put(
        f"/api/v1/eoffice/outgoing/{letter['id']}/", draft_data(office, subject="Diubah"), format="json"
    )
    assert (in_review.status_code, in_review.json()["error"]["code"]) == (409, "not_editable")


def test_a_reviewer_returns_with_notes_and_the_next_round_starts_over(seed, office):
    letter = create(office)
    act("konseptor", letter["id"], "submit")
    act("plt", letter["id"], "review", decision="setuju")
    no_note = act("kabid", letter["id"], "review", decision="kembalikan")
    assert (no_note.status_code, no_note.json()["error"]["code"]) == (400, "note_required")
    returned = act("kabid", letter["id"], "review", decision="kembalikan", note="Perbaiki perihal.")
    assert returned.json()["status"] == "dikembalikan"
    assert returned.json()["reviews"][-1]["note"] == "Perbaiki perihal."
    # The drafter edits the returned letter and submits again: round 2 starts with the first reviewer.
    edited = api(username="konseptor").put(
        f"/api/v1/eoffice/outgoing/{letter['id']}/", draft_data(office, subject="Perihal diperbaiki"), format="json"
    )
    assert edited.status_code == 200, edited.json()
    assert act("konseptor", letter["id"], "submit").json()["review_round"] == 2
    assert act("kabid", letter["id"], "review", decision="setuju").json()["error"]["code"] == "not_reviewer"
    act("plt", letter["id"], "review", decision="setuju")
    assert act("kabid", letter["id"], "review", decision="setuju").json()["status"] == "disetujui"
    assert act("kadis", letter["id"], "sign").json()["subject"] == "Perihal diperbaiki"


def test_a_rejected_letter_is_final(seed, office):
    letter = create(office)
    act("konseptor", letter["id"], "submit")
    rejected = act("plt", letter["id"], "review", decision="tolak", note="Tidak diperlukan.")
    assert rejected.json()["status"] == "ditolak"
    for username, action, data in (
        ("konseptor", "submit", {}),
        ("kabid", "review", {"decision": "setuju"}),
        ("kadis", "sign", {}),
    ):
        response = act(username, letter["id"], action, **data)
        assert response.status_code == 409, (action, response.json())
        assert response.json()["error"]["code"] == "invalid_transition"
    edit = api(username="konseptor").put(f"/api/v1/eoffice/outgoing/{letter['id']}/", draft_data(office), format="json")
    assert edit.json()["error"]["code"] == "not_editable"


def test_someone_outside_the_chain_cannot_review(seed, office):
    letter = create(office)
    act("konseptor", letter["id"], "submit")
    for username in ("konseptor", "kadis"):
        response = act(username, letter["id"], "review", decision="setuju")
        assert (response.status_code, response.json()["error"]["code"]) == (403, "not_reviewer"), username
    # Someone who cannot even see the letter gets 404, not a hint that it exists.
    assert act("staf", letter["id"], "review", decision="setuju").status_code == 404
    bad = act("plt", letter["id"], "review", decision="mungkin")
    assert bad.status_code == 400


def test_a_failing_signer_gives_the_number_back_and_stores_nothing(seed, office, media):
    letter = approved(office)

    class BrokenSigner(BuiltinSigner):
        def sign(self, pdf_bytes: bytes, signer: SignerIdentity) -> SignResult:
            raise RuntimeError("provider down")

    with schema_context("brebes"):
        row = OutgoingLetter.objects.get(pk=letter["id"])
        kadis = Employee.objects.get(pk=office.org.kadis.pk).account
        with pytest.raises(RuntimeError):
            outgoing_letter_sign(user=kadis, letter=row, signer=BrokenSigner())
        row.refresh_from_db()
        assert (row.status, row.number_id) == ("disetujui", None)
        assert not IssuedNumber.objects.exists()
        with pytest.raises(ForbiddenError):
            outgoing_letter_sign(user=Employee.objects.get(pk=office.org.kabid.pk).account, letter=row)
    assert stored_files(media) == []
    # The next real signing takes number 1.
    assert act("kadis", letter["id"], "sign").json()["number"].split("/")[1] == "1"
    with schema_context("brebes"), pytest.raises(ConflictError):
        outgoing_letter_sign(user=kadis, letter=OutgoingLetter.objects.get(pk=letter["id"]))


def test_bad_input_is_reported_per_field_and_never_a_500(seed, office):
    client = api(username="konseptor")
    response = client.post(
        "/api/v1/eoffice/outgoing/",
        draft_data(office, classification_code="abc", recipients=[], external_recipients=[]),
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    blank = client.post("/api/v1/eoffice/outgoing/", draft_data(office, subject="  ", body=""), format="json")
    assert set(blank.json()["error"]["fields"]) == {"subject", "body"}
    assert fields["classification_code"][0]["code"] == "classification_code_invalid"
    assert fields["recipients"][0]["code"] == "recipients_required"
    unknown = client.post("/api/v1/eoffice/outgoing/", draft_data(office, signer_position=10**12), format="json")
    assert unknown.json()["error"]["fields"]["signer_position"][0]["code"] == "position_not_found"
    self_review = client.post(
        "/api/v1/eoffice/outgoing/", draft_data(office, reviewers=[office.org.head.pk]), format="json"
    )
    assert self_review.json()["error"]["fields"]["reviewers"][0]["code"] == "signer_in_review_chain"
    malformed = client.generic("POST", "/api/v1/eoffice/outgoing/", b"{no", content_type="application/json")
    assert malformed.status_code == 400
    for bad in ("abc", "0", "-1", str(2**70)):
        assert client.get(f"/api/v1/eoffice/outgoing/{bad}/").json()["error"]["code"] == "letter_not_found"
    with schema_context("brebes"):
        assert not OutgoingLetter.objects.exists()


# --- verification ------------------------------------------------------------------------------------------


def verify_result(client: Client, verification_id: str, data: bytes) -> str:
    response = client.post(
        f"/verifikasi/{verification_id}/", {"file": SimpleUploadedFile("naskah.pdf", data, "application/pdf")}
    )
    assert response.status_code == 200
    match = re.search(r"\((sesuai|tidak sesuai)\)</strong>", response.content.decode())
    assert match, response.content.decode()[-2000:]
    return match.group(1)


def test_the_public_page_verifies_the_exact_file_and_refuses_one_changed_byte(seed, office):
    letter = signed(office)
    data = pdf_bytes("konseptor", letter["id"])
    citizen = Client(HTTP_HOST="brebes.localhost")
    page = citizen.get(f"/verifikasi/{letter['verification_id']}/")
    assert page.status_code == 200
    html = page.content.decode()
    for shown in (letter["number"], "Ahmad Fauzi", "Kepala Dinas Komunikasi dan Informatika", letter["pdf_sha256"]):
        assert shown in html
    assert "tidak tersertifikasi" in html
    assert verify_result(citizen, letter["verification_id"], data) == "sesuai"
    middle = len(data) // 2
    tampered = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]
    assert verify_result(citizen, letter["verification_id"], tampered) == "tidak sesuai"
    assert verify_result(citizen, letter["verification_id"], data + b"\n") == "tidak sesuai"
    # The QR code and the printed link point at this page on the region's host.
    with schema_context("brebes"):
        url = verification_url(OutgoingLetter.objects.get(pk=letter["id"]))
    assert url == f"{region_base_url(region_get(slug='brebes'))}/verifikasi/{letter['verification_id']}/"
    assert url.startswith("http://brebes.localhost")


def test_a_stored_hash_changed_to_match_a_forgery_breaks_the_seal(seed, office):
    letter = signed(office)
    forged = pdf_bytes("konseptor", letter["id"]).replace(b"%%EOF", b"%% forged\n%%EOF")
    citizen = Client(HTTP_HOST="brebes.localhost")
    assert 'status-ok">utuh' in citizen.get(f"/verifikasi/{letter['verification_id']}/").content.decode()
    with schema_context("brebes"):
        # An insider with database access points the record at the forged file.
        OutgoingLetter.objects.filter(pk=letter["id"]).update(pdf_sha256=hashlib.sha256(forged).hexdigest())
    page = citizen.get(f"/verifikasi/{letter['verification_id']}/").content.decode()
    assert "rusak" in page
    assert "utuh" not in page
    assert verify_result(citizen, letter["verification_id"], forged) == "tidak sesuai"


def test_unknown_unsigned_and_malformed_verification_ids_are_404(seed, office):
    draft = create(office)
    citizen = Client(HTTP_HOST="brebes.localhost")
    for bad in ("00000000-0000-4000-8000-000000000001", draft["verification_id"], "bukan-uuid", "1"):
        assert citizen.get(f"/verifikasi/{bad}/").status_code == 404, bad
        assert citizen.post(f"/verifikasi/{bad}/", {}).status_code == 404, bad


# --- isolation -------------------------------------------------------------------------------------------------


def test_tegal_cannot_see_a_brebes_letter_nor_verify_it_on_its_host(seed, office):
    letter = signed(office)
    licensed("tegal", ["eoffice"])
    tegal = api("tegal", "admin")
    assert tegal.get("/api/v1/eoffice/outgoing/").json()["results"] == []
    assert tegal.get(f"/api/v1/eoffice/outgoing/{letter['id']}/").status_code == 404
    assert tegal.get(f"/api/v1/eoffice/outgoing/{letter['id']}/pdf/").status_code == 404
    web = login(seed, "tegal", "admin")
    assert web.get(f"/eoffice/surat-keluar/{letter['id']}/").status_code == 404
    assert web.get(f"/eoffice/surat-keluar/{letter['id']}/pdf/").status_code == 404
    assert Client(HTTP_HOST="tegal.localhost").get(f"/verifikasi/{letter['verification_id']}/").status_code == 404
    assert Client(HTTP_HOST="brebes.localhost").get(f"/verifikasi/{letter['verification_id']}/").status_code == 200


def test_a_region_without_an_eoffice_licence_gets_403_on_outgoing(seed):
    tegal = api("tegal", "admin")
    response = tegal.get("/api/v1/eoffice/outgoing/")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "module_not_licensed")
    assert login(seed, "tegal", "admin").get("/eoffice/surat-keluar/").status_code == 403


def test_a_plt_signs_with_the_prefix_and_an_empty_chain_is_approved_on_submit(seed, office):
    letter = create(office, letter_type="nota_dinas", signer_position=office.org.section_head.pk, reviewers=[])
    assert act("konseptor", letter["id"], "submit").json()["status"] == "disetujui"
    body = act("plt", letter["id"], "sign").json()
    assert (body["signer_name"], body["signer_title"]) == ("Eko Prasetyo", "Plt. Kepala Seksi Informasi")
    assert body["number"].split("/")[2] == "KOMINFO.IKP.1"  # numbered in the signer position's unit
