"""`mitra licence list|issue|renew|extend|modules|revoke`: licences from the command line.

Every write goes through the same services as the console and the API; refusals are printed in Indonesian
and exit with status 1 (CommandError)."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mitra.errors import DomainError
from shared_apps.licensing import services
from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import days_left, licence_get, licence_list
from tenants.selectors import RegionNotFoundError, region_get


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Tanggal tidak sah: '{value}' (gunakan format TTTT-BB-HH, mis. 2026-12-31).") from None


def _codes(value: str | None) -> list[str]:
    return [code.strip() for code in (value or "").split(",") if code.strip()]


class Command(BaseCommand):
    help = "Kelola lisensi wilayah: list, issue, renew, extend, modules, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--actor", default=None, help="Nama pelaku untuk jejak audit (bawaan: cli:<user OS>).")
        sub = parser.add_subparsers(dest="action", required=True)

        lst = sub.add_parser("list", help="Daftar lisensi.")
        lst.add_argument("--region", help="Subdomain wilayah, mis. brebes.")
        lst.add_argument("--status", choices=[s.value for s in Licence.Status])
        lst.add_argument("--expiring", type=int, metavar="HARI", help="Hanya yang berakhir dalam N hari.")

        issue = sub.add_parser("issue", help="Terbitkan lisensi untuk wilayah.")
        issue.add_argument("region", help="Subdomain wilayah, mis. brebes.")
        issue.add_argument("--modules", required=True, help="Kode modul dipisah koma, mis. eoffice,ekinerja.")
        issue.add_argument("--seats", type=int, required=True, help="Batas akun aktif.")
        issue.add_argument("--from", dest="valid_from", required=True, help="Berlaku sejak (TTTT-BB-HH).")
        issue.add_argument("--until", dest="valid_until", required=True, help="Berlaku sampai (TTTT-BB-HH).")

        renew = sub.add_parser("renew", help="Perbarui lisensi (lisensi baru, yang lama jadi riwayat).")
        renew.add_argument("licence_id")
        renew.add_argument("--until", dest="valid_until", required=True)
        renew.add_argument("--seats", type=int, default=None)

        extend = sub.add_parser("extend", help="Perpanjang masa berlaku lisensi aktif.")
        extend.add_argument("licence_id")
        extend.add_argument("--until", dest="valid_until", required=True)

        modules = sub.add_parser("modules", help="Tambah/hapus modul pada lisensi aktif.")
        modules.add_argument("licence_id")
        modules.add_argument("--add", default="", help="Kode modul dipisah koma.")
        modules.add_argument("--remove", default="", help="Kode modul dipisah koma.")

        revoke = sub.add_parser("revoke", help="Cabut lisensi aktif.")
        revoke.add_argument("licence_id")
        revoke.add_argument("--reason", required=True, help="Alasan pencabutan.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.actor = options["actor"] or f"cli:{getpass.getuser()}"
        handler: Callable[..., None] = getattr(self, f"do_{options['action']}")
        try:
            handler(**options)
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from None

    def _show(self, licence: Licence) -> None:
        self.stdout.write(
            f"#{licence.pk:<5} {licence.region.slug:<20} {licence.status:<11} "
            f"{licence.valid_from} s.d. {licence.valid_until} ({days_left(licence)} hari lagi)  "
            f"akun<={licence.seat_limit:<7} modul={','.join(licence.modules)}"
        )

    def do_list(self, *, region: str | None, status: str | None, expiring: int | None, **options: Any) -> None:
        if expiring is not None and not 0 <= expiring <= 3650:
            raise CommandError("--expiring harus antara 0 dan 3650 hari.")
        rows = list(licence_list(region_slug=region, status=status, expiring_within=expiring))
        if not rows:
            self.stdout.write("Tidak ada lisensi.")
        for licence in rows:
            self._show(licence)

    def do_issue(
        self, *, region: str, modules: str, seats: int, valid_from: str, valid_until: str, **options: Any
    ) -> None:
        try:
            target = region_get(slug=region)
        except RegionNotFoundError:
            raise CommandError(f"Wilayah '{region}' tidak ditemukan.") from None
        licence = services.licence_issue(
            region=target,
            modules=_codes(modules),
            seat_limit=seats,
            valid_from=_date(valid_from),
            valid_until=_date(valid_until),
            actor=self.actor,
        )
        self.stdout.write(self.style.SUCCESS(f"Lisensi #{licence.pk} diterbitkan untuk {target.official_name}."))
        self._show(licence)

    def do_renew(self, *, licence_id: str, valid_until: str, seats: int | None, **options: Any) -> None:
        licence = services.licence_renew(
            licence=licence_get(licence_id=licence_id),
            valid_until=_date(valid_until),
            seat_limit=seats,
            actor=self.actor,
        )
        self.stdout.write(self.style.SUCCESS(f"Lisensi diperbarui: #{licence.pk} menggantikan #{licence.previous_id}."))
        self._show(licence)

    def do_extend(self, *, licence_id: str, valid_until: str, **options: Any) -> None:
        licence = services.licence_extend(
            licence=licence_get(licence_id=licence_id), valid_until=_date(valid_until), actor=self.actor
        )
        self.stdout.write(self.style.SUCCESS(f"Lisensi #{licence.pk} diperpanjang sampai {licence.valid_until}."))
        self._show(licence)

    def do_modules(self, *, licence_id: str, add: str, remove: str, **options: Any) -> None:
        licence = services.licence_modules_change(
            licence=licence_get(licence_id=licence_id), add=_codes(add), remove=_codes(remove), actor=self.actor
        )
        self.stdout.write(self.style.SUCCESS(f"Modul lisensi #{licence.pk}: {', '.join(licence.modules)}."))

    def do_revoke(self, *, licence_id: str, reason: str, **options: Any) -> None:
        licence = services.licence_revoke(licence=licence_get(licence_id=licence_id), reason=reason, actor=self.actor)
        self.stdout.write(self.style.SUCCESS(f"Lisensi #{licence.pk} dicabut."))
