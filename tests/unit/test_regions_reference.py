"""Region names and codes: the Kemendagri reference data and what a subdomain or schema may be."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tenants.models import schema_name_for_slug, validate_schema_name, validate_slug
from tenants.wilayah import all_wilayah, wilayah_get

pytestmark = pytest.mark.unit


def test_reference_data_lists_the_552_regional_governments():
    regions = all_wilayah()
    assert len(regions) == 552
    assert sum(1 for w in regions.values() if w.kind == "provinsi") == 38
    assert sum(1 for w in regions.values() if w.kind == "kota") == 98
    assert sum(1 for w in regions.values() if w.kind == "kabupaten") == 416


@pytest.mark.parametrize(
    ("code", "name", "kind", "tz"),
    [
        ("33.29", "Kabupaten Brebes", "kabupaten", "Asia/Jakarta"),
        ("36.71", "Kota Tangerang", "kota", "Asia/Jakarta"),
        ("51", "Provinsi Bali", "provinsi", "Asia/Makassar"),
        ("62.01", None, "kabupaten", "Asia/Jakarta"),  # Kalimantan Tengah is on WIB
        ("94.01", None, "kabupaten", "Asia/Jayapura"),
    ],
)
def test_reference_gives_name_kind_and_timezone(code, name, kind, tz):
    wilayah = wilayah_get(code)
    assert wilayah is not None
    if name:
        assert wilayah.name == name
    assert (wilayah.kind, wilayah.timezone) == (kind, tz)


def test_unknown_code_is_not_found():
    assert wilayah_get("99.99") is None


@pytest.mark.parametrize("slug", ["brebes", "kota-tangerang", "a1", "x"])
def test_valid_subdomains(slug):
    validate_slug(slug)
    validate_schema_name(schema_name_for_slug(slug))


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "Brebes",
        "1brebes",
        "brebes-",
        "-brebes",
        "bre_bes",
        "bre.bes",
        "brebes kab",
        "a" * 41,
        "public",
        "www",
        "admin",
        "api",
        "information_schema",
    ],
)
def test_malformed_or_reserved_subdomains_are_refused(slug):
    with pytest.raises(ValidationError):
        validate_slug(slug)


@pytest.mark.parametrize("schema", ["pg_catalog", "pg_toast", "public", "Brebes", "brebes;drop", ""])
def test_unsafe_schema_names_are_refused(schema):
    with pytest.raises(ValidationError):
        validate_schema_name(schema)
