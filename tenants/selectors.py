"""Reads about regions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import NotFoundError
from tenants.models import SLUG_RE, TERMINATION_GRACE_DAYS, ProvisioningJob, Region, RegionExport


class RegionNotFoundError(NotFoundError, LookupError):
    """No region with that subdomain: a 404 with code `region_not_found` on the API."""

    def __init__(self, slug: str) -> None:
        super().__init__("region_not_found", _("Wilayah '%(slug)s' tidak ditemukan.") % {"slug": slug[:60]})
        self.slug = slug


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
    # Anything that cannot be a subdomain (NUL bytes, 300 characters…) is simply not found, never a DB error.
    valid = isinstance(slug, str) and SLUG_RE.match(slug) is not None
    region = Region.objects.filter(slug=slug).exclude(schema_name="public").first() if valid else None
    if region is None:
        raise RegionNotFoundError(slug)
    return region


def region_active_list() -> QuerySet[Region]:
    return region_list().filter(status=Region.Status.ACTIVE)


def regions_due_for_drop(*, now: datetime, grace_days: int | None = None) -> QuerySet[Region]:
    """Terminated regions whose schema is still there after the grace period."""
    days = TERMINATION_GRACE_DAYS if grace_days is None else grace_days
    return region_list().filter(
        status=Region.Status.TERMINATED,
        schema_dropped_at__isnull=True,
        terminated_at__lte=now - timedelta(days=days),
    )


def provisioning_job_current(*, region: Region) -> ProvisioningJob | None:
    """The region's latest provisioning job (the running one, if any)."""
    return region.provisioning_jobs.order_by("-id").first()


def provisioning_job_get(*, region: Region, job_id: int | str) -> ProvisioningJob:
    try:
        pk = int(str(job_id))
    except ValueError:
        pk = 0
    job = region.provisioning_jobs.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if job is None:
        raise NotFoundError("job_not_found", _("Pekerjaan penyiapan tidak ditemukan."))
    return job


def region_export_list(*, region: Region) -> QuerySet[RegionExport]:
    return region.exports.order_by("-id")


def region_export_get(*, region: Region, export_id: int | str) -> RegionExport:
    try:
        pk = int(str(export_id))
    except ValueError:
        pk = 0
    export = region.exports.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if export is None:
        raise NotFoundError("export_not_found", _("Ekspor tidak ditemukan."))
    return export


def today_in(tz_name: str) -> date:
    """The calendar date in a timezone: validity periods are the region's calendar days (WIB/WITA/WIT)."""
    try:
        return timezone.localdate(timezone=ZoneInfo(tz_name))
    except (ZoneInfoNotFoundError, KeyError, ValueError):
        return timezone.localdate(timezone=ZoneInfo(settings.MITRA_DEFAULT_REGION_TIMEZONE))


def region_today(region: Region) -> date:
    """Today where the region is: a licence ending on 31 December ends at midnight in Brebes, not in UTC."""
    return today_in(region.timezone or settings.MITRA_DEFAULT_REGION_TIMEZONE)


def platform_today() -> date:
    """Today for the control plane (Tangerang, WIB)."""
    return today_in(settings.MITRA_DEFAULT_REGION_TIMEZONE)
