"""`mitra agreement …`: record and move MoU/PKS agreements from the command line."""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mitra.errors import DomainError
from shared_apps.onboarding.forms import parse_party, parse_signatory
from shared_apps.onboarding.models import Agreement
from shared_apps.onboarding.selectors import agreement_get, agreement_list
from shared_apps.onboarding.services import (
    agreement_activate,
    agreement_attach_scan,
    agreement_create,
    agreement_sign,
    agreement_terminate,
)
from tenants.selectors import RegionNotFoundError, region_get


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal '{value}' harus berformat TTTT-BB-HH, mis. 2026-01-31") from None


def _party(value: str) -> dict[str, str]:
    try:
        return parse_party(value)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(" ".join(exc.messages)) from None


def _signatory(value: str) -> dict[str, str]:
    try:
        return parse_signatory(value)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(" ".join(exc.messages)) from None


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli:unknown"


class Command(BaseCommand):
    help = "Kerja sama (MoU/PKS): list, show, create, scan, sign, activate, terminate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Daftar kerja sama.")
        listing.add_argument("--region", help="subdomain wilayah, mis. brebes")
        listing.add_argument("--status", choices=Agreement.Status.values)

        show = sub.add_parser("show", help="Rincian satu kerja sama.")
        show.add_argument("id")

        create = sub.add_parser("create", help="Catat kerja sama sebagai draf.")
        create.add_argument("--region", required=True, help="subdomain wilayah, mis. brebes")
        create.add_argument("--kind", required=True, choices=Agreement.Kind.values)
        create.add_argument("--number", required=True)
        create.add_argument("--title", required=True)
        create.add_argument("--valid-from", required=True, type=_date)
        create.add_argument("--valid-until", required=True, type=_date)
        create.add_argument("--module", action="append", default=[], help="kode modul; boleh diulang")
        create.add_argument("--party", action="append", default=[], type=_party, help="'Nama:peran'; boleh diulang")
        create.add_argument(
            "--signatory", action="append", default=[], type=_signatory, help="'Nama:Jabatan:Pihak'; boleh diulang"
        )
        create.add_argument("--parent", help="id MoU induk (khusus PKS)")
        create.add_argument("--scan", type=Path, help="berkas PDF pindaian")

        scan = sub.add_parser("scan", help="Lampirkan pindaian PDF.")
        scan.add_argument("id")
        scan.add_argument("file", type=Path)

        sign = sub.add_parser("sign", help="Catat penandatanganan.")
        sign.add_argument("id")
        sign.add_argument("--signed-on", type=_date, help="tanggal penandatanganan (bawaan: hari ini)")

        activate = sub.add_parser("activate", help="Nyatakan kerja sama berlaku.")
        activate.add_argument("id")

        terminate = sub.add_parser("terminate", help="Akhiri kerja sama.")
        terminate.add_argument("id")
        terminate.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(**options)
        except DomainError as exc:
            details = [m for messages in exc.fields.values() for m in messages if m != exc.message]
            raise CommandError(" ".join([exc.message, *details]) + f" [{exc.code}]") from None

    def _print(self, agreement: Agreement) -> None:
        self.stdout.write(
            f"{agreement.pk:<6} {agreement.kind:<4} {agreement.number:<32} {agreement.region.slug:<16} "
            f"{agreement.status:<11} {agreement.valid_from}..{agreement.valid_until} {','.join(agreement.modules)}"
            + ("" if agreement.scan else "  (pindaian belum ada)")
        )

    def do_list(self, *, region: str | None, status: str | None, **options: Any) -> None:
        qs = agreement_list(region=self._region(region) if region else None)
        if status:
            qs = qs.filter(status=status)
        if not qs.exists():
            self.stdout.write("Belum ada kerja sama.")
        for agreement in qs:
            self._print(agreement)

    def do_show(self, *, id: str, **options: Any) -> None:  # noqa: A002 - the argument is named id
        agreement = agreement_get(agreement_id=id)
        self._print(agreement)
        self.stdout.write(f"  judul        : {agreement.title}")
        for party in agreement.parties:
            self.stdout.write(f"  pihak        : {party['name']} ({party['role']})")
        for person in agreement.signatories:
            self.stdout.write(f"  penanda tgn  : {person['name']}, {person['position']} ({person['party']})")
        self.stdout.write(f"  ditandatangani: {agreement.signed_on or '-'}")

    def do_create(self, **options: Any) -> None:
        parent = agreement_get(agreement_id=options["parent"]) if options["parent"] else None
        scan_path: Path | None = options["scan"]
        kwargs = {
            "region": self._region(options["region"]),
            "kind": options["kind"],
            "number": options["number"],
            "title": options["title"],
            "parties": options["party"],
            "signatories": options["signatory"],
            "valid_from": options["valid_from"],
            "valid_until": options["valid_until"],
            "modules": options["module"],
            "parent": parent,
            "actor": _actor(),
        }
        if scan_path is None:
            agreement = agreement_create(**kwargs)
        else:
            with self._open(scan_path) as scan:
                agreement = agreement_create(scan=scan, **kwargs)
        self.stdout.write(
            self.style.SUCCESS(f"Kerja sama {agreement.number} dicatat sebagai draf (id {agreement.pk}).")
        )
        self._print(agreement)

    def do_scan(self, *, id: str, file: Path, **options: Any) -> None:  # noqa: A002
        agreement = agreement_get(agreement_id=id)
        with self._open(file) as scan:
            agreement_attach_scan(agreement=agreement, scan=scan, actor=_actor())
        self.stdout.write(self.style.SUCCESS(f"Pindaian kerja sama {agreement.number} disimpan."))

    def do_sign(self, *, id: str, signed_on: date | None, **options: Any) -> None:  # noqa: A002
        agreement = agreement_sign(agreement=agreement_get(agreement_id=id), actor=_actor(), signed_on=signed_on)
        self.stdout.write(self.style.SUCCESS(f"Penandatanganan {agreement.number} dicatat ({agreement.signed_on})."))
        if not agreement.scan:
            self.stdout.write(self.style.WARNING("Peringatan: pindaian PDF belum diunggah (mitra agreement scan)."))

    def do_activate(self, *, id: str, **options: Any) -> None:  # noqa: A002
        agreement = agreement_activate(agreement=agreement_get(agreement_id=id), actor=_actor())
        self.stdout.write(self.style.SUCCESS(f"Kerja sama {agreement.number} berlaku."))

    def do_terminate(self, *, id: str, reason: str, **options: Any) -> None:  # noqa: A002
        agreement = agreement_terminate(agreement=agreement_get(agreement_id=id), actor=_actor(), reason=reason)
        self.stdout.write(self.style.SUCCESS(f"Kerja sama {agreement.number} diakhiri."))

    def _region(self, slug: str) -> Any:
        try:
            return region_get(slug=slug)
        except RegionNotFoundError:
            raise CommandError(f"Wilayah '{slug}' tidak ditemukan.") from None

    def _open(self, path: Path) -> File:
        try:
            return File(path.open("rb"), name=path.name)
        except OSError as exc:
            raise CommandError(f"Berkas '{path}' tidak dapat dibuka: {exc.strerror}.") from None
