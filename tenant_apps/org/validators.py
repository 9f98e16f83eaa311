"""Checks on the identifiers of a region's organisation: NIP, golongan, unit and position codes.

Each returns the normalised value or raises django's ValidationError with an Indonesian message, so the
same rule serves model validation, forms and the CSV import (which shows the message on the row).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

NIP_LENGTH = 18
# Birth years before this are not serving civil servants; a NIP claiming one is a typo.
NIP_MIN_BIRTH_YEAR = 1940
# Candidates are at least 18 when appointed (CPNS); a TMT earlier than that means swapped or mistyped digits.
NIP_MIN_AGE_AT_TMT = 18

# Letter numbers are [classification]/[sequence]/[unit code]/[year]: a code must never contain "/".
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,29}$")
CODE_MAX_LENGTH = 30

# PNS golongan/ruang (I/a-I/d, II/a-II/d, III/a-III/d, IV/a-IV/e) and PPPK golongan (I-XVII).
_ROMAN_PPPK = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
]
RANKS: tuple[str, ...] = (
    *(f"I/{r}" for r in "abcd"),
    *(f"II/{r}" for r in "abcd"),
    *(f"III/{r}" for r in "abcd"),
    *(f"IV/{r}" for r in "abcde"),
    *_ROMAN_PPPK,
)
_RANK_LOOKUP = {rank.upper(): rank for rank in RANKS}


def nip_validate(value: str, *, today: date | None = None) -> str:
    """A PNS NIP: 18 digits = birth date YYYYMMDD + TMT CPNS YYYYMM + gender (1 man, 2 woman) + sequence
    001-999. Returns the NIP (surrounding spaces removed, inner spaces tolerated as people type them)."""
    nip = re.sub(r"\s+", "", value or "")
    if not nip:
        raise ValidationError(_("NIP wajib diisi."), code="nip_required")
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", nip):
        raise ValidationError(
            _(
                "NIP %(nip)s tertulis dalam notasi ilmiah (diubah oleh Excel); format kolom NIP sebagai Teks "
                "lalu ketik ulang NIP lengkap 18 digit."
            )
            % {"nip": nip},
            code="nip_scientific",
        )
    if not nip.isascii() or not nip.isdigit():
        raise ValidationError(_("NIP hanya boleh berisi angka."), code="nip_not_digits")
    if len(nip) != NIP_LENGTH:
        raise ValidationError(_("NIP harus 18 digit, bukan %(n)d digit.") % {"n": len(nip)}, code="nip_length")
    today = today or timezone.localdate()
    try:
        birth = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ValidationError(
            _("Digit 1-8 NIP (tanggal lahir TTTTBBHH) bukan tanggal yang valid: %(part)s.") % {"part": nip[0:8]},
            code="nip_birth_date",
        ) from None
    if birth.year < NIP_MIN_BIRTH_YEAR or birth > today:
        raise ValidationError(
            _("Tanggal lahir pada NIP (%(date)s) tidak masuk akal.") % {"date": birth.strftime("%d-%m-%Y")},
            code="nip_birth_date",
        )
    tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= tmt_month <= 12:
        raise ValidationError(
            _("Digit 9-14 NIP (TMT CPNS TTTTBB) bukan bulan yang valid: %(part)s.") % {"part": nip[8:14]},
            code="nip_tmt",
        )
    if (tmt_year, tmt_month) < (birth.year + NIP_MIN_AGE_AT_TMT, birth.month) or tmt_year > today.year + 1:
        raise ValidationError(
            _("TMT CPNS pada NIP (%(tmt)s) tidak sesuai dengan tanggal lahir %(birth)s.")
            % {"tmt": f"{tmt_month:02d}-{tmt_year}", "birth": birth.strftime("%d-%m-%Y")},
            code="nip_tmt",
        )
    if nip[14] not in "12":
        raise ValidationError(
            _("Digit ke-15 NIP (jenis kelamin) harus 1 atau 2, bukan %(d)s.") % {"d": nip[14]}, code="nip_gender"
        )
    if nip[15:18] == "000":
        raise ValidationError(_("Tiga digit terakhir NIP (nomor urut) tidak boleh 000."), code="nip_sequence")
    return nip


def nip_model_validator(value: str) -> None:
    nip_validate(value)


def rank_normalise(value: str) -> str:
    """'iii/a', 'III/A', ' III / a ' → 'III/a'; '' stays ''. Raises for anything that is not a golongan."""
    raw = re.sub(r"\s+", "", value or "")
    if not raw:
        return ""
    rank = _RANK_LOOKUP.get(raw.upper())
    if rank is None:
        raise ValidationError(
            _("Golongan '%(value)s' tidak dikenal; contoh yang benar: III/a, IV/b, atau IX untuk PPPK.")
            % {"value": value.strip()[:20]},
            code="rank_invalid",
        )
    return rank


def rank_model_validator(value: str) -> None:
    # Stored values are already normalised (III/a); anything else did not come through rank_normalise.
    if value and value not in RANKS:
        raise ValidationError(_("Golongan harus ditulis seperti III/a atau IX."), code="rank_invalid")


def code_validate(value: str, *, what: str) -> str:
    code = (value or "").strip()
    if not code:
        raise ValidationError(_("Kode %(what)s wajib diisi.") % {"what": what}, code="code_required")
    if not CODE_RE.match(code):
        raise ValidationError(
            _(
                "Kode %(what)s '%(code)s' tidak valid: paling banyak 30 karakter, hanya huruf, angka, titik dan "
                "tanda hubung (tanpa garis miring, karena dipakai dalam nomor surat)."
            )
            % {"what": what, "code": code[:40]},
            code="code_invalid",
        )
    return code


def unit_code_validator(value: str) -> None:
    code_validate(value, what=_("unit"))


def position_code_validator(value: str) -> None:
    code_validate(value, what=_("jabatan"))
