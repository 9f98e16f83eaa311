"""Reads about regions."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from tenants.models import Region


class RegionNotFoundError(LookupError):
    code = "region_not_found"


def root_hostnames() -> frozenset[str]:
    domain = settings.MITRA_DOMAIN
    return frozenset({domain, f"www.{domain}"})


def region_hostname(region: Region) -> str:
    return f"{region.slug}.{settings.MITRA_DOMAIN}"


def region_base_url(region: Region) -> str:
    port = settings.MITRA_PUBLIC_PORT
    netloc = region_hostname(region) + (f":{port}" if port and port not in {"80", "443"} else "")
    return f"{settings.MITRA_PUBLIC_SCHEME}://{netloc}"


def platform_base_url() -> str:
    port = settings.MITRA_PUBLIC_PORT
    netloc = settings.MITRA_DOMAIN + (f":{port}" if port and port not in {"80", "443"} else "")
    return f"{settings.MITRA_PUBLIC_SCHEME}://{netloc}"


def region_list() -> QuerySet[Region]:
    return Region.objects.exclude(schema_name="public").order_by("official_name")


def region_get(*, slug: str) -> Region:
    try:
        return Region.objects.get(slug=slug)
    except Region.DoesNotExist:
        raise RegionNotFoundError(slug) from None


def region_active_list() -> QuerySet[Region]:
    return region_list().filter(status=Region.Status.ACTIVE)
