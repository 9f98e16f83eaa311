"""Licences: issue, renew, extend, change modules, revoke, expire — through the services, the operators' API,
the console pages and the `mitra licence` command; every forbidden transition; seats."""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mitra.errors import DomainError
from shared_apps.audit.models import AuditRecord
from shared_apps.licensing import services
from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import (
    licence_allows,
    licence_current,
    licence_history,
    licences_expiring,
    licensed_module_codes,
    platform_today,
    region_today,
    seats_check,
)
from shared_apps.licensing.services import (
    LICENCE_TRANSITIONS,
    licence_expire_due,
    licence_extend,
    licence_issue,
    licence_modules_change,
    licence_renew,
    licence_revoke,
)
from shared_apps.onboarding.services import agreement_create, agreement_terminate
from tenant_apps import registry
from tenant_apps.org.roles import Role
from tenant_apps.org.services import account_upsert
from tenants.models import Region
from tests.fixtures.control import console, licensed, operator_api, pass_time, region, signed_agreement

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

S = Licence.Status
ACTOR = "operator:test"


def code_of(excinfo: pytest.ExceptionInfo) -> str:
    return excinfo.value.code


def with_ekinerja_depending_on_eoffice(monkeypatch) -> None:
    """Failure injection: today no module depends on another; pretend e-Kinerja needs e-Office."""
    specs = {spec.code: spec for spec in registry.all_modules()}
    specs["ekinerja"] = dataclasses.replace(specs["ekinerja"], depends_on=("eoffice",))
    monkeypatch.setattr(registry, "_modules", lambda: specs)


# --- issue ------------------------------------------------------------------------------------------------


def test_operator_issues_a_licence_within_the_signed_agreement(seed):
    licence = licensed("brebes", ["ekinerja", "eoffice"], seats=250)
    assert licence.status == S.ACTIVE
    assert licence.modules == ["ekinerja", "eoffice"]
    assert licence.seat_limit == 250
    assert licence_current(region=region("brebes")) == licence
    record = AuditRecord.objects.filter(action="licence.issue", target_id=str(licence.pk)).get()
    assert record.region == "brebes"
    assert record.actor == ACTOR
    assert record.after["modules"] == ["ekinerja", "eoffice"]


def test_licence_is_refused_without_a_signed_agreement(seed):
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("tegal"),
            modules=["eoffice"],
            seat_limit=10,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "no_signed_agreement"
    assert not Licence.objects.filter(region__slug="tegal").exists()


def test_a_draft_agreement_does_not_allow_a_licence(seed):
    target = region("tegal")
    today = region_today(target)
    agreement_create(
        region=target,
        kind="mou",
        number=f"MOU/draft/{uuid.uuid4().hex[:6]}",
        title="Draf",
        parties=[{"name": "A", "role": "1"}, {"name": "B", "role": "2"}],
        signatories=[],
        valid_from=today,
        valid_until=today + timedelta(days=400),
        modules=["eoffice"],
        actor=ACTOR,
    )
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=target,
            modules=["eoffice"],
            seat_limit=1,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "no_signed_agreement"


def test_a_terminated_agreement_no_longer_allows_a_licence(seed):
    agreement = signed_agreement("tegal", ["eoffice"])
    agreement_terminate(agreement=agreement, actor=ACTOR, reason="dibatalkan")
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("tegal"),
            modules=["eoffice"],
            seat_limit=1,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "no_signed_agreement"


def test_module_outside_the_agreement_scope_is_refused(seed):
    signed_agreement("brebes", ["eoffice"])
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("brebes"),
            modules=["eoffice", "ekinerja"],
            seat_limit=10,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "module_outside_agreement"
    assert "e-Kinerja" in exc.value.message
    assert exc.value.fields["modules"]


def test_unknown_module_and_empty_module_list_are_refused(seed):
    signed_agreement("brebes", ["eoffice"])
    today = platform_today()
    for modules, code in ((["laksa"], "unknown_module"), ([], "no_modules"), (["  "], "no_modules")):
        with pytest.raises(DomainError) as exc:
            licence_issue(
                region=region("brebes"),
                modules=modules,
                seat_limit=10,
                valid_from=today,
                valid_until=today + timedelta(days=30),
                actor=ACTOR,
            )
        assert code_of(exc) == code


def test_dependencies_of_licensed_modules_are_included(seed, monkeypatch):
    with_ekinerja_depending_on_eoffice(monkeypatch)
    signed_agreement("brebes", ["ekinerja", "eoffice"])
    today = platform_today()
    licence = licence_issue(
        region=region("brebes"),
        modules=["ekinerja"],
        seat_limit=10,
        valid_from=today,
        valid_until=today + timedelta(days=30),
        actor=ACTOR,
    )
    assert licence.modules == ["ekinerja", "eoffice"]


def test_a_dependency_outside_the_agreement_refuses_the_module(seed, monkeypatch):
    signed_agreement("brebes", ["ekinerja"])  # recorded before the dependency existed
    with_ekinerja_depending_on_eoffice(monkeypatch)
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("brebes"),
            modules=["ekinerja"],
            seat_limit=10,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "module_outside_agreement"


def test_a_second_active_licence_for_a_region_is_refused(seed):
    licensed("brebes", ["eoffice"])
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("brebes"),
            modules=["eoffice"],
            seat_limit=10,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "licence_already_active"
    assert Licence.objects.filter(region__slug="brebes").count() == 1


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (0, 0, "invalid_period"),
        (10, 5, "invalid_period"),
        (-30, -1, "period_in_past"),
        (0, 365 * 200, "invalid_period"),
    ],
)
def test_invalid_periods_are_refused(seed, start, end, code):
    signed_agreement("brebes", ["eoffice"])
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("brebes"),
            modules=["eoffice"],
            seat_limit=10,
            valid_from=today + timedelta(days=start),
            valid_until=today + timedelta(days=end),
            actor=ACTOR,
        )
    assert code_of(exc) == code
    assert "valid_until" in exc.value.fields


@pytest.mark.parametrize("seats", [0, -1, 10**9, True, "10", None])
def test_invalid_seat_limits_are_refused(seed, seats):
    signed_agreement("brebes", ["eoffice"])
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("brebes"),
            modules=["eoffice"],
            seat_limit=seats,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "invalid_seat_limit"


def test_a_terminated_region_gets_no_licence(seed):
    signed_agreement("tegal", ["eoffice"])
    Region.objects.filter(slug="tegal").update(status=Region.Status.TERMINATED)
    today = platform_today()
    with pytest.raises(DomainError) as exc:
        licence_issue(
            region=region("tegal"),
            modules=["eoffice"],
            seat_limit=1,
            valid_from=today,
            valid_until=today + timedelta(days=30),
            actor=ACTOR,
        )
    assert code_of(exc) == "region_terminated"


# --- renew, extend, modules, revoke ----------------------------------------------------------------------


def test_renewal_creates_a_new_licence_and_keeps_the_old_one_as_history(seed):
    old = licensed("brebes", ["eoffice"], seats=50, days=20)
    new = licence_renew(licence=old, valid_until=old.valid_until + timedelta(days=365), seat_limit=80, actor=ACTOR)
    old.refresh_from_db()
    assert old.status == S.SUPERSEDED
    assert new.status == S.ACTIVE
    assert new.previous == old
    assert new.modules == ["eoffice"]
    assert new.seat_limit == 80
    assert new.valid_from == region_today(region("brebes"))
    assert licence_current(region=region("brebes")) == new
    assert licence_history(licence=old) == licence_history(licence=new) == [old, new]
    actions = set(AuditRecord.objects.filter(region="brebes", target_type="licence").values_list("action", flat=True))
    assert {"licence.issue", "licence.supersede", "licence.renew"} <= actions


def test_renewal_keeps_the_seat_limit_unless_given(seed):
    old = licensed("brebes", ["eoffice"], seats=50)
    new = licence_renew(licence=old, valid_until=old.valid_until + timedelta(days=30), actor=ACTOR)
    assert new.seat_limit == 50


def test_renewal_must_end_later_than_the_old_licence(seed):
    old = licensed("brebes", ["eoffice"])
    with pytest.raises(DomainError) as exc:
        licence_renew(licence=old, valid_until=old.valid_until, actor=ACTOR)
    assert code_of(exc) == "invalid_period"
    old.refresh_from_db()
    assert old.status == S.ACTIVE


def test_an_expired_licence_can_be_renewed(seed):
    old = licensed("brebes", ["eoffice"])
    today = platform_today()
    pass_time(old, valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=5))
    assert licence_expire_due() == 1
    old.refresh_from_db()
    assert old.status == S.EXPIRED
    new = licence_renew(licence=old, valid_until=today + timedelta(days=365), actor=ACTOR)
    assert new.valid_from == region_today(region("brebes"))
    assert licence_allows(schema_name="brebes", module_code="eoffice")


def test_renewing_an_expired_licence_is_refused_when_another_is_active(seed):
    old = licensed("brebes", ["eoffice"])
    today = platform_today()
    pass_time(old, valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=5))
    licence_expire_due()
    fresh = licence_issue(
        region=region("brebes"),
        modules=["eoffice"],
        seat_limit=5,
        valid_from=today,
        valid_until=today + timedelta(days=30),
        actor=ACTOR,
    )
    old.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        licence_renew(licence=old, valid_until=today + timedelta(days=365), actor=ACTOR)
    assert code_of(exc) == "licence_already_active"
    assert licence_current(region=region("brebes")) == fresh


def test_extension_moves_the_end_of_the_active_licence(seed):
    licence = licensed("brebes", ["eoffice"])
    before = licence.valid_until
    extended = licence_extend(licence=licence, valid_until=before + timedelta(days=90), actor=ACTOR)
    assert extended.pk == licence.pk
    assert extended.valid_until == before + timedelta(days=90)
    record = AuditRecord.objects.get(action="licence.extend", target_id=str(licence.pk))
    assert record.before["valid_until"] == before.isoformat()


def test_extension_must_end_later(seed):
    licence = licensed("brebes", ["eoffice"])
    for until in (licence.valid_until, licence.valid_until - timedelta(days=1), date(2200, 1, 1)):
        with pytest.raises(DomainError) as exc:
            licence_extend(licence=licence, valid_until=until, actor=ACTOR)
        assert code_of(exc) == "invalid_period"


def test_extension_is_refused_once_the_agreement_is_terminated(seed):
    licence = licensed("brebes", ["eoffice"])
    from shared_apps.onboarding.models import Agreement

    agreement_terminate(agreement=Agreement.objects.get(region__slug="brebes"), actor=ACTOR, reason="berakhir")
    with pytest.raises(DomainError) as exc:
        licence_extend(licence=licence, valid_until=licence.valid_until + timedelta(days=1), actor=ACTOR)
    assert code_of(exc) == "no_signed_agreement"


def test_modules_are_added_and_removed_within_the_agreement(seed):
    licence = licensed("brebes", ["eoffice"], scope=["eoffice", "ekinerja"])
    licence = licence_modules_change(licence=licence, add=["ekinerja"], actor=ACTOR)
    assert licence.modules == ["ekinerja", "eoffice"]
    assert licensed_module_codes(schema_name="brebes") == {"ekinerja", "eoffice"}
    licence = licence_modules_change(licence=licence, remove=["eoffice"], actor=ACTOR)
    assert licence.modules == ["ekinerja"]
    record = AuditRecord.objects.filter(action="licence.modules", target_id=str(licence.pk)).last()
    assert record.before["modules"] == ["ekinerja", "eoffice"]
    assert record.after["modules"] == ["ekinerja"]


@pytest.mark.parametrize(
    ("add", "remove", "code"),
    [
        (["ekinerja"], [], "module_outside_agreement"),
        ([], ["eoffice"], "no_modules"),
        ([], ["ekinerja"], "module_not_in_licence"),
        (["laksa"], [], "unknown_module"),
        ([], [], "no_change"),
        (["eoffice"], [], "no_change"),
        (["eoffice"], ["eoffice"], "conflicting_change"),
    ],
)
def test_invalid_module_changes_are_refused(seed, add, remove, code):
    licence = licensed("brebes", ["eoffice"])
    with pytest.raises(DomainError) as exc:
        licence_modules_change(licence=licence, add=add, remove=remove, actor=ACTOR)
    assert code_of(exc) == code
    licence.refresh_from_db()
    assert licence.modules == ["eoffice"]


def test_a_module_another_one_depends_on_cannot_be_removed(seed, monkeypatch):
    with_ekinerja_depending_on_eoffice(monkeypatch)
    licence = licensed("brebes", ["ekinerja", "eoffice"])
    with pytest.raises(DomainError) as exc:
        licence_modules_change(licence=licence, remove=["eoffice"], actor=ACTOR)
    assert code_of(exc) == "module_required"


def test_revocation_needs_a_reason_and_closes_the_licence(seed):
    licence = licensed("brebes", ["eoffice"])
    with pytest.raises(DomainError) as exc:
        licence_revoke(licence=licence, reason="   ", actor=ACTOR)
    assert code_of(exc) == "reason_required"
    revoked = licence_revoke(licence=licence, reason="Tunggakan pembayaran", actor=ACTOR)
    assert revoked.status == S.REVOKED
    assert revoked.reason == "Tunggakan pembayaran"
    assert licence_current(region=region("brebes")) is None
    assert not licence_allows(schema_name="brebes", module_code="eoffice")


def test_licences_past_their_end_are_expired_once(seed):
    licence = licensed("brebes", ["eoffice"])
    running = licensed("tegal", ["eoffice"])
    today = platform_today()
    pass_time(licence, valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=1))
    assert licence_expire_due() == 1
    assert licence_expire_due() == 0
    licence.refresh_from_db()
    running.refresh_from_db()
    assert licence.status == S.EXPIRED
    assert running.status == S.ACTIVE
    assert AuditRecord.objects.filter(action="licence.expired", target_id=str(licence.pk)).exists()


def test_the_expiry_task_runs_the_service(seed):
    from shared_apps.licensing.tasks import expire_licences

    licence = licensed("brebes", ["eoffice"])
    today = platform_today()
    pass_time(licence, valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=1))
    assert expire_licences.apply().get() == 1


# --- forbidden transitions -------------------------------------------------------------------------------


def _licence_in(status: str) -> Licence:
    licence = licensed("brebes", ["eoffice"])
    if status == S.SUPERSEDED:
        licence_renew(licence=licence, valid_until=licence.valid_until + timedelta(days=1), actor=ACTOR)
    elif status == S.REVOKED:
        licence_revoke(licence=licence, reason="uji", actor=ACTOR)
    elif status == S.EXPIRED:
        today = platform_today()
        pass_time(licence, valid_from=today - timedelta(days=60), valid_until=today - timedelta(days=1))
        licence_expire_due()
    licence.refresh_from_db()
    assert licence.status == status
    return licence


@pytest.mark.parametrize(
    ("start", "target"),
    [(a, b) for a, b in itertools.product(S.values, S.values) if b not in LICENCE_TRANSITIONS[a]],
)
def test_every_forbidden_status_change_is_refused(seed, start, target):
    licence = _licence_in(start)
    with pytest.raises(services.LicenceTransitionError) as exc:
        services._transition(licence=licence, to=target, actor=ACTOR)
    assert code_of(exc) == "invalid_transition"
    licence.refresh_from_db()
    assert licence.status == start


@pytest.mark.parametrize("status", [S.SUPERSEDED, S.REVOKED, S.EXPIRED])
def test_only_an_active_licence_can_be_revoked_extended_or_have_modules_changed(seed, status):
    licence = _licence_in(status)
    with pytest.raises(DomainError) as exc:
        licence_revoke(licence=licence, reason="lagi", actor=ACTOR)
    assert code_of(exc) == "invalid_transition"
    with pytest.raises(DomainError) as exc:
        licence_extend(licence=licence, valid_until=licence.valid_until + timedelta(days=400), actor=ACTOR)
    assert code_of(exc) == "licence_not_active"
    with pytest.raises(DomainError) as exc:
        licence_modules_change(licence=licence, remove=["eoffice"], actor=ACTOR)
    assert code_of(exc) == "licence_not_active"


@pytest.mark.parametrize("status", [S.SUPERSEDED, S.REVOKED])
def test_superseded_and_revoked_licences_cannot_be_renewed(seed, status):
    licence = _licence_in(status)
    with pytest.raises(DomainError) as exc:
        licence_renew(licence=licence, valid_until=licence.valid_until + timedelta(days=400), actor=ACTOR)
    assert code_of(exc) == "invalid_transition"


# --- reads ------------------------------------------------------------------------------------------------


def test_licence_covers_only_its_period_and_its_region(seed):
    licence = licensed("brebes", ["eoffice"])
    today = platform_today()
    assert licence_allows(schema_name="brebes", module_code="eoffice")
    assert not licence_allows(schema_name="brebes", module_code="ekinerja")
    # Tegal cannot use Brebes's licence.
    assert not licence_allows(schema_name="tegal", module_code="eoffice")
    assert licensed_module_codes(schema_name="tegal") == frozenset()
    assert not licence_allows(schema_name="brebes", module_code="eoffice", on=today - timedelta(days=1))
    assert not licence_allows(schema_name="brebes", module_code="eoffice", on=licence.valid_until + timedelta(days=1))
    assert licence_allows(schema_name="brebes", module_code="eoffice", on=licence.valid_until)


def test_the_licensed_modules_are_read_in_one_query(seed):
    licensed("brebes", ["eoffice"])
    with CaptureQueriesContext(connection) as queries:
        assert licensed_module_codes(schema_name="brebes") == {"eoffice"}
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(statements) == 1, statements


def test_licences_expiring_within_30_days_are_listed(seed):
    soon = licensed("brebes", ["eoffice"], days=10)
    later = licensed("tegal", ["eoffice"], days=40)
    rows = list(licences_expiring(within_days=30))
    assert soon in rows
    assert later not in rows
    licence_revoke(licence=soon, reason="uji", actor=ACTOR)
    assert soon not in list(licences_expiring(within_days=30))


# --- seats ------------------------------------------------------------------------------------------------


def _create_account(username: str):
    return account_upsert(
        username=username, password=seed_password(), full_name="Pegawai Baru", roles=[Role.STAFF], actor=ACTOR
    )


def seed_password() -> str:
    from tests.fixtures.processes import PASSWORD

    return PASSWORD


def test_creating_an_account_beyond_the_seat_limit_is_refused_and_creates_nothing(seed):
    licensed("brebes", ["eoffice"], seats=3)  # Brebes already has 2 accounts
    with schema_context("brebes"):
        _create_account("pegawai1")
        with pytest.raises(DomainError) as exc:
            _create_account("pegawai2")
        assert code_of(exc) == "seat_limit_exceeded"
        assert "3" in exc.value.message
        assert not get_user_model().objects.filter(username="pegawai2").exists()
        assert not AuditRecord.objects.filter(action="account.create", after__username="pegawai2").exists()
        # Updating an existing account takes no seat.
        _create_account("pegawai1")


def test_inactive_accounts_do_not_take_seats(seed):
    licensed("brebes", ["eoffice"], seats=2)
    with schema_context("brebes"):
        get_user_model().objects.filter(username="staf").update(is_active=False)
        _create_account("pengganti")
        assert get_user_model().objects.filter(username="pengganti").exists()


def test_seats_are_not_limited_before_a_region_has_any_licence(seed):
    with schema_context("tegal"):
        _create_account("persiapan")
        seats_check(schema_name="tegal", adding=10_000)


def test_a_region_whose_licence_was_revoked_cannot_add_accounts(seed):
    licence = licensed("brebes", ["eoffice"], seats=100)
    licence_revoke(licence=licence, reason="uji", actor=ACTOR)
    with schema_context("brebes"), pytest.raises(DomainError) as exc:
        _create_account("terlambat")
    assert code_of(exc) == "no_active_licence"


def test_seat_check_counts_a_bulk_import(seed):
    licensed("brebes", ["eoffice"], seats=10)
    seats_check(schema_name="brebes", adding=8)
    with pytest.raises(DomainError) as exc:
        seats_check(schema_name="brebes", adding=9)
    assert code_of(exc) == "seat_limit_exceeded"


# --- API --------------------------------------------------------------------------------------------------


def _issue_body(**overrides):
    today = platform_today()
    body = {
        "region": "brebes",
        "modules": ["eoffice"],
        "seat_limit": 100,
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }
    body.update(overrides)
    return body


def test_operator_runs_the_whole_licence_journey_through_the_api(seed):
    signed_agreement("brebes", ["eoffice", "ekinerja"])
    api = operator_api()
    response = api.post("/api/v1/licences/issue/", _issue_body(), format="json")
    assert response.status_code == 201, response.json()
    first = response.json()
    assert first["region"] == "brebes"
    assert first["status"] == "active"
    assert first["modules"] == ["eoffice"]
    lid = first["id"]

    response = api.post(f"/api/v1/licences/{lid}/modules/", {"add": ["ekinerja"]}, format="json")
    assert response.status_code == 200
    assert response.json()["modules"] == ["ekinerja", "eoffice"]

    until = date.fromisoformat(first["valid_until"]) + timedelta(days=30)
    response = api.post(f"/api/v1/licences/{lid}/extend/", {"valid_until": until.isoformat()}, format="json")
    assert response.status_code == 200
    assert response.json()["valid_until"] == until.isoformat()

    later = until + timedelta(days=365)
    response = api.post(
        f"/api/v1/licences/{lid}/renew/", {"valid_until": later.isoformat(), "seat_limit": 150}, format="json"
    )
    assert response.status_code == 201
    renewed = response.json()
    assert renewed["previous"] == lid
    assert renewed["seat_limit"] == 150
    assert [h["status"] for h in renewed["history"]] == ["superseded", "active"]

    response = api.get(f"/api/v1/licences/{renewed['id']}/")
    assert response.status_code == 200
    assert response.json()["history"][0]["id"] == lid

    response = api.get("/api/v1/licences/", {"region": "brebes"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [renewed["id"], lid]
    assert api.get("/api/v1/licences/", {"status": "superseded"}).json()["count"] == 1

    response = api.post(f"/api/v1/licences/{renewed['id']}/revoke/", {"reason": "MoU diakhiri"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert not licence_allows(schema_name="brebes", module_code="eoffice")


def test_api_lists_licences_expiring_soon(seed):
    soon = licensed("brebes", ["eoffice"], days=12)
    licensed("tegal", ["eoffice"], days=200)
    response = operator_api().get("/api/v1/licences/expiring/")
    assert response.status_code == 200
    assert [(row["id"], row["days_left"]) for row in response.json()] == [(soon.pk, 12)]
    assert len(operator_api().get("/api/v1/licences/expiring/", {"within_days": 365}).json()) == 2
    assert operator_api().get("/api/v1/licences/", {"expiring_within": 30}).json()["count"] == 1


@pytest.mark.parametrize(
    ("overrides", "http", "code"),
    [
        ({"modules": ["ekinerja"]}, 400, "module_outside_agreement"),
        ({"modules": ["laksa"]}, 400, "unknown_module"),
        ({"modules": []}, 400, "no_modules"),
        ({"seat_limit": 0}, 400, "invalid_seat_limit"),
        ({"seat_limit": 10**30}, 400, "invalid_seat_limit"),
        ({"valid_until": "2000-01-01"}, 400, "invalid_period"),
        ({"region": "entah"}, 400, "region_not_found"),
        ({"region": "tegal"}, 409, "no_signed_agreement"),
        ({"modules": "eoffice"}, 400, "invalid"),
        ({"seat_limit": "banyak"}, 400, "invalid"),
        ({"valid_from": "31-12-2026"}, 400, "invalid"),
        ({"region": None}, 400, "invalid"),
        ({"modules": ["x" * 5000]}, 400, "invalid"),
    ],
)
def test_api_refuses_bad_input_with_stable_codes(seed, overrides, http, code):
    signed_agreement("brebes", ["eoffice"])
    response = operator_api().post("/api/v1/licences/issue/", _issue_body(**overrides), format="json")
    assert response.status_code == http, response.content
    assert response.json()["error"]["code"] == code
    assert not Licence.objects.exists()


def test_api_field_errors_name_the_field(seed):
    signed_agreement("brebes", ["eoffice"])
    response = operator_api().post("/api/v1/licences/issue/", _issue_body(seat_limit=0), format="json")
    assert response.json()["error"]["fields"]["seat_limit"][0]["code"] == "invalid_seat_limit"


def test_api_answers_malformed_json_and_unknown_ids_without_a_500(seed):
    api = operator_api()
    response = api.post("/api/v1/licences/issue/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    for path in ("/api/v1/licences/999999/", f"/api/v1/licences/{2**70}/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "licence_not_found"
    response = api.post("/api/v1/licences/999999/revoke/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert api.get("/api/v1/licences/", {"expiring_within": "-5"}).status_code == 400
    assert api.get("/api/v1/licences/", {"status": "bogus"}).status_code == 400


def test_api_conflicts_have_stable_codes(seed):
    licence = licensed("brebes", ["eoffice"])
    api = operator_api()
    response = api.post("/api/v1/licences/issue/", _issue_body(), format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "licence_already_active"
    api.post(f"/api/v1/licences/{licence.pk}/revoke/", {"reason": "uji"}, format="json")
    response = api.post(f"/api/v1/licences/{licence.pk}/revoke/", {"reason": "lagi"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    response = api.post(f"/api/v1/licences/{licence.pk}/extend/", {"valid_until": "2090-01-01"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "licence_not_active"
    response = api.post(f"/api/v1/licences/{licence.pk}/revoke/", {"reason": ""}, format="json")
    assert response.status_code == 400


def test_viewer_reads_licences_but_cannot_change_them(seed):
    licence = licensed("brebes", ["eoffice"])
    api = operator_api("pemantau")
    assert api.get("/api/v1/licences/").status_code == 200
    assert api.get(f"/api/v1/licences/{licence.pk}/").status_code == 200
    for path, body in (
        ("/api/v1/licences/issue/", _issue_body()),
        (f"/api/v1/licences/{licence.pk}/revoke/", {"reason": "x"}),
        (f"/api/v1/licences/{licence.pk}/extend/", {"valid_until": "2090-01-01"}),
        (f"/api/v1/licences/{licence.pk}/renew/", {"valid_until": "2090-01-01"}),
        (f"/api/v1/licences/{licence.pk}/modules/", {"add": ["ekinerja"]}),
    ):
        response = api.post(path, body, format="json")
        assert response.status_code == 403, path
    licence.refresh_from_db()
    assert licence.status == S.ACTIVE


def test_anonymous_callers_get_401(seed):
    response = APIClient(HTTP_HOST="localhost").get("/api/v1/licences/")
    assert response.status_code == 401


def test_a_brebes_token_cannot_call_the_licences_api(seed):
    licence = licensed("brebes", ["eoffice"])
    with schema_context("brebes"):
        token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username="admin"))
    root = APIClient(HTTP_HOST="localhost")
    root.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert root.get("/api/v1/licences/").status_code == 401
    assert root.post(f"/api/v1/licences/{licence.pk}/revoke/", {"reason": "x"}, format="json").status_code == 401
    # On its own host the licences API does not exist.
    own = APIClient(HTTP_HOST="brebes.localhost")
    own.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert own.get("/api/v1/licences/").status_code == 404
    licence.refresh_from_db()
    assert licence.status == S.ACTIVE


def test_licences_are_in_the_openapi_schema(seed):
    response = operator_api().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/licences/{id}/renew/" in response.content


# --- console ----------------------------------------------------------------------------------------------


def test_console_issue_form_offers_only_the_agreement_modules(seed):
    signed_agreement("brebes", ["eoffice"])
    client = console(seed)
    page = client.get("/lisensi/terbitkan/", {"region": "brebes"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="eoffice"' in html
    assert 'value="ekinerja"' not in html
    page = client.get("/lisensi/terbitkan/", {"region": "tegal"})
    assert "belum memiliki perjanjian kerja sama" in page.content.decode()


def test_operator_issues_renews_extends_changes_and_revokes_in_the_console(seed):
    signed_agreement("brebes", ["eoffice", "ekinerja"])
    client = console(seed)
    today = platform_today()
    response = client.post(
        "/lisensi/terbitkan/",
        {
            "region": "brebes",
            "modules": ["eoffice"],
            "seat_limit": "120",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302
    licence = Licence.objects.get(region__slug="brebes")
    assert response["Location"] == f"/lisensi/{licence.pk}/"
    page = client.get(response["Location"])
    assert "Lisensi untuk Kabupaten Brebes diterbitkan." in page.content.decode()
    assert "Cabut lisensi" in page.content.decode()

    response = client.post(f"/lisensi/{licence.pk}/modul/", {"modules": ["eoffice", "ekinerja"]})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.modules == ["ekinerja", "eoffice"]

    until = licence.valid_until + timedelta(days=10)
    assert client.post(f"/lisensi/{licence.pk}/perpanjang/", {"valid_until": until.isoformat()}).status_code == 302
    licence.refresh_from_db()
    assert licence.valid_until == until

    response = client.post(
        f"/lisensi/{licence.pk}/perbarui/", {"valid_until": (until + timedelta(days=365)).isoformat()}
    )
    assert response.status_code == 302
    new = Licence.objects.get(region__slug="brebes", status=S.ACTIVE)
    assert new.previous_id == licence.pk
    page = client.get(f"/lisensi/{new.pk}/").content.decode()
    assert "Riwayat lisensi" in page
    assert f'href="/lisensi/{licence.pk}/"' in page
    assert "licence.renew" in page

    assert client.post(f"/lisensi/{new.pk}/cabut/", {"reason": "MoU diakhiri"}).status_code == 302
    new.refresh_from_db()
    assert new.status == S.REVOKED


def test_console_shows_refusals_on_the_form_and_changes_nothing(seed):
    licence = licensed("brebes", ["eoffice"])
    client = console(seed)
    response = client.post(f"/lisensi/{licence.pk}/cabut/", {"reason": ""})
    assert response.status_code == 200
    assert "Bidang ini harus diisi." in response.content.decode()
    response = client.post(f"/lisensi/{licence.pk}/perpanjang/", {"valid_until": licence.valid_until.isoformat()})
    assert response.status_code == 200
    assert "Tanggal akhir baru harus sesudah" in response.content.decode()
    today = platform_today()
    response = client.post(
        "/lisensi/terbitkan/",
        {
            "region": "brebes",
            "modules": ["eoffice"],
            "seat_limit": "10",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "sudah memiliki lisensi aktif" in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == S.ACTIVE
    assert Licence.objects.count() == 1


def test_console_list_warns_about_licences_ending_within_30_days(seed):
    licensed("brebes", ["eoffice"], days=12)
    licensed("tegal", ["eoffice"], days=200)
    page = console(seed).get("/lisensi/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lisensi akan berakhir dalam 12 hari" in html
    assert html.count('class="expiring"') == 1
    assert "Kabupaten Tegal" in html
    filtered = console(seed).get("/lisensi/", {"region": "tegal"}).content.decode()
    assert "<td>Kabupaten Brebes</td>" not in filtered
    assert "<td>Kabupaten Tegal</td>" in filtered


def test_console_list_page_queries_do_not_grow_with_the_rows(seed):
    brebes = licensed("brebes", ["eoffice"], days=12)
    licensed("tegal", ["eoffice"], days=20)
    client = console(seed)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/lisensi/").status_code == 200
        return len([q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")])

    few = count()
    for _ in range(3):
        brebes = licence_renew(licence=brebes, valid_until=brebes.valid_until + timedelta(days=30), actor=ACTOR)
    assert Licence.objects.count() == 5
    assert count() == few <= 8


def test_viewer_reads_the_console_pages_but_gets_no_actions(seed):
    licence = licensed("brebes", ["eoffice"])
    client = console(seed, "pemantau")
    assert client.get("/lisensi/").status_code == 200
    page = client.get(f"/lisensi/{licence.pk}/")
    assert page.status_code == 200
    assert "Cabut lisensi" not in page.content.decode()
    assert client.get("/lisensi/terbitkan/").status_code == 403
    assert client.post(f"/lisensi/{licence.pk}/cabut/", {"reason": "x"}).status_code == 403
    licence.refresh_from_db()
    assert licence.status == S.ACTIVE


def test_console_pages_need_an_operator_login_and_exist_only_on_the_root_domain(seed):
    licence = licensed("brebes", ["eoffice"])
    assert Client(HTTP_HOST="localhost").get("/lisensi/").status_code == 302
    assert Client(HTTP_HOST="localhost").get("/lisensi/999999/").status_code == 302
    assert console(seed).get("/lisensi/999999/").status_code == 404
    region_client = Client(HTTP_HOST="brebes.localhost")
    region_client.post("/masuk/", {"username": "admin", "password": seed.password})
    assert region_client.get(f"/lisensi/{licence.pk}/").status_code == 404


# --- CLI --------------------------------------------------------------------------------------------------


def _cli(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("licence", *args, stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def test_cli_runs_the_licence_journey(seed):
    signed_agreement("brebes", ["eoffice", "ekinerja"])
    today = platform_today()
    out = _cli(
        "issue",
        "brebes",
        "--modules",
        "eoffice",
        "--seats",
        "40",
        "--from",
        today.isoformat(),
        "--until",
        (today + timedelta(days=100)).isoformat(),
    )
    licence = Licence.objects.get(region__slug="brebes")
    assert f"Lisensi #{licence.pk} diterbitkan untuk Kabupaten Brebes." in out
    assert "brebes" in _cli("list", "--region", "brebes")
    assert "ekinerja, eoffice" in _cli("modules", str(licence.pk), "--add", "ekinerja")
    _cli("extend", str(licence.pk), "--until", (today + timedelta(days=200)).isoformat())
    out = _cli("renew", str(licence.pk), "--until", (today + timedelta(days=500)).isoformat(), "--seats", "60")
    new = Licence.objects.get(region__slug="brebes", status=S.ACTIVE)
    assert f"#{new.pk} menggantikan #{licence.pk}" in out
    assert "dicabut" in _cli("revoke", str(new.pk), "--reason", "uji CLI")
    assert AuditRecord.objects.get(action="licence.revoked", target_id=str(new.pk)).actor.startswith("cli:")


def test_cli_errors_are_indonesian(seed):
    today = platform_today()
    with pytest.raises(CommandError, match="belum memiliki perjanjian kerja sama"):
        _cli(
            "issue",
            "tegal",
            "--modules",
            "eoffice",
            "--seats",
            "5",
            "--from",
            today.isoformat(),
            "--until",
            "2090-01-01",
        )
    with pytest.raises(CommandError, match="Wilayah 'entah' tidak ditemukan"):
        _cli("issue", "entah", "--modules", "eoffice", "--seats", "5", "--from", "2026-01-01", "--until", "2090-01-01")
    with pytest.raises(CommandError, match="Tanggal tidak sah"):
        _cli("issue", "brebes", "--modules", "eoffice", "--seats", "5", "--from", "kemarin", "--until", "2090-01-01")
    with pytest.raises(CommandError, match="Lisensi tidak ditemukan"):
        _cli("revoke", "abc", "--reason", "x")
