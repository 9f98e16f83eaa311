"""A new outgoing letter starts from its type's template, on the web and through the API; an unknown type
gives an empty form, never an error page; another region's staff and an unlicensed region get nothing."""

from __future__ import annotations

import html

import pytest

from tenant_apps.eoffice.letter_templates import BODIES
from tenant_apps.eoffice.models import LetterType
from tests.fixtures.control import licensed
from tests.fixtures.eoffice import DraftingOffice as Office
from tests.fixtures.org import api, login

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def office(drafting_office: Office) -> Office:
    """This module's office drafts outgoing letters (tests.fixtures.eoffice.drafting_office)."""
    return drafting_office


def test_choosing_a_type_fills_the_form_with_its_template(seed, office):
    drafter = login(seed, username="konseptor")
    blank = drafter.get("/eoffice/surat-keluar/buat/").content.decode()
    assert "Mulai dari templat" in blank
    assert "[pokok persoalan]" not in blank
    page = html.unescape(drafter.get("/eoffice/surat-keluar/buat/?jenis=nota_dinas").content.decode())
    assert "[pokok persoalan]" in page
    assert '<option value="nota_dinas" selected>' in page
    # Anything else is an ordinary empty form.
    for odd in ("bukan_jenis", "", "'><script>"):
        response = drafter.get("/eoffice/surat-keluar/buat/", {"jenis": odd})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()


def test_the_api_lists_every_type_with_its_layout_and_body(seed, office):
    response = api(username="konseptor").get("/api/v1/eoffice/outgoing/templates/")
    assert response.status_code == 200
    body = response.json()
    assert [t["letter_type"] for t in body] == list(LetterType.values)
    memo = next(t for t in body if t["letter_type"] == "nota_dinas")
    assert (memo["layout"], memo["body"]) == ("memo", BODIES[LetterType.NOTA_DINAS])


def test_a_region_licensed_for_other_modules_only_gets_the_module_error(seed):
    licensed("tegal", ["ekinerja"])
    response = api("tegal", "admin").get("/api/v1/eoffice/outgoing/templates/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "module_not_licensed"
    assert login(seed, "tegal", "admin").get("/eoffice/surat-keluar/buat/?jenis=memo").status_code == 403
