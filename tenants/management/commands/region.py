"""`mitra region …`: operate regions from the command line (the same services as the console and the API)."""

from __future__ import annotations

import getpass
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import tenant_context

from mitra.errors import DomainError
from tenants.export import region_export
from tenants.models import TIMEZONES, ProvisioningJob, Region
from tenants.selectors import RegionNotFoundError, region_base_url, region_get, region_list
from tenants.services import (
    STEP_LABELS,
    provisioning_setup_link_reveal,
    region_provision_request,
    region_register,
    region_resume,
    region_suspend,
    region_terminate,
)

BAR_WIDTH = 20


def progress_line(job: ProvisioningJob) -> str:
    """`[#####---------------]  25% Menerapkan struktur tabel`: what `provision --wait` prints."""
    filled = BAR_WIDTH * job.progress // 100
    if job.status == ProvisioningJob.Status.QUEUED:
        label = "Menunggu worker"
    elif job.status == ProvisioningJob.Status.SUCCEEDED:
        label = "Selesai"
    elif job.status == ProvisioningJob.Status.FAILED:
        label = "Gagal"
    else:
        label = str(STEP_LABELS.get(job.step, job.step))
    return f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {job.progress:3d}% {label}"


class Command(BaseCommand):
    help = "Operate regions: list, register, provision, suspend, resume, terminate, export, check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", default=None, help="Nama pelaku untuk jejak audit (bawaan: cli:<user OS>).")
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List regions with their status and address.")

        register = sub.add_parser("register", help="Register a region from its Kemendagri code.")
        register.add_argument("--slug", required=True, help="Subdomain, e.g. brebes")
        register.add_argument("--code", required=True, help="Kemendagri region code, e.g. 33.29")
        register.add_argument("--name", default=None, help="Official name (checked against the code)")
        register.add_argument("--timezone", default=None, choices=[tz for tz, _label in TIMEZONES])

        provision = sub.add_parser("provision", help="Queue provisioning (needs a signed MoU and a current licence).")
        provision.add_argument("slug")
        provision.add_argument("--wait", action="store_true", help="Follow the job with a progress bar until done.")
        provision.add_argument("--timeout", type=float, default=600.0, help="Seconds to wait with --wait.")

        suspend = sub.add_parser("suspend", help="Suspend an active region (staff see a notice; nothing is deleted).")
        suspend.add_argument("slug")
        suspend.add_argument("--reason", required=True)

        resume = sub.add_parser("resume", help="Resume a suspended region.")
        resume.add_argument("slug")

        terminate = sub.add_parser("terminate", help="Export, then terminate (schema dropped after the grace period).")
        terminate.add_argument("slug")
        terminate.add_argument("--reason", default="")
        terminate.add_argument("--yes", action="store_true", help="Confirm the termination.")

        export = sub.add_parser("export", help="Export the region's schema and files into one .tar.gz.")
        export.add_argument("slug")

        check = sub.add_parser("check", help="Run a task in the region through a Celery worker and report.")
        check.add_argument("slug")
        check.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        self.actor = options.pop("actor") or f"cli:{getpass.getuser()}"
        try:
            getattr(self, f"do_{options['action']}")(**options)
        except ValidationError as exc:
            raise CommandError(_validation_text(exc)) from None
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from None

    def _region(self, slug: str) -> Region:
        try:
            return region_get(slug=slug)
        except RegionNotFoundError:
            raise CommandError(f"Wilayah '{slug}' tidak ditemukan. [region_not_found]") from None

    def do_list(self, **options: Any) -> None:
        for region in region_list():
            self.stdout.write(
                f"{region.slug:<24} {region.region_code:<6} {region.status:<13} {region_base_url(region)}"
            )

    def do_register(self, *, slug: str, code: str, name: str | None, timezone: str | None, **options: Any) -> None:
        region = region_register(slug=slug, region_code=code, official_name=name, timezone=timezone, actor=self.actor)
        self.stdout.write(
            self.style.SUCCESS(f"Terdaftar: {region.official_name} ({region.region_code}) → {region_base_url(region)}")
        )

    def do_provision(self, *, slug: str, wait: bool, timeout: float, **options: Any) -> None:
        job = region_provision_request(region=self._region(slug), actor=self.actor)
        self.stdout.write(f"Pekerjaan penyiapan #{job.pk} masuk antrean.")
        if not wait:
            self.stdout.write("Ikuti kemajuannya di konsol, atau jalankan lagi dengan --wait (perlu worker Celery).")
            return
        self._follow(job, timeout)

    def _follow(self, job: ProvisioningJob, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        tty = self.stdout.isatty()
        last = ""
        while True:
            job.refresh_from_db()
            line = progress_line(job)
            if line != last:
                # On a terminal the bar redraws in place; in a log or a pipe each change is a line.
                self.stdout.write(f"\r{line}" if tty else line, ending="" if tty else "\n")
                self.stdout.flush()
                last = line
            if job.is_finished:
                break
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Pekerjaan #{job.pk} belum selesai setelah {timeout:.0f} detik (apakah worker Celery berjalan?)."
                )
            time.sleep(0.5)
        if tty:
            self.stdout.write("")
        if job.status == ProvisioningJob.Status.FAILED:
            raise CommandError(f"Penyiapan gagal: {job.error}")
        self.stdout.write(self.style.SUCCESS(f"Wilayah siap: {region_base_url(job.region)}/"))
        if job.setup_link:
            link, expires_at = provisioning_setup_link_reveal(job=job, actor=self.actor)
            self.stdout.write(
                f"Tautan aktivasi admin wilayah (hanya ditampilkan sekali, berlaku sampai "
                f"{expires_at:%Y-%m-%d %H:%M} UTC):\n  {link}"
            )

    def do_suspend(self, *, slug: str, reason: str, **options: Any) -> None:
        region = region_suspend(region=self._region(slug), actor=self.actor, reason=reason)
        self.stdout.write(self.style.SUCCESS(f"{region.official_name} ditangguhkan."))

    def do_resume(self, *, slug: str, **options: Any) -> None:
        region = region_resume(region=self._region(slug), actor=self.actor)
        self.stdout.write(self.style.SUCCESS(f"{region.official_name} aktif kembali."))

    def do_terminate(self, *, slug: str, reason: str, yes: bool, **options: Any) -> None:
        region = self._region(slug)
        if not yes:
            raise CommandError(
                f"Mengakhiri {region.official_name} mengekspor datanya lalu menutup aksesnya; skemanya dihapus "
                "setelah masa tenggang. Ulangi dengan --yes untuk melanjutkan."
            )
        region = region_terminate(region=region, actor=self.actor, reason=reason)
        latest = region.exports.order_by("-id").first()
        if latest is not None:
            self.stdout.write(f"Ekspor: {latest.file_name} (sha256 {latest.sha256})")
        self.stdout.write(self.style.SUCCESS(f"{region.official_name} diakhiri."))

    def do_export(self, *, slug: str, **options: Any) -> None:
        export = region_export(region=self._region(slug), actor=self.actor)
        self.stdout.write(
            self.style.SUCCESS(
                f"Ekspor tersimpan: {export.file_name} ({export.size_bytes} bita, {export.file_count} berkas)\n"
                f"  sha256 {export.sha256}"
            )
        )

    def do_check(self, *, slug: str, timeout: float, **options: Any) -> None:
        from celery.exceptions import TimeoutError as CeleryTimeout

        from tenants.tasks import region_self_check

        region = self._region(slug)
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


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "\n".join(
            f"{field}: {' '.join(e.messages)} [{e.code}]" for field, errors in exc.error_dict.items() for e in errors
        )
    return "\n".join(f"{' '.join(e.messages)} [{e.code}]" for e in exc.error_list)
