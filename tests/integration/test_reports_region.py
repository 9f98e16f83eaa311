"""A region's own adoption report on its subdomain, tried from the attacker's side: Brebes's report, API and
PDFs never contain Tegal's figures (only an anonymised platform median), staff are refused, Tegal cannot
open Brebes's PDF; monthly PDFs for every active region."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from shared_apps.reports.models import ReportExport, UnitSnapshot
from shared_apps.reports.services import monthly_reports_request, report_export_render
from shared_apps.reports.tasks import monthly_region_reports
from tenant_apps.org.roles import Role
from tenant_apps.org.services import account_upsert
from tenants.models import Region
from tenants.selectors import platform_today
from tests.fixtures.control import put, scratch_region
from tests.fixtures.org import api, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TEGAL_SECRET = 987654  # a figure only Tegal has: it must never reach Brebes
METRIC = "workspace.active_users_7d"


@pytest.fixture
def figures(seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    brebes = Region.objects.get(slug="brebes")
    tegal = Region.objects.get(slug="tegal")
    put(brebes, METRIC, {0: 41, 1: 39})
    put(tegal, METRIC, {0: TEGAL_SECRET})
    put(tegal, "eoffice.letters_signed", {0: TEGAL_SECRET})
    now = timezone.now()
    UnitSnapshot.objects.create(region=brebes, day=platform_today(), metric="eoffice.dispositions_created",
                                unit_code="KOMINFO", unit_name="=HYPERLINK(\"http://x\",\"klik\")", value=4,
                                collected_at=now)  # fmt: skip
    UnitSnapshot.objects.create(region=tegal, day=platform_today(), metric="eoffice.dispositions_created",
                                unit_code="TEGAL-RAHASIA", unit_name="Dinas Rahasia Tegal", value=TEGAL_SECRET,
                                collected_at=now)  # fmt: skip
    with schema_context("brebes"):
        account_upsert(username="kepala", password=seed.password, full_name="Kepala", roles=[Role.LEADER], actor="t")
    connection.set_schema_to_public()
    return {"brebes": brebes, "tegal": tegal}


def no_tegal(text: str) -> None:
    assert str(TEGAL_SECRET) not in text
    assert "987.654" not in text
    assert "Tegal" not in text
    assert "TEGAL-RAHASIA" not in text


def test_public_tables_are_read_through_the_region_search_path(seed):
    with schema_context("brebes"), connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert cursor.fetchone()[0].replace('"', "").replace(" ", "") == "brebes,public"


def test_the_region_admin_and_leaders_see_their_own_report_and_nothing_of_tegal(seed, figures):
    for username in ("admin", "kepala"):
        client = login(seed, "brebes", username)
        response = client.get("/laporan/")
        assert response.status_code == 200, username
        html = response.content.decode()
        assert '<svg class="chart' in html
        assert "41" in html
        no_tegal(html)
        for table in ("ringkasan", "harian", "unit"):
            body = client.get(f"/laporan/csv/{table}/?period=30").content.decode("utf-8-sig")
            no_tegal(body)
        for path in ("summary", "daily", "units", "exports"):
            response = api("brebes", username).get(f"/api/v1/reports/{path}/")
            assert response.status_code == 200, path
            no_tegal(response.content.decode())
    summary = api("brebes").get("/api/v1/reports/summary/").json()
    assert summary["region"] == "brebes"
    value = next(m for m in summary["metrics"] if m["code"] == METRIC)
    assert value["value"] == 41
    assert value["platform_median"] is None  # two regions: a median would give Tegal's figure away


def test_the_platform_median_appears_once_enough_regions_contribute(seed, figures):
    for n, figure in enumerate((10, 20, 30)):
        put(scratch_region(f"median-{n}", f"33.{60 + n}"), METRIC, {0: figure})
    summary = api("brebes").get("/api/v1/reports/summary/").json()
    value = next(m for m in summary["metrics"] if m["code"] == METRIC)
    assert value["platform_median"] == 30.0  # of 10, 20, 30, 41 and Tegal's: the middle one
    html = login(seed, "brebes").get("/laporan/").content.decode()
    no_tegal(html)
    assert "median-" not in html


def test_a_query_parameter_cannot_select_another_region(seed, figures):
    client = login(seed, "brebes")
    for query in ("?region=tegal", f"?region_id={figures['tegal'].pk}", "?province=33&module=eoffice"):
        no_tegal(client.get(f"/laporan/{query}").content.decode())
        no_tegal(api("brebes").get(f"/api/v1/reports/summary/{query}").content.decode())


def test_staff_and_anonymous_visitors_are_refused(seed, figures):
    staff = login(seed, "brebes", "staf")
    assert staff.get("/laporan/").status_code == 403
    assert staff.get("/laporan/csv/harian/").status_code == 403
    assert staff.post("/laporan/ekspor/", {"period": "30"}).status_code == 403
    assert api("brebes", "staf").get("/api/v1/reports/summary/").status_code == 403
    anonymous = Client(HTTP_HOST="brebes.localhost")
    assert anonymous.get("/laporan/").status_code == 302
    assert anonymous.get("/api/v1/reports/summary/").status_code in (401, 403)


def test_a_tegal_session_or_token_is_worthless_on_brebes(seed, figures):
    tegal_session = login(seed, "tegal", "admin")
    tegal_session.defaults["HTTP_HOST"] = "brebes.localhost"
    assert tegal_session.get("/laporan/").status_code == 302  # no such account in Brebes: to the login page
    token_client = api("tegal", "admin")
    token_client.defaults["HTTP_HOST"] = "brebes.localhost"
    assert token_client.get("/api/v1/reports/summary/").status_code in (401, 403)


def test_unit_names_in_the_csv_cannot_run_as_formulas(seed, figures):
    body = login(seed, "brebes").get("/laporan/csv/unit/").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][:2] == ["KOMINFO", '\'=HYPERLINK("http://x","klik")']


def test_brebes_renders_its_pdf_and_tegal_cannot_open_it(seed, figures, django_capture_on_commit_callbacks):
    client = login(seed, "brebes", "kepala")
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post("/laporan/ekspor/", {"period": "30"}).status_code == 302
    connection.set_schema_to_public()
    export = ReportExport.objects.get()
    assert (export.scope, export.region_id, export.requested_by) == ("wilayah", figures["brebes"].pk, "brebes:kepala")
    export = report_export_render(export=export)
    assert export.status == ReportExport.Status.DONE, export.error
    assert export.file_name.startswith("brebes/reports/")
    response = client.get(f"/laporan/ekspor/{export.pk}/unduh/")
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert client.get(f"/laporan/ekspor/{export.pk}/status/").json()["status"] == "selesai"
    assert api("brebes").get(f"/api/v1/reports/exports/{export.pk}/download/").status_code == 200

    tegal = login(seed, "tegal", "admin")
    assert tegal.get(f"/laporan/ekspor/{export.pk}/unduh/").status_code == 404
    assert tegal.get(f"/laporan/ekspor/{export.pk}/status/").status_code == 404
    tegal_api = api("tegal", "admin")
    assert tegal_api.get(f"/api/v1/reports/exports/{export.pk}/").status_code == 404
    assert tegal_api.get(f"/api/v1/reports/exports/{export.pk}/download/").status_code == 404
    assert export.pk not in [e["id"] for e in tegal_api.get("/api/v1/reports/exports/").json()]
    # Operators may open every region's report from the console.
    from tests.fixtures.control import console

    assert console(seed).get(f"/laporan/ekspor/{export.pk}/unduh/").status_code == 200


def test_region_pdf_requests_via_the_api_are_validated(seed, figures):
    response = api("brebes").post("/api/v1/reports/exports/", {"start": "2026-05-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]
    response = api("brebes").post("/api/v1/reports/exports/", {"period": "7"}, format="json")
    assert response.status_code == 202
    assert response.json()["region"] == "brebes"


def test_every_active_region_gets_last_months_pdf_once(seed, django_capture_on_commit_callbacks):
    Region.objects.filter(slug="tegal").update(status=Region.Status.SUSPENDED)
    with django_capture_on_commit_callbacks(execute=False):
        created = monthly_region_reports()
        assert monthly_reports_request() == []  # already requested this month
    exports = ReportExport.objects.filter(pk__in=created)
    assert [e.region.slug for e in exports] == ["brebes"]
    export = exports.get()
    assert export.monthly
    assert export.period_end == platform_today().replace(day=1) - timedelta(days=1)
    assert export.period_start == export.period_end.replace(day=1)
