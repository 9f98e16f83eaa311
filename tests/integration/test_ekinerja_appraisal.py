"""e-Kinerja appraisal, reports, settings and metrics: the appraiser completes a monthly appraisal (web and
API) and the predikat comes from the matrix; who may appraise; the organisation's predikat caps the
distribution with a warning; fill rate and distribution per unit with CSV; the annual PDF; the region admin's
settings and catalogue; the adoption metrics; and the attacker region."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, ForbiddenError
from tenant_apps.ekinerja import metrics
from tenant_apps.ekinerja.activity_services import entries_validate, entry_create
from tenant_apps.ekinerja.admin_services import unit_performance_set
from tenant_apps.ekinerja.appraisal_services import appraisal_complete, appraisal_save, period_ensure
from tenant_apps.ekinerja.models import Appraisal, EkinerjaSettings, Skp
from tenant_apps.ekinerja.reports import fill_rate
from tenant_apps.ekinerja.skp_services import skp_submit
from tenant_apps.org.selectors import org_today
from tests.fixtures.control import licensed
from tests.fixtures.ekinerja import Team, approved, build_team, planned
from tests.fixtures.org import api, build_org, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def team(seed) -> Team:
    return build_team(seed)


def month_period(team: Team):
    today = org_today()
    return period_ensure(year=team.year, kind="bulanan", number=today.month)


def test_on_the_web_the_appraiser_completes_a_monthly_appraisal_and_the_matrix_gives_the_predikat(seed, team):
    with schema_context("brebes"):
        skp = approved(team.analyst, team.plt, team.year)
        indicator = skp.rhks.get().indicators.get()
        month = org_today().month
    web = login(seed, username="plt")
    detail = web.get(f"/ekinerja/skp/{skp.pk}/").content.decode()
    assert "Nilai kinerja" in detail
    form = web.get(f"/ekinerja/skp/{skp.pk}/penilaian/?periode=bulanan&nomor={month}")
    assert form.status_code == 200
    assert "Realisasi hasil kerja" in form.content.decode()
    data = {
        "periode": "bulanan",
        "nomor": month,
        f"realisasi-{indicator.pk}": "14 konten",
        f"umpan-{indicator.pk}": "Melampaui target",
        "perilaku-akuntabel": "Laporan selalu tepat waktu",
        "results_rating": "diatas",
        "behaviour_rating": "diatas",
        "feedback": "Pertahankan",
        "selesai": "1",
    }
    response = web.post(f"/ekinerja/skp/{skp.pk}/penilaian/", data)
    assert response.status_code == 302
    page = web.get(response["Location"]).content.decode()
    assert "Sangat Baik" in page
    assert "Penilaian selesai" in page
    with schema_context("brebes"):
        appraisal = Appraisal.objects.get(skp=skp)
        assert appraisal.status == Appraisal.Status.COMPLETED
        assert appraisal.predikat == "sangat_baik"
        assert appraisal.appraiser_as == "plt"
        assert appraisal.realisations.get().realisation == "14 konten"
        assert appraisal.behaviour_feedback["akuntabel"] == "Laporan selalu tepat waktu"
    # Frozen: saving again is refused, and the employee cannot appraise themselves.
    again = api(username="plt").post(
        f"/api/v1/ekinerja/skp/{skp.pk}/appraisals/",
        {"period_kind": "bulanan", "period_number": month, "results_rating": "dibawah"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "appraisal_completed"
    assert login(seed, username="analis").get(f"/ekinerja/skp/{skp.pk}/penilaian/").status_code == 403
    pdf = api(username="analis").get(f"/api/v1/ekinerja/skp/{skp.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_through_the_api_only_the_appraiser_appraises_an_approved_skp_for_a_period_the_region_uses(team):
    with schema_context("brebes"):
        draft = planned(team.analyst2, team.year)
        skp = approved(team.analyst, team.plt, team.year)
        indicator = skp.rhks.get().indicators.get()
        month = org_today().month
    url = f"/api/v1/ekinerja/skp/{skp.pk}/appraisals/"
    body = {"period_kind": "bulanan", "period_number": month}
    cases = [
        ("kabid", url, body, 403, "not_appraiser"),  # the appraiser's superior does not appraise
        ("analis", url, body, 403, "own_skp"),
        ("plt", f"/api/v1/ekinerja/skp/{draft.pk}/appraisals/", body, 409, "skp_not_approved"),
        ("plt", url, {"period_kind": "triwulan", "period_number": 1}, 400, "period_invalid"),
        ("plt", url, {"period_kind": "bulanan", "period_number": 13}, 400, "invalid"),
        ("plt", url, {**body, "realisations": [{"indicator": 999999, "realisation": "x"}]}, 400, "indicator_not_found"),
        ("plt", url, {**body, "complete": True}, 409, "ratings_required"),
    ]
    for username, path, data, status, code in cases:
        response = api(username=username).post(path, data, format="json")
        assert response.status_code == status, (username, data, response.json())
        error = response.json()["error"]
        assert code in {error["code"], *(f["code"] for fs in error.get("fields", {}).values() for f in fs)}
    saved = api(username="plt").post(
        url,
        {**body, "results_rating": "dibawah", "behaviour_rating": "sesuai",
         "realisations": [{"indicator": indicator.pk, "realisation": "6 konten"}]},
        format="json",
    )  # fmt: skip
    assert saved.status_code == 200
    assert saved.json()["status"] == "draf"
    assert saved.json()["predikat"] == ""
    done = api(username="plt").post(f"/api/v1/ekinerja/appraisals/{saved.json()['id']}/complete/")
    assert done.json()["predikat"] == "butuh_perbaikan"
    annual = api(username="plt").post(
        url,
        {"period_kind": "tahunan", "period_number": 0, "results_rating": "sesuai", "behaviour_rating": "dibawah",
         "complete": True},
        format="json",
    )  # fmt: skip
    assert annual.json()["predikat"] == "kurang"
    assert api(username="analis").get(f"/api/v1/ekinerja/appraisals/{saved.json()['id']}/").status_code == 200
    assert api(username="analis2").get(f"/api/v1/ekinerja/appraisals/{saved.json()['id']}/").status_code == 404


def test_exceeding_the_organisations_distribution_cap_warns_the_appraiser(seed, team):
    with schema_context("brebes"):
        first = approved(team.analyst, team.plt, team.year)
        second = approved(team.analyst2, team.plt, team.year)
        period = month_period(team)
        # A "Sangat Kurang" organisation may give Sangat Baik to nobody; "Kurang" to 10 % (at least one).
        unit_performance_set(user=team.kadis, unit=team.org.opd, year=team.year, predikat="sangat_kurang")
        appraisal = appraisal_save(
            user=team.plt, skp=first, period=period, results_rating="diatas", behaviour_rating="diatas"
        )
        appraisal_complete(user=team.plt, appraisal=appraisal)
    response = api(username="plt").post(
        f"/api/v1/ekinerja/skp/{second.pk}/appraisals/",
        {"period_kind": "bulanan", "period_number": period.number, "results_rating": "diatas",
         "behaviour_rating": "diatas", "complete": True},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200  # a warning, not a refusal
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "distribution_exceeded"
    assert warning["predikat"] == "sangat_baik"
    assert (warning["count"], warning["allowed"]) == (2, 0)
    assert "melebihi batas" in warning["message"]
    page = (
        login(seed, username="plt")
        .get(f"/ekinerja/skp/{second.pk}/penilaian/?periode=bulanan&nomor={period.number}")
        .content.decode()
    )
    assert 'id="distribution-warning"' in page


def test_fill_rate_and_distribution_per_unit_with_csv_for_leaders_and_admins_only(seed, team):
    with schema_context("brebes"):
        skp = approved(team.analyst, team.plt, team.year)
        planned(team.analyst2, team.year)
        today = org_today()
        entries = [
            entry_create(user=team.analyst, day=today, description=f"Kegiatan {n}", minutes=30) for n in range(3)
        ]
        entry_create(user=team.analyst2, day=today, description="Kegiatan rekan", minutes=30)
        entries_validate(user=team.plt, ids=[e.pk for e in entries[:2]])
        period = month_period(team)
        appraisal = appraisal_save(
            user=team.plt, skp=skp, period=period, results_rating="sesuai", behaviour_rating="sesuai"
        )
        appraisal_complete(user=team.plt, appraisal=appraisal)
        rows = {r.unit.code: r for r in fill_rate(year=team.year, start=today.replace(day=1), end=today)}
    section = rows["KOMINFO.IKP.1"]
    assert (section.employees, section.skp_approved, section.entries, section.entries_validated) == (2, 1, 4, 2)
    assert section.skp_percent == 50.0
    assert rows["KOMINFO"].employees == 1
    month = f"{today:%Y-%m}"
    admin = api(username="admin")
    fill = admin.get(f"/api/v1/ekinerja/reports/fill-rate/?month={month}").json()
    assert {r["unit_code"]: r["entries_validated"] for r in fill}["KOMINFO.IKP.1"] == 2
    exported = admin.get(f"/api/v1/ekinerja/reports/fill-rate/?month={month}&export=csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["kode_unit", "unit", "pegawai"]
    assert ["KOMINFO.IKP.1", "Seksi Informasi", "2", "1", "50.0", "4", "2", "50.0"] in table
    dist = admin.get(
        f"/api/v1/ekinerja/reports/distribution/?year={team.year}&period_kind=bulanan&period_number={today.month}"
    ).json()
    assert dist == [{"unit": team.org.section.pk, "unit_code": "KOMINFO.IKP.1", "counts": {"baik": 1}, "total": 1}]
    leader = login(seed, username="kadis")
    page = leader.get(f"/ekinerja/laporan/?bulan={month}")
    assert page.status_code == 200
    assert "Seksi Informasi" in page.content.decode()
    dist_csv = leader.get(
        f"/ekinerja/laporan/?bulan={month}&periode=bulanan&nomor={today.month}&format=csv&laporan=distribusi"
    )
    assert "KOMINFO.IKP.1;Seksi Informasi;0;1;0;0;0;1" in dist_csv.content.decode("utf-8-sig")
    assert api(username="analis").get(f"/api/v1/ekinerja/reports/fill-rate/?month={month}").status_code == 403
    assert login(seed, username="analis").get("/ekinerja/laporan/").status_code == 403
    bad = admin.get("/api/v1/ekinerja/reports/fill-rate/?month=2026-13")
    assert bad.status_code == 400


def test_the_region_admin_sets_the_period_cut_off_catalogue_and_organisation_predikat(seed, team):
    admin = api(username="admin")
    assert admin.get("/api/v1/ekinerja/settings/").json() == {"period_kind": "bulanan", "cutoff_day": 5}
    changed = admin.put("/api/v1/ekinerja/settings/", {"period_kind": "triwulan", "cutoff_day": 10}, format="json")
    assert changed.json() == {"period_kind": "triwulan", "cutoff_day": 10}
    assert (
        admin.put(
            "/api/v1/ekinerja/settings/", {"period_kind": "triwulan", "cutoff_day": 31}, format="json"
        ).status_code
        == 400
    )
    staff = api(username="analis")
    assert (
        staff.put("/api/v1/ekinerja/settings/", {"period_kind": "bulanan", "cutoff_day": 5}, format="json").status_code
        == 403
    )
    item = {"code": "piket", "name": "Piket layanan", "standard_minutes": 240}
    assert staff.post("/api/v1/ekinerja/catalogue/", item, format="json").status_code == 403
    assert admin.post("/api/v1/ekinerja/catalogue/", item, format="json").status_code == 201
    assert [c["code"] for c in staff.get("/api/v1/ekinerja/catalogue/").json()] == ["piket"]
    not_opd = admin.put(
        "/api/v1/ekinerja/unit-performance/",
        {"unit": team.org.section.pk, "year": team.year, "predikat": "baik"},
        format="json",
    )
    assert not_opd.json()["error"]["code"] == "not_opd"
    assert (
        admin.put(
            "/api/v1/ekinerja/unit-performance/",
            {"unit": team.org.opd.pk, "year": team.year, "predikat": "istimewa"},
            format="json",
        ).status_code
        == 200
    )
    web = login(seed, username="admin")
    page = web.get("/ekinerja/pengaturan/").content.decode()
    assert "Piket layanan" in page
    assert "Istimewa" in page
    web.post("/ekinerja/pengaturan/", {"form": "settings", "period_kind": "bulanan", "cutoff_day": "7"})
    with schema_context("brebes"):
        current = EkinerjaSettings.objects.get()
        assert (current.period_kind, current.cutoff_day) == ("bulanan", 7)
    assert login(seed, username="analis").get("/ekinerja/pengaturan/").status_code == 403


def test_metrics_follow_the_contract_and_count_the_day(team):
    codes = {m.code for m in metrics.METRICS}
    assert codes == {
        "ekinerja.skp_coverage", "ekinerja.activities_entered", "ekinerja.activities_validated",
        "ekinerja.appraisals_completed",
    }  # fmt: skip
    from tenant_apps.registry import get_module

    assert get_module("ekinerja").metrics == "tenant_apps.ekinerja.metrics"
    with schema_context("brebes"):
        skp = approved(team.analyst, team.plt, team.year)
        today = org_today()
        entry = entry_create(user=team.analyst, day=today, description="Rapat", minutes=30)
        entry_create(user=team.analyst, day=today, description="Rapat 2", minutes=30)
        entries_validate(user=team.plt, ids=[entry.pk])
        appraisal = appraisal_save(
            user=team.plt, skp=skp, period=month_period(team), results_rating="sesuai", behaviour_rating="sesuai"
        )
        appraisal_complete(user=team.plt, appraisal=appraisal)
        values = metrics.collect(day=today)
        yesterday = metrics.collect(day=today - timedelta(days=1))
    assert set(values) == codes
    assert values["ekinerja.skp_coverage"] == 20.0  # 1 of 5 active employees
    assert values["ekinerja.activities_entered"] == 2
    assert values["ekinerja.activities_validated"] == 1
    assert values["ekinerja.appraisals_completed"] == 1
    assert yesterday["ekinerja.activities_entered"] == 0
    with schema_context("tegal"):
        assert metrics.collect(day=today)["ekinerja.skp_coverage"] is None  # nobody to cover


def test_services_refuse_appraising_someone_not_supervised_and_completing_twice(team):
    with schema_context("brebes"):
        skp = approved(team.analyst, team.plt, team.year)
        period = month_period(team)
        with pytest.raises(ForbiddenError):
            appraisal_save(user=team.kadis, skp=skp, period=period, results_rating="sesuai")
        appraisal = appraisal_save(
            user=team.plt, skp=skp, period=period, results_rating="sesuai", behaviour_rating="diatas"
        )
        appraisal_complete(user=team.plt, appraisal=appraisal)
        with pytest.raises(ConflictError) as excinfo:
            appraisal_complete(user=team.plt, appraisal=appraisal)
        assert excinfo.value.code == "invalid_transition"
        assert Appraisal.objects.get(pk=appraisal.pk).predikat == "baik"
        other = planned(team.analyst2, team.year)
        skp_submit(user=team.analyst2, skp=other)
        assert Skp.objects.get(pk=other.pk).status == "diajukan"


def test_tegal_reports_and_appraisals_do_not_reach_brebes(seed, team):
    with schema_context("brebes"):
        skp = approved(team.analyst, team.plt, team.year)
        appraisal = appraisal_save(
            user=team.plt, skp=skp, period=month_period(team), results_rating="sesuai", behaviour_rating="sesuai"
        )
    licensed("tegal", ["ekinerja"])
    with schema_context("tegal"):
        build_org("TGL")
    tegal = api("tegal", "admin")
    units = [r["unit_code"] for r in tegal.get("/api/v1/ekinerja/reports/fill-rate/").json()]
    assert units
    assert all(code.startswith("TGL") for code in units)
    assert tegal.get(f"/api/v1/ekinerja/appraisals/{appraisal.pk}/").status_code == 404
    assert tegal.post(f"/api/v1/ekinerja/appraisals/{appraisal.pk}/complete/").status_code == 404
    assert (
        tegal.post(
            f"/api/v1/ekinerja/skp/{skp.pk}/appraisals/", {"period_kind": "bulanan", "period_number": 1}, format="json"
        ).status_code
        == 404
    )
    with schema_context("brebes"):
        assert Appraisal.objects.get(pk=appraisal.pk).status == Appraisal.Status.DRAFT
