"""The licence gate in every region: web pages, the region API, the DRF permission, the task guard and the
menu. Brebes is licensed for e-Office only; Tegal has no licence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import platform_today
from shared_apps.licensing.services import licence_expire_due, licence_modules_change, licence_revoke
from tenants.gate import ModuleLicensed, ModuleNotLicensedError, ModuleTask
from tenants.models import Region
from tests.fixtures.control import licensed, pass_time

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NOT_LICENSED = "belum termasuk lisensi wilayah ini atau lisensinya sudah berakhir"


def staff(seed, slug: str = "brebes", username: str = "staf") -> Client:
    client = Client(HTTP_HOST=f"{slug}.localhost")
    response = client.post("/masuk/", {"username": username, "password": seed.password})
    assert response.status_code == 302, "login failed"
    connection.set_schema_to_public()
    return client


def region_api(slug: str = "brebes", username: str = "staf") -> APIClient:
    with schema_context(slug):
        token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username=username))
    client = APIClient(HTTP_HOST=f"{slug}.localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def brebes_eoffice(seed) -> Licence:
    return licensed("brebes", ["eoffice"], scope=["eoffice", "ekinerja"])


def assert_blocked_page(response, module_name: str) -> None:
    assert response.status_code == 403
    html = response.content.decode()
    assert NOT_LICENSED in html
    assert module_name in html
    assert "Diskominfo" in html


def assert_blocked_api(response, module_code: str) -> None:
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "module_not_licensed"
    assert error["module"] == module_code
    assert NOT_LICENSED in error["message"]


# --- web and API ------------------------------------------------------------------------------------------


def test_licensed_module_opens_and_unlicensed_one_gets_an_indonesian_403(seed, brebes_eoffice):
    client = staff(seed)
    assert client.get("/eoffice/").status_code == 200
    assert_blocked_page(client.get("/ekinerja/"), "e-Kinerja")


def test_region_api_is_gated_with_a_stable_code(seed, brebes_eoffice):
    api = region_api()
    response = api.get("/api/v1/eoffice/")
    assert response.status_code == 200
    assert response.json()["module"] == "eoffice"
    assert_blocked_api(api.get("/api/v1/ekinerja/"), "ekinerja")
    assert_blocked_api(api.post("/api/v1/ekinerja/", {}, format="json"), "ekinerja")


def test_a_licence_past_its_end_date_closes_its_modules_even_before_the_expiry_job(seed, brebes_eoffice):
    today = platform_today()
    pass_time(brebes_eoffice, valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=1))
    assert brebes_eoffice.status == Licence.Status.ACTIVE  # the job has not run yet
    client = staff(seed)
    assert_blocked_page(client.get("/eoffice/"), "e-Office")
    assert_blocked_api(region_api().get("/api/v1/eoffice/"), "eoffice")
    licence_expire_due()
    assert_blocked_page(client.get("/eoffice/"), "e-Office")


def test_a_licence_that_has_not_started_yet_does_not_open_modules(seed, brebes_eoffice):
    today = platform_today()
    pass_time(brebes_eoffice, valid_from=today + timedelta(days=1))
    assert_blocked_page(staff(seed).get("/eoffice/"), "e-Office")


def test_the_last_day_of_a_licence_still_opens_its_modules(seed, brebes_eoffice):
    pass_time(brebes_eoffice, valid_from=platform_today() - timedelta(days=30), valid_until=platform_today())
    assert staff(seed).get("/eoffice/").status_code == 200


def test_revocation_closes_the_modules_on_the_next_request(seed, brebes_eoffice):
    client = staff(seed)
    assert client.get("/eoffice/").status_code == 200
    licence_revoke(licence=brebes_eoffice, actor="operator:test", reason="uji")
    assert_blocked_page(client.get("/eoffice/"), "e-Office")
    assert_blocked_api(region_api().get("/api/v1/eoffice/"), "eoffice")


def test_a_region_without_a_licence_reaches_no_module(seed, brebes_eoffice):
    # Tegal cannot use Brebes's licence.
    client = staff(seed, "tegal", "admin")
    assert_blocked_page(client.get("/eoffice/"), "e-Office")
    assert_blocked_page(client.get("/ekinerja/"), "e-Kinerja")
    api = region_api("tegal", "admin")
    assert_blocked_api(api.get("/api/v1/eoffice/"), "eoffice")
    assert_blocked_api(api.get("/api/v1/ekinerja/"), "ekinerja")


def test_adding_a_module_opens_it(seed, brebes_eoffice):
    client = staff(seed)
    assert client.get("/ekinerja/").status_code == 403
    licence_modules_change(licence=brebes_eoffice, add=["ekinerja"], actor="operator:test")
    assert client.get("/ekinerja/").status_code == 200


def test_anonymous_visitors_of_an_unlicensed_module_get_the_403_page_and_of_a_licensed_one_the_login(
    seed, brebes_eoffice
):
    client = Client(HTTP_HOST="brebes.localhost")
    assert_blocked_page(client.get("/ekinerja/"), "e-Kinerja")
    response = client.get("/eoffice/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/"),
        ("get", "/masuk/"),
        ("get", "/healthz"),
        ("get", "/api/schema/"),
        ("post", "/api/v1/auth/token/"),
        ("post", "/i18n/setlang/"),
    ],
)
def test_the_gate_leaves_paths_outside_modules_alone(seed, method, path):
    # Tegal has no licence at all: a gate that touched these paths would answer 403.
    response = getattr(Client(HTTP_HOST="tegal.localhost"), method)(path, {"language": "id"} if "i18n" in path else {})
    assert response.status_code != 403, path


def test_the_control_plane_is_not_gated(seed):
    response = Client(HTTP_HOST="localhost").get("/eoffice/")
    assert response.status_code == 404  # no module on the root domain, and no licence question either


def test_the_gate_and_the_menu_read_the_licence_once_per_request(seed, brebes_eoffice):
    client = staff(seed)
    for path in ("/eoffice/", "/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        licence_queries = [q for q in queries.captured_queries if "licensing_licence" in q["sql"]]
        assert len(licence_queries) == 1, path


# --- menu and home ----------------------------------------------------------------------------------------


def test_menu_and_home_show_only_licensed_modules(seed, brebes_eoffice):
    html = staff(seed).get("/").content.decode()
    assert 'href="/eoffice/"' in html
    assert 'href="/ekinerja/"' not in html
    assert "Tata naskah dinas elektronik" in html  # the e-Office card on the home page
    licence_modules_change(licence=brebes_eoffice, add=["ekinerja"], actor="operator:test")
    html = staff(seed).get("/").content.decode()
    assert 'href="/eoffice/"' in html
    assert 'href="/ekinerja/"' in html


def test_a_region_without_a_licence_sees_no_module_in_its_menu(seed):
    html = staff(seed, "tegal", "admin").get("/").content.decode()
    assert 'href="/eoffice/"' not in html
    assert 'href="/ekinerja/"' not in html
    assert "Belum ada modul yang termasuk lisensi wilayah ini" in html


# --- DRF permission ---------------------------------------------------------------------------------------


class EkinerjaProbeApi(APIView):
    permission_classes = [ModuleLicensed]
    module_code = "ekinerja"

    def get(self, request):
        return Response({"ok": True})


class EofficeProbeApi(EkinerjaProbeApi):
    module_code = "eoffice"


def _call(view_class, slug: str):
    request = APIRequestFactory().get("/probe/", HTTP_HOST=f"{slug}.localhost")
    connection.set_schema_to_public()
    request.region = Region.objects.get(slug=slug)
    with schema_context(slug):
        force_authenticate(request, user=get_user_model().objects.get(username="admin"))
        response = view_class.as_view()(request)
        response.render()
    return response


def test_drf_permission_refuses_a_view_of_an_unlicensed_module(seed, brebes_eoffice):
    assert _call(EofficeProbeApi, "brebes").status_code == 200
    response = _call(EkinerjaProbeApi, "brebes")
    assert response.status_code == 403
    error = response.data["error"]
    assert error["code"] == "module_not_licensed"
    assert "e-Kinerja" in error["message"]
    assert _call(EofficeProbeApi, "tegal").status_code == 403


def test_drf_permission_refuses_on_the_control_plane(seed, brebes_eoffice):
    request = APIRequestFactory().get("/probe/", HTTP_HOST="localhost")
    request.region = None
    force_authenticate(request, user=get_user_model().objects.get(username="operator"))
    assert EofficeProbeApi.as_view()(request).status_code == 403


# --- task guard -------------------------------------------------------------------------------------------


@shared_task(base=ModuleTask, module_code="ekinerja", name="tests.licence_gate.ekinerja_probe")
def ekinerja_probe() -> str:
    return connection.schema_name


@shared_task(base=ModuleTask, module_code="eoffice", name="tests.licence_gate.eoffice_probe")
def eoffice_probe() -> str:
    return connection.schema_name


def test_module_task_refuses_to_run_where_the_module_is_not_licensed(seed, brebes_eoffice):
    with schema_context("brebes"):
        assert eoffice_probe() == "brebes"
        with pytest.raises(ModuleNotLicensedError) as exc:
            ekinerja_probe()
    assert exc.value.code == "module_not_licensed"
    assert exc.value.schema_name == "brebes"
    with schema_context("tegal"), pytest.raises(ModuleNotLicensedError):
        eoffice_probe()


def test_module_task_checks_the_licence_when_it_runs_not_when_it_was_queued(seed, brebes_eoffice):
    with schema_context("brebes"):
        assert eoffice_probe() == "brebes"
    licence_revoke(licence=brebes_eoffice, actor="operator:test", reason="uji")
    with schema_context("brebes"), pytest.raises(ModuleNotLicensedError):
        eoffice_probe()


def test_module_task_still_refuses_the_public_schema(seed):
    from tenants.tasks import RegionRequiredError

    with pytest.raises(RegionRequiredError):
        eoffice_probe()
