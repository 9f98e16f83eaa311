"""Dispositions: the flow down the hierarchy (web and API) with the tracking tree, every forbidden transition,
cancelling only while unread, a Plt. acting for a vacant seat, the attacker's side (a position not held,
another region) and bounded queries on the inbox."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, ForbiddenError
from shared_apps.audit.models import AuditRecord
from tenant_apps.eoffice.disposition_services import (
    DISPOSITION_TRANSITIONS,
    disposition_cancel,
    disposition_complete,
    disposition_create,
    disposition_forward,
    disposition_return,
    disposition_start,
    disposition_transition,
)
from tenant_apps.eoffice.models import Disposition, DispositionInstruction
from tenant_apps.eoffice.selectors import disposition_overdue, disposition_tree
from tenant_apps.org.models import Employee
from tenant_apps.org.selectors import org_today
from tests.fixtures.control import licensed
from tests.fixtures.eoffice import Desk, incoming_letter
from tests.fixtures.org import api, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

Status = Disposition.Status


def send(desk: Desk, *positions, **changes) -> list[Disposition]:
    """The Kepala Dinas disposes the letter (in the current schema)."""
    values = {"instructions": ["tindak_lanjuti"], "note": "Segera", "urgency": "segera", "deadline": None}
    values.update(changes)
    return disposition_create(user=desk.office.leader, letter=desk.letter, to_positions=list(positions), **values)


def to_division(desk: Desk) -> Disposition:
    with schema_context("brebes"):
        (row,) = send(desk, desk.office.org.division_head)
    connection.set_schema_to_public()
    return row


def status_of(pk: int) -> str:
    with schema_context("brebes"):
        return Disposition.objects.get(pk=pk).status


# --- the flow ------------------------------------------------------------------------------------------------


def test_the_seeded_instructions_are_the_standard_list(seed, office):
    with schema_context("brebes"):
        assert list(DispositionInstruction.objects.values_list("label", flat=True)) == [
            "Tindak lanjuti",
            "Pelajari",
            "Koordinasikan",
            "Hadiri",
            "Siapkan jawaban",
            "Untuk diketahui",
            "Arsipkan",
        ]
    codes = [i["code"] for i in api(username="staf").get("/api/v1/eoffice/dispositions/instructions/").json()]
    assert codes[:2] == ["tindak_lanjuti", "pelajari"]


def test_through_the_api_a_letter_goes_down_the_hierarchy_and_the_leader_sees_the_tree(seed, desk):
    org = desk.office.org
    leader = api(username="kadis")
    with schema_context("brebes"):
        deadline = (org_today() + timedelta(days=5)).isoformat()
    created = leader.post(
        "/api/v1/eoffice/dispositions/",
        {
            "letter": desk.letter.pk,
            "to_positions": [org.division_head.pk, org.section_head.pk],
            "instructions": ["tindak_lanjuti", "koordinasikan"],
            "note": "Siapkan bahan rapat",
            "urgency": "segera",
            "deadline": deadline,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    rows = created.json()
    assert [r["to_position"] for r in rows] == [org.division_head.pk, org.section_head.pk]
    assert rows[0]["batch"] == rows[1]["batch"]
    assert rows[0]["instructions"] == ["Tindak lanjuti", "Koordinasikan"]
    to_kabid, to_kasi = rows[0]["id"], rows[1]["id"]

    kabid = api(username="kabid")
    inbox = kabid.get("/api/v1/eoffice/dispositions/").json()["results"]
    assert [(r["id"], r["status"]) for r in inbox] == [(to_kabid, "terkirim")]
    opened = kabid.get(f"/api/v1/eoffice/dispositions/{to_kabid}/").json()
    assert opened["status"] == "dibaca"  # opening it is reading it
    assert opened["allowed_actions"] == ["complete", "forward", "return", "start"]
    forwarded = kabid.post(
        f"/api/v1/eoffice/dispositions/{to_kabid}/forward/",
        {"to_positions": [org.analyst.pk], "instructions": ["siapkan_jawaban"], "deadline": deadline},
        format="json",
    )
    assert forwarded.status_code == 201, forwarded.json()
    to_analyst = forwarded.json()[0]["id"]
    assert forwarded.json()[0]["parent"] == to_kabid
    assert status_of(to_kabid) == Status.IN_PROGRESS  # forwarding puts it in progress

    analyst = api(username="analis")
    assert analyst.get(f"/api/v1/eoffice/dispositions/{to_analyst}/").json()["status"] == "dibaca"
    assert analyst.post(f"/api/v1/eoffice/dispositions/{to_analyst}/start/").json()["status"] == "diproses"
    missing_note = analyst.post(f"/api/v1/eoffice/dispositions/{to_analyst}/complete/", {}, format="json")
    assert missing_note.status_code == 400
    done = analyst.post(
        f"/api/v1/eoffice/dispositions/{to_analyst}/complete/", {"note": "Bahan sudah dikirim"}, format="json"
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["done_note"], done.json()["allowed_actions"]) == (
        "selesai",
        "Bahan sudah dikirim",
        [],
    )
    # The analyst now sees the letter the disposition is about.
    assert analyst.get(f"/api/v1/eoffice/incoming/{desk.letter.pk}/").status_code == 200

    tree = leader.get(f"/api/v1/eoffice/incoming/{desk.letter.pk}/dispositions/").json()
    assert [(n["id"], n["status"]) for n in tree] == [(to_kabid, "diproses"), (to_kasi, "terkirim")]
    assert [(n["id"], n["status"], n["children"]) for n in tree[0]["children"]] == [(to_analyst, "selesai", [])]
    with schema_context("brebes"):
        actions = set(AuditRecord.objects.filter(target_type="eoffice.disposition").values_list("action", flat=True))
    assert actions == {"eoffice.disposition.dibaca", "eoffice.disposition.diproses", "eoffice.disposition.selesai"}


def test_on_the_web_the_leader_disposes_staff_finish_and_the_letter_page_shows_the_tree(seed, desk):
    org = desk.office.org
    leader = login(seed, username="kadis")
    letter_page = f"/eoffice/surat-masuk/{desk.letter.pk}/"
    assert "Kirim disposisi" in leader.get(letter_page).content.decode()
    response = leader.post(
        f"{letter_page}disposisi/",
        {"to_positions": [org.division_head.pk], "instructions": ["tindak_lanjuti"], "urgency": "biasa"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context("brebes"):
        to_kabid = Disposition.objects.get()
    # Own position refused, in Indonesian, nothing written.
    refused = leader.post(
        f"{letter_page}disposisi/",
        {"to_positions": [org.head.pk], "instructions": ["pelajari"], "urgency": "biasa"},
    )
    assert refused.status_code == 200
    assert "Masukkan pilihan yang valid" in refused.content.decode()  # own position is not even offered

    kabid = login(seed, username="kabid")
    assert "Undangan rapat" in kabid.get("/eoffice/disposisi/").content.decode()
    detail = kabid.get(f"/eoffice/disposisi/{to_kabid.pk}/").content.decode()
    assert "Teruskan" in detail
    assert "Batalkan disposisi" not in detail
    assert status_of(to_kabid.pk) == Status.READ
    forwarded = kabid.post(
        f"/eoffice/disposisi/{to_kabid.pk}/forward/",
        {"to_positions": [org.analyst.pk], "instructions": ["pelajari"], "urgency": "biasa"},
    )
    assert forwarded.status_code == 302
    with schema_context("brebes"):
        to_analyst = Disposition.objects.get(parent=to_kabid)

    analyst = login(seed, username="analis")
    assert analyst.get(f"/eoffice/disposisi/{to_analyst.pk}/").status_code == 200
    empty = analyst.post(f"/eoffice/disposisi/{to_analyst.pk}/complete/", {"note": ""})
    assert empty.status_code == 200
    assert "Bidang ini harus diisi." in empty.content.decode()
    assert analyst.post(f"/eoffice/disposisi/{to_analyst.pk}/complete/", {"note": "Sudah"}).status_code == 302
    assert status_of(to_analyst.pk) == Status.DONE

    page = leader.get(letter_page).content.decode()
    for text in ("Kepala Bidang IKP", "Pranata Komputer", "Selesai", "Diproses"):
        assert text in page


# --- the state machine ---------------------------------------------------------------------------------------

FORBIDDEN = [(a, b) for a in Status.values for b in Status.values if b not in DISPOSITION_TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_every_forbidden_transition_is_refused(seed, desk, current, target):
    with schema_context("brebes"):
        (row,) = send(desk, desk.office.org.division_head)
        Disposition.objects.filter(pk=row.pk).update(status=current)
        row.refresh_from_db()
        with pytest.raises(ConflictError) as refused:
            disposition_transition(disposition=row, to=target, user=desk.kabid)
        assert refused.value.code == "invalid_transition"
        assert Disposition.objects.get(pk=row.pk).status == current


@pytest.mark.parametrize("final", [Status.DONE, Status.RETURNED, Status.CANCELLED])
@pytest.mark.parametrize("action", ["forward", "start", "complete", "return"])
def test_a_finished_returned_or_cancelled_disposition_accepts_no_more_work(seed, desk, final, action):
    to_kabid = to_division(desk)
    with schema_context("brebes"):
        Disposition.objects.filter(pk=to_kabid.pk).update(status=final)
    path = f"/api/v1/eoffice/dispositions/{to_kabid.pk}/{action}/"
    body = {"to_positions": [desk.office.org.analyst.pk], "instructions": ["pelajari"], "note": "x", "reason": "x"}
    response = api(username="kabid").post(path, body, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["error"]["code"] == "invalid_transition"
    with schema_context("brebes"):
        assert Disposition.objects.count() == 1
        assert Disposition.objects.get().status == final


def test_the_sender_cancels_only_while_unread(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        to_kabid, to_kasi = send(desk, org.division_head, org.section_head)
    leader = api(username="kadis")
    # Someone else (the Plt. of the other recipient) is not the sender.
    not_sender = api(username="plt").post(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/cancel/")
    assert (not_sender.status_code, not_sender.json()["error"]["code"]) == (403, "not_sender")
    cancelled = leader.post(f"/api/v1/eoffice/dispositions/{to_kasi.pk}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "dibatalkan"
    assert api(username="plt").get("/api/v1/eoffice/dispositions/").json()["results"] == []  # gone from the inbox
    again = leader.post(f"/api/v1/eoffice/dispositions/{to_kasi.pk}/cancel/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_transition")
    api(username="kabid").get(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/")  # read
    late = leader.post(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/cancel/")
    assert (late.status_code, late.json()["error"]["code"]) == (409, "already_read")
    assert status_of(to_kabid.pk) == Status.READ
    # The sender opening it does not read it for the recipient.
    with schema_context("brebes"):
        (fresh,) = send(desk, org.division_head)
    leader.get(f"/api/v1/eoffice/dispositions/{fresh.pk}/")
    assert status_of(fresh.pk) == Status.SENT


def test_a_returned_disposition_carries_its_reason(seed, desk):
    to_kabid = to_division(desk)
    kabid = api(username="kabid")
    no_reason = kabid.post(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/return/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400
    returned = kabid.post(
        f"/api/v1/eoffice/dispositions/{to_kabid.pk}/return/", {"reason": "Bukan tugas bidang"}, format="json"
    )
    assert (returned.json()["status"], returned.json()["return_reason"]) == ("dikembalikan", "Bukan tugas bidang")


# --- who acts ------------------------------------------------------------------------------------------------


def test_a_plt_acts_for_the_vacant_section_head(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        (to_kasi,) = send(desk, org.section_head)
    plt = api(username="plt")
    assert [r["id"] for r in plt.get("/api/v1/eoffice/dispositions/").json()["results"]] == [to_kasi.pk]
    forwarded = plt.post(
        f"/api/v1/eoffice/dispositions/{to_kasi.pk}/forward/",
        {"to_positions": [org.analyst.pk], "instructions": ["hadiri"]},
        format="json",
    )
    assert forwarded.status_code == 201, forwarded.json()
    assert forwarded.json()[0]["sent_as"] == "plt"
    assert forwarded.json()[0]["from_position"] == org.section_head.pk
    with schema_context("brebes"):
        Employee.objects.filter(pk=org.spare.pk).update(active=False)  # the Plt. leaves
    assert plt.get(f"/api/v1/eoffice/dispositions/{to_kasi.pk}/").status_code in (401, 403, 404)


def test_only_the_holder_of_the_addressed_position_disposes_the_letter(seed, desk):
    org = desk.office.org
    body = {"letter": desk.letter.pk, "to_positions": [org.division_head.pk], "instructions": ["pelajari"]}
    # The records officer sees the letter but does not hold the Kepala Dinas' position.
    officer = api(username="tu").post("/api/v1/eoffice/dispositions/", body, format="json")
    assert (officer.status_code, officer.json()["error"]["code"]) == (403, "not_recipient")
    # The Kepala Bidang does not even see it.
    kabid = api(username="kabid").post("/api/v1/eoffice/dispositions/", body, format="json")
    assert (kabid.status_code, kabid.json()["error"]["code"]) == (404, "letter_not_found")
    web = login(seed, username="tu")
    assert "Kirim disposisi" not in web.get(f"/eoffice/surat-masuk/{desk.letter.pk}/").content.decode()
    assert web.post(f"/eoffice/surat-masuk/{desk.letter.pk}/disposisi/", body).status_code == 403
    with schema_context("brebes"):
        assert not Disposition.objects.exists()
        with pytest.raises(ForbiddenError):
            disposition_create(
                user=desk.kabid, letter=desk.letter, to_positions=[org.analyst], instructions=["pelajari"]
            )


def test_someone_else_cannot_act_on_a_disposition(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        to_kabid, _to_analyst = send(desk, org.division_head, org.analyst)
    # The analyst sees the letter (through his own disposition) and so the Kabid's, but cannot act on it.
    analyst = api(username="analis")
    for action in ("start", "complete", "return", "forward"):
        body = {"to_positions": [org.section_head.pk], "instructions": ["pelajari"], "note": "x", "reason": "x"}
        response = analyst.post(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/{action}/", body, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (403, "not_recipient"), action
    assert analyst.get(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/").json()["allowed_actions"] == []
    assert status_of(to_kabid.pk) == Status.SENT  # looking is not reading it
    # A staff account holding no position sees nothing at all.
    staff = api(username="staf")
    assert staff.get(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/").status_code == 404
    assert staff.post(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/start/").status_code == 404
    assert login(seed, username="staf").post(f"/eoffice/disposisi/{to_kabid.pk}/start/").status_code == 404
    web = login(seed, username="analis")
    assert web.post(f"/eoffice/disposisi/{to_kabid.pk}/start/").status_code == 403
    with schema_context("brebes"):
        with pytest.raises(ForbiddenError) as refused:
            disposition_complete(user=desk.analyst, disposition=to_kabid, note="x")
        assert refused.value.code == "not_recipient"
        for service in (disposition_start, disposition_cancel):
            with pytest.raises(ForbiddenError):
                service(user=desk.analyst, disposition=to_kabid)
        with pytest.raises(ForbiddenError):
            disposition_return(user=desk.analyst, disposition=to_kabid, reason="x")
        with pytest.raises(ForbiddenError):
            disposition_forward(user=desk.analyst, parent=to_kabid, to_positions=[org.head], instructions=["hadiri"])
    assert status_of(to_kabid.pk) == Status.SENT


def test_bad_dispositions_are_refused_per_field(seed, desk):
    org = desk.office.org
    leader = api(username="kadis")

    def post(**changes):
        body = {"letter": desk.letter.pk, "to_positions": [org.division_head.pk], "instructions": ["pelajari"]}
        body.update(changes)
        return leader.post("/api/v1/eoffice/dispositions/", body, format="json")

    def code(response, field):
        assert response.status_code == 400, response.json()
        return response.json()["error"]["fields"][field][0]["code"]

    with schema_context("brebes"):
        yesterday = (org_today() - timedelta(days=1)).isoformat()
    assert code(post(to_positions=[org.head.pk]), "to_positions") == "own_position"
    assert code(post(to_positions=[10**12]), "to_positions") == "position_not_found"
    assert code(post(to_positions=[]), "to_positions") == "empty"
    wrong_type = post(to_positions=["x"])
    assert wrong_type.status_code == 400
    assert "to_positions" in wrong_type.json()["error"]["fields"]
    assert code(post(instructions=["bakar"]), "instructions") == "instruction_not_found"
    assert code(post(deadline=yesterday), "deadline") == "deadline_in_past"
    assert code(post(urgency="kilat"), "urgency") == "invalid_choice"
    assert code(post(note="x" * 5000), "note") == "max_length"
    assert post(letter=10**12).json()["error"]["code"] == "letter_not_found"
    malformed = leader.generic("POST", "/api/v1/eoffice/dispositions/", b"{nope", content_type="application/json")
    assert malformed.status_code == 400
    for bad in ("abc", "0", str(2**70)):
        response = leader.get(f"/api/v1/eoffice/dispositions/{bad}/")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "disposition_not_found")
    with schema_context("brebes"):
        assert not Disposition.objects.exists()


# --- overdue, isolation, queries -----------------------------------------------------------------------------


def test_overdue_dispositions_are_listed_per_unit(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        today = org_today()
        late_kabid, late_kasi, done = send(desk, org.division_head, org.section_head, org.analyst)
        (cancelled,) = send(desk, org.section_head)
        on_time = send(desk, org.division_head, deadline=today + timedelta(days=3))[0]
        # Time passes: the first deadlines are now behind us.
        Disposition.objects.exclude(pk=on_time.pk).update(deadline=today - timedelta(days=2))
        Disposition.objects.filter(pk=done.pk).update(status=Status.DONE)
        Disposition.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
        assert list(disposition_overdue(unit=org.division)) == [late_kabid, late_kasi]  # the division and below
        assert list(disposition_overdue(unit=org.section)) == [late_kasi]
        assert list(disposition_overdue(unit=org.opd)) == [late_kabid, late_kasi]
        assert list(disposition_overdue(unit=org.opd, on=today - timedelta(days=5))) == []
    page = login(seed, username="kadis").get(f"/eoffice/disposisi/terlambat/?unit={org.section.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    rows = body.split("<tbody>")[1]
    assert "Kepala Seksi Informasi" in rows
    assert "Kepala Bidang IKP" not in rows
    # Staff with no position and no monitoring role get no page.
    assert login(seed, username="staf").get("/eoffice/disposisi/terlambat/").status_code == 403


def test_tegal_cannot_see_or_act_on_a_brebes_disposition(seed, desk):
    licensed("tegal", ["eoffice"])
    to_kabid = to_division(desk)
    tegal = api("tegal", "admin")
    assert tegal.get("/api/v1/eoffice/dispositions/").json()["results"] == []
    assert tegal.get(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/").status_code == 404
    for action in ("start", "cancel"):
        assert tegal.post(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/{action}/").status_code == 404
    assert tegal.get(f"/api/v1/eoffice/incoming/{desk.letter.pk}/dispositions/").status_code == 404
    web = login(seed, "tegal", "admin")
    assert web.get(f"/eoffice/disposisi/{to_kabid.pk}/").status_code == 404
    assert web.post(f"/eoffice/disposisi/{to_kabid.pk}/cancel/").status_code == 404
    stolen = api(username="kabid")
    stolen.defaults["HTTP_HOST"] = "tegal.localhost"
    assert stolen.get(f"/api/v1/eoffice/dispositions/{to_kabid.pk}/").status_code in (401, 403)
    assert status_of(to_kabid.pk) == Status.SENT


def test_the_disposition_inbox_runs_a_bounded_number_of_queries(seed, desk, django_assert_max_num_queries):
    org = desk.office.org

    def dispose(count: int) -> None:
        with schema_context("brebes"):
            for i in range(count):
                letter = incoming_letter(desk.office, subject=f"Surat nomor {i}")
                disposition_create(
                    user=desk.office.leader,
                    letter=letter,
                    to_positions=[org.division_head],
                    instructions=["pelajari"],
                    deadline=org_today() + timedelta(days=1),
                )
        connection.set_schema_to_public()

    def queries(client, path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        return len(captured)

    kabid, kabid_api = login(seed, username="kabid"), api(username="kabid")
    kabid.get("/eoffice/disposisi/")
    dispose(3)
    few = queries(kabid, "/eoffice/disposisi/"), queries(kabid_api, "/api/v1/eoffice/dispositions/")
    dispose(27)
    many = queries(kabid, "/eoffice/disposisi/"), queries(kabid_api, "/api/v1/eoffice/dispositions/")
    assert many == few
    # 13 queries, each preceded by django-tenants' "SET search_path" in tests.
    with django_assert_max_num_queries(26):
        page = kabid.get("/eoffice/disposisi/")
    assert "Halaman 1 dari 2" in page.content.decode()
    with schema_context("brebes"):
        tree_letter = Disposition.objects.select_related("letter").order_by("id").first().letter
        with CaptureQueriesContext(connection) as captured:
            assert len(disposition_tree(letter=tree_letter)) == 1
        assert len([q for q in captured if not q["sql"].startswith("SET search_path")]) == 1


def _counter(html: str, label: str) -> int:
    match = re.search(r'<span class="counter-value">(\d+)</span>\s*<span class="counter-label">' + label, html)
    assert match, f"no counter {label!r} on the home page"
    return int(match.group(1))


def test_the_home_page_counts_the_dispositions_waiting_for_the_user(seed, desk):
    disposition = to_division(desk)
    kabid = login(seed, username="kabid")
    home = kabid.get("/").content.decode()
    assert (_counter(home, "Disposisi belum dibaca"), _counter(home, "Disposisi belum selesai")) == (1, 1)
    kabid.get(f"/eoffice/disposisi/{disposition.pk}/")  # opening it marks it read
    home = kabid.get("/").content.decode()
    assert (_counter(home, "Disposisi belum dibaca"), _counter(home, "Disposisi belum selesai")) == (0, 1)
    # The analyst's position got nothing; an account with no position at all gets no e-Office counters.
    assert _counter(login(seed, username="analis").get("/").content.decode(), "Disposisi belum dibaca") == 0
    assert "Disposisi belum dibaca" not in login(seed, username="staf").get("/").content.decode()
