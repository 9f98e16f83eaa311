"""The OpenAPI schema of both APIs generates without warnings and is served on each host."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.mark.parametrize("urlconf", ["mitra.urls_public", "mitra.urls_tenants"])
def test_schema_generates_cleanly(seed, urlconf, tmp_path):
    # --fail-on-warn turns drf-spectacular's warnings (name collisions, unresolvable serializers) into errors.
    call_command(
        "spectacular",
        urlconf=urlconf,
        validate=True,
        fail_on_warn=True,
        file=str(tmp_path / "s.yml"),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert (tmp_path / "s.yml").stat().st_size > 1000


def test_each_host_serves_its_own_api_schema(seed):
    public = Client(HTTP_HOST="localhost").get("/api/schema/", {"format": "json"}).json()
    region = Client(HTTP_HOST="brebes.localhost").get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/licences/" in public["paths"]
    assert "/api/v1/eoffice/" in region["paths"]
    assert not any(p.startswith("/api/v1/licences") for p in region["paths"])
    assert Client(HTTP_HOST="brebes.localhost").get("/api/docs/").status_code == 200
