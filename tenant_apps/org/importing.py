"""CSV import and export of the organisation: reading, checking and planning. Nothing here writes; the plan
is applied by `tenant_apps.org.services.import_batch_apply` in one transaction.

Format (decided for people who keep their data in Excel): one file per kind, imported in this order —
units, then positions, then employees — because each refers to the previous one by code. A reference may
point at a row of the same file or at data already in the region. The first row holds the column names
(case and spaces ignored, columns in any order, extra columns ignored with a notice):

- unit:    kode*, nama*, jenis* (opd | bidang/bagian | seksi/subbagian/subbidang), kode_induk (empty for an OPD)
- jabatan: kode*, nama*, kode_unit*, jenis* (struktural | fungsional), kode_atasan
- pegawai: nip*, nama*, golongan (III/a … IV/e, PPPK I … XVII), kode_jabatan, email, aktif (ya | tidak,
           default ya), peran (admin_wilayah, pencatat_surat, pimpinan, staf; several separated by spaces, `|`
           or commas; empty = staf for a new account, unchanged for an existing one)

Files: UTF-8 with or without BOM, or Windows-1252 (what Excel writes on Indonesian Windows), `,` or `;`
between columns, at most MAX_UPLOAD_BYTES and MAX_ROWS rows. Rows are matched by natural key (unit code,
position code, NIP; codes ignoring case), so importing the same file twice changes nothing. Row numbers in
messages count the header as row 1, as Excel shows them.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mitra.errors import DomainError
from shared_apps.licensing.selectors import seats_check
from tenant_apps.org.models import Employee, ImportBatch, Position, Unit
from tenant_apps.org.roles import Role
from tenant_apps.org.validators import code_validate, nip_validate, rank_normalise

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 25_000  # a large region has 10-20k civil servants
MAX_ERRORS_SHOWN = 500
# Cells starting with these are formulas to a spreadsheet: exported with a leading ' (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

K = ImportBatch.Kind


class ImportFileError(DomainError):
    """The file as a whole cannot be read (encoding, binary, header, size); no row is looked at."""

    def __init__(self, message: str, code: str = "import_file_invalid") -> None:
        super().__init__(code, message, status=400, fields={"file": [message]})


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str
    example: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


SPECS: dict[str, KindSpec] = {
    K.UNITS: KindSpec(
        K.UNITS,
        gettext_lazy("Unit kerja"),
        (
            Column(
                "kode",
                True,
                gettext_lazy("Kode unit, dipakai dalam nomor surat (tanpa garis miring)."),
                ("DISKOMINFO", "DISKOMINFO.IKP", "DISKOMINFO.IKP.1"),
            ),
            Column(
                "nama",
                True,
                gettext_lazy("Nama unit."),
                (
                    "Dinas Komunikasi dan Informatika",
                    "Bidang Informasi dan Komunikasi Publik",
                    "Seksi Pengelolaan Informasi",
                ),
            ),
            Column(
                "jenis",
                True,
                gettext_lazy("opd, bidang (atau bagian), seksi (atau subbagian/subbidang)."),
                ("opd", "bidang", "seksi"),
            ),
            Column(
                "kode_induk",
                False,
                gettext_lazy("Kode unit induk; kosong untuk OPD."),
                ("", "DISKOMINFO", "DISKOMINFO.IKP"),
            ),
        ),
    ),
    K.POSITIONS: KindSpec(
        K.POSITIONS,
        gettext_lazy("Jabatan"),
        (
            Column("kode", True, gettext_lazy("Kode jabatan."), ("KADIS-KOMINFO", "KABID-IKP", "KASI-PI")),
            Column(
                "nama",
                True,
                gettext_lazy("Nama jabatan."),
                (
                    "Kepala Dinas Komunikasi dan Informatika",
                    "Kepala Bidang Informasi dan Komunikasi Publik",
                    "Kepala Seksi Pengelolaan Informasi",
                ),
            ),
            Column(
                "kode_unit",
                True,
                gettext_lazy("Kode unit tempat jabatan berada."),
                ("DISKOMINFO", "DISKOMINFO.IKP", "DISKOMINFO.IKP.1"),
            ),
            Column(
                "jenis", True, gettext_lazy("struktural atau fungsional."), ("struktural", "struktural", "struktural")
            ),
            Column(
                "kode_atasan",
                False,
                gettext_lazy("Kode jabatan atasan langsung; kosong untuk pimpinan tertinggi."),
                ("", "KADIS-KOMINFO", "KABID-IKP"),
            ),
        ),
    ),
    K.EMPLOYEES: KindSpec(
        K.EMPLOYEES,
        gettext_lazy("Pegawai"),
        (
            Column(
                "nip",
                True,
                gettext_lazy("NIP 18 digit (format kolom sebagai Teks di Excel)."),
                ("197805152003121002", "198203082006042001", "199001012015031003"),
            ),
            Column(
                "nama",
                True,
                gettext_lazy("Nama lengkap dengan gelar."),
                ("Drs. Ahmad Fauzi, M.Si.", "Siti Rahmawati, S.Kom.", "Budi Santoso, S.T."),
            ),
            Column(
                "golongan", False, gettext_lazy("Golongan/ruang, misalnya III/a atau IV/b."), ("IV/b", "III/d", "III/b")
            ),
            Column(
                "kode_jabatan",
                False,
                gettext_lazy("Kode jabatan definitif; kosong bila belum ada."),
                ("KADIS-KOMINFO", "KABID-IKP", "KASI-PI"),
            ),
            Column(
                "email",
                False,
                gettext_lazy("Alamat surel dinas."),
                ("ahmad.fauzi@brebeskab.go.id", "siti.r@brebeskab.go.id", ""),
            ),
            Column("aktif", False, gettext_lazy("ya atau tidak (kosong berarti ya)."), ("ya", "ya", "ya")),
            Column(
                "peran",
                False,
                gettext_lazy("Peran akun: admin_wilayah, pencatat_surat, pimpinan, staf (kosong: staf)."),
                ("pimpinan", "pimpinan", "staf"),
            ),
        ),
    ),
}

UNIT_KINDS = {
    "opd": Unit.Kind.OPD,
    "perangkatdaerah": Unit.Kind.OPD,
    "bidang": Unit.Kind.DIVISION,
    "bagian": Unit.Kind.DIVISION,
    "seksi": Unit.Kind.SECTION,
    "subbagian": Unit.Kind.SECTION,
    "subbag": Unit.Kind.SECTION,
    "subbidang": Unit.Kind.SECTION,
    "subbid": Unit.Kind.SECTION,
}
POSITION_KINDS = {"struktural": Position.Kind.STRUCTURAL, "fungsional": Position.Kind.FUNCTIONAL}
YES = {"", "ya", "y", "1", "aktif", "true"}
NO = {"tidak", "t", "n", "0", "nonaktif", "false", "no"}
ROLE_VALUES = {r.value for r in Role}


# --- Reading the file ------------------------------------------------------------------------------------


def decode_upload(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with: UTF-8 (with or without BOM), else Windows-1252.
    Binary files, spreadsheets and UTF-16 are refused with a message that says what to do instead."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("Berkas terlalu besar (%(size)s KB); paling besar %(max)s KB.")
            % {"size": len(data) // 1024, "max": MAX_UPLOAD_BYTES // 1024},
            "import_file_too_large",
        )
    if not data.strip():
        raise ImportFileError(_("Berkas kosong."), "import_file_empty")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Berkas ini berformat Excel, bukan CSV. Di Excel pilih Simpan Sebagai → CSV UTF-8, lalu unggah lagi."),
            "import_file_encoding",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ImportFileError(
            _(
                "Berkas tidak dapat dibaca: bukan teks UTF-8 atau Windows-1252 (mungkin UTF-16 atau berkas biner). "
                "Simpan sebagai CSV UTF-8, lalu unggah lagi."
            ),
            "import_file_encoding",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            break  # control characters: a binary file that happens to decode
        return text, encoding
    raise ImportFileError(
        _("Berkas tidak dapat dibaca: bukan teks UTF-8 atau Windows-1252. Simpan sebagai CSV UTF-8, lalu unggah lagi."),
        "import_file_encoding",
    )


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip(BOM).strip().lower())


def _unescape(cell: str) -> str:
    """Undo our own export's formula guard ('=…) and trim spaces."""
    cell = cell.strip()
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


@dataclass(frozen=True)
class Table:
    rows: list[tuple[int, dict[str, str]]]  # (row number, {column: value})
    delimiter: str
    ignored_columns: list[str]


def _dialect(text: str, spec: KindSpec) -> str:
    sample = text[:8192]
    first_line = sample.splitlines()[0] if sample else ""
    candidates: list[str] = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff(sample, delimiters=",;").delimiter)
    # The sniffer guesses from the whole sample; the header must agree (it holds known names, no quotes).
    candidates += sorted(",;", key=lambda d: -first_line.count(d))
    required = {c.name for c in spec.columns if c.required}
    for delimiter in candidates:
        names = {_header_key(n) for n in next(csv.reader([first_line], delimiter=delimiter), [])}
        if required <= names:
            return delimiter
    return candidates[0] if candidates else ","


def read_table(text: str, spec: KindSpec) -> Table:
    """Parse the CSV text into rows keyed by column name; file-level problems raise ImportFileError."""
    text = text.lstrip(BOM)
    delimiter = _dialect(text, spec)
    # strict: an unclosed quote is a broken file, not one giant cell swallowing the rest of it.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportFileError(_("Baris pertama harus berisi nama kolom."), "import_header_missing")
        keys = [_header_key(h) for h in header]
        missing = [c.name for c in spec.columns if c.required and c.name not in keys]
        if missing:
            raise ImportFileError(
                _("Kolom wajib tidak ada di baris pertama: %(missing)s. Kolom yang diharapkan: %(expected)s.")
                % {"missing": ", ".join(missing), "expected": ", ".join(spec.names)},
                "import_header_missing",
            )
        duplicated = sorted({k for k in keys if k and keys.count(k) > 1})
        if duplicated:
            raise ImportFileError(
                _("Nama kolom ganda di baris pertama: %(names)s.") % {"names": ", ".join(duplicated)},
                "import_header_duplicate",
            )
        known = set(spec.names)
        ignored = [h.strip() for h, k in zip(header, keys, strict=True) if k and k not in known]
        rows: list[tuple[int, dict[str, str]]] = []
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank lines and Excel's trailing ;;;; rows
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("Berkas berisi lebih dari %(max)d baris data; bagi menjadi beberapa berkas.") % {"max": MAX_ROWS},
                    "import_too_many_rows",
                )
            values = {k: "" for k in keys if k in known}
            extra = record[len(keys) :]
            for key, cell in zip(keys, record, strict=False):
                if key in known:
                    values[key] = _unescape(cell)
            values["__extra__"] = "1" if any(c.strip() for c in extra) else ""
            rows.append((number, values))
    except csv.Error as exc:
        raise ImportFileError(
            _("Berkas CSV rusak di baris %(line)d: %(detail)s") % {"line": reader.line_num, "detail": exc},
            "import_file_malformed",
        ) from None
    if not rows:
        raise ImportFileError(_("Berkas tidak berisi baris data di bawah nama kolom."), "import_file_empty")
    return Table(rows, delimiter, ignored)


# --- Planning ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class PlannedRow:
    line: int
    key: str
    label: str
    action: str  # "create" | "update" | "unchanged"
    values: dict[str, Any]
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    existing_id: int | None = None


CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class ImportPlan:
    kind: str
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"
    seats_adding: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        out = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        for row in self.rows:
            out[row.action] += 1
        return out

    def errors_shown(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.line, e.column))[:MAX_ERRORS_SHOWN]

    def digest(self) -> str:
        """A fingerprint of what applying would do: a confirmation applies only the plan that was previewed."""
        payload = [
            (r.line, r.key, r.action, sorted((k, str(a), str(b)) for k, (a, b) in r.changes.items())) for r in self.rows
        ]
        blob = json.dumps([self.kind, payload, [(e.line, e.column, e.message) for e in self.errors]])
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class _Rows:
    """Collects the errors of one file while its rows are checked."""

    def __init__(self, plan: ImportPlan) -> None:
        self.plan = plan

    def error(self, line: int, column: str, message: str) -> None:
        self.plan.errors.append(RowError(line, column, str(message)))

    def required(self, line: int, values: dict[str, str], column: str, *, max_length: int | None = None) -> str:
        value = values.get(column, "")
        if not value:
            self.error(line, column, _("Kolom '%(column)s' wajib diisi.") % {"column": column})
        elif max_length and len(value) > max_length:
            self.error(
                line,
                column,
                _("Kolom '%(column)s' terlalu panjang (paling banyak %(n)d karakter).")
                % {"column": column, "n": max_length},
            )
        return value

    def code(self, line: int, values: dict[str, str], column: str, what: str, *, required: bool) -> str:
        value = values.get(column, "")
        if not value:
            if required:
                self.error(line, column, _("Kolom '%(column)s' wajib diisi.") % {"column": column})
            return ""
        try:
            return code_validate(value, what=what)
        except ValidationError as exc:
            self.error(line, column, exc.messages[0])
            return ""

    def duplicate(self, seen: dict[str, int], key: str, line: int, column: str, shown: str) -> bool:
        if not key:
            return False
        if key in seen:
            self.error(
                line,
                column,
                _("Duplikat dalam berkas: '%(value)s' sudah ada di baris %(first)d.")
                % {"value": shown, "first": seen[key]},
            )
            return True
        seen[key] = line
        return False

    def extra_cells(self, line: int, values: dict[str, str]) -> None:
        if values.get("__extra__"):
            self.error(line, "", _("Baris ini berisi lebih banyak kolom daripada baris nama kolom."))


def _action(row: PlannedRow, current: dict[str, Any] | None) -> None:
    if current is None:
        row.action = CREATE
        return
    row.changes = {k: (current[k], v) for k, v in row.values.items() if k in current and current[k] != v}
    row.action = UPDATE if row.changes else UNCHANGED


def plan_import(*, kind: str, text: str, encoding: str = "utf-8", actor_user_id: int | None = None) -> ImportPlan:
    """Read `text` as a CSV of `kind` and work out, against the region's current data, what applying it
    would create, update or leave unchanged, and every row's errors. Raises ImportFileError for a file
    that cannot be read at all. Reads only (the seat check takes a row lock inside its own savepoint)."""
    spec = SPECS[kind]
    table = read_table(text, spec)
    plan = ImportPlan(kind=kind, delimiter=table.delimiter, encoding=encoding)
    if table.ignored_columns:
        plan.notices.append(
            _("Kolom berikut tidak dikenal dan diabaikan: %(cols)s.") % {"cols": ", ".join(table.ignored_columns)}
        )
    planner = {K.UNITS: _plan_units, K.POSITIONS: _plan_positions, K.EMPLOYEES: _plan_employees}[K(kind)]
    planner(plan, table, _Rows(plan), actor_user_id)
    return plan


def _plan_units(plan: ImportPlan, table: Table, rows: _Rows, _actor: int | None) -> None:
    existing = {u.code.upper(): u for u in Unit.objects.select_related("parent")}
    seen: dict[str, int] = {}
    parsed: list[tuple[int, str, str, str, str]] = []  # (line, code, name, kind, parent code)
    for line, values in table.rows:
        rows.extra_cells(line, values)
        code = rows.code(line, values, "kode", _("unit"), required=True)
        rows.duplicate(seen, code.upper(), line, "kode", code)
        name = rows.required(line, values, "nama", max_length=200)
        raw_kind = values.get("jenis", "")
        kind = UNIT_KINDS.get(re.sub(r"[\s_.\-/]+", "", raw_kind.lower()), "")
        if not raw_kind:
            rows.error(line, "jenis", _("Kolom 'jenis' wajib diisi."))
        elif not kind:
            rows.error(
                line,
                "jenis",
                _("Jenis unit '%(value)s' tidak dikenal; gunakan opd, bidang atau seksi.") % {"value": raw_kind[:40]},
            )
        parent = rows.code(line, values, "kode_induk", _("unit induk"), required=False)
        parsed.append((line, code, name, kind, parent))

    in_file = {code.upper(): kind for _l, code, _n, kind, _p in parsed if code}
    level = Unit.LEVEL
    for line, code, name, kind, parent_code in parsed:
        if not (code and kind):
            continue
        if parent_code and parent_code.upper() == code.upper():
            rows.error(line, "kode_induk", _("Unit tidak boleh menjadi induk dirinya sendiri."))
            continue
        if kind == Unit.Kind.OPD and parent_code:
            rows.error(
                line, "kode_induk", _("Perangkat daerah (OPD) tidak mempunyai unit induk; kosongkan kode_induk.")
            )
            continue
        if kind != Unit.Kind.OPD and not parent_code:
            rows.error(line, "kode_induk", _("Bidang, bagian atau seksi harus mempunyai kode_induk."))
            continue
        parent_kind = None
        parent_shown = ""
        if parent_code:
            key = parent_code.upper()
            if key in in_file:
                parent_kind = in_file[key]
                parent_shown = parent_code
            elif key in existing:
                parent_kind = existing[key].kind
                parent_shown = existing[key].code
            else:
                rows.error(
                    line,
                    "kode_induk",
                    _("Unit induk '%(code)s' tidak dikenal: tidak ada di berkas maupun di data wilayah.")
                    % {"code": parent_code},
                )
                continue
            if parent_kind and level[Unit.Kind(parent_kind)] >= level[Unit.Kind(kind)]:
                rows.error(
                    line,
                    "kode_induk",
                    _("Unit induk '%(code)s' (%(pkind)s) harus lebih tinggi tingkatnya daripada %(kind)s.")
                    % {"code": parent_code, "pkind": Unit.Kind(parent_kind).label, "kind": Unit.Kind(kind).label},
                )
                continue
        current_unit = existing.get(code.upper())
        row = PlannedRow(line, code.upper(), f"{code} — {name}", CREATE, {"code": code, "name": name, "kind": kind})
        row.values["parent"] = parent_shown
        if current_unit is not None:
            row.existing_id = current_unit.pk
            current_parent = current_unit.parent.code if current_unit.parent else ""
            if current_parent.upper() == parent_shown.upper():
                row.values["parent"] = current_parent  # the same parent spelt in another case is no change
            _action(
                row,
                {
                    "code": current_unit.code,
                    "name": current_unit.name,
                    "kind": current_unit.kind,
                    "parent": current_parent,
                },
            )
        plan.rows.append(row)

    # A unit made shallower-or-equal than a child that stays as it is would break the tree.
    changed_kind = {r.key: r.values["kind"] for r in plan.rows if r.existing_id and "kind" in r.changes}
    if changed_kind:
        line_of = {r.key: r.line for r in plan.rows}
        for child in Unit.objects.filter(parent__isnull=False).select_related("parent"):
            parent_key = child.parent.code.upper()  # type: ignore[union-attr]
            stays = child.code.upper() not in in_file
            if stays and parent_key in changed_kind and level[Unit.Kind(changed_kind[parent_key])] >= child.level:
                rows.error(
                    line_of[parent_key],
                    "jenis",
                    _("Unit '%(child)s' (%(kind)s) berada di bawah unit ini; jenisnya tidak dapat menjadi %(new)s.")
                    % {
                        "child": child.code,
                        "kind": child.get_kind_display(),
                        "new": Unit.Kind(changed_kind[parent_key]).label,
                    },
                )


def _plan_positions(plan: ImportPlan, table: Table, rows: _Rows, _actor: int | None) -> None:
    existing = {p.code.upper(): p for p in Position.objects.select_related("unit", "superior")}
    units = {u.code.upper(): u for u in Unit.objects.all()}
    seen: dict[str, int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for line, values in table.rows:
        rows.extra_cells(line, values)
        code = rows.code(line, values, "kode", _("jabatan"), required=True)
        rows.duplicate(seen, code.upper(), line, "kode", code)
        title = rows.required(line, values, "nama", max_length=255)
        unit_code = rows.code(line, values, "kode_unit", _("unit"), required=True)
        unit = units.get(unit_code.upper()) if unit_code else None
        if unit_code and unit is None:
            rows.error(
                line,
                "kode_unit",
                _("Unit '%(code)s' tidak dikenal; impor unit kerja lebih dulu.") % {"code": unit_code},
            )
        raw_kind = values.get("jenis", "")
        kind = POSITION_KINDS.get(raw_kind.strip().lower(), "")
        if not raw_kind:
            rows.error(line, "jenis", _("Kolom 'jenis' wajib diisi."))
        elif not kind:
            rows.error(
                line,
                "jenis",
                _("Jenis jabatan '%(value)s' tidak dikenal; gunakan struktural atau fungsional.")
                % {"value": raw_kind[:40]},
            )
        superior = rows.code(line, values, "kode_atasan", _("jabatan atasan"), required=False)
        parsed.append(
            (
                line,
                {"code": code, "title": title, "unit": unit.code if unit else "", "kind": kind, "superior": superior},
            )
        )

    in_file = {v["code"].upper(): v for _l, v in parsed if v["code"]}
    # The superior chain after the import: the file's rows override the region's current ones.
    chain = {code: (p.superior.code.upper() if p.superior else "") for code, p in existing.items()}
    chain.update({key: v["superior"].upper() for key, v in in_file.items()})
    holders: dict[str, int] = {}
    for position_code in Employee.objects.filter(active=True, position__isnull=False).values_list(
        "position__code", flat=True
    ):
        holders[position_code.upper()] = holders.get(position_code.upper(), 0) + 1

    for line, values in parsed:
        code, superior = values["code"], values["superior"]
        if not code or not values["unit"] or not values["kind"] or not values["title"]:
            continue
        if superior:
            key = superior.upper()
            if key == code.upper():
                rows.error(line, "kode_atasan", _("Jabatan tidak boleh menjadi atasan dirinya sendiri."))
                continue
            if key not in in_file and key not in existing:
                rows.error(
                    line,
                    "kode_atasan",
                    _("Jabatan atasan '%(code)s' tidak dikenal: tidak ada di berkas maupun di data wilayah.")
                    % {"code": superior},
                )
                continue
            values["superior"] = in_file[key]["code"] if key in in_file else existing[key].code
            if _has_cycle(code.upper(), chain):
                rows.error(
                    line,
                    "kode_atasan",
                    _("Rantai atasan melingkar: jabatan ini akhirnya menjadi atasan dirinya sendiri."),
                )
                continue
        current = existing.get(code.upper())
        if values["kind"] == Position.Kind.STRUCTURAL and holders.get(code.upper(), 0) > 1:
            rows.error(
                line,
                "jenis",
                _("Jabatan struktural hanya dipegang satu pegawai, tetapi jabatan ini dipegang %(n)d pegawai aktif.")
                % {"n": holders[code.upper()]},
            )
            continue
        row = PlannedRow(line, code.upper(), f"{code} — {values['title']}", CREATE, values)
        if current is not None:
            row.existing_id = current.pk
            _action(
                row,
                {
                    "code": current.code,
                    "title": current.title,
                    "unit": current.unit.code,
                    "kind": current.kind,
                    "superior": current.superior.code if current.superior else "",
                },
            )
        plan.rows.append(row)


def _has_cycle(start: str, chain: dict[str, str]) -> bool:
    """Does following superiors from `start` lead back to it? (A loop further up that does not pass through
    `start` is reported on its own rows.)"""
    seen: set[str] = set()
    node = chain.get(start, "")
    while node and node not in seen:
        if node == start:
            return True
        seen.add(node)
        node = chain.get(node, "")
    return False


def _parse_roles(raw: str) -> tuple[list[str], list[str]]:
    names = [n for n in re.split(r"[\s|,;/]+", raw.strip().lower()) if n]
    return sorted({n for n in names if n in ROLE_VALUES}), [n for n in names if n not in ROLE_VALUES]


def _plan_employees(plan: ImportPlan, table: Table, rows: _Rows, actor_user_id: int | None) -> None:
    user_model = get_user_model()
    existing = {e.nip: e for e in Employee.objects.select_related("position", "account")}
    positions = {p.code.upper(): p for p in Position.objects.all()}
    # A bounded number of queries whatever the file's size: accounts and their roles are read in bulk.
    file_nips = {re.sub(r"\s+", "", values.get("nip", "")) for _line, values in table.rows}
    accounts_by_username = {u.get_username(): u for u in user_model.objects.filter(username__in=file_nips)}
    nip_by_account = {e.account_id: e.nip for e in existing.values() if e.account_id}
    roles_by_user = _roles_by_user()
    seen: dict[str, int] = {}
    planned: list[PlannedRow] = []
    for line, values in table.rows:
        rows.extra_cells(line, values)
        raw_nip = values.get("nip", "")
        nip = ""
        if not raw_nip:
            rows.error(line, "nip", _("Kolom 'nip' wajib diisi."))
        else:
            try:
                nip = nip_validate(raw_nip)
            except ValidationError as exc:
                rows.error(line, "nip", exc.messages[0])
        if rows.duplicate(seen, nip, line, "nip", nip):
            nip = ""
        name = rows.required(line, values, "nama", max_length=200)
        try:
            rank = rank_normalise(values.get("golongan", ""))
        except ValidationError as exc:
            rows.error(line, "golongan", exc.messages[0])
            rank = None
        position_code = values.get("kode_jabatan", "")
        position = positions.get(position_code.upper()) if position_code else None
        if position_code and position is None:
            rows.error(
                line,
                "kode_jabatan",
                _("Jabatan '%(code)s' tidak dikenal; impor jabatan lebih dulu.") % {"code": position_code[:40]},
            )
        email = values.get("email", "")
        if email:
            try:
                if len(email) > 254:  # the longest address SMTP allows
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                rows.error(line, "email", _("Alamat surel '%(value)s' tidak valid.") % {"value": email[:80]})
                email = None  # type: ignore[assignment]
        raw_active = values.get("aktif", "").strip().lower()
        active: bool | None = True if raw_active in YES else False if raw_active in NO else None
        if active is None:
            rows.error(
                line, "aktif", _("Kolom 'aktif' harus ya atau tidak, bukan '%(value)s'.") % {"value": raw_active[:20]}
            )
        roles, unknown_roles = _parse_roles(values.get("peran", ""))
        if unknown_roles:
            rows.error(
                line,
                "peran",
                _("Peran tidak dikenal: %(names)s. Gunakan: %(valid)s.")
                % {"names": ", ".join(unknown_roles)[:80], "valid": ", ".join(sorted(ROLE_VALUES))},
            )
        if not nip or not name or rank is None or email is None or active is None or unknown_roles:
            continue
        if position_code and position is None:
            continue
        current = existing.get(nip)
        row = PlannedRow(
            line,
            nip,
            f"{nip} — {name}",
            CREATE,
            {
                "name": name,
                "rank": rank,
                "position": position.code if position else "",
                "email": email,
                "active": active,
            },
        )
        account = current.account if current is not None else None
        if account is None:
            account = accounts_by_username.get(nip)
            if account is not None and nip_by_account.get(account.pk, nip) != nip:
                rows.error(
                    line, "nip", _("Akun dengan nama pengguna %(nip)s sudah dipakai pegawai lain.") % {"nip": nip}
                )
                continue
        current_roles = sorted(roles_by_user.get(account.pk, [])) if account is not None else []
        if roles:
            row.values["roles"] = roles
        elif account is None:
            row.values["roles"] = [Role.STAFF.value]
        if actor_user_id is not None and account is not None and account.pk == actor_user_id:
            if not active:
                rows.error(line, "aktif", _("Akun Anda sendiri tidak dapat dinonaktifkan melalui impor."))
                continue
            if (
                "roles" in row.values
                and Role.REGION_ADMIN.value not in row.values["roles"]
                and Role.REGION_ADMIN.value in current_roles
            ):
                rows.error(line, "peran", _("Peran admin wilayah tidak dapat dicabut dari akun Anda sendiri."))
                continue
        row.values["_account_id"] = account.pk if account is not None else None
        row.values["_account_active"] = account.is_active if account is not None else None
        if current is not None:
            row.existing_id = current.pk
            _action(
                row,
                {
                    "name": current.name,
                    "rank": current.rank,
                    "position": current.position.code if current.position else "",
                    "email": current.email,
                    "active": current.active,
                    "roles": current_roles,
                },
            )
            if current.account_id is None and row.action == UNCHANGED:
                row.action = UPDATE  # the employee gets the account it lacked
                row.changes["account"] = ("", nip)
        planned.append(row)

    _check_structural_seats(rows, planned, positions, existing)
    plan.rows.extend(planned)
    _check_seats(plan, planned)


def _roles_by_user() -> dict[int, list[str]]:
    roles: dict[int, list[str]] = {}
    for user_id, name in get_user_model().groups.through.objects.values_list("user_id", "group__name"):
        roles.setdefault(user_id, []).append(name)
    return roles


def _check_structural_seats(
    rows: _Rows, planned: list[PlannedRow], positions: dict[str, Position], existing: dict[str, Employee]
) -> None:
    """A structural position has at most one active definitive holder after the import."""
    in_file = {row.key for row in planned}
    holder: dict[str, str] = {}  # position code (upper) → who holds it
    for employee in Employee.objects.filter(active=True, position__kind=Position.Kind.STRUCTURAL).select_related(
        "position"
    ):
        if employee.nip not in in_file:
            holder[employee.position.code.upper()] = _("%(name)s (NIP %(nip)s)") % {
                "name": employee.name,
                "nip": employee.nip,
            }  # type: ignore[union-attr]
    for row in planned:
        code = row.values["position"].upper()
        if not code or not row.values["active"] or positions[code].kind != Position.Kind.STRUCTURAL:
            continue
        if code in holder:
            rows.error(
                row.line,
                "kode_jabatan",
                _("Jabatan struktural '%(code)s' sudah dipegang oleh %(who)s.")
                % {"code": row.values["position"], "who": holder[code]},
            )
        else:
            holder[code] = _("baris %(line)d") % {"line": row.line}


def _check_seats(plan: ImportPlan, planned: list[PlannedRow]) -> None:
    """Active accounts after the import minus before must fit the licence (DomainError shown as an error)."""
    delta = 0
    for row in planned:
        was_active = row.values["_account_active"]
        will_be_active = row.values["active"]
        if row.values["_account_id"] is None:
            delta += 1 if will_be_active else 0
        elif was_active != will_be_active:
            delta += 1 if will_be_active else -1
    plan.seats_adding = delta
    if delta > 0 and plan.is_valid:
        try:
            seats_check(schema_name=connection.schema_name, adding=delta)
        except DomainError as exc:
            plan.errors.append(RowError(0, "", exc.message))


# --- Export ------------------------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def render_csv(header: Iterable[str], rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> bytes:
    """UTF-8 with BOM (so Excel reads the accents right), CRLF line ends, every cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + out.getvalue()).encode("utf-8")


def export_rows(kind: str) -> tuple[list[str], Iterable[list[Any]]]:
    """The region's data in the import format of `kind`, so an exported file imports back unchanged."""
    spec = SPECS[kind]
    if kind == K.UNITS:
        units = Unit.objects.select_related("parent").order_by("code")
        return spec.names, ([u.code, u.name, u.kind, u.parent.code if u.parent else ""] for u in units.iterator())
    if kind == K.POSITIONS:
        positions = Position.objects.select_related("unit", "superior").order_by("code")
        return spec.names, (
            [p.code, p.title, p.unit.code, p.kind, p.superior.code if p.superior else ""] for p in positions.iterator()
        )
    roles_by_user = _roles_by_user()
    employees = Employee.objects.select_related("position").order_by("nip")
    return spec.names, (
        [
            e.nip,
            e.name,
            e.rank,
            e.position.code if e.position else "",
            e.email,
            "ya" if e.active else "tidak",
            " ".join(sorted(roles_by_user.get(e.account_id, []))) if e.account_id else "",
        ]
        for e in employees.iterator()
    )


def template_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    spec = SPECS[kind]
    count = max(len(c.example) for c in spec.columns)
    rows = [[c.example[i] if i < len(c.example) else "" for c in spec.columns] for i in range(count)]
    return spec.names, rows
