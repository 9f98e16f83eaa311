"""`mitra reports collect [--day YYYY-MM-DD] [--region slug …] [--async]`: collect adoption snapshots.

The same service as the nightly job and the console button. By default the regions are collected here, one
after the other, and each outcome is printed; `--async` queues one task per region to the Celery workers.
Refusals are printed in Indonesian with their code and exit with status 1 (CommandError)."""

from __future__ import annotations

import getpass
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mitra.errors import DomainError
from shared_apps.reports.models import CollectionRun
from shared_apps.reports.services import collection_run_start


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Tanggal tidak sah: '{value}' (gunakan format TTTT-BB-HH, mis. 2026-11-27).") from None


class Command(BaseCommand):
    help = "Laporan adopsi: kumpulkan cuplikan harian wilayah aktif (collect)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", default=None, help="Nama pelaku untuk jejak audit (bawaan: cli:<user OS>).")
        sub = parser.add_subparsers(dest="action", required=True)
        collect = sub.add_parser("collect", help="Kumpulkan angka satu hari untuk wilayah aktif.")
        collect.add_argument("--day", default=None, help="Tanggal data (TTTT-BB-HH); bawaan: hari ini.")
        collect.add_argument(
            "--region", action="append", default=None, help="Subdomain wilayah (boleh diulang); bawaan: semua aktif."
        )
        collect.add_argument("--async", dest="run_async", action="store_true", help="Kirim ke worker Celery.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = options["actor"] or f"cli:{getpass.getuser()}"
        day = _date(options["day"]) if options.get("day") else None
        try:
            run = collection_run_start(
                day=day,
                slugs=options.get("region"),
                trigger=CollectionRun.Trigger.CLI,
                actor=actor,
                run_async=options.get("run_async", False),
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from None
        self.stdout.write(f"Pengumpulan #{run.pk} untuk tanggal {run.day}:")
        failed = 0
        for outcome in run.outcomes.select_related("region"):
            line = f"  {outcome.region.slug:<24} {outcome.status:<9} {outcome.metrics:>4} metrik"
            if outcome.duration_ms is not None:
                line += f" {outcome.duration_ms:>6} ms"
            if outcome.error:
                line += f"  {outcome.error.splitlines()[0][:200]}"
            failed += outcome.status == outcome.Status.FAILED
            self.stdout.write(line)
        if options.get("run_async"):
            self.stdout.write("Tugas dikirim ke worker; lihat hasilnya di konsol (Laporan → Pengumpulan data).")
        elif failed:
            raise CommandError(f"{failed} wilayah gagal dikumpulkan (lihat galat di atas).")
        else:
            self.stdout.write(self.style.SUCCESS("Selesai."))
