"""Host-based routing: control plane on the root domain, regions on their subdomains."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Region
from tenants.services import region_register, region_transition

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_root_and_region_serve_different_front_pages(seed):
    root = Client(HTTP_HOST="localhost:8000").get("/masuk/")
    brebes = Client(HTTP_HOST="brebes.localhost:8000").get("/masuk/")
    assert root.status_code == brebes.status_code == 200
    assert "Masuk ke konsol operator" in root.content.decode()
    assert "Masuk ke ruang kerja Kabupaten Brebes" in brebes.content.decode()


def test_home_pages_require_login_on_both_hosts(seed):
    for hostname in ("localhost", "brebes.localhost"):
        response = Client(HTTP_HOST=hostname).get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/")


def test_unknown_subdomain_gets_an_indonesian_404_page(seed):
    response = Client(HTTP_HOST="entah.localhost").get("/")
    assert response.status_code == 404
    assert "Wilayah tidak ditemukan" in response.content.decode()


def test_host_outside_the_platform_domain_is_refused_without_a_stack_trace(seed):
    response = Client(HTTP_HOST="brebes.example.com").get("/")
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()


def test_region_that_is_not_provisioned_is_not_routed(seed):
    region_register(slug="slawi", region_code="33.76", actor="system:test")
    response = Client(HTTP_HOST="slawi.localhost").get("/")
    assert response.status_code == 404


def test_suspended_region_shows_a_clear_page_and_keeps_its_data(seed):
    region = Region.objects.get(slug="brebes")
    region_transition(region=region, to=Region.Status.SUSPENDED, actor="operator:test", reason="tunggakan")
    response = Client(HTTP_HOST="brebes.localhost").get("/masuk/")
    assert response.status_code == 403
    assert "sedang ditangguhkan" in response.content.decode()
    with schema_context("brebes"):
        from django.contrib.auth import get_user_model

        assert get_user_model().objects.filter(username="admin").exists()


@pytest.mark.parametrize("hostname", ["localhost", "brebes.localhost", "tegal.localhost", "entah.localhost"])
def test_health_answers_on_every_host(seed, hostname):
    client = Client(HTTP_HOST=hostname)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_names_the_broker_when_it_is_unreachable(seed, settings):
    from mitra.celery_app import app

    closed_port_url = "redis://127.0.0.1:1/0"
    original = app.conf.broker_url
    app.conf.broker_url = closed_port_url
    try:
        response = Client(HTTP_HOST="brebes.localhost").get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_request_id_is_echoed(seed):
    response = Client(HTTP_HOST="localhost").get("/masuk/", HTTP_X_REQUEST_ID="abc123")
    assert response["X-Request-ID"] == "abc123"
