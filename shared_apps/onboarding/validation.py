"""Checking agreement input: the rules every create and edit goes through, and the scanned PDF.

Each check raises AgreementError (400) with a stable code and the field it concerns, on the first problem.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.files import File
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError
from shared_apps.onboarding.models import Agreement
from tenant_apps.registry import module_codes, with_dependencies
from tenants.models import Region

S = Agreement.Status
K = Agreement.Kind

SCAN_MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
MAX_PARTIES = 20
MAX_SIGNATORIES = 40


class AgreementError(DomainError):
    """Input that cannot make a valid agreement (400)."""


class AgreementStateError(ConflictError):
    """The agreement's state does not allow the request (409)."""


def invalid(field: str, code: str, message: str) -> AgreementError:
    return AgreementError(code, message, fields={field: [message]})


def _clean_text(value: Any, *, field: str, label: str, max_length: int) -> str:
    if not isinstance(value, str) or not " ".join(value.split()):
        raise invalid(field, "required", _("%(label)s wajib diisi.") % {"label": label})
    text = " ".join(value.split())
    if len(text) > max_length:
        raise invalid(
            field, "too_long", _("%(label)s paling panjang %(n)d karakter.") % {"label": label, "n": max_length}
        )
    return text


def _clean_parties(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > MAX_PARTIES:
        raise invalid(
            "parties", "invalid_parties", _("Para pihak harus berupa daftar (paling banyak %d).") % MAX_PARTIES
        )
    parties: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            raise invalid("parties", "invalid_parties", _("Setiap pihak harus memiliki nama dan peran."))
        parties.append(
            {
                "name": _clean_text(item.get("name"), field="parties", label=_("Nama pihak"), max_length=200),
                "role": _clean_text(item.get("role"), field="parties", label=_("Peran pihak"), max_length=100),
            }
        )
    if len(parties) < 2:
        raise invalid("parties", "parties_required", _("Kerja sama memerlukan sedikitnya dua pihak."))
    names = [p["name"].casefold() for p in parties]
    if len(set(names)) != len(names):
        raise invalid("parties", "duplicate_party", _("Nama pihak tidak boleh sama."))
    return parties


def _clean_signatories(value: Any, parties: list[dict[str, str]]) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > MAX_SIGNATORIES:
        raise invalid(
            "signatories",
            "invalid_signatories",
            _("Penanda tangan harus berupa daftar (paling banyak %d).") % MAX_SIGNATORIES,
        )
    by_name = {p["name"].casefold(): p["name"] for p in parties}
    signatories: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            raise invalid(
                "signatories", "invalid_signatories", _("Setiap penanda tangan harus memiliki nama, jabatan dan pihak.")
            )
        name = _clean_text(item.get("name"), field="signatories", label=_("Nama penanda tangan"), max_length=200)
        position = _clean_text(item.get("position"), field="signatories", label=_("Jabatan"), max_length=200)
        party = _clean_text(item.get("party"), field="signatories", label=_("Pihak penanda tangan"), max_length=200)
        if party.casefold() not in by_name:
            raise invalid(
                "signatories",
                "unknown_party",
                _("Penanda tangan %(name)s mewakili '%(party)s', yang tidak tercantum sebagai pihak.")
                % {"name": name, "party": party},
            )
        signatories.append({"name": name, "position": position, "party": by_name[party.casefold()]})
    return signatories


def clean_date(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise invalid(field, "invalid_date", _("Tanggal tidak valid."))
    return value


def _clean_modules(value: Any) -> list[str]:
    if not isinstance(value, list | tuple | set | frozenset) or not all(isinstance(code, str) for code in value):
        raise invalid("modules", "invalid_modules", _("Modul harus berupa daftar kode modul."))
    codes = {code.strip() for code in value if code.strip()}
    if not codes:
        raise invalid("modules", "modules_required", _("Pilih sedikitnya satu modul."))
    unknown = sorted(codes - module_codes())
    if unknown:
        raise invalid("modules", "unknown_module", _("Modul tidak dikenal: %(codes)s.") % {"codes": ", ".join(unknown)})
    missing = sorted(with_dependencies(codes) - codes)
    if missing:
        raise invalid(
            "modules",
            "module_dependency_missing",
            _("Modul yang dipilih memerlukan modul lain yang juga harus dicantumkan: %(codes)s.")
            % {"codes": ", ".join(missing)},
        )
    return sorted(codes)


def _clean_parent(parent: Any, *, kind: str, region: Region, modules: list[str], start: date, end: date) -> None:
    if parent is None:
        return
    if kind != K.PKS:
        raise invalid("parent", "parent_not_allowed", _("Hanya PKS yang dapat merujuk MoU induk."))
    if not isinstance(parent, Agreement) or parent.kind != K.MOU or parent.region_id != region.pk:
        raise invalid("parent", "invalid_parent", _("MoU induk harus MoU dari wilayah yang sama."))
    if parent.status in (S.EXPIRED, S.TERMINATED):
        raise invalid("parent", "invalid_parent", _("MoU induk sudah tidak berlaku."))
    outside = sorted(set(modules) - set(parent.modules))
    if outside:
        raise invalid(
            "modules",
            "outside_parent_scope",
            _("Modul berikut tidak termasuk lingkup MoU induk: %(codes)s.") % {"codes": ", ".join(outside)},
        )
    if start < parent.valid_from or end > parent.valid_until:
        raise invalid(
            "valid_until", "outside_parent_period", _("Masa berlaku PKS harus berada di dalam masa berlaku MoU induk.")
        )


def validated_fields(
    *,
    region: Region,
    kind: Any,
    number: Any,
    title: Any,
    parties: Any,
    signatories: Any,
    valid_from: Any,
    valid_until: Any,
    modules: Any,
    parent: Any,
    exclude_pk: int | None = None,
) -> dict[str, Any]:
    """All fields checked in one place for create and update; raises AgreementError on the first problem."""
    if kind not in K.values:
        raise invalid("kind", "invalid_kind", _("Jenis kerja sama harus MoU atau PKS."))
    clean_number = _clean_text(number, field="number", label=_("Nomor"), max_length=100)
    clean_title = _clean_text(title, field="title", label=_("Judul"), max_length=255)
    clean_parties = _clean_parties(parties)
    clean_signatories = _clean_signatories(signatories, clean_parties)
    start = clean_date(valid_from, "valid_from")
    end = clean_date(valid_until, "valid_until")
    if end <= start:
        raise invalid("valid_until", "invalid_period", _("Tanggal akhir berlaku harus sesudah tanggal mulai berlaku."))
    clean_modules = _clean_modules(modules)
    _clean_parent(parent, kind=kind, region=region, modules=clean_modules, start=start, end=end)
    if Agreement.objects.filter(kind=kind, number__iexact=clean_number).exclude(pk=exclude_pk).exists():
        raise duplicate_number_error(clean_number)
    return {
        "kind": kind,
        "number": clean_number,
        "title": clean_title,
        "parties": clean_parties,
        "signatories": clean_signatories,
        "valid_from": start,
        "valid_until": end,
        "modules": clean_modules,
        "parent": parent,
    }


def duplicate_number_error(number: str) -> AgreementError:
    return invalid(
        "number", "duplicate_number", _("Nomor %(number)s sudah dipakai kerja sama lain.") % {"number": number}
    )


def scan_validate(scan: Any) -> None:
    """A scan must be a PDF (by its first bytes, not its name) of at most SCAN_MAX_BYTES."""
    if not isinstance(scan, File):
        raise invalid("scan", "invalid_pdf", _("Berkas pindaian harus berupa PDF."))
    if scan.size is None or scan.size > SCAN_MAX_BYTES:
        raise invalid(
            "scan",
            "file_too_large",
            _("Berkas pindaian paling besar %(mb)d MB.") % {"mb": SCAN_MAX_BYTES // (1024 * 1024)},
        )
    scan.seek(0)
    head = scan.read(len(PDF_MAGIC))
    scan.seek(0)
    if head != PDF_MAGIC:
        raise invalid("scan", "invalid_pdf", _("Berkas pindaian harus berupa PDF."))
