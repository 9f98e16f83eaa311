"""The 552 Indonesian regional governments (Kemendagri codes), shipped under data/wilayah (ODbL)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data" / "wilayah"

# Provinces east of the WIB line. Kalimantan Barat (61) and Tengah (62) stay on WIB.
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}


@dataclass(frozen=True)
class Wilayah:
    code: str  # "33" for a province, "33.29" for a kabupaten/kota
    name: str  # official name, e.g. "Kabupaten Brebes"
    province_code: str
    province_name: str

    @property
    def kind(self) -> str:
        if "." not in self.code:
            return "provinsi"
        return "kota" if self.name.startswith("Kota ") else "kabupaten"

    @property
    def timezone(self) -> str:
        if self.province_code in _WITA_PROVINCES:
            return "Asia/Makassar"
        if self.province_code in _WIT_PROVINCES:
            return "Asia/Jayapura"
        return "Asia/Jakarta"


@cache
def all_wilayah() -> dict[str, Wilayah]:
    with (DATA_DIR / "provinces.csv").open(encoding="utf-8") as fh:
        provinces = {row["code"]: row["name"] for row in csv.DictReader(fh)}
    result = {code: Wilayah(code, f"Provinsi {name}", code, name) for code, name in provinces.items()}
    with (DATA_DIR / "regencies.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            prov = row["province_code"]
            result[row["code"]] = Wilayah(row["code"], row["name"], prov, provinces[prov])
    return result


def wilayah_get(code: str) -> Wilayah | None:
    return all_wilayah().get(code.strip())
