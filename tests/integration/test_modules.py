"""Modules declare themselves; the catalogue, its page and its API list exactly what the code declares."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from shared_apps.modules.models import CatalogueModule
from shared_apps.modules.services import catalogue_sync
from tenant_apps.registry import all_modules, get_module, module_codes, with_dependencies

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_registry_finds_every_declared_module():
    assert module_codes() == {"eoffice", "ekinerja"}
    assert get_module("eoffice").url_prefix == "eoffice/"
    assert with_dependencies({"ekinerja"}) == {"ekinerja"}


def test_catalogue_is_synced_from_the_declarations_after_migrate(seed):
    rows = {m.code: m for m in CatalogueModule.objects.all()}
    assert set(rows) == {spec.code for spec in all_modules()}
    assert rows["eoffice"].name == "e-Office"
    assert rows["eoffice"].available


def test_a_module_gone_from_the_code_is_withdrawn_not_deleted(seed):
    CatalogueModule.objects.create(code="laksa", name="LAKSA", description="-", version="0")
    catalogue_sync(actor="system:test")
    assert CatalogueModule.objects.get(code="laksa").available is False
    assert CatalogueModule.objects.get(code="eoffice").available is True


def _token(host: str, username: str, password: str) -> str:
    response = APIClient(HTTP_HOST=host).post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_catalogue_api_lists_modules_with_descriptions_for_operators(seed):
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {_token('localhost', 'pemantau', seed.password)}")
    body = client.get("/api/v1/modules/").json()
    assert [m["code"] for m in body] == ["ekinerja", "eoffice"]
    assert all(m["description"] for m in body)


def test_catalogue_api_refuses_a_region_staff_token(seed):
    client = APIClient(HTTP_HOST="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {_token('brebes.localhost', 'admin', seed.password)}")
    response = client.get("/api/v1/modules/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_token_endpoint_gives_a_stable_error_code_for_bad_credentials(seed):
    response = APIClient(HTTP_HOST="localhost").post("/api/v1/auth/token/", {"username": "operator", "password": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    malformed = APIClient(HTTP_HOST="localhost").post(
        "/api/v1/auth/token/", data="{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "parse_error"


def test_catalogue_page_lists_modules(seed):
    client = Client(HTTP_HOST="localhost")
    client.post("/masuk/", {"username": "pemantau", "password": seed.password})
    page = client.get("/modul/").content.decode()
    assert "e-Office" in page
    assert "e-Kinerja" in page
