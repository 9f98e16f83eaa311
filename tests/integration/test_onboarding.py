"""Recording the agreement (MoU/PKS): services, every lifecycle transition, the API, the console and the CLI.

Brebes is the region the agreements are for; the operator writes, the viewer (pemantau) only reads, and a
Brebes staff account tries the control plane's API with its region token.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mitra.errors import DomainError
from shared_apps.audit.models import AuditRecord
from shared_apps.onboarding import services
from shared_apps.onboarding.models import Agreement
from shared_apps.onboarding.selectors import agreement_list, agreement_signed_scope, region_today
from shared_apps.onboarding.services import (
    AGREEMENT_TRANSITIONS,
    agreement_activate,
    agreement_attach_scan,
    agreement_create,
    agreement_refresh_states,
    agreement_sign,
    agreement_terminate,
    agreement_transition,
    agreement_update,
)
from shared_apps.onboarding.tasks import refresh_agreements
from shared_apps.onboarding.validation import SCAN_MAX_BYTES
from tenant_apps import registry
from tenant_apps.base import ModuleSpec
from tenants.models import Region
from tests.fixtures.processes import bin_path, process_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

S = Agreement.Status
ACTOR = "operator:uji"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% MoU Pemkot Tangerang - Kabupaten Brebes\n%%EOF\n"
TANGERANG = "Pemerintah Kota Tangerang"
BREBES = "Pemerintah Kabupaten Brebes"
PARTIES = [{"name": TANGERANG, "role": "pihak pertama"}, {"name": BREBES, "role": "pihak kedua"}]
SIGNATORIES = [
    {"name": "Sachrudin", "position": "Wali Kota Tangerang", "party": TANGERANG},
    {"name": "Paramitha Widya Kusuma", "position": "Bupati Brebes", "party": BREBES},
]
_numbers = itertools.count(1)


def pdf(content: bytes = PDF, name: str = "mou.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    """Uploaded files go to a scratch folder: the scan's place on disk is part of what is tested."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def brebes(seed) -> Region:
    return Region.objects.get(slug="brebes")


@pytest.fixture
def tegal(seed) -> Region:
    return Region.objects.get(slug="tegal")


@pytest.fixture
def today(brebes) -> date:
    return region_today(brebes)


@pytest.fixture
def make(brebes, today):
    """Creates a valid draft MoU for Brebes (in force since 30 days, for a year); override any field."""

    def factory(**overrides) -> Agreement:
        values = {
            "region": brebes,
            "kind": "mou",
            "number": f"119/{next(_numbers)}/MOU/2026",
            "title": "Pemanfaatan aplikasi e-Office dan e-Kinerja",
            "parties": PARTIES,
            "signatories": SIGNATORIES,
            "valid_from": today - timedelta(days=30),
            "valid_until": today + timedelta(days=365),
            "modules": ["eoffice", "ekinerja"],
            "actor": ACTOR,
        }
        values.update(overrides)
        return agreement_create(**values)

    return factory


def token_client(username: str, host: str = "localhost") -> APIClient:
    user = get_user_model().objects.get(username=username)
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient(HTTP_HOST=host)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(seed) -> APIClient:
    return token_client("operator")


@pytest.fixture
def viewer_api(seed) -> APIClient:
    return token_client("pemantau")


def web_client(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def web(seed) -> Client:
    return web_client("operator")


@pytest.fixture
def viewer_web(seed) -> Client:
    return web_client("pemantau")


def error_code(response) -> str:
    return response.json()["error"]["code"]


def raised_code(call) -> str:
    with pytest.raises(DomainError) as exc:
        call()
    return exc.value.code


# Services: creating and validating -------------------------------------------------------------------


def test_creating_records_a_draft_with_cleaned_fields_and_an_audit_record(make, brebes):
    agreement = make(number="  119/7/MOU/2026 ", title="Pemanfaatan   e-Office", modules=["ekinerja", "eoffice"])
    assert agreement.status == S.DRAFT
    assert agreement.number == "119/7/MOU/2026"
    assert agreement.title == "Pemanfaatan e-Office"
    assert agreement.modules == ["ekinerja", "eoffice"]
    assert agreement.signed_on is None
    assert not agreement.scan
    record = AuditRecord.objects.get(action="agreement.create", target_id=str(agreement.pk))
    assert (record.actor, record.region, record.target_type) == (ACTOR, "brebes", "agreement")
    assert record.after["number"] == "119/7/MOU/2026"


def test_the_scan_is_stored_under_the_regions_prefix_with_its_hash(make, media):
    agreement = make(scan=pdf())
    assert agreement.scan.name.startswith("brebes/agreements/")
    assert (media / agreement.scan.name).read_bytes() == PDF
    assert len(agreement.scan_sha256) == 64
    with agreement.scan.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"valid_until": "same-as-from"}, "invalid_period", "valid_until"),
        ({"valid_until": "before-from"}, "invalid_period", "valid_until"),
        ({"modules": ["eoffice", "laksa"]}, "unknown_module", "modules"),
        ({"modules": []}, "modules_required", "modules"),
        ({"modules": "eoffice"}, "invalid_modules", "modules"),
        ({"parties": PARTIES[:1]}, "parties_required", "parties"),
        ({"parties": [PARTIES[0], PARTIES[0]]}, "duplicate_party", "parties"),
        ({"parties": [{"name": TANGERANG}, PARTIES[1]]}, "required", "parties"),
        ({"parties": "Pemkot Tangerang"}, "invalid_parties", "parties"),
        (
            {"signatories": [{"name": "Budi", "position": "Sekda", "party": "Pemprov Jawa Tengah"}]},
            "unknown_party",
            "signatories",
        ),
        ({"signatories": [["Budi"]]}, "invalid_signatories", "signatories"),
        ({"number": "   "}, "required", "number"),
        ({"title": "x" * 300}, "too_long", "title"),
        ({"kind": "nota"}, "invalid_kind", None),
        ({"valid_from": "2026-01-01"}, "invalid_date", "valid_from"),
    ],
)
def test_invalid_agreements_are_refused_with_stable_codes(make, today, overrides, code, field):
    if overrides.get("valid_until") == "same-as-from":
        overrides["valid_until"] = today - timedelta(days=30)
    elif overrides.get("valid_until") == "before-from":
        overrides["valid_until"] = today - timedelta(days=31)
    with pytest.raises(DomainError) as exc:
        make(**overrides)
    assert exc.value.code == code
    if field:
        assert field in exc.value.fields
    assert not Agreement.objects.exists()


def test_a_number_is_unique_per_kind_whatever_its_case(make):
    make(number="119/1/MOU/2026")
    assert raised_code(lambda: make(number="119/1/mou/2026")) == "duplicate_number"
    # The same number on a PKS is another document.
    assert make(number="119/1/MOU/2026", kind="pks").kind == "pks"


def test_a_module_must_come_with_the_modules_it_depends_on(make, monkeypatch):
    # LAKSA does not exist yet: a declared module that depends on e-Office stands in for it in the registry.
    real = registry._modules()
    laksa = ModuleSpec(
        code="laksa",
        name="LAKSA",
        description="uji",
        version="0",
        url_prefix="laksa/",
        urls="x",
        depends_on=("eoffice",),
    )
    monkeypatch.setattr(registry, "_modules", lambda: {**real, "laksa": laksa})
    with pytest.raises(DomainError) as exc:
        make(modules=["laksa"])
    assert exc.value.code == "module_dependency_missing"
    assert "eoffice" in exc.value.message
    assert make(modules=["laksa", "eoffice"]).modules == ["eoffice", "laksa"]


def test_a_scan_that_is_not_a_pdf_is_refused(make):
    assert raised_code(lambda: make(scan=pdf(b"MZ\x90\x00 not a pdf", name="mou.pdf"))) == "invalid_pdf"
    assert raised_code(lambda: make(scan=pdf(b"", name="kosong.pdf"))) == "invalid_pdf"
    assert not Agreement.objects.exists()


def test_a_scan_over_ten_megabytes_is_refused_and_ten_is_accepted(make):
    too_big = PDF[:5] + b"0" * (SCAN_MAX_BYTES - 4)
    assert raised_code(lambda: make(scan=pdf(too_big))) == "file_too_large"
    exactly = PDF[:5] + b"0" * (SCAN_MAX_BYTES - 5)
    assert make(scan=pdf(exactly)).scan.size == SCAN_MAX_BYTES


def test_a_pks_refers_to_a_live_mou_of_the_same_region_and_stays_inside_it(make, tegal, today):
    mou = make(modules=["eoffice"])
    pks = make(kind="pks", parent=mou, modules=["eoffice"], valid_until=today + timedelta(days=100))
    assert pks.parent == mou
    tegal_mou = make(region=tegal, number="TGL/1")
    assert raised_code(lambda: make(kind="pks", parent=tegal_mou)) == "invalid_parent"
    assert raised_code(lambda: make(kind="mou", parent=mou)) == "parent_not_allowed"
    assert raised_code(lambda: make(kind="pks", parent=pks, modules=["eoffice"])) == "invalid_parent"
    assert raised_code(lambda: make(kind="pks", parent=mou, modules=["eoffice", "ekinerja"])) == "outside_parent_scope"
    late = today + timedelta(days=400)
    assert raised_code(lambda: make(kind="pks", parent=mou, modules=["eoffice"], valid_until=late)) == (
        "outside_parent_period"
    )
    agreement_terminate(agreement=mou, actor=ACTOR, reason="dibatalkan")
    assert raised_code(lambda: make(kind="pks", parent=mou, modules=["eoffice"])) == "invalid_parent"


def test_no_agreement_for_a_terminated_region(make, brebes):
    Region.objects.filter(pk=brebes.pk).update(status=Region.Status.TERMINATED)
    brebes.refresh_from_db()
    assert raised_code(lambda: make(region=brebes)) == "region_terminated"


# Services: editing and the scan ------------------------------------------------------------------------


def test_a_draft_can_be_edited_and_the_change_is_audited(make, today):
    agreement = make()
    agreement_update(agreement=agreement, actor=ACTOR, title="Judul baru", modules=["eoffice"])
    agreement.refresh_from_db()
    assert (agreement.title, agreement.modules) == ("Judul baru", ["eoffice"])
    record = AuditRecord.objects.get(action="agreement.update", target_id=str(agreement.pk))
    assert record.before == {"title": "Pemanfaatan aplikasi e-Office dan e-Kinerja", "modules": ["ekinerja", "eoffice"]}
    assert record.after == {"title": "Judul baru", "modules": ["eoffice"]}
    code = raised_code(
        lambda: agreement_update(agreement=agreement, actor=ACTOR, valid_until=today - timedelta(days=60))
    )
    assert code == "invalid_period"


@pytest.mark.parametrize("status", [S.SIGNED, S.ACTIVE, S.EXPIRED, S.TERMINATED])
def test_only_a_draft_can_be_edited(make, status):
    agreement = make()
    Agreement.objects.filter(pk=agreement.pk).update(status=status)
    assert raised_code(lambda: agreement_update(agreement=agreement, actor=ACTOR, title="Diubah diam-diam")) == (
        "not_editable"
    )
    agreement.refresh_from_db()
    assert agreement.title != "Diubah diam-diam"


def test_a_draft_scan_may_be_replaced_and_the_old_file_goes(make, media, django_capture_on_commit_callbacks):
    agreement = make(scan=pdf())
    first = agreement.scan.name
    with django_capture_on_commit_callbacks(execute=True):
        agreement_attach_scan(agreement=agreement, scan=pdf(PDF + b"v2"), actor=ACTOR)
    assert agreement.scan.name != first
    assert (media / agreement.scan.name).read_bytes() == PDF + b"v2"
    assert not (media / first).exists()
    assert AuditRecord.objects.filter(action="agreement.scan", target_id=str(agreement.pk)).count() == 1


def test_a_signed_agreement_takes_its_scan_once_and_keeps_it(make):
    agreement = agreement_sign(agreement=make(), actor=ACTOR)
    agreement_attach_scan(agreement=agreement, scan=pdf(), actor=ACTOR)
    assert agreement.scan.name.startswith("brebes/")
    assert raised_code(lambda: agreement_attach_scan(agreement=agreement, scan=pdf(PDF + b"x"), actor=ACTOR)) == (
        "scan_locked"
    )
    agreement_terminate(agreement=make(number="X/2"), actor=ACTOR, reason="uji")
    over = Agreement.objects.get(number="X/2")
    assert raised_code(lambda: agreement_attach_scan(agreement=over, scan=pdf(), actor=ACTOR)) == "scan_locked"


# Lifecycle ---------------------------------------------------------------------------------------------

ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


@pytest.mark.parametrize(("start", "target"), ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_by_the_table(make, start, target):
    agreement = make()
    Agreement.objects.filter(pk=agreement.pk).update(status=start)
    agreement.refresh_from_db()
    # Expiry needs a day past the period; every other step happens today, inside it.
    day = agreement.valid_until + timedelta(days=1) if target == S.EXPIRED else None
    if target in AGREEMENT_TRANSITIONS[start]:
        agreement_transition(agreement=agreement, to=target, actor=ACTOR, reason="uji", today=day)
        agreement.refresh_from_db()
        assert agreement.status == target
        record = AuditRecord.objects.filter(target_type="agreement", target_id=str(agreement.pk)).last()
        assert record.action == f"agreement.{services.TRANSITION_ACTIONS[target]}"
        assert (record.actor, record.region, record.before["status"], record.after["status"]) == (
            ACTOR,
            "brebes",
            start,
            target,
        )
    else:
        with pytest.raises(DomainError) as exc:
            agreement_transition(agreement=agreement, to=target, actor=ACTOR, reason="uji", today=day)
        assert exc.value.code == "invalid_transition"
        assert exc.value.status == 409
        agreement.refresh_from_db()
        assert agreement.status == start


def test_signing_without_a_scan_records_who_and_when(make, today):
    agreement = agreement_sign(agreement=make(), actor="operator:budi", signed_on=today - timedelta(days=2))
    assert agreement.status == S.SIGNED
    assert agreement.signed_on == today - timedelta(days=2)
    assert agreement.signed_by == "operator:budi"
    assert agreement.signed_at is not None
    assert not agreement.scan
    assert agreement_sign(agreement=make(), actor=ACTOR).signed_on == today


def test_signing_needs_a_signatory_for_every_party(make):
    assert raised_code(lambda: agreement_sign(agreement=make(signatories=[]), actor=ACTOR)) == "signatories_required"
    one_side = make(signatories=SIGNATORIES[:1])
    assert raised_code(lambda: agreement_sign(agreement=one_side, actor=ACTOR)) == "signatories_required"
    one_side.refresh_from_db()
    assert one_side.status == S.DRAFT


def test_signing_date_cannot_be_in_the_future_or_after_the_period(make, today):
    agreement = make(valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=10))
    tomorrow = today + timedelta(days=1)
    assert raised_code(lambda: agreement_sign(agreement=agreement, actor=ACTOR, signed_on=tomorrow)) == (
        "invalid_signed_on"
    )
    assert raised_code(lambda: agreement_sign(agreement=agreement, actor=ACTOR, signed_on=today)) == (
        "invalid_signed_on"
    )


def test_a_pks_is_signed_only_after_its_mou(make):
    mou = make()
    pks = make(kind="pks", parent=mou)
    assert raised_code(lambda: agreement_sign(agreement=pks, actor=ACTOR)) == "parent_not_signed"
    agreement_sign(agreement=mou, actor=ACTOR)
    assert agreement_sign(agreement=pks, actor=ACTOR).status == S.SIGNED


def test_activation_waits_for_the_period_to_begin(make, today):
    future = agreement_sign(agreement=make(valid_from=today + timedelta(days=5)), actor=ACTOR)
    assert raised_code(lambda: agreement_activate(agreement=future, actor=ACTOR)) == "not_yet_valid"
    current = agreement_activate(agreement=agreement_sign(agreement=make(), actor=ACTOR), actor="operator:sri")
    assert (current.status, current.activated_by) == (S.ACTIVE, "operator:sri")


def test_terminating_needs_a_reason_and_takes_the_mous_live_pks_along(make):
    mou = agreement_sign(agreement=make(), actor=ACTOR)
    pks_live = agreement_sign(agreement=make(kind="pks", parent=mou), actor=ACTOR)
    pks_draft = make(kind="pks", parent=mou, number="PKS/DRAF")
    assert raised_code(lambda: agreement_terminate(agreement=mou, actor=ACTOR, reason="  ")) == "reason_required"
    agreement_terminate(agreement=mou, actor=ACTOR, reason="Pemda mengundurkan diri")
    for pks in (pks_live, pks_draft):
        pks.refresh_from_db()
        assert pks.status == S.TERMINATED
        assert "Pemda mengundurkan diri" in pks.termination_reason
    mou.refresh_from_db()
    assert (mou.terminated_by, mou.termination_reason) == (ACTOR, "Pemda mengundurkan diri")


# The scope that licensing and provisioning read ------------------------------------------------------


def test_signed_scope_is_none_until_something_is_signed(make, brebes, tegal):
    assert agreement_signed_scope(region=brebes) is None
    draft = make(modules=["eoffice"])
    assert agreement_signed_scope(region=brebes) is None
    agreement_sign(agreement=draft, actor=ACTOR)
    assert agreement_signed_scope(region=brebes) == frozenset({"eoffice"})
    assert agreement_signed_scope(region=tegal) is None


def test_signed_scope_is_the_union_of_signed_and_active_agreements(make, brebes):
    mou = agreement_activate(agreement=agreement_sign(agreement=make(modules=["eoffice"]), actor=ACTOR), actor=ACTOR)
    other = agreement_sign(agreement=make(modules=["ekinerja"]), actor=ACTOR)
    assert agreement_signed_scope(region=brebes) == frozenset({"eoffice", "ekinerja"})
    agreement_terminate(agreement=other, actor=ACTOR, reason="uji")
    assert agreement_signed_scope(region=brebes) == frozenset({"eoffice"})
    agreement_terminate(agreement=mou, actor=ACTOR, reason="uji")
    assert agreement_signed_scope(region=brebes) is None


def test_signed_scope_ends_after_the_last_valid_day(make, brebes, today):
    agreement = agreement_sign(agreement=make(valid_until=today + timedelta(days=10)), actor=ACTOR)
    last_day = agreement.valid_until
    assert agreement_signed_scope(region=brebes, on=last_day) == frozenset({"eoffice", "ekinerja"})
    assert agreement_signed_scope(region=brebes, on=last_day + timedelta(days=1)) is None
    agreement_refresh_states(today=last_day + timedelta(days=1))
    agreement.refresh_from_db()
    assert agreement.status == S.EXPIRED
    assert agreement_signed_scope(region=brebes, on=today) is None


# Refreshing states (Celery beat) -----------------------------------------------------------------------


def test_refresh_activates_begun_agreements_and_expires_ended_ones(make, today):
    begun = agreement_sign(agreement=make(), actor=ACTOR)
    future = agreement_sign(agreement=make(valid_from=today + timedelta(days=3)), actor=ACTOR)
    ended = make(valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=1))
    Agreement.objects.filter(pk=ended.pk).update(status=S.ACTIVE)
    draft = make()
    assert agreement_refresh_states() == {"activated": 1, "expired": 1}
    for agreement, status in ((begun, S.ACTIVE), (future, S.SIGNED), (ended, S.EXPIRED), (draft, S.DRAFT)):
        agreement.refresh_from_db()
        assert agreement.status == status
    begun.refresh_from_db()
    assert begun.activated_by == "system:refresh"
    assert AuditRecord.objects.filter(action="agreement.expire", target_id=str(ended.pk), actor="system:refresh")
    # Nothing left to do: a second run changes nothing.
    assert agreement_refresh_states() == {"activated": 0, "expired": 0}


def test_refresh_task_runs_in_public_even_when_sent_from_a_region(make):
    begun = agreement_sign(agreement=make(), actor=ACTOR)
    with schema_context("brebes"):
        result = refresh_agreements.apply()
    assert result.get() == {"activated": 1, "expired": 0}
    begun.refresh_from_db()
    assert begun.status == S.ACTIVE


# API ---------------------------------------------------------------------------------------------------


def create_payload(today: date, **overrides) -> dict:
    payload = {
        "region": "brebes",
        "kind": "mou",
        "number": "119/045/MOU/2026",
        "title": "Pemanfaatan aplikasi e-Office",
        "parties": PARTIES,
        "signatories": SIGNATORIES,
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=730)).isoformat(),
        "modules": ["eoffice", "ekinerja"],
    }
    payload.update(overrides)
    return payload


def test_api_journey_from_draft_to_terminated(api, today, media):
    created = api.post("/api/v1/agreements/", create_payload(today), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["region"], body["has_scan"]) == ("draft", "brebes", False)
    assert body["allowed_transitions"] == ["signed", "terminated"]
    url = f"/api/v1/agreements/{body['id']}/"

    changed = api.patch(url, {"title": "Pemanfaatan e-Office dan e-Kinerja"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["title"] == "Pemanfaatan e-Office dan e-Kinerja"

    signed = api.post(url + "sign/", {"signed_on": today.isoformat()}, format="json")
    assert signed.status_code == 200, signed.content
    assert (signed.json()["status"], signed.json()["signed_on"], signed.json()["signed_by"]) == (
        "signed",
        today.isoformat(),
        "operator:operator",
    )
    uploaded = api.post(url + "scan/", {"scan": pdf()}, format="multipart")
    assert uploaded.status_code == 200, uploaded.content
    assert uploaded.json()["has_scan"] is True
    stored = Agreement.objects.get(pk=body["id"]).scan.name
    assert stored.startswith("brebes/agreements/")
    assert (media / stored).exists()

    download = api.get(url + "scan/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF

    active = api.post(url + "activate/")
    assert active.status_code == 200
    assert active.json()["status"] == "active"
    ended = api.post(url + "terminate/", {"reason": "Diganti MoU baru"}, format="json")
    assert ended.status_code == 200
    assert ended.json()["status"] == "terminated"
    history = api.get(url).json()["history"]
    assert [h["action"] for h in history] == [
        "agreement.create",
        "agreement.update",
        "agreement.sign",
        "agreement.scan",
        "agreement.activate",
        "agreement.terminate",
    ]
    assert {h["actor"] for h in history} == {"operator:operator"}


def test_api_token_endpoint_gives_operators_a_working_token(seed, today):
    client = APIClient(HTTP_HOST="localhost")
    response = client.post("/api/v1/auth/token/", {"username": "operator", "password": seed.password}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/agreements/").status_code == 200


def test_api_lists_with_filters_and_bounded_queries(api, make, tegal, django_assert_max_num_queries):
    for _ in range(4):
        make()
    signed = agreement_sign(agreement=make(), actor=ACTOR)
    make(region=tegal, number="TGL/1")
    with django_assert_max_num_queries(8):
        everything = api.get("/api/v1/agreements/").json()
    assert everything["count"] == 6
    assert api.get("/api/v1/agreements/", {"region": "tegal"}).json()["count"] == 1
    only_signed = api.get("/api/v1/agreements/", {"region": "brebes", "status": "signed"}).json()
    assert [a["id"] for a in only_signed["results"]] == [signed.pk]
    assert error_code(api.get("/api/v1/agreements/", {"status": "rusak"})) == "invalid"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"valid_until": "2020-01-01"}, "invalid_period"),
        ({"modules": ["eoffice", "laksa"]}, "unknown_module"),
        ({"region": "atlantis"}, "unknown_region"),
        ({"parent": 999999}, "invalid_parent"),
        ({"parties": PARTIES[:1]}, "parties_required"),
    ],
)
def test_api_refuses_invalid_agreements_with_stable_codes(api, today, overrides, code):
    response = api.post("/api/v1/agreements/", create_payload(today, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) == code
    assert response.json()["error"]["message"]


def test_api_refuses_a_duplicate_number(api, make, today):
    make(number="119/045/MOU/2026")
    response = api.post("/api/v1/agreements/", create_payload(today), format="json")
    assert (response.status_code, error_code(response)) == (400, "duplicate_number")
    assert "number" in response.json()["error"]["fields"]


def test_api_refuses_bad_scans(api, make):
    url = f"/api/v1/agreements/{make().pk}/scan/"
    not_pdf = api.post(url, {"scan": pdf(b"<html>bukan pdf</html>", name="mou.pdf")}, format="multipart")
    assert (not_pdf.status_code, error_code(not_pdf)) == (400, "invalid_pdf")
    too_big = api.post(url, {"scan": pdf(PDF[:5] + b"0" * SCAN_MAX_BYTES)}, format="multipart")
    assert (too_big.status_code, error_code(too_big)) == (400, "file_too_large")
    missing = api.post(url, {}, format="multipart")
    assert missing.status_code == 400
    as_json = api.post(url, {"scan": "JVBERi0="}, format="json")
    assert as_json.status_code == 415


def test_api_refuses_editing_a_signed_agreement_and_forbidden_steps(api, make):
    agreement = make()
    url = f"/api/v1/agreements/{agreement.pk}/"
    draft_activate = api.post(url + "activate/")
    assert (draft_activate.status_code, error_code(draft_activate)) == (409, "invalid_transition")
    api.post(url + "sign/", {}, format="json")
    edit = api.patch(url, {"title": "Diubah sesudah ditandatangani"}, format="json")
    assert (edit.status_code, error_code(edit)) == (409, "not_editable")
    resign = api.post(url + "sign/", {}, format="json")
    assert (resign.status_code, error_code(resign)) == (409, "invalid_transition")
    no_reason = api.post(url + "terminate/", {}, format="json")
    assert (no_reason.status_code, error_code(no_reason)) == (400, "reason_required")


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        "null",
        '"teks"',
        json.dumps({"region": ["brebes"], "kind": 7, "parties": "x", "modules": 5, "valid_from": "kemarin"}),
        json.dumps({"region": "brebes", "parties": [1, 2], "signatories": [None], "modules": [[1]]}),
        json.dumps({"region": "brebes", "parent": 10**30, "valid_from": "2026-02-30", "valid_until": 1e308}),
        json.dumps({"region": "\x00", "number": "x" * 100_000, "title": {"a": 1}}),
    ],
)
def test_api_answers_garbage_with_400_never_500(api, body):
    response = api.post("/api/v1/agreements/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"]


@pytest.mark.parametrize(
    "body",
    ["{oops", json.dumps({"signed_on": "31-12-2026"}), json.dumps({"signed_on": ["2026-01-01"]})],
)
def test_api_sign_answers_garbage_with_400(api, make, body):
    response = api.post(f"/api/v1/agreements/{make().pk}/sign/", body, content_type="application/json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("agreement_id", ["abc", "0", "-1", "99999999", "9" * 40, "1.5"])
def test_api_unknown_or_malformed_ids_are_json_404(api, agreement_id):
    responses = [
        api.get(f"/api/v1/agreements/{agreement_id}/"),
        api.post(f"/api/v1/agreements/{agreement_id}/sign/", {}, format="json"),
        api.get(f"/api/v1/agreements/{agreement_id}/scan/"),
    ]
    for response in responses:
        assert response.status_code == 404
        assert error_code(response) == "agreement_not_found"


def test_api_patch_garbage_is_400(api, make):
    url = f"/api/v1/agreements/{make().pk}/"
    for body in ({"modules": "eoffice"}, {"parties": [{"name": 1}]}, {"valid_until": "besok"}, {"parent": "x"}):
        response = api.patch(url, body, format="json")
        assert response.status_code == 400, (body, response.content)


def test_api_viewer_reads_but_cannot_write(viewer_api, make, today):
    agreement = agreement_sign(agreement=make(scan=pdf()), actor=ACTOR)
    url = f"/api/v1/agreements/{agreement.pk}/"
    assert viewer_api.get("/api/v1/agreements/").status_code == 200
    assert viewer_api.get(url).status_code == 200
    assert viewer_api.get(url + "scan/").status_code == 200
    attempts = [
        viewer_api.post("/api/v1/agreements/", create_payload(today), format="json"),
        viewer_api.patch(url, {"title": "x"}, format="json"),
        viewer_api.post(url + "activate/"),
        viewer_api.post(url + "terminate/", {"reason": "x"}, format="json"),
        viewer_api.post(url + "scan/", {"scan": pdf()}, format="multipart"),
    ]
    assert [r.status_code for r in attempts] == [403] * 5
    agreement.refresh_from_db()
    assert agreement.status == S.SIGNED


def test_api_without_credentials_is_401(seed, make):
    client = APIClient(HTTP_HOST="localhost")
    agreement = make()
    assert client.get("/api/v1/agreements/").status_code == 401
    assert client.post(f"/api/v1/agreements/{agreement.pk}/sign/", {}, format="json").status_code == 401
    assert client.get(f"/api/v1/agreements/{agreement.pk}/scan/").status_code == 401
    wrong = APIClient(HTTP_HOST="localhost")
    wrong.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert wrong.get("/api/v1/agreements/").status_code == 401


def test_a_brebes_staff_token_is_refused_on_the_control_plane_api(seed, make, today):
    region_client = APIClient(HTTP_HOST="brebes.localhost")
    issued = region_client.post("/api/v1/auth/token/", {"username": "admin", "password": seed.password}, format="json")
    assert issued.status_code == 200, issued.content
    attacker = APIClient(HTTP_HOST="localhost")
    attacker.credentials(HTTP_AUTHORIZATION=f"Token {issued.json()['token']}")
    agreement = make()
    assert attacker.get("/api/v1/agreements/").status_code == 401
    assert attacker.post("/api/v1/agreements/", create_payload(today), format="json").status_code == 401
    assert attacker.post(f"/api/v1/agreements/{agreement.pk}/sign/", {}, format="json").status_code == 401
    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT


def test_openapi_schema_documents_the_agreement_endpoints(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert "/api/v1/agreements/{agreement_id}/sign/" in paths
    assert "multipart/form-data" in paths["/api/v1/agreements/{agreement_id}/scan/"]["post"]["requestBody"]["content"]


# Console -----------------------------------------------------------------------------------------------


def form_data(today: date, **overrides) -> dict:
    data = {
        "region": "brebes",
        "kind": "mou",
        "parent": "",
        "number": "119/77/MOU/2026",
        "title": "Pemanfaatan aplikasi e-Office",
        "parties": f"{TANGERANG} : pihak pertama\n{BREBES} : pihak kedua",
        "signatories": f"Sachrudin : Wali Kota Tangerang : {TANGERANG}\nParamitha : Bupati Brebes : {BREBES}",
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
        "modules": ["eoffice", "ekinerja"],
    }
    data.update(overrides)
    return data


def test_console_journey_from_form_to_terminated(web, today, media):
    page = web.get("/kerja-sama/baru/")
    assert page.status_code == 200
    assert b'value="eoffice"' in page.content
    assert b'value="ekinerja"' in page.content
    response = web.post("/kerja-sama/baru/", {**form_data(today), "scan": pdf()})
    agreement = Agreement.objects.get(number="119/77/MOU/2026")
    assert response.status_code == 302
    assert response["Location"] == f"/kerja-sama/{agreement.pk}/"
    assert agreement.scan.name.startswith("brebes/")
    assert (media / agreement.scan.name).exists()
    assert agreement.parties == PARTIES
    assert agreement.signatories[1] == {"name": "Paramitha", "position": "Bupati Brebes", "party": BREBES}

    edited = web.post(f"/kerja-sama/{agreement.pk}/ubah/", form_data(today, title="Judul diperbarui"))
    assert edited.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Judul diperbarui"

    detail = web.get(f"/kerja-sama/{agreement.pk}/").content.decode()
    assert "Catat penandatanganan" in detail
    assert "Akhiri kerja sama" in detail
    assert "Nyatakan berlaku" not in detail  # not allowed from draft
    confirm = web.get(f"/kerja-sama/{agreement.pk}/tandatangani/")
    assert confirm.status_code == 200
    assert "sudah ditandatangani?" in confirm.content.decode()
    assert agreement.status == S.DRAFT  # a GET only asks
    web.post(f"/kerja-sama/{agreement.pk}/tandatangani/", {"signed_on": today.isoformat()})
    web.post(f"/kerja-sama/{agreement.pk}/aktifkan/", {})
    web.post(f"/kerja-sama/{agreement.pk}/akhiri/", {"reason": "Diganti MoU baru"})
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signed_on, agreement.termination_reason) == (
        S.TERMINATED,
        today,
        "Diganti MoU baru",
    )
    timeline = web.get(f"/kerja-sama/{agreement.pk}/").content.decode()
    for label in ("Dicatat sebagai draf", "Diubah", "Penandatanganan dicatat", "Dinyatakan berlaku", "Diakhiri"):
        assert label in timeline
    assert "operator:operator" in timeline
    download = web.get(f"/kerja-sama/{agreement.pk}/pindaian/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF


def test_console_shows_indonesian_errors_and_keeps_nothing(web, make, today):
    bad_period = web.post("/kerja-sama/baru/", form_data(today, valid_until=(today - timedelta(days=5)).isoformat()))
    assert "Tanggal akhir berlaku harus sesudah tanggal mulai berlaku." in bad_period.content.decode()
    bad_pdf = web.post("/kerja-sama/baru/", {**form_data(today), "scan": pdf(b"GIF89a")})
    assert "Berkas pindaian harus berupa PDF." in bad_pdf.content.decode()
    unknown = web.post("/kerja-sama/baru/", form_data(today, modules=["laksa"]))
    assert "laksa" in unknown.content.decode()
    assert unknown.status_code == 200
    bad_party = web.post("/kerja-sama/baru/", form_data(today, parties="Pemkot Tangerang tanpa peran"))
    assert "Tulis pihak sebagai" in bad_party.content.decode()
    missing = web.post("/kerja-sama/baru/", form_data(today, number=""))
    assert "Bidang ini harus diisi." in missing.content.decode()
    make(number="119/77/MOU/2026")
    duplicate = web.post("/kerja-sama/baru/", form_data(today))
    assert "sudah dipakai kerja sama lain" in duplicate.content.decode()
    assert Agreement.objects.count() == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"region": "atlantis", "parent": "abc"},
        {"parent": "99999999999999999999999", "kind": "pks"},
        {"valid_from": "9999-99-99", "valid_until": "kemarin"},
        {"modules": ["eoffice", "\x00"], "number": "x" * 5000},
        {"signatories": "tanpa titik dua", "parties": "A : B\n" * 30},
    ],
)
def test_console_answers_garbage_with_the_form_again_never_500(web, today, overrides):
    response = web.post("/kerja-sama/baru/", form_data(today, **overrides))
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Agreement.objects.exists()


def test_console_refuses_editing_a_signed_agreement(web, make, today):
    agreement = agreement_sign(agreement=make(), actor=ACTOR)
    response = web.post(f"/kerja-sama/{agreement.pk}/ubah/", form_data(today, title="Diubah"), follow=True)
    assert "hanya dapat diubah selama masih draf" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.title != "Diubah"


def test_console_refuses_a_step_the_table_forbids(web, make):
    agreement = make()
    response = web.post(f"/kerja-sama/{agreement.pk}/aktifkan/", {}, follow=True)
    assert "Tindakan ini tidak tersedia" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT
    assert web.get(f"/kerja-sama/{agreement.pk}/hapus/").status_code == 404


def test_console_sign_refusal_shows_on_the_confirmation_page(web, make):
    agreement = make(signatories=[])
    response = web.post(f"/kerja-sama/{agreement.pk}/tandatangani/", {"signed_on": "2020-01-01"})
    assert response.status_code == 200
    assert "memerlukan penanda tangan" in response.content.decode()
    terminate = web.post(f"/kerja-sama/{agreement.pk}/akhiri/", {"reason": ""})
    assert "Bidang ini harus diisi." in terminate.content.decode()


def test_console_warns_while_the_scan_is_missing_and_accepts_it_after_signing(web, make):
    agreement = agreement_sign(agreement=make(), actor=ACTOR)
    page = web.get(f"/kerja-sama/{agreement.pk}/").content.decode()
    assert "Pindaian PDF kerja sama belum diunggah." in page
    web.post(f"/kerja-sama/{agreement.pk}/pindaian/unggah/", {"scan": pdf()})
    page = web.get(f"/kerja-sama/{agreement.pk}/").content.decode()
    assert "belum diunggah" not in page
    assert "Unduh PDF" in page
    assert "Unggah pindaian" not in page
    bad = web.post(f"/kerja-sama/{agreement.pk}/pindaian/unggah/", {"scan": pdf()}, follow=True)
    assert "Pindaian hanya dapat diganti selama draf" in bad.content.decode()


def test_console_sign_confirmation_warns_about_a_missing_scan(web, make):
    page = web.get(f"/kerja-sama/{make().pk}/tandatangani/").content.decode()
    assert "Pindaian PDF belum diunggah" in page


def test_console_viewer_reads_but_every_write_is_403(viewer_web, make, today):
    agreement = make(scan=pdf())
    assert viewer_web.get("/kerja-sama/").status_code == 200
    detail = viewer_web.get(f"/kerja-sama/{agreement.pk}/")
    assert detail.status_code == 200
    assert "Catat penandatanganan" not in detail.content.decode()
    assert "Ubah draf" not in detail.content.decode()
    assert viewer_web.get(f"/kerja-sama/{agreement.pk}/pindaian/").status_code == 200
    attempts = [
        viewer_web.get("/kerja-sama/baru/"),
        viewer_web.post("/kerja-sama/baru/", form_data(today)),
        viewer_web.post(f"/kerja-sama/{agreement.pk}/ubah/", form_data(today, title="x")),
        viewer_web.get(f"/kerja-sama/{agreement.pk}/tandatangani/"),
        viewer_web.post(f"/kerja-sama/{agreement.pk}/tandatangani/", {"signed_on": today.isoformat()}),
        viewer_web.post(f"/kerja-sama/{agreement.pk}/akhiri/", {"reason": "x"}),
        viewer_web.post(f"/kerja-sama/{agreement.pk}/pindaian/unggah/", {"scan": pdf()}),
    ]
    assert [r.status_code for r in attempts] == [403] * 7
    agreement.refresh_from_db()
    assert (agreement.status, agreement.number) == (S.DRAFT, agreement.number)
    assert Agreement.objects.count() == 1


def test_console_sends_anonymous_visitors_to_the_login_page(seed, make):
    client = Client(HTTP_HOST="localhost")
    agreement = make(scan=pdf())
    for url in ("/kerja-sama/", f"/kerja-sama/{agreement.pk}/", f"/kerja-sama/{agreement.pk}/pindaian/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/")
    response = client.post(f"/kerja-sama/{agreement.pk}/akhiri/", {"reason": "x"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == S.DRAFT


def test_console_a_region_staff_session_cannot_reach_the_console(seed, make):
    staff = Client(HTTP_HOST="brebes.localhost")
    assert staff.post("/masuk/", {"username": "admin", "password": seed.password}).status_code == 302
    # The region session cookie is host-only and exists in brebes' schema: the root domain does not know it.
    root = Client(HTTP_HOST="localhost")
    root.cookies = staff.cookies
    assert root.get("/kerja-sama/").status_code == 302
    assert staff.get("/kerja-sama/").status_code == 404


def test_console_list_filters_and_its_queries_are_bounded(web, make, tegal, django_assert_max_num_queries):
    for _ in range(5):
        make()
    agreement_sign(agreement=make(number="TANDA/1"), actor=ACTOR)
    make(region=tegal, number="TGL/9")
    with django_assert_max_num_queries(12):
        page = web.get("/kerja-sama/")
    assert page.content.decode().count("/kerja-sama/") >= 7
    tegal_only = web.get("/kerja-sama/", {"region": "tegal"}).content.decode()
    assert "TGL/9" in tegal_only
    assert "TANDA/1" not in tegal_only
    signed = web.get("/kerja-sama/", {"status": "signed"}).content.decode()
    assert "TANDA/1" in signed
    assert "TGL/9" not in signed
    assert web.get("/kerja-sama/", {"status": "rusak", "halaman": "x"}).status_code == 200
    assert web.get("/kerja-sama/99999999999999999999999/").status_code == 404
    assert web.get("/kerja-sama/99999/pindaian/").status_code == 404
    assert web.get(f"/kerja-sama/{make(number='NOSCAN').pk}/pindaian/").status_code == 404


def test_console_pks_form_offers_the_mou_as_parent(web, make, today):
    mou = make(number="MOU/INDUK")
    page = web.get("/kerja-sama/baru/").content.decode()
    assert "MOU/INDUK" in page
    response = web.post(
        "/kerja-sama/baru/", form_data(today, kind="pks", parent=str(mou.pk), number="PKS/1", modules=["eoffice"])
    )
    assert response.status_code == 302
    assert Agreement.objects.get(number="PKS/1").parent == mou


# CLI ---------------------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


def test_cli_happy_path(brebes, today, tmp_path):
    scan = tmp_path / "mou-brebes.pdf"
    scan.write_bytes(PDF)
    out = run(
        "create",
        "--region", "brebes",
        "--kind", "mou",
        "--number", "119/001/MOU/2026",
        "--title", "Pemanfaatan e-Office dan e-Kinerja",
        "--valid-from", (today - timedelta(days=1)).isoformat(),
        "--valid-until", (today + timedelta(days=365)).isoformat(),
        "--module", "eoffice",
        "--module", "ekinerja",
        "--party", f"{TANGERANG}:pihak pertama",
        "--party", f"{BREBES}:pihak kedua",
        "--signatory", f"Sachrudin:Wali Kota Tangerang:{TANGERANG}",
        "--signatory", f"Paramitha:Bupati Brebes:{BREBES}",
        "--scan", str(scan),
    )  # fmt: skip
    agreement = Agreement.objects.get(number="119/001/MOU/2026")
    assert "dicatat sebagai draf" in out
    assert agreement.scan.name.startswith("brebes/")
    assert agreement.parties == PARTIES
    assert "119/001/MOU/2026" in run("list", "--region", "brebes")
    assert "Penandatanganan" in run("sign", str(agreement.pk))
    assert "berlaku" in run("activate", str(agreement.pk))
    assert "diakhiri" in run("terminate", str(agreement.pk), "--reason", "Uji CLI")
    agreement.refresh_from_db()
    assert agreement.status == S.TERMINATED
    assert agreement.terminated_by.startswith("cli:")
    assert "Sachrudin" in run("show", str(agreement.pk))


def test_cli_attaches_a_scan_and_warns_when_signing_without_one(make, tmp_path):
    agreement = make()
    assert "belum diunggah" in run("sign", str(agreement.pk))
    scan = tmp_path / "mou.pdf"
    scan.write_bytes(PDF)
    run("scan", str(agreement.pk), str(scan))
    agreement.refresh_from_db()
    assert agreement.scan.name.startswith("brebes/")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--region", "atlantis"], "Wilayah 'atlantis' tidak ditemukan."),
        (["sign", "424242"], "Kerja sama tidak ditemukan."),
        (["sign", "bukan-angka"], "Kerja sama tidak ditemukan."),
        (["terminate", "424242", "--reason", "x"], "Kerja sama tidak ditemukan."),
        (
            ["create", "--region", "brebes", "--kind", "mou", "--number", "A", "--title", "B", "--valid-from",
             "2026-05-01", "--valid-until", "2026-04-01", "--module", "eoffice", "--party", "X:satu", "--party",
             "Y:dua"],
            "[invalid_period]",
        ),
        (
            ["create", "--region", "brebes", "--kind", "mou", "--number", "A", "--title", "B", "--valid-from",
             "01-05-2026", "--valid-until", "2027-04-01"],
            "TTTT-BB-HH",
        ),
        (
            ["create", "--region", "brebes", "--kind", "mou", "--number", "A", "--title", "B", "--valid-from",
             "2026-05-01", "--valid-until", "2027-04-01", "--party", "tanpa-titik-dua"],
            "Nama : peran",
        ),
        (
            ["create", "--region", "brebes", "--kind", "mou", "--number", "A", "--title", "B", "--valid-from",
             "2026-05-01", "--valid-until", "2027-04-01", "--module", "eoffice", "--party", "X:satu", "--party",
             "Y:dua", "--scan", "/tidak/ada.pdf"],
            "tidak dapat dibuka",
        ),
    ],
)  # fmt: skip
def test_cli_errors_are_indonesian(seed, args, message):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert message in str(exc.value)
    assert not Agreement.objects.exists()


def test_cli_activating_a_draft_fails_with_the_transition_code(make):
    agreement = make()
    with pytest.raises(CommandError, match=r"\[invalid_transition\]"):
        run("activate", str(agreement.pk))


def test_cli_exits_non_zero_on_error(seed):
    proc = subprocess.run(
        [bin_path("mitra"), "agreement", "sign", "424242"],
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Kerja sama tidak ditemukan." in proc.stderr


def test_selector_lists_by_region(make, brebes, tegal):
    mine = make()
    make(region=tegal, number="TGL/2")
    assert list(agreement_list(region=brebes)) == [mine]
