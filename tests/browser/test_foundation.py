"""An operator and a Brebes staff member reach their own front doors in a real browser."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_operator_sees_regions_and_staff_logs_in_to_brebes(live_platform, page, seed):
    page.goto(live_platform.url("localhost"))
    assert page.locator("h1").inner_text() == "Masuk ke konsol operator"
    page.fill("#id_username", "operator")
    page.fill("#id_password", seed.password)
    page.click("button[type=submit]")
    page.wait_for_url(live_platform.url("localhost", "/"))
    assert page.locator("h1").inner_text() == "Wilayah mitra"
    assert page.get_by_role("cell", name="Kabupaten Brebes").is_visible()

    page.get_by_role("link", name=f"http://brebes.localhost:{live_platform.port}").click()
    page.wait_for_url("**/masuk/**")
    assert page.locator("h1").inner_text() == "Masuk ke ruang kerja Kabupaten Brebes"
    # The operator's control-plane session does not follow to the region's host.
    page.fill("#id_username", "staf")
    page.fill("#id_password", seed.password)
    page.click("button[type=submit]")
    page.wait_for_url(live_platform.url("brebes.localhost", "/"))
    assert "Anda bekerja di ruang kerja Kabupaten Brebes" in page.content()
    assert page.locator(".brand-name").inner_text() == "Kabupaten Brebes"


def test_wrong_password_gets_an_indonesian_message(live_platform, page, seed):
    page.goto(live_platform.url("tegal.localhost", "/masuk/"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", "bukan-sandinya")
    page.click("button[type=submit]")
    assert page.get_by_role("alert").inner_text() == "Nama pengguna atau kata sandi salah."


def test_unknown_region_gets_a_clear_page(live_platform, page):
    response = page.goto(live_platform.url("entah.localhost"))
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Wilayah tidak ditemukan"


def test_front_door_fits_a_phone_screen(live_platform, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    page.goto(live_platform.url("brebes.localhost", "/masuk/"))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    context.close()


def test_static_files_are_served_by_the_platform_itself(live_platform, page):
    response = page.goto(live_platform.url("brebes.localhost", "/static/mitra/app.css"))
    assert response.status == 200
    assert "--region" in response.text()
