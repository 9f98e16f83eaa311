"""The adoption dashboard in a real browser: an operator sees the charts rendered (inline SVG with a title),
the table sorts, a PDF is rendered by the worker while the page follows its progress, and the page fits a
phone; a Brebes leader sees the region's own report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared_apps.reports.models import CollectionRun, ReportExport, Snapshot, UnitSnapshot
from shared_apps.reports.services import collection_run_start

pytestmark = [pytest.mark.browser]


@pytest.fixture
def collected(committed_db) -> Iterator[CollectionRun]:
    """Today's snapshots of Brebes and Tegal, collected for real (committed: the server process reads them)."""
    run = collection_run_start(trigger=CollectionRun.Trigger.CLI, actor="test:browser", run_async=False)
    yield run
    Snapshot.objects.filter(day=run.day).delete()
    UnitSnapshot.objects.filter(day=run.day).delete()
    ReportExport.objects.filter(requested_by__in=["operator:operator", "brebes:admin"]).delete()
    run.delete()


def _login(page, live_platform, host: str, username: str, password: str) -> None:
    page.goto(live_platform.url(host, "/masuk/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(live_platform.url(host, "/"))


def test_the_operator_opens_the_dashboard_and_sees_the_charts(live_platform, task_worker, page, seed, collected):
    _login(page, live_platform, "localhost", "operator", seed.password)
    page.get_by_role("link", name="Laporan adopsi: grafik, tabel wilayah, CSV dan PDF").click()
    page.wait_for_url(live_platform.url("localhost", "/laporan/"))
    assert page.locator("h1").inner_text() == "Laporan adopsi"
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 30
        assert chart.locator("title").count() == 1
    # The funnel draws one bar per stage; the line chart has today's point.
    assert page.locator("#funnel svg rect").count() == 5
    assert page.locator("#over-time svg polyline, #over-time svg circle").count() >= 1
    assert page.get_by_role("img", name="Alur adopsi wilayah").is_visible()

    page.get_by_role("link", name="Akun staf aktif").click()
    page.wait_for_url("**sort=workspace.staff_accounts**")
    assert page.locator("#regions tbody tr").count() == 2

    page.get_by_role("button", name="Buat laporan PDF dengan penyaring ini").click()
    page.wait_for_url(live_platform.url("localhost", "/laporan/"))
    link = page.locator("#pdf").get_by_role("link", name="Unduh PDF").first
    link.wait_for(timeout=60000)  # the page polls the job and reloads when the worker has rendered it
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_the_dashboard_fits_a_phone(live_platform, browser, seed, collected):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    _login(page, live_platform, "localhost", "operator", seed.password)
    page.goto(live_platform.url("localhost", "/laporan/"))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    width = page.locator("svg.chart").first.bounding_box()["width"]
    assert width <= 360
    context.close()


def test_a_brebes_admin_sees_the_region_report(live_platform, page, seed, collected):
    _login(page, live_platform, "brebes.localhost", "admin", seed.password)
    page.goto(live_platform.url("brebes.localhost", "/laporan/"))
    assert page.locator("h1").inner_text() == "Laporan adopsi"
    assert page.locator("svg.chart").first.is_visible()
    assert "Kabupaten Tegal" not in page.content()
