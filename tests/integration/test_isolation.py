"""Tenant boundaries, tried from the attacker's side: Tegal (or an outsider) against Brebes."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def login(hostname: str, username: str, password: str) -> Client:
    client = Client(HTTP_HOST=hostname)
    response = client.post("/masuk/", {"username": username, "password": password})
    assert response.status_code == 302, f"login of {username} on {hostname} failed"
    return client


def test_accounts_live_only_in_their_own_schema(seed):
    with schema_context("brebes"):
        assert set(get_user_model().objects.values_list("username", flat=True)) == {"admin", "staf"}
    with schema_context("tegal"):
        assert set(get_user_model().objects.values_list("username", flat=True)) == {"admin"}
    assert set(get_user_model().objects.values_list("username", flat=True)) == {"operator", "pemantau"}


def test_brebes_session_cookie_is_worthless_on_tegals_host(seed):
    brebes = login("brebes.localhost", "staf", seed.password)
    assert brebes.get("/").status_code == 200
    stolen = brebes.cookies["sessionid"].value
    attacker = Client(HTTP_HOST="tegal.localhost")
    attacker.cookies["sessionid"] = stolen
    response = attacker.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_brebes_session_cookie_is_worthless_on_the_control_plane(seed):
    brebes = login("brebes.localhost", "admin", seed.password)
    attacker = Client(HTTP_HOST="localhost")
    attacker.cookies["sessionid"] = brebes.cookies["sessionid"].value
    assert attacker.get("/").status_code == 302


def test_session_cookie_is_host_only(seed):
    brebes = login("brebes.localhost", "staf", seed.password)
    cookie = brebes.cookies["sessionid"]
    assert cookie["domain"] == ""
    assert cookie["httponly"]


def test_same_username_in_another_region_does_not_share_a_password(seed):
    # "admin" exists in both regions; Tegal's password must not open Brebes's account and vice versa.
    with schema_context("tegal"):
        tegal_admin = get_user_model().objects.get(username="admin")
        tegal_admin.set_password("hanya-untuk-tegal-1")
        tegal_admin.save()
    response = Client(HTTP_HOST="brebes.localhost").post(
        "/masuk/", {"username": "admin", "password": "hanya-untuk-tegal-1"}
    )
    assert response.status_code == 200
    assert "salah" in response.content.decode()


def test_regional_staff_cannot_log_in_to_the_control_plane(seed):
    response = Client(HTTP_HOST="localhost").post("/masuk/", {"username": "staf", "password": seed.password})
    assert response.status_code == 200
    assert "salah" in response.content.decode()


def test_operator_has_no_account_inside_a_region(seed):
    response = Client(HTTP_HOST="brebes.localhost").post("/masuk/", {"username": "operator", "password": seed.password})
    assert response.status_code == 200


def test_operator_console_lists_regions(seed):
    console = login("localhost", "operator", seed.password)
    page = console.get("/").content.decode()
    assert "Kabupaten Brebes" in page
    assert "Kabupaten Tegal" in page
