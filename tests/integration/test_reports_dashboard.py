"""The operators' adoption dashboard on the root domain: funnel, sortable region table, charts as accessible
SVG, filters, CSV of every table (escaped), collection runs from the console, PDF reports with progress,
the /api/v1/reports/… endpoints, and who may use them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection

from shared_apps.reports import selectors
from shared_apps.reports.exports import csv_cell
from shared_apps.reports.models import CollectionRun, MonthFigure, PlatformDay, ReportExport, Snapshot
from shared_apps.reports.periods import Period
from shared_apps.reports.services import (
    month_figures_rebuild,
    platform_days_rebuild,
    report_export_render,
    snapshots_replace,
)
from tenants.models import Region
from tenants.selectors import platform_today
from tests.fixtures.control import console, licensed, operator_api, put, scratch_region

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def figures(seed) -> dict[str, Region]:
    brebes = Region.objects.get(slug="brebes")
    tegal = Region.objects.get(slug="tegal")
    licensed("brebes", ["eoffice"])
    put(brebes, "workspace.active_users_7d", {0: 40, 1: 35, 2: 30})
    put(tegal, "workspace.active_users_7d", {0: 12, 1: 10})
    put(brebes, "eoffice.letters_signed", {0: 5, 1: 7, 40: 100})  # 40 days ago: outside the default period
    put(tegal, "eoffice.letters_signed", {0: 1})
    put(brebes, "eoffice.hours_to_first_disposition", {0: 2, 1: 4})
    return {"brebes": brebes, "tegal": tegal}


def test_periods_fold_events_states_and_durations_each_their_own_way(figures):
    filters = selectors.Filters(period=selectors.default_period(30))
    rows = {row.region.slug: row for row in selectors.region_table(filters)}
    assert rows["brebes"].values["eoffice.letters_signed"] == 12  # summed, the older 100 outside the period
    assert rows["brebes"].values["workspace.active_users_7d"] == 40  # a state: the last day
    assert rows["brebes"].values["eoffice.hours_to_first_disposition"] == 3  # averaged
    assert rows["tegal"].values["eoffice.hours_to_first_disposition"] is None
    assert rows["brebes"].modules == ["eoffice"]
    series = dict(selectors.platform_series(filters, selectors.metric_catalogue()["workspace.active_users_7d"]))
    assert series[platform_today()] == 52
    assert series[platform_today() - timedelta(days=2)] == 30
    assert series[platform_today() - timedelta(days=5)] is None


def test_platform_daily_totals_follow_each_collection_and_match_a_recount(figures):
    brebes, tegal = figures["brebes"], figures["tegal"]
    today = platform_today()
    hours = selectors.metric_catalogue()["eoffice.hours_to_first_disposition"]
    signed = selectors.metric_catalogue()["eoffice.letters_signed"]
    put(tegal, "eoffice.hours_to_first_disposition", {0: 3.3})
    put(brebes, "eoffice.letters_signed", {0: 0.1})  # collected again: 5 -> 0.1
    put(tegal, "eoffice.letters_signed", {0: 0.2})  # 1 -> 0.2
    filters = selectors.Filters(period=selectors.default_period(7))
    assert dict(selectors.platform_series(filters, signed))[today] == pytest.approx(0.3)
    assert dict(selectors.platform_series(filters, hours))[today] == pytest.approx((2 + 3.3) / 2)  # a mean
    # A metric no longer produced, or nothing to measure: the region leaves that day's total and count.
    stored = dict(Snapshot.objects.filter(region=tegal, day=today).values_list("metric", "value"))
    del stored["eoffice.letters_signed"]
    snapshots_replace(region=tegal, day=today, values={**stored, "eoffice.hours_to_first_disposition": None}, units={})
    assert dict(selectors.platform_series(filters, signed))[today] == pytest.approx(0.1)
    assert dict(selectors.platform_series(filters, hours))[today] == 2
    # The unfiltered chart (totals) and a filter covering every region (summed live) agree day by day.
    everyone = selectors.Filters(period=filters.period, kind="kabupaten")
    assert set(Region.objects.filter(status__in=selectors.PROVISIONED).values_list("kind", flat=True)) == {"kabupaten"}
    for metric in selectors.metric_catalogue().values():
        totals, live = selectors.platform_series(filters, metric), selectors.platform_series(everyone, metric)
        assert [day for day, _v in totals] == [day for day, _v in live]
        for (_day, kept_value), (_day2, live_value) in zip(totals, live, strict=True):
            assert (kept_value is None) == (live_value is None), metric.code
            assert kept_value is None or kept_value == pytest.approx(live_value), metric.code
    kept = sorted(PlatformDay.objects.values_list("day", "metric", "total", "regions"))
    platform_days_rebuild()
    assert sorted(PlatformDay.objects.values_list("day", "metric", "total", "regions")) == kept
    # A scratch region deleted with its snapshots leaves the totals as a recount would.
    scratch = scratch_region("scratch-1", "33.01")
    put(scratch, "eoffice.letters_signed", {0: 7, 1: 3})
    assert dict(selectors.platform_series(filters, signed))[today] == pytest.approx(7.1)
    scratch.delete()
    assert dict(selectors.platform_series(filters, signed))[today] == pytest.approx(0.1)
    kept = sorted(
        (d, m, t, r) for d, m, t, r in PlatformDay.objects.values_list("day", "metric", "total", "regions") if r
    )
    platform_days_rebuild()
    assert sorted(PlatformDay.objects.values_list("day", "metric", "total", "regions")) == kept


FOLDED = ("eoffice.letters_signed", "workspace.active_users_7d", "eoffice.hours_to_first_disposition")


def _days_fold(period: Period, region: Region, metric: str) -> float | None:
    """The period's value folded from the region's daily snapshots alone, in Python (the reference)."""
    rows = Snapshot.objects.filter(
        region=region, metric=metric, day__range=(period.start, period.end), value__isnull=False
    ).order_by("day")
    return selectors.fold_points(selectors.metric_catalogue()[metric], [row.value for row in rows])


@pytest.mark.parametrize(
    ("back", "length"), [(0, 3), (10, 25), (40, 45), (20, 75), (31, 200), (0, 365), (60, 400), (0, 731)]
)
def test_custom_periods_fold_exactly_like_the_days_they_cover(figures, back, length):
    """Whole calendar months are read from the monthly figures and the rest from the days: whatever the
    period's edges, the result is what folding its days gives (events summed, states last, hours averaged)."""
    brebes, tegal = figures["brebes"], figures["tegal"]
    today = platform_today()
    for offset, region in enumerate((brebes, tegal)):
        for ago in range(0, 740, 3):
            day = today - timedelta(days=ago)
            stored = dict(Snapshot.objects.filter(region=region, day=day).values_list("metric", "value"))
            fresh = {metric: None if (ago + offset) % 7 == 0 else 1.5 + (ago * (i + 2) + offset) % 11
                     for i, metric in enumerate(FOLDED)}  # fmt: skip
            snapshots_replace(region=region, day=day, values={**stored, **fresh}, units={})
    end = today - timedelta(days=back)
    period = Period(end - timedelta(days=length - 1), end)
    infos = [selectors.metric_catalogue()[metric] for metric in FOLDED]
    folded = selectors._fold(period, infos, None)
    for region in (brebes, tegal):
        for metric in FOLDED:
            expected = _days_fold(period, region, metric)
            got = folded.get((region.pk, metric))
            assert (got is None) == (expected is None), (region.slug, metric)
            assert got is None or got == pytest.approx(expected), (region.slug, metric)
    # Collected again, a day inside a whole month moves that month's figure with it.
    whole = selectors._whole_months(period)
    if whole:
        day = whole[0] + timedelta(days=3)
        stored = dict(Snapshot.objects.filter(region=brebes, day=day).values_list("metric", "value"))
        snapshots_replace(region=brebes, day=day, values={**stored, "eoffice.letters_signed": 1000.0}, units={})
        folded = selectors._fold(period, infos, [brebes.pk])
        assert folded[(brebes.pk, "eoffice.letters_signed")] == pytest.approx(
            _days_fold(period, brebes, "eoffice.letters_signed")
        )
    kept = sorted(MonthFigure.objects.values_list("region_id", "month", "metric", "total", "valued_days", "last_day"))
    month_figures_rebuild()
    assert (
        sorted(MonthFigure.objects.values_list("region_id", "month", "metric", "total", "valued_days", "last_day"))
        == kept
    )  # halves and whole numbers: exact in floating point, whatever the order of summing


@pytest.mark.parametrize("days", [7, 30, 90, 365])
def test_ready_made_periods_match_folding_the_snapshots(figures, days):
    period = selectors.default_period(days)
    assert period.end == platform_today()  # the latest collected day
    infos = selectors.headline_metrics()
    live = selectors.region_table(selectors.Filters(period=period), infos=infos)
    ready = selectors.region_table(selectors.Filters(period=period, preset=days), infos=infos)
    assert [r.values for r in ready] == [r.values for r in live]
    assert ready[0].values["eoffice.letters_signed"] == (112 if days > 40 else 12)


def test_the_table_sorts_by_any_metric_with_empty_values_last(figures):
    scratch_region("kosong", "33.01")
    filters = selectors.Filters(period=selectors.default_period(30))
    order = [r.region.slug for r in selectors.region_table(filters, sort="eoffice.letters_signed", descending=True)]
    assert order == ["brebes", "tegal", "kosong"]
    order = [r.region.slug for r in selectors.region_table(filters, sort="eoffice.letters_signed", descending=False)]
    assert order == ["tegal", "brebes", "kosong"]


def test_filters_by_province_kind_and_module(figures):
    scratch_region("jauh", "91.01")
    period = selectors.default_period(30)
    slugs = lambda **kw: {r.region.slug for r in selectors.region_table(selectors.Filters(period=period, **kw))}  # noqa: E731
    assert slugs(province="91") == {"jauh"}
    assert slugs(province="33") == {"brebes", "tegal"}
    assert slugs(module="eoffice") == {"brebes"}
    assert slugs(kind="kota") == set()


def test_the_dashboard_shows_funnel_charts_table_and_expiring_licences(seed, figures, django_assert_max_num_queries):
    client = console(seed)
    with django_assert_max_num_queries(40):  # half of them django-tenants' SET search_path
        response = client.get("/laporan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="chart') == 4
    assert 'role="img"' in html
    assert "<title id=" in html
    assert "<desc id=" in html
    assert "Kabupaten Brebes" in html
    assert "Alur adopsi" in html
    assert "cdn" not in html.lower()
    response = client.get("/laporan/?sort=eoffice.letters_signed&dir=asc&period=7&metric=eoffice.letters_signed")
    table = response.content.decode().split('id="regions"', 1)[1]
    assert table.index("Kabupaten Tegal") < table.index("Kabupaten Brebes")


def test_the_query_count_does_not_grow_with_the_number_of_regions(seed, figures):
    from django.test.utils import CaptureQueriesContext

    client = console(seed)
    client.get("/laporan/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/laporan/").status_code == 200
    for n in range(30):
        region = scratch_region(f"uji-{n}", f"33.{50 + n}")
        put(region, "workspace.active_users_7d", {0: n})
    with CaptureQueriesContext(connection) as many:
        assert client.get("/laporan/").status_code == 200
    assert len(many) == len(few)


def test_bad_filters_are_explained_and_never_a_500(seed, figures):
    client = console(seed)
    response = client.get("/laporan/?period=12&province=99&start=2026-13-01&metric=nope")
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    response = operator_api().get("/api/v1/reports/regions/?period=12&province=zz")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"period", "province"}
    response = operator_api().get("/api/v1/reports/regions/?start=2026-03-01&end=2026-01-01")
    assert response.status_code == 400


def test_every_table_downloads_as_csv(seed, figures):
    client = console(seed)
    for table in ("wilayah", "harian", "alur", "lisensi", "modul"):
        response = client.get(f"/laporan/csv/{table}/?period=30")
        assert response.status_code == 200, table
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
    body = client.get("/laporan/csv/wilayah/?sort=workspace.active_users_7d").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "Kabupaten Brebes"
    assert rows[1][rows[0].index("workspace.active_users_7d")] == "40"
    assert client.get("/laporan/csv/rahasia/").status_code == 404


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(seed, figures):
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for text in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text).startswith("'")
    assert csv_cell(-3) == "-3"  # numbers stay numbers
    assert csv_cell(2.5) == "2.5"
    assert csv_cell(None) == ""
    Region.objects.filter(slug="tegal").update(official_name='=cmd|"/c calc"!A1, "kutip"\nbaris')
    body = console(seed).get("/laporan/csv/wilayah/").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    names = [row[0] for row in rows[1:]]
    assert '\'=cmd|"/c calc"!A1, "kutip"\nbaris' in names  # quoted, the comma, quotes and newline intact


def test_viewers_read_but_only_operators_collect_or_request_pdfs(seed, figures):
    viewer = console(seed, "pemantau")
    assert viewer.get("/laporan/").status_code == 200
    assert viewer.post("/laporan/pengumpulan/mulai/").status_code == 403
    assert viewer.post("/laporan/ekspor/", {"period": "30"}).status_code == 403
    assert operator_api("pemantau").post("/api/v1/reports/runs/", {}, format="json").status_code == 403
    from django.test import Client

    anonymous = Client(HTTP_HOST="localhost")
    assert anonymous.get("/laporan/").status_code == 302
    assert anonymous.get("/api/v1/reports/regions/").status_code in (401, 403)
    # A region account has no business on the control plane's report API.
    from tests.fixtures.org import api

    assert api("brebes", "admin").get("/api/v1/reports/regions/").status_code == 404


def test_the_console_button_starts_a_run_whose_outcomes_are_listed(seed, figures, django_capture_on_commit_callbacks):
    client = console(seed)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/laporan/pengumpulan/mulai/")
    run = CollectionRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/laporan/pengumpulan/{run.pk}/"
    assert run.trigger == CollectionRun.Trigger.CONSOLE
    assert run.requested_by == "operator:operator"
    page = client.get(response["Location"]).content.decode()
    assert "Kabupaten Brebes" in page
    assert "Kabupaten Tegal" in page
    assert client.get("/laporan/pengumpulan/").status_code == 200
    assert client.get("/laporan/pengumpulan/999999/").status_code == 404
    data = operator_api().get(f"/api/v1/reports/runs/{run.pk}/").json()
    assert {o["region"] for o in data["outcomes"]} == {"brebes", "tegal"}
    assert operator_api().get("/api/v1/reports/runs/abc/").json()["error"]["code"] == "collection_run_not_found"


def test_the_operators_api_answers_table_series_and_overview(seed, figures):
    client = operator_api()
    data = client.get("/api/v1/reports/regions/?sort=workspace.active_users_7d&period=30").json()
    assert [r["slug"] for r in data["regions"]] == ["brebes", "tegal"]
    assert data["regions"][0]["values"]["workspace.active_users_7d"] == 40
    series = client.get("/api/v1/reports/series/?metric=eoffice.letters_signed&period=7").json()
    assert series["points"][-1] == {"day": platform_today().isoformat(), "value": 6.0}
    overview = client.get("/api/v1/reports/overview/").json()
    assert [s["code"] for s in overview["funnel"]] == ["registered", "signed", "licensed", "provisioned", "active"]
    assert overview["modules"] == {"eoffice": 1}
    assert any(m["code"] == "eoffice.letters_signed" for m in client.get("/api/v1/reports/metrics/").json())


def test_a_platform_pdf_is_rendered_with_progress_stored_and_downloaded_by_operators(
    seed, figures, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = console(seed)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post("/laporan/ekspor/", {"period": "30", "province": "33"}).status_code == 302
    assert len(callbacks) == 1
    export = ReportExport.objects.get()
    assert (export.status, export.progress, export.filters) == (ReportExport.Status.QUEUED, 0, {"province": "33"})
    export = report_export_render(export=export)
    assert export.status == ReportExport.Status.DONE, export.error
    assert export.progress == 100
    assert export.file_name.startswith("public/reports/")
    status = client.get(f"/laporan/ekspor/{export.pk}/status/").json()
    assert status["finished"] is True
    response = client.get(f"/laporan/ekspor/{export.pk}/unduh/")
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    api = operator_api().get(f"/api/v1/reports/exports/{export.pk}/download/")
    assert api.status_code == 200
    assert console(seed, "pemantau").get(f"/laporan/ekspor/{export.pk}/unduh/").status_code == 200
    from django.test import Client

    assert Client(HTTP_HOST="localhost").get(f"/laporan/ekspor/{export.pk}/unduh/").status_code == 302


def test_a_failing_render_is_recorded_not_raised(seed, figures, monkeypatch):
    from shared_apps.reports import pdf

    export = ReportExport.objects.create(
        scope="platform", period_start=platform_today() - timedelta(days=6), period_end=platform_today(),
        requested_by="t",
    )  # fmt: skip
    monkeypatch.setattr(pdf, "render_report", lambda **kw: (_ for _ in ()).throw(OSError("disk full")))
    export = report_export_render(export=export)
    assert export.status == ReportExport.Status.FAILED
    assert "disk full" in export.error


def test_invalid_periods_for_a_pdf_are_refused(seed):
    from mitra.errors import DomainError
    from shared_apps.reports.services import report_export_request

    today = platform_today()
    with pytest.raises(DomainError) as excinfo:
        report_export_request(period=Period(today, today - timedelta(days=1)), actor="t")
    assert excinfo.value.code == "invalid_period"


def test_the_region_table_pages_by_100_and_the_csv_has_every_region(seed, figures):
    for n in range(110):
        scratch_region(f"hal-{n}", f"{11 + n // 40}.{n % 40 + 1:02d}")
    client = console(seed)
    first = client.get("/laporan/?sort=name&dir=asc").content.decode().split('id="regions"', 1)[1]
    assert first.count('<th scope="row">') == 100
    assert "Halaman 1 dari 2 (112 wilayah)" in first
    second = client.get("/laporan/?sort=name&dir=asc&page=2").content.decode().split('id="regions"', 1)[1]
    assert second.count('<th scope="row">') == 12
    assert client.get("/laporan/?page=abc").status_code == 200
    assert client.get("/laporan/?page=99").status_code == 200
    body = client.get("/laporan/csv/wilayah/").content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 113
