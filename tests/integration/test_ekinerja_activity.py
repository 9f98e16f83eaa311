"""e-Kinerja daily activity log: entries from the catalogue or free text with evidence (file, link, e-Office
work), the superior's queue validated or rejected in bulk (never one's own entries, never someone they do not
supervise, all or nothing), the monthly lock, e-Office evidence kept by value, bounded queries on the queue,
and the attacker region."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, DomainError, ForbiddenError
from tenant_apps.ekinerja.activity_services import (
    activity_month_rebuild,
    entries_reject,
    entries_validate,
    entry_create,
    entry_delete,
    entry_update,
)
from tenant_apps.ekinerja.admin_services import catalogue_upsert
from tenant_apps.ekinerja.models import ActivityEntry, ActivityMonth, Evidence
from tenant_apps.eoffice.disposition_services import disposition_complete, disposition_create
from tenant_apps.eoffice.evidence import eoffice_work
from tenant_apps.eoffice.models import OutgoingLetter
from tenant_apps.eoffice.outgoing_services import outgoing_letter_create
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.org.models import ActingAssignment
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import org_today
from tenant_apps.org.services import account_upsert
from tests.fixtures.control import licensed
from tests.fixtures.ekinerja import Team, approved, build_team
from tests.fixtures.eoffice import PDF
from tests.fixtures.org import api, build_org, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

Status = ActivityEntry.Status


@pytest.fixture
def team(seed, media) -> Team:
    team = build_team(seed)
    with schema_context("brebes"):
        catalogue_upsert(user=team.kadis, code="rapat", name="Mengikuti rapat koordinasi", standard_minutes=90)
        catalogue_upsert(user=team.kadis, code="konten", name="Menyusun konten media sosial", standard_minutes=45)
    connection.set_schema_to_public()
    return team


def log(team: Team, user=None, *, days_ago: int = 0, minutes: int = 60, text: str = "Menyusun laporan"):
    with schema_context("brebes"):
        entry = entry_create(
            user=user or team.analyst, day=org_today() - timedelta(days=days_ago), description=text, minutes=minutes
        )
    connection.set_schema_to_public()
    return entry


def status_of(pk: int) -> str:
    with schema_context("brebes"):
        return ActivityEntry.objects.get(pk=pk).status


def locked_day():
    """A day whose month is always locked: two months ago (the cut-off is at most the 28th of the next one)."""
    today = org_today()
    month = today.month - 2
    year = today.year - (1 if month < 1 else 0)
    return today.replace(year=year, month=(month - 1) % 12 + 1, day=1)


# --- logging -------------------------------------------------------------------------------------------------


def test_through_the_api_a_staff_member_logs_from_the_catalogue_with_a_file_and_a_link(team):
    with schema_context("brebes"):
        skp = approved(team.analyst, team.plt, team.year)
        rhk = skp.rhks.get()
        today = org_today().isoformat()
    staff = api(username="analis")
    response = staff.post(
        "/api/v1/ekinerja/activities/",
        {
            "day": today,
            "catalogue": "rapat",
            "rhk": rhk.pk,
            "link": "https://brebeskab.go.id/berita/rapat-spbe",
            "file": SimpleUploadedFile("notulen.pdf", PDF, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["description"] == "Mengikuti rapat koordinasi"
    assert body["minutes"] == 90
    assert body["rhk"] == rhk.pk
    assert body["status"] == "diajukan"
    assert sorted(e["kind"] for e in body["evidence"]) == ["berkas", "tautan"]
    file_evidence = next(e for e in body["evidence"] if e["kind"] == "berkas")
    download = staff.get(f"/api/v1/ekinerja/activities/{body['id']}/evidence/{file_evidence['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    # The appraiser may open the file too; a colleague may not.
    assert api(username="plt").get(f"/api/v1/ekinerja/activities/{body['id']}/").status_code == 200
    assert api(username="analis2").get(f"/api/v1/ekinerja/activities/{body['id']}/").status_code == 404
    listed = staff.get(f"/api/v1/ekinerja/activities/?month={today[:7]}").json()
    assert [e["id"] for e in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"minutes": 0}, "invalid"),
        ({"description": ""}, "required"),
        ({"day": "tomorrow"}, "date_in_future"),
        ({"catalogue": "tidak-ada"}, "catalogue_not_found"),
        ({"link": "javascript:alert(1)"}, "link_invalid"),
        ({"eoffice": ["naskah_disusun:999999"]}, "eoffice_work_not_found"),
        ({"eoffice": ["surat:1"]}, "eoffice_ref_invalid"),
        ({"file": "exe"}, "attachment_type_not_allowed"),
        ({"rhk": "colleague"}, "rhk_not_own"),
    ],
)
def test_bad_entries_are_refused_with_a_stable_code_and_nothing_is_stored(team, media, changes, code):
    with schema_context("brebes"):
        today = org_today()
        colleague = approved(team.analyst2, team.plt, team.year).rhks.get().pk
    data = {"day": today.isoformat(), "description": "Rapat", "minutes": 30}
    data.update(changes)
    if data.get("day") == "tomorrow":
        data["day"] = (today + timedelta(days=1)).isoformat()
    if data.get("file") == "exe":
        data["file"] = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    if data.get("rhk") == "colleague":
        data["rhk"] = colleague
    response = api(username="analis").post("/api/v1/ekinerja/activities/", data, format="multipart")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert code in {error["code"], *(f["code"] for fs in error.get("fields", {}).values() for f in fs)}
    with schema_context("brebes"):
        assert not ActivityEntry.objects.exists()
        assert not Evidence.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_on_the_web_a_staff_member_logs_an_activity_and_sees_it_waiting(seed, team):
    staff = login(seed, username="analis")
    with schema_context("brebes"):
        today = org_today()
        catalogue = ActivityEntry._meta.get_field("catalogue").related_model.objects.get(code="konten")
    connection.set_schema_to_public()
    page = staff.get("/ekinerja/aktivitas/")
    assert page.status_code == 200
    assert "Catat aktivitas" in page.content.decode()
    response = staff.post(
        "/ekinerja/aktivitas/", {"day": today.isoformat(), "catalogue": catalogue.pk, "description": "", "minutes": ""}
    )
    assert response.status_code == 302
    listing = staff.get(response["Location"]).content.decode()
    assert "Menyusun konten media sosial" in listing
    assert "Menunggu validasi" in listing
    bad = staff.post("/ekinerja/aktivitas/", {"day": today.isoformat(), "description": "", "minutes": "5"})
    assert bad.status_code == 200
    assert "Wajib diisi" in bad.content.decode()


# --- validation ----------------------------------------------------------------------------------------------


def test_the_plt_validates_and_rejects_in_bulk_and_a_rejected_entry_comes_back_corrected(seed, team):
    first, second, third = (log(team, text=f"Kegiatan {n}") for n in range(3))
    colleague = log(team, team.analyst2, text="Kegiatan rekan")
    own = log(team, team.plt, text="Kegiatan Plt. sendiri")
    superior = api(username="plt")
    queue = superior.get("/api/v1/ekinerja/validation/").json()
    ids = [e["id"] for e in queue["results"]]
    assert set(ids) == {first.pk, second.pk, third.pk, colleague.pk}  # not the Plt.'s own
    assert {e["employee_name"] for e in queue["results"]} == {"Budi Santoso", "Dewi Lestari"}
    done = superior.post(
        "/api/v1/ekinerja/validation/", {"entries": [first.pk, colleague.pk], "action": "validate"}, format="json"
    )
    assert done.json() == {"count": 2}
    no_reason = superior.post(
        "/api/v1/ekinerja/validation/", {"entries": [second.pk], "action": "reject"}, format="json"
    )
    assert no_reason.status_code == 400
    web = login(seed, username="plt")
    assert "Kegiatan 1" in web.get("/ekinerja/validasi/").content.decode()
    web.post("/ekinerja/validasi/", {"entries": [second.pk], "action": "tolak", "reason": "Lampirkan bukti"})
    assert [status_of(e.pk) for e in (first, second, third, colleague, own)] == [
        Status.VALIDATED, Status.REJECTED, Status.SUBMITTED, Status.VALIDATED, Status.SUBMITTED,
    ]  # fmt: skip
    # Validating again, or validating a rejected entry, is refused for the whole batch.
    again = superior.post(
        "/api/v1/ekinerja/validation/", {"entries": [third.pk, first.pk], "action": "validate"}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    assert status_of(third.pk) == Status.SUBMITTED
    with schema_context("brebes"):
        corrected = entry_update(
            user=team.analyst,
            entry=ActivityEntry.objects.get(pk=second.pk),
            description="Kegiatan 1 (bukti)",
            minutes=45,
        )
        assert corrected.status == Status.SUBMITTED
        assert corrected.reject_reason == ""
        with pytest.raises(ConflictError) as excinfo:
            entry_update(user=team.analyst, entry=ActivityEntry.objects.get(pk=first.pk), description="x", minutes=5)
        assert excinfo.value.code == "entry_validated"


def test_nobody_validates_their_own_entries_or_those_of_people_they_do_not_supervise(team):
    with schema_context("brebes"):
        # The Kepala Bidang is Plh. of the head's position, which is their own appraiser's position.
        ActingAssignment.objects.create(
            employee=team.org.kabid, position=team.org.head, kind="plh", start=org_today(), created_by="t"
        )
    own = log(team, team.kabid, text="Kegiatan Kabid")
    analyst = log(team, text="Kegiatan analis")
    with schema_context("brebes"):
        with pytest.raises(ForbiddenError) as excinfo:
            entries_validate(user=team.kabid, ids=[own.pk])
        assert excinfo.value.code == "own_entry"
        with pytest.raises(ForbiddenError) as excinfo:
            entries_validate(user=team.analyst2, ids=[analyst.pk])
        assert excinfo.value.code == "not_appraiser"
        # The head appraises the Kepala Bidang, not the analysts two levels down: the mixed batch is refused whole.
        with pytest.raises(ForbiddenError):
            entries_validate(user=team.kadis, ids=[own.pk, analyst.pk])
    assert status_of(own.pk) == Status.SUBMITTED
    assert status_of(analyst.pk) == Status.SUBMITTED
    response = api(username="kabid").post(
        "/api/v1/ekinerja/validation/", {"entries": [own.pk], "action": "validate"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "own_entry"
    assert api(username="kabid").get("/api/v1/ekinerja/validation/").json()["results"] == []


def test_a_month_locks_after_the_cut_off_for_the_employee_and_the_superior_alike(team):
    with schema_context("brebes"):
        old = ActivityEntry.objects.create(
            employee=team.org.analysts[0], day=locked_day(), description="Kegiatan lama", minutes=30
        )
        with pytest.raises(ConflictError) as excinfo:
            entry_create(user=team.analyst, day=locked_day(), description="Terlambat", minutes=30)
        assert excinfo.value.code == "entry_locked"
        for attempt in (
            lambda: entries_validate(user=team.plt, ids=[old.pk]),
            lambda: entries_reject(user=team.plt, ids=[old.pk], reason="x"),
            lambda: entry_update(user=team.analyst, entry=old, description="Ubah", minutes=10),
            lambda: entry_delete(user=team.analyst, entry=old),
        ):
            with pytest.raises(ConflictError) as excinfo:
                attempt()
            assert excinfo.value.code == "entry_locked"
        assert ActivityEntry.objects.get(pk=old.pk).status == Status.SUBMITTED
        assert ActivityEntry.objects.filter(employee=team.org.analysts[0]).count() == 1
    assert api(username="plt").get("/api/v1/ekinerja/validation/").json()["results"] == []
    response = api(username="plt").post(
        "/api/v1/ekinerja/validation/", {"entries": [old.pk], "action": "validate"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "entry_locked"


def test_the_validation_queue_takes_a_bounded_number_of_queries(seed, team, django_assert_max_num_queries):
    with schema_context("brebes"):
        for n in range(40):
            user = team.analyst if n % 2 else team.analyst2
            entry_create(user=user, day=org_today(), description=f"Kegiatan {n}", minutes=15, link="https://x.id/a")
    superior = api(username="plt")
    web = login(seed, username="plt")
    # Constant whatever the queue length (django-tenants counts its SET search_path as queries too).
    with django_assert_max_num_queries(30):
        response = superior.get("/api/v1/ekinerja/validation/")
    assert response.json()["count"] == 40
    with django_assert_max_num_queries(50):
        page = web.get("/ekinerja/validasi/")
    assert page.content.decode().count('name="entries"') == 40


# --- e-Office evidence ---------------------------------------------------------------------------------------


def test_e_office_work_is_offered_as_evidence_and_kept_by_value(seed, team):
    org = team.org
    with schema_context("brebes"):
        officer = account_upsert(
            username="tu", password=seed.password, full_name="TU", roles=[Role.RECORDS_OFFICER], actor="t"
        )
        today = org_today()
        draft = outgoing_letter_create(
            user=team.analyst, letter_type="nota_dinas", subject="Laporan gangguan jaringan", body="Isi",
            classification_code="000.1.2", signer_position=org.head, recipients=[org.division_head],
        )  # fmt: skip
        other = outgoing_letter_create(
            user=team.analyst2, letter_type="nota_dinas", subject="Bukan milik analis", body="Isi",
            classification_code="000.1.2", signer_position=org.head, recipients=[org.division_head],
        )  # fmt: skip
        letter = incoming_letter_register(
            user=officer, sender="Kominfo RI", letter_number="1/2026", letter_date=today, received_date=today,
            subject="Permintaan data SPBE", addressed_to=org.head,
        )  # fmt: skip
        (disposition,) = disposition_create(
            user=team.kadis, letter=letter, to_positions=[org.analyst], instructions=["tindak_lanjuti"]
        )
        disposition_complete(user=team.analyst, disposition=disposition, note="Data sudah dikirim")
        work = eoffice_work(account_id=team.analyst.pk, start=today, end=today)
        assert {(w.kind, w.ref_id) for w in work} == {
            ("naskah_disusun", draft.pk),
            ("disposisi_selesai", disposition.pk),
        }
        assert (
            eoffice_work(account_id=team.analyst.pk, start=today - timedelta(days=3), end=today - timedelta(days=1))
            == []
        )
    staff = api(username="analis")
    offered = staff.get(f"/api/v1/ekinerja/eoffice-work/?day={today.isoformat()}").json()
    assert {w["kind"] for w in offered} == {"naskah_disusun", "disposisi_selesai"}
    created = staff.post(
        "/api/v1/ekinerja/activities/",
        {"day": today.isoformat(), "description": "Menyiapkan data SPBE", "minutes": 120,
         "eoffice": [f"disposisi_selesai:{disposition.pk}"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    entry_id = created.json()["id"]
    stolen = staff.post(
        f"/api/v1/ekinerja/activities/{entry_id}/evidence/",
        {"kind": "naskah_disusun", "ref_id": other.pk},
        format="json",
    )
    assert stolen.status_code == 400
    assert stolen.json()["error"]["code"] == "eoffice_work_not_found"
    added = staff.post(
        f"/api/v1/ekinerja/activities/{entry_id}/evidence/",
        {"kind": "naskah_disusun", "ref_id": draft.pk},
        format="json",
    )
    assert added.status_code == 201
    twice = staff.post(
        f"/api/v1/ekinerja/activities/{entry_id}/evidence/",
        {"kind": "naskah_disusun", "ref_id": draft.pk},
        format="json",
    )
    assert twice.status_code == 409
    # One click on the web: the remaining work becomes an entry of its own... none is left, both are used.
    page = login(seed, username="analis").get(f"/ekinerja/aktivitas/?tanggal={today.isoformat()}").content.decode()
    assert "Tidak ada pekerjaan e-Office yang belum dicatat" in page
    with schema_context("brebes"):
        OutgoingLetter.objects.filter(pk=draft.pk).update(subject="Judul diganti kemudian")
        labels = list(Evidence.objects.filter(entry_id=entry_id).order_by("id").values_list("kind", "ref_id", "label"))
    assert labels[0][:2] == ("disposisi_selesai", disposition.pk)
    assert "Permintaan data SPBE" in labels[0][2]
    assert labels[1][:2] == ("naskah_disusun", draft.pk)
    assert "Laporan gangguan jaringan" in labels[1][2]  # the label as it was taken
    # The superior sees the evidence in the queue.
    queued = api(username="plt").get("/api/v1/ekinerja/validation/").json()["results"]
    assert [len(e["evidence"]) for e in queued] == [2]


def test_one_click_on_the_web_turns_e_office_work_into_an_entry(seed, team):
    with schema_context("brebes"):
        today = org_today()
        draft = outgoing_letter_create(
            user=team.analyst, letter_type="memo", subject="Memo jadwal piket", body="Isi",
            classification_code="000.1.2", signer_position=team.org.head, recipients=[team.org.division_head],
        )  # fmt: skip
    staff = login(seed, username="analis")
    page = staff.get(f"/ekinerja/aktivitas/?tanggal={today.isoformat()}").content.decode()
    assert "Memo jadwal piket" in page
    response = staff.post(
        "/ekinerja/aktivitas/dari-eoffice/",
        {"ref": f"naskah_disusun:{draft.pk}", "day": today.isoformat(), "minutes": "20", "label": ""},
    )
    assert response.status_code == 302
    followed = staff.get(response["Location"]).content.decode()
    assert "dicatat" in followed, followed[followed.find("messages") : followed.find("messages") + 300]
    with schema_context("brebes"):
        entry = ActivityEntry.objects.get(employee=team.org.analysts[0])
        assert entry.minutes == 20
        assert "Memo jadwal piket" in entry.description
        assert list(entry.evidence.values_list("kind", "ref_id")) == [("naskah_disusun", draft.pk)]


# --- the attacker region -------------------------------------------------------------------------------------


def test_tegal_cannot_see_validate_or_download_brebes_entries(seed, team):
    with schema_context("brebes"):
        entry = entry_create(
            user=team.analyst, day=org_today(), description="Rapat", minutes=30,
            file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        )  # fmt: skip
        evidence = entry.evidence.get()
    licensed("tegal", ["ekinerja"])
    with schema_context("tegal"):
        build_org("TGL")
    tegal = api("tegal", "admin")
    assert tegal.get(f"/api/v1/ekinerja/activities/{entry.pk}/").status_code == 404
    assert tegal.get(f"/api/v1/ekinerja/activities/{entry.pk}/evidence/{evidence.pk}/").status_code == 404
    assert tegal.post(
        "/api/v1/ekinerja/validation/", {"entries": [entry.pk], "action": "validate"}, format="json"
    ).status_code in (403, 404)
    assert tegal.get("/api/v1/ekinerja/validation/").json()["results"] == []
    assert login(seed, "tegal", "admin").get(f"/ekinerja/aktivitas/{entry.pk}/bukti/{evidence.pk}/").status_code == 404
    assert status_of(entry.pk) == Status.SUBMITTED
    with schema_context("tegal"):
        assert not ActivityEntry.objects.exists()


def test_bad_ids_in_a_bulk_request_are_a_clear_error_not_a_crash(team):
    entry = log(team)
    superior = api(username="plt")
    for entries in ([], ["x"], [2**70]):
        response = superior.post(
            "/api/v1/ekinerja/validation/", {"entries": entries, "action": "validate"}, format="json"
        )
        assert response.status_code == 400
    missing = superior.post(
        "/api/v1/ekinerja/validation/", {"entries": [entry.pk, 999999], "action": "validate"}, format="json"
    )
    assert missing.status_code == 404
    assert status_of(entry.pk) == Status.SUBMITTED
    with schema_context("brebes"), pytest.raises(DomainError):
        entries_validate(user=team.plt, ids=[])


def test_the_running_monthly_counts_always_match_a_recount_of_the_entries(team):
    entries = [log(team, text=f"Kegiatan {n}") for n in range(4)]
    log(team, team.analyst2, text="Kegiatan rekan")
    with schema_context("brebes"):
        entries_validate(user=team.plt, ids=[entries[0].pk, entries[1].pk])
        entries_reject(user=team.plt, ids=[entries[2].pk], reason="Tanpa bukti")
        entry_delete(user=team.analyst, entry=ActivityEntry.objects.get(pk=entries[2].pk))
        entry_update(user=team.analyst, entry=ActivityEntry.objects.get(pk=entries[3].pk), description="x", minutes=9)
        with pytest.raises(ConflictError):  # a refused batch changes no count either
            entries_validate(user=team.plt, ids=[entries[3].pk, entries[0].pk])
        month = org_today().replace(day=1)
        kept = sorted(ActivityMonth.objects.filter(month=month).values_list("employee_id", "entered", "validated"))
        activity_month_rebuild(month=month)
        recounted = sorted(ActivityMonth.objects.filter(month=month).values_list("employee_id", "entered", "validated"))
    assert kept == recounted
    assert kept == sorted([(team.org.analysts[0].pk, 3, 2), (team.org.analysts[1].pk, 1, 0)])
