"""Export a region as one archive: its schema (pg_dump) and its files (everything under its storage prefix).

The archive is a .tar.gz with `manifest.json`, `schema.sql` and `files/<key without the region prefix>`,
stored in the public storage area under `exports/` and recorded (RegionExport) with its SHA-256, so that a
copy handed to the region can be checked. Termination exports first (tenants.services.region_terminate).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.services import audit_record
from tenants.models import Region, RegionExport, validate_schema_name
from tenants.storage import storage_prefix

EXPORT_DIR = "exports"
PG_DUMP_TIMEOUT = 30 * 60  # seconds; a large region's dump takes minutes, not hours


class ExportError(DomainError):
    """The export could not be made (pg_dump missing or failing): the server's fault, not the request's."""

    status = 503


def pg_dump_binary() -> str:
    """pg_dump from MITRA_PG_DUMP, else the PATH. Its major version must be at least the server's."""
    configured = os.environ.get("MITRA_PG_DUMP", "")
    found = configured or shutil.which("pg_dump")
    if not found:
        raise ExportError("pg_dump_missing", _("Program pg_dump tidak ditemukan di server."))
    return found


def _dump_schema(schema_name: str, target: Path) -> None:
    validate_schema_name(schema_name)
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [pg_dump_binary(), "--schema", schema_name, "--no-owner", "--no-privileges", "--file", str(target)]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    args.append(str(db["NAME"]))
    result = subprocess.run(  # noqa: S603 (fixed program, arguments from settings and a validated schema name)
        args, env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT, check=False
    )
    if result.returncode != 0:
        raise ExportError("pg_dump_failed", _("pg_dump gagal: %(err)s") % {"err": result.stderr.strip()[:500]})


def region_file_names(schema_name: str) -> Iterator[str]:
    """Every stored file key under the region's prefix (`brebes/...`), depth first."""
    pending = [schema_name]
    while pending:
        folder = pending.pop()
        try:
            dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        pending.extend(f"{folder}/{name}" for name in sorted(dirs, reverse=True))
        yield from (f"{folder}/{name}" for name in sorted(files))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """Hashes a stored file while tarfile copies it, so large files are streamed, not held in memory."""

    def __init__(self, fh: File) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def region_export(*, region: Region, actor: str) -> RegionExport:
    """Pack the region's schema dump and files into one .tar.gz in the public storage area; record and audit it.

    Runs in the public schema (the control plane reaches every prefix). Raises ConflictError `no_schema`
    when the region has no schema (never provisioned, or dropped), ExportError when pg_dump fails. Nothing
    is recorded unless the archive was stored.
    """
    connection.set_schema_to_public()
    schema = region.schema_name
    validate_schema_name(schema)
    if not schema_exists(schema):
        raise ConflictError("no_schema", _("Wilayah ini tidak memiliki skema basis data untuk diekspor."))
    now = timezone.now()
    with tempfile.TemporaryDirectory(prefix="mitra-export-") as tmp:
        dump = Path(tmp) / "schema.sql"
        _dump_schema(schema, dump)
        archive = Path(tmp) / "export.tar.gz"
        files = []
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(dump, arcname="schema.sql")
            for key in region_file_names(schema):
                relative = key[len(schema) + 1 :]
                info = tarfile.TarInfo(f"files/{relative}")
                info.size = default_storage.size(key)
                info.mtime = int(now.timestamp())
                with default_storage.open(key, "rb") as fh:
                    reader = _HashingReader(fh)
                    tar.addfile(info, reader)  # type: ignore[arg-type]
                files.append({"name": relative, "size": info.size, "sha256": reader.digest.hexdigest()})
            manifest = {
                "region": region.slug,
                "schema": schema,
                "official_name": region.official_name,
                "region_code": region.region_code,
                "exported_at": now.isoformat(),
                "exported_by": actor,
                "schema_sha256": _sha256_file(dump),
                "files": files,
            }
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
        sha256 = _sha256_file(archive)
        size = archive.stat().st_size
        with storage_prefix("public"), archive.open("rb") as fh:
            stored = default_storage.save(f"{EXPORT_DIR}/{region.slug}-{now:%Y%m%dT%H%M%SZ}.tar.gz", File(fh))
    with transaction.atomic():
        export = RegionExport.objects.create(
            region=region, file_name=stored, sha256=sha256, size_bytes=size, file_count=len(files), created_by=actor
        )
        audit_record(
            actor=actor,
            action="region.export",
            target_type="region",
            target_id=schema,
            region=schema,
            after={"export": export.pk, "file": stored, "sha256": sha256, "size": size, "files": len(files)},
        )
    return export
