"""e-Kinerja SKP: the appraiser resolved from the organisation (Plt./Plh. included), the plan made, submitted,
returned and approved on the web and through the API, every forbidden transition of every e-Kinerja state
machine, approving one's own SKP, a non-supervisor's attempts, editing after submission, cascading from the
superior's RHK (tree, subordinates without SKP), and the attacker region (Tegal) against Brebes."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.models import AuditRecord
from tenant_apps.ekinerja.models import ActivityEntry, Appraisal, AppraisalPeriod, Rhk, Skp
from tenant_apps.ekinerja.skp_services import (
    indicator_add,
    rhk_add,
    skp_approve,
    skp_create,
    skp_return,
    skp_submit,
)
from tenant_apps.ekinerja.transitions import (
    APPRAISAL_TRANSITIONS,
    ENTRY_TRANSITIONS,
    SKP_TRANSITIONS,
    transition,
)
from tenant_apps.org.models import ActingAssignment, Employee
from tenant_apps.org.selectors import org_today
from tests.fixtures.control import licensed
from tests.fixtures.ekinerja import Team, approved, planned
from tests.fixtures.org import api, build_org, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


# --- the appraiser comes from the organisation -------------------------------------------------------------


def test_the_appraiser_and_the_appraisers_superior_are_read_from_the_organisation(team):
    with schema_context("brebes"):
        skp = planned(team.analyst, team.year)
        assert skp.position == team.org.analyst
        assert skp.appraiser_position == team.org.section_head
        assert skp.appraiser_superior_position == team.org.division_head
        assert skp.behaviours.count() == 7
    body = api(username="analis").get(f"/api/v1/ekinerja/skp/{skp.pk}/").json()
    assert body["appraiser_position"] == "Kepala Seksi Informasi"
    assert body["appraiser_superior_position"] == "Kepala Bidang IKP"
    assert body["allowed_actions"] == ["edit", "submit"]


def test_through_the_api_a_plan_is_made_submitted_returned_corrected_and_approved_by_the_plt(team):
    staff = api(username="analis")
    created = staff.post("/api/v1/ekinerja/skp/", {"year": team.year, "approach": "kuantitatif"}, format="json")
    assert created.status_code == 201, created.json()
    skp_id = created.json()["id"]
    again = staff.post("/api/v1/ekinerja/skp/", {"year": team.year, "approach": "kuantitatif"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "skp_exists"
    empty = staff.post(f"/api/v1/ekinerja/skp/{skp_id}/submit/")
    assert empty.status_code == 409
    assert empty.json()["error"]["code"] == "skp_incomplete"
    rhk = staff.post(
        f"/api/v1/ekinerja/skp/{skp_id}/rhk/", {"kind": "utama", "text": "Konten informasi publik"}, format="json"
    )
    rhk_id = rhk.json()["rhks"][0]["id"]
    bad = staff.post(f"/api/v1/ekinerja/skp/{skp_id}/rhk/{rhk_id}/indicators/", {"aspect": "rasa"}, format="json")
    assert bad.status_code == 400
    assert "aspect" in bad.json()["error"]["fields"]
    for aspect, target in (("kuantitas", "12 konten"), ("kualitas", "100% terverifikasi"), ("waktu", "12 bulan")):
        response = staff.post(
            f"/api/v1/ekinerja/skp/{skp_id}/rhk/{rhk_id}/indicators/",
            {"aspect": aspect, "text": f"Indikator {aspect}", "target": target},
            format="json",
        )
        assert response.status_code == 201
    assert staff.post(f"/api/v1/ekinerja/skp/{skp_id}/submit/").json()["status"] == "diajukan"

    appraiser = api(username="plt")  # acting for the vacant section head
    listed = appraiser.get(f"/api/v1/ekinerja/skp/?year={team.year}").json()
    assert [s["id"] for s in listed] == [skp_id]
    expectations = {"berorientasi_pelayanan": "Menjawab permintaan informasi dalam 1 hari kerja"}
    assert (
        appraiser.put(f"/api/v1/ekinerja/skp/{skp_id}/behaviours/", {"expectations": expectations}, format="json")
        .json()["behaviours"]["berorientasi_pelayanan"]
        .startswith("Menjawab")
    )
    no_note = appraiser.post(f"/api/v1/ekinerja/skp/{skp_id}/return/", {"note": ""}, format="json")
    assert no_note.status_code == 400
    returned = appraiser.post(f"/api/v1/ekinerja/skp/{skp_id}/return/", {"note": "Tambah RHK tambahan"}, format="json")
    assert returned.json()["status"] == "dikembalikan"
    assert returned.json()["return_note"] == "Tambah RHK tambahan"

    staff.post(f"/api/v1/ekinerja/skp/{skp_id}/rhk/", {"kind": "tambahan", "text": "Tim SPBE"}, format="json")
    extra = staff.get(f"/api/v1/ekinerja/skp/{skp_id}/").json()["rhks"][1]["id"]
    staff.post(
        f"/api/v1/ekinerja/skp/{skp_id}/rhk/{extra}/indicators/",
        {"aspect": "kuantitas", "text": "Rapat tim", "target": "4 kali"},
        format="json",
    )
    resubmitted = staff.post(f"/api/v1/ekinerja/skp/{skp_id}/submit/").json()
    assert resubmitted.get("status") == "diajukan", resubmitted
    done = appraiser.post(f"/api/v1/ekinerja/skp/{skp_id}/approve/")
    assert done.status_code == 200
    assert done.json()["status"] == "disetujui"
    with schema_context("brebes"):
        actions = list(
            AuditRecord.objects.filter(target_type="ekinerja.skp", target_id=str(skp_id))
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert [a for a in actions if a.startswith("ekinerja.skp.") and a != "ekinerja.skp.behaviour"] == [
        "ekinerja.skp.create",
        "ekinerja.skp.diajukan",
        "ekinerja.skp.dikembalikan",
        "ekinerja.skp.diajukan",
        "ekinerja.skp.disetujui",
    ]
    late = staff.post(f"/api/v1/ekinerja/skp/{skp_id}/rhk/", {"kind": "utama", "text": "Baru"}, format="json")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "skp_not_editable"


def test_on_the_web_a_staff_member_plans_and_submits_and_the_appraiser_approves(seed, team):
    staff = login(seed, username="analis")
    page = staff.get("/ekinerja/skp/")
    assert page.status_code == 200
    assert "Buat SKP saya" in page.content.decode()
    response = staff.post("/ekinerja/skp/buat/", {"year": team.year, "approach": "kualitatif"})
    assert response.status_code == 302
    with schema_context("brebes"):
        skp = Skp.objects.get(employee=team.org.analysts[0], year=team.year)
    connection.set_schema_to_public()
    staff.post(f"/ekinerja/skp/{skp.pk}/rhk/", {"kind": "utama", "text": "Layanan data statistik sektoral"})
    with schema_context("brebes"):
        rhk = skp.rhks.get()
    connection.set_schema_to_public()
    staff.post(
        f"/ekinerja/skp/{skp.pk}/rhk/{rhk.pk}/indikator/", {"aspect": "kualitas", "text": "Data valid", "target": "95%"}
    )
    detail = staff.get(f"/ekinerja/skp/{skp.pk}/").content.decode()
    assert "Layanan data statistik sektoral" in detail
    assert "Ajukan SKP" in detail
    staff.post(f"/ekinerja/skp/{skp.pk}/aksi/ajukan/")
    assert "Setujui SKP" not in staff.get(f"/ekinerja/skp/{skp.pk}/").content.decode()
    appraiser = login(seed, username="plt")
    assert "Setujui SKP" in appraiser.get(f"/ekinerja/skp/{skp.pk}/").content.decode()
    appraiser.post(f"/ekinerja/skp/{skp.pk}/aksi/setujui/")
    with schema_context("brebes"):
        assert Skp.objects.get(pk=skp.pk).status == Skp.Status.APPROVED
    pdf = staff.get(f"/ekinerja/skp/{skp.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")


# --- forbidden ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "table"),
    [(Skp, SKP_TRANSITIONS), (ActivityEntry, ENTRY_TRANSITIONS), (Appraisal, APPRAISAL_TRANSITIONS)],
    ids=["skp", "entry", "appraisal"],
)
def test_every_transition_outside_the_tables_is_refused_and_changes_nothing(team, model, table):
    with schema_context("brebes"):
        skp = approved(team.analyst, team.plt, team.year)
        if model is Skp:
            obj = skp
        elif model is ActivityEntry:
            obj = ActivityEntry.objects.create(
                employee=team.org.analysts[0], day=org_today(), description="Rapat", minutes=60
            )
        else:
            period = AppraisalPeriod.objects.create(
                year=team.year, kind="tahunan", number=0, start=org_today(), end=org_today()
            )
            obj = Appraisal.objects.create(
                skp=skp, period=period, appraiser_position=team.org.section_head, appraiser_as="plt", appraiser=team.plt
            )
        statuses = list(model.Status.values)
        assert set(table) == set(statuses), "every status has a row in the table"
        tried = 0
        for source in statuses:
            for target in statuses:
                if target in table[source]:
                    continue
                # A completed appraisal always carries a predikat (a database constraint).
                extra = {"predikat": "baik"} if model is Appraisal else {}
                model.objects.filter(pk=obj.pk).update(status=source, **extra)
                obj.refresh_from_db()
                with pytest.raises(ConflictError) as excinfo:
                    transition(obj=obj, to=target, user=team.plt)
                assert excinfo.value.code == "invalid_transition"
                assert model.objects.get(pk=obj.pk).status == source
                tried += 1
        assert tried == len(statuses) ** 2 - sum(len(v) for v in table.values())


def test_an_employee_acting_for_their_own_superior_position_cannot_approve_their_own_skp(team):
    with schema_context("brebes"):
        skp = planned(team.kabid, team.year)
        skp_submit(user=team.kabid, skp=skp)
        # The Kepala Dinas is away and the Kepala Bidang is Plh. of the head position: they act for their own
        # appraiser's position today, and still may not approve their own plan.
        ActingAssignment.objects.create(
            employee=team.org.kabid, position=team.org.head, kind="plh", start=org_today(), created_by="t"
        )
        with pytest.raises(ForbiddenError) as excinfo:
            skp_approve(user=team.kabid, skp=skp)
        assert excinfo.value.code == "own_skp"
    response = api(username="kabid").post(f"/api/v1/ekinerja/skp/{skp.pk}/approve/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "own_skp"
    with schema_context("brebes"):
        assert Skp.objects.get(pk=skp.pk).status == Skp.Status.SUBMITTED


def test_someone_who_does_not_supervise_the_employee_cannot_approve_return_or_even_see_the_plan(seed, team):
    with schema_context("brebes"):
        skp = planned(team.analyst, team.year)
        skp_submit(user=team.analyst, skp=skp)
    # A colleague in the same position sees nothing.
    colleague = api(username="analis2")
    assert colleague.get(f"/api/v1/ekinerja/skp/{skp.pk}/").status_code == 404
    assert colleague.post(f"/api/v1/ekinerja/skp/{skp.pk}/approve/").json()["error"]["code"] == "skp_not_found"
    # The Kepala Bidang, as the appraiser's superior, sees it but may not decide on it; nor may the head.
    client = api(username="kabid")
    assert client.get(f"/api/v1/ekinerja/skp/{skp.pk}/").status_code == 200
    response = client.post(f"/api/v1/ekinerja/skp/{skp.pk}/approve/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_appraiser"
    with schema_context("brebes"):
        with pytest.raises(ForbiddenError):
            skp_return(user=team.kadis, skp=skp, note="Tidak")
        assert Skp.objects.get(pk=skp.pk).status == Skp.Status.SUBMITTED
    assert login(seed, username="analis2").get(f"/ekinerja/skp/{skp.pk}/").status_code == 404


def test_only_the_employee_edits_and_only_while_it_is_a_draft_or_returned(team):
    with schema_context("brebes"):
        skp = planned(team.analyst, team.year)
        with pytest.raises(ForbiddenError):
            rhk_add(user=team.plt, skp=skp, kind="utama", text="Bukan milik saya")
        skp_submit(user=team.analyst, skp=skp)
        with pytest.raises(ConflictError) as excinfo:
            rhk_add(user=team.analyst, skp=skp, kind="utama", text="Setelah diajukan")
        assert excinfo.value.code == "skp_not_editable"
        with pytest.raises(ConflictError):
            indicator_add(user=team.analyst, rhk=skp.rhks.first(), aspect="waktu", text="x", target="y")
        assert skp.rhks.count() == 1


# --- cascading ---------------------------------------------------------------------------------------------


def _definitive_section_head(team: Team) -> None:
    """The Plt. becomes the definitive Kepala Seksi, so the chain has four levels with an SKP each."""
    ActingAssignment.objects.filter(employee=team.org.spare).delete()
    Employee.objects.filter(pk=team.org.spare.pk).update(position=team.org.section_head)


def test_a_cascaded_rhk_must_come_from_the_direct_superiors_skp_of_the_same_year(team):
    with schema_context("brebes"):
        _definitive_section_head(team)
        head = planned(team.kadis, team.year, rhks=2)
        kabid = planned(team.kabid, team.year, parent=head.rhks.first())
        assert kabid.rhks.get().parent == head.rhks.first()
        analyst = skp_create(user=team.analyst, year=team.year, approach="kuantitatif")
        # The head's RHK is two levels up; a peer's RHK is not a superior's; last year's is another year.
        peer = skp_create(user=team.analyst2, year=team.year, approach="kuantitatif")
        peer_rhk = rhk_add(user=team.analyst2, skp=peer, kind="utama", text="Peer")
        old = skp_create(user=team.kabid, year=team.year - 1, approach="kuantitatif")
        old_rhk = rhk_add(user=team.kabid, skp=old, kind="utama", text="Tahun lalu")
        for parent in (head.rhks.first(), peer_rhk, old_rhk, kabid.rhks.get()):
            with pytest.raises(DomainError) as excinfo:
                rhk_add(user=team.analyst, skp=analyst, kind="utama", text="Turunan", parent=parent)
            assert excinfo.value.code == "parent_not_superior"
            assert "parent" in excinfo.value.fields
    response = api(username="kabid").post(
        f"/api/v1/ekinerja/skp/{kabid.pk}/rhk/", {"kind": "utama", "text": "x", "parent": peer_rhk.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parent_not_superior"


def test_the_leader_sees_how_each_rhk_is_carried_down_and_who_has_no_skp_yet(seed, team):
    with schema_context("brebes"):
        _definitive_section_head(team)
        head = planned(team.kadis, team.year, rhks=2)
        first, second = head.rhks.order_by("id")
        kabid = planned(team.kabid, team.year, parent=first)
        kasi = planned(team.plt, team.year, parent=kabid.rhks.get())
        planned(team.analyst, team.year, parent=kasi.rhks.get())
        # The second analyst has no SKP yet.
    head_view = api(username="kadis").get(f"/api/v1/ekinerja/cascade/?year={team.year}").json()
    assert [n["text"] for n in head_view["rhks"]] == [first.text, second.text]
    chain = head_view["rhks"][0]
    depth = 0
    while chain["children"]:
        (chain,) = chain["children"]
        depth += 1
    assert depth == 3
    assert chain["employee"] == team.org.analysts[0].pk
    assert head_view["rhks"][1]["children"] == []
    assert head_view["without_skp"] == []
    section = api(username="plt").get(f"/api/v1/ekinerja/cascade/?year={team.year}").json()
    assert [p["name"] for p in section["without_skp"]] == ["Dewi Lestari"]
    page = login(seed, username="plt").get("/ekinerja/kaskade/").content.decode()
    assert "Dewi Lestari" in page
    assert "Layanan informasi publik 1" in page
    # Every RHK in the tree is carried by an SKP of the position right below its parent's.
    with schema_context("brebes"):
        for rhk in Rhk.objects.filter(parent__isnull=False).select_related("skp", "parent__skp"):
            assert rhk.skp.appraiser_position_id == rhk.parent.skp.position_id
            assert rhk.skp.year == rhk.parent.skp.year


# --- the attacker region -----------------------------------------------------------------------------------


def test_tegal_cannot_see_or_change_a_brebes_skp_through_the_web_or_the_api(seed, team):
    with schema_context("brebes"):
        skp = planned(team.analyst, team.year)
        skp_submit(user=team.analyst, skp=skp)
    licensed("tegal", ["ekinerja"])
    with schema_context("tegal"):
        build_org("TGL")
    tegal = api("tegal", "admin")
    assert tegal.get(f"/api/v1/ekinerja/skp/{skp.pk}/").status_code == 404
    assert tegal.post(f"/api/v1/ekinerja/skp/{skp.pk}/approve/").status_code == 404
    assert tegal.get(f"/api/v1/ekinerja/skp/{skp.pk}/pdf/").status_code == 404
    assert tegal.get(f"/api/v1/ekinerja/skp/?year={team.year}").json() == []
    assert login(seed, "tegal", "admin").get(f"/ekinerja/skp/{skp.pk}/").status_code == 404
    # A Brebes token means nothing on Tegal's host, and the reverse.
    brebes_token = api(username="plt")
    brebes_token.defaults["HTTP_HOST"] = "tegal.localhost"
    assert brebes_token.post(f"/api/v1/ekinerja/skp/{skp.pk}/approve/").status_code == 401
    with schema_context("brebes"):
        assert Skp.objects.get(pk=skp.pk).status == Skp.Status.SUBMITTED
