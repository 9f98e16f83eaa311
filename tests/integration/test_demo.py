"""`mitra demo` seeds the demo platform and is safe to run twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_context

from shared_apps.audit.models import AuditRecord
from tenants.models import Region

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
DEMO_PASSWORD = "mitra-demo-2026"


def _counts() -> tuple[int, int, int, int]:
    with schema_context("brebes"):
        brebes = (get_user_model().objects.count(), AuditRecord.objects.count())
    return (get_user_model().objects.count(), Region.objects.count(), *brebes)


def test_demo_seeds_operator_and_brebes_accounts_and_is_idempotent(seed):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "http://brebes.localhost:8000/" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    first = _counts()
    call_command("demo", stdout=StringIO())
    assert _counts() == first

    with schema_context("brebes"):
        names = set(get_user_model().objects.values_list("username", flat=True))
        groups = dict(get_user_model().objects.values_list("username", "groups__name"))
    assert {"admin", "kepala", "staf"} <= names
    assert (groups["kepala"], groups["staf"]) == ("pimpinan", "staf")
    with schema_context("tegal"):
        assert not get_user_model().objects.filter(username="kepala").exists()

    assert get_user_model().objects.filter(username="operator", is_staff=True).exists()
    from shared_apps.licensing.selectors import licence_current, licensed_module_codes
    from shared_apps.onboarding.selectors import agreement_list, agreement_signed_scope

    region = Region.objects.get(slug="brebes")
    assert agreement_signed_scope(region=region) == {"eoffice", "ekinerja"}
    assert licence_current(region=region).seat_limit == 500
    assert licensed_module_codes(schema_name="brebes") == {"eoffice", "ekinerja"}
    tegal = Region.objects.get(slug="tegal")
    assert [a.status for a in agreement_list(region=tegal)] == ["draft"]

    brebes = Client(HTTP_HOST="brebes.localhost")
    response = brebes.post("/masuk/", {"username": "kepala", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    home = brebes.get("/").content.decode()
    assert "Kepala Dinas Brebes" in home
    assert brebes.get("/eoffice/").status_code == 200
    assert brebes.get("/ekinerja/").status_code == 200
