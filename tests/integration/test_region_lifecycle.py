"""Registering and provisioning regions; every status transition, allowed and forbidden."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_exists

from shared_apps.audit.models import AuditRecord
from tenants.models import Domain, Region
from tenants.services import (
    REGION_TRANSITIONS,
    InvalidTransitionError,
    region_provision,
    region_register,
    region_transition,
)
from tenants.services import provisioning as services
from tests.fixtures.processes import drop_region

pytestmark = [pytest.mark.integration]
S = Region.Status


@pytest.fixture
def scratch(committed_db):
    """Kota Tegal, registered for real (committed) and removed with its schema afterwards."""
    drop_region("kota-tegal")
    yield
    drop_region("kota-tegal")


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


@pytest.mark.django_db
def test_registration_takes_name_kind_province_and_timezone_from_the_code(seed):
    region = region_register(slug="kota-tegal", region_code="33.76", actor="operator:uji")
    assert (region.official_name, region.kind, region.province_code, region.timezone) == (
        "Kota Tegal",
        "kota",
        "33",
        "Asia/Jakarta",
    )
    assert region.schema_name == "kota_tegal"
    assert region.status == S.PENDING
    assert AuditRecord.objects.filter(action="region.register", target_id="kota_tegal").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"slug": "brebes", "region_code": "33.76"}, {"slug": ["duplicate_subdomain"]}),
        ({"slug": "brebes2", "region_code": "33.29"}, {"region_code": ["duplicate_region"]}),
        ({"slug": "admin", "region_code": "33.76"}, {"slug": ["reserved_subdomain"]}),
        ({"slug": "Kota Tegal", "region_code": "33.76"}, {"slug": ["invalid_subdomain"]}),
        ({"slug": "entah", "region_code": "99.99"}, {"region_code": ["unknown_region_code"]}),
        (
            {"slug": "kotategal", "region_code": "33.76", "official_name": "Kota Brebes"},
            {"official_name": ["name_mismatch"]},
        ),
    ],
)
def test_bad_registrations_are_refused_with_stable_codes(seed, kwargs, expected):
    with pytest.raises(ValidationError) as exc:
        region_register(actor="operator:uji", **kwargs)
    assert _codes(exc.value) == expected
    assert not Region.objects.filter(slug=kwargs["slug"]).exclude(schema_name__in=["brebes", "tegal"]).exists()


def test_provisioning_creates_schema_domain_and_activates(scratch):
    region = region_register(slug="kota-tegal", region_code="33.76", actor="operator:uji")
    region_provision(region=region, actor="operator:uji")
    assert region.status == S.ACTIVE
    assert schema_exists("kota_tegal")
    assert Domain.objects.get(tenant=region).domain == "kota-tegal.localhost"
    # Idempotent: provisioning an active region changes nothing.
    region_provision(region=region, actor="operator:uji")
    assert Domain.objects.filter(tenant=region).count() == 1


@pytest.mark.parametrize("failing_step", ["migrate", "domain", "activate"])
def test_failed_provisioning_leaves_nothing_half_made_and_can_be_retried(scratch, monkeypatch, failing_step):
    region = region_register(slug="kota-tegal", region_code="33.76", actor="operator:uji")
    real_call_command, real_get_or_create = services.call_command, Domain.objects.get_or_create
    real_transition = services.region_transition

    # Injected faults: each stands for a crash at that step (a real one cannot be provoked on demand).
    def broken_call_command(*args, **kwargs):
        raise RuntimeError("migrasi gagal (uji)")

    def broken_domain(*args, **kwargs):
        raise RuntimeError("domain gagal (uji)")

    def broken_activate(*, region, to, actor, reason=""):
        if to == S.ACTIVE:
            raise RuntimeError("aktivasi gagal (uji)")
        return real_transition(region=region, to=to, actor=actor, reason=reason)

    if failing_step == "migrate":
        monkeypatch.setattr(services, "call_command", broken_call_command)
    elif failing_step == "domain":
        monkeypatch.setattr(Domain.objects, "get_or_create", broken_domain)
    else:
        monkeypatch.setattr(services, "region_transition", broken_activate)

    with pytest.raises(RuntimeError, match="gagal"):
        region_provision(region=region, actor="operator:uji")
    region.refresh_from_db()
    assert region.status == S.FAILED
    assert "gagal (uji)" in region.status_reason
    assert not schema_exists("kota_tegal")
    assert not Domain.objects.filter(tenant=region).exists()

    monkeypatch.setattr(services, "call_command", real_call_command)
    monkeypatch.setattr(Domain.objects, "get_or_create", real_get_or_create)
    monkeypatch.setattr(services, "region_transition", real_transition)
    region_provision(region=region, actor="operator:uji")
    assert region.status == S.ACTIVE
    assert schema_exists("kota_tegal")


ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "target"), ALL_PAIRS)
def test_every_status_transition_is_allowed_or_refused_by_the_table(seed, start, target):
    region = region_register(slug="kota-tegal", region_code="33.76", actor="operator:uji")
    Region.objects.filter(pk=region.pk).update(status=start)
    region.refresh_from_db()
    if target in REGION_TRANSITIONS[start]:
        region_transition(region=region, to=target, actor="operator:uji")
        region.refresh_from_db()
        assert region.status == target
        assert AuditRecord.objects.filter(action=f"region.{target}", target_id="kota_tegal").exists()
    else:
        with pytest.raises(InvalidTransitionError):
            region_transition(region=region, to=target, actor="operator:uji")
        region.refresh_from_db()
        assert region.status == start
