"""`mitra region …`: operate regions from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from tenants.selectors import RegionNotFoundError, region_base_url, region_get, region_list


class Command(BaseCommand):
    help = "Operate regions: list, check."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List regions with their status and address.")
        check = sub.add_parser("check", help="Run a task in the region through a Celery worker and report.")
        check.add_argument("slug")
        check.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(**options)

    def do_list(self, **options: Any) -> None:
        for region in region_list():
            self.stdout.write(
                f"{region.slug:<24} {region.region_code:<6} {region.status:<13} {region_base_url(region)}"
            )

    def do_check(self, *, slug: str, timeout: float, **options: Any) -> None:
        from celery.exceptions import TimeoutError as CeleryTimeout

        from tenants.tasks import region_self_check

        try:
            region = region_get(slug=slug)
        except RegionNotFoundError:
            raise CommandError(f"Wilayah '{slug}' tidak ditemukan.") from None
        if not region.is_routable:
            raise CommandError(f"Wilayah '{slug}' berstatus {region.status}; hanya wilayah aktif yang dapat dicek.")
        with tenant_context(region):
            result = region_self_check.delay()
        try:
            report = result.get(timeout=timeout)
        except CeleryTimeout:
            raise CommandError(f"Tidak ada worker Celery yang menjawab dalam {timeout:.0f} detik.") from None
        self.stdout.write(
            self.style.SUCCESS(f"Worker reached schema {report['schema']}: {report['accounts']} account(s).")
        )
