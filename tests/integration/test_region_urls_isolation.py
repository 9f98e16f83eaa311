"""Every URL of a region's URLconf, walked programmatically, refuses outsiders: an anonymous visitor, a Tegal
session cookie and a Tegal API token on Brebes's host never get a 2xx answer, whatever the method.

The URL list is read from mitra.urls_tenants at test time, so a URL added tomorrow is covered without
touching this file; only the public pages in ALLOWED_PUBLIC may answer outsiders, and each entry there
says why. Brebes is licensed for every module here, so module pages are reached past the licence gate and
their own login check is what is tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token

from tenant_apps.registry import module_codes
from tests.fixtures.control import licensed

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# URL name (with namespace) → why outsiders may open it.
ALLOWED_PUBLIC = {
    "login": "the login page itself",
    "password_reset": "asking for a reset link needs no login",
    "password_reset_done": "the page after asking for a link",
    "password_reset_confirm": "the reset link is the credential",
    "password_reset_complete": "the page after setting a new password",
    "activate": "the one-time activation link is the credential",
    "set_language": "choosing a language before logging in",
    "api-token": "logging in through the API",
    "api-schema": "the OpenAPI description (no data)",
    "api-docs": "the API documentation page (no data)",
    "workspace:logo": "the region's emblem, shown on the login page",
    "eoffice-verify": "citizens check a signed letter's QR code without an account (unguessable id)",
}

METHODS = ("get", "post", "put", "patch", "delete")
DUMMY_BY_CONVERTER = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x/y",
    "uuid": "00000000-0000-4000-8000-000000000001",
}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class RegionUrl:
    name: str  # "namespace:name"
    route: str  # as declared, e.g. "organisasi/pegawai/<int:pk>/"
    path: str  # with dummy values, e.g. "/organisasi/pegawai/1/"


def _fill(route: str) -> str:
    def dummy(match: re.Match) -> str:
        converter = match.group("converter") or "str"
        if converter not in DUMMY_BY_CONVERTER:
            raise AssertionError(f"add a dummy value for path converter {converter!r} (route {route!r})")
        return DUMMY_BY_CONVERTER[converter]

    return "/" + _PARAMETER.sub(dummy, route)


def region_urls() -> list[RegionUrl]:
    found: list[RegionUrl] = []

    def walk(patterns: list, route_prefix: str, namespace: str) -> None:
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern):
                raise AssertionError(
                    f"{entry.pattern!r} is not a path() route: teach this walker to fill it before adding it"
                )
            route = route_prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
                walk(entry.url_patterns, route, inner or namespace)
            else:
                assert isinstance(entry, URLPattern)
                name = f"{namespace}:{entry.name}" if namespace else (entry.name or route)
                found.append(RegionUrl(name=name, route=route, path=_fill(route)))

    walk(get_resolver("mitra.urls_tenants").url_patterns, "", "")
    return found


def _id(url: RegionUrl) -> str:
    return url.route or "(home)"


URLS = region_urls()
PROTECTED = [url for url in URLS if url.name not in ALLOWED_PUBLIC]


def test_the_walk_finds_the_urls_it_must_cover():
    routes = {url.route for url in URLS}
    assert {"", "pengaturan/", "keluar/", "api/v1/auth/token/"} <= routes
    for code in module_codes():
        assert f"{code}/" in routes, f"module {code} pages not found by the walk"
        assert any(route.startswith(f"api/v1/{code}/") for route in routes), f"module {code} API not found"
    assert len(PROTECTED) >= 10


def test_every_allowlisted_public_page_still_exists():
    names = {url.name for url in URLS}
    assert set(ALLOWED_PUBLIC) <= names, set(ALLOWED_PUBLIC) - names


@pytest.fixture
def outsiders(seed):
    """(label, Client) pairs that must all be refused on Brebes's host."""
    licensed("brebes", sorted(module_codes()), scope=sorted(module_codes()))
    tegal = Client(HTTP_HOST="tegal.localhost")
    assert tegal.post("/masuk/", {"username": "admin", "password": seed.password}).status_code == 302
    assert tegal.get("/").status_code == 200  # a live Tegal session…
    with schema_context("tegal"):
        from django.contrib.auth import get_user_model

        token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username="admin"))
    connection.set_schema_to_public()

    stolen_session = Client(HTTP_HOST="brebes.localhost")
    stolen_session.cookies["sessionid"] = tegal.cookies["sessionid"].value  # …replayed on Brebes's host
    stolen_token = Client(HTTP_HOST="brebes.localhost", HTTP_AUTHORIZATION=f"Token {token.key}")
    return [
        ("anonymous", Client(HTTP_HOST="brebes.localhost")),
        ("tegal session", stolen_session),
        ("tegal token", stolen_token),
    ]


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        return response["Location"].startswith(("/masuk/", "http://brebes.localhost/masuk/"))
    return False


@pytest.mark.parametrize("url", PROTECTED, ids=_id)
def test_outsiders_are_refused_on_every_region_url(outsiders, url):
    failures = []
    for label, client in outsiders:
        for method in METHODS:
            response = getattr(client, method)(url.path)
            connection.set_schema_to_public()
            if not _refused(response):
                location = response.get("Location", "")
                failures.append(f"{label} {method.upper()} {url.path} → {response.status_code} {location}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("url", [u for u in URLS if u.name in ALLOWED_PUBLIC], ids=_id)
def test_public_pages_never_show_an_outsider_region_data(outsiders, url):
    # The allowlisted pages answer outsiders, but never with an error page or another region's name.
    for label, client in outsiders:
        response = client.get(url.path)
        connection.set_schema_to_public()
        assert response.status_code < 500, f"{label} GET {url.path} → {response.status_code}"
        if response.get("Content-Type", "").startswith("text/html"):
            assert "Kabupaten Tegal" not in response.content.decode(), f"{label} GET {url.path}"
