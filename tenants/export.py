"""Export a region as one archive: its schema (pg_dump) and its files (everything under its storage prefix).

The archive is a .tar.gz with `manifest.json`, `schema.sql` and `files/<key without the region prefix>`,
stored in the public storage area under `exports/` and recorded (RegionExport) with its SHA-256, so that a
copy handed to the region can be checked. Termination exports first (tenants.services.region_terminate).
From the console and the API an export is a Celery job (region_export_request → region_export_run); the CLI
runs it in the foreground (region_export).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
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

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class _Archive:
    file_name: str
    sha256: str
    size: int
    file_count: int


def _schema_check(region: Region) -> None:
    validate_schema_name(region.schema_name)
    if not schema_exists(region.schema_name):
        raise ConflictError("no_schema", _("Wilayah ini tidak memiliki skema basis data untuk diekspor."))


def _archive_build(region: Region, actor: str) -> _Archive:
    """Dump the schema, pack it with the region's files and a manifest, store the .tar.gz under public/."""
    schema = region.schema_name
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
    return _Archive(stored, sha256, size, len(files))


def _audit_stored(export: RegionExport, actor: str) -> None:
    audit_record(
        actor=actor,
        action="region.export",
        target_type="region",
        target_id=export.region.schema_name,
        region=export.region.schema_name,
        after={
            "export": export.pk,
            "file": export.file_name,
            "sha256": export.sha256,
            "size": export.size_bytes,
            "files": export.file_count,
        },
    )


def region_export(*, region: Region, actor: str) -> RegionExport:
    """Pack the region's schema dump and files into one .tar.gz in the public storage area, in the foreground
    (the CLI, and termination from the CLI); record and audit it.

    Runs in the public schema (the control plane reaches every prefix). Raises ConflictError `no_schema`
    when the region has no schema (never provisioned, or dropped), ExportError when pg_dump fails. Nothing
    is recorded unless the archive was stored.
    """
    connection.set_schema_to_public()
    _schema_check(region)
    archive = _archive_build(region, actor)
    with transaction.atomic():
        export = RegionExport.objects.create(
            region=region,
            status=RegionExport.Status.SUCCEEDED,
            file_name=archive.file_name,
            sha256=archive.sha256,
            size_bytes=archive.size,
            file_count=archive.file_count,
            created_by=actor,
            finished_at=timezone.now(),
        )
        _audit_stored(export, actor)
    return export


@transaction.atomic
def region_export_request(*, region: Region, actor: str, terminate: bool = False, reason: str = "") -> RegionExport:
    """Queue an export job (console and API: a large region's dump outlasts a web request).

    With `terminate`, the job ends the region after the archive is stored, and only then: a failed export
    leaves the region as it was. Refuses a region without a schema (`no_schema`), a second job while one is
    queued or running (`export_in_progress`) and, with `terminate`, a region that cannot be terminated.
    Side effect after commit: the Celery task tenants.export_region.
    """
    from tenants.services import region_terminate_check  # services import this module
    from tenants.tasks import export_region

    connection.set_schema_to_public()
    locked = Region.objects.select_for_update().get(pk=region.pk)
    _schema_check(locked)
    if terminate:
        region_terminate_check(locked)
    if locked.exports.filter(status__in=RegionExport.IN_PROGRESS).exists():
        raise ConflictError("export_in_progress", _("Ekspor wilayah ini sedang berjalan; tunggu sampai selesai."))
    export = RegionExport.objects.create(
        region=locked,
        status=RegionExport.Status.QUEUED,
        terminate_after=terminate,
        terminate_reason=(reason or "").strip()[:500],
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="region.export.request",
        target_type="region",
        target_id=locked.schema_name,
        region=locked.schema_name,
        after={"export": export.pk, "terminate_after": terminate},
    )
    transaction.on_commit(lambda: export_region.delay(export.pk))
    return export


def region_export_run(*, export: RegionExport) -> RegionExport:
    """Run a queued export job: store the archive and mark it succeeded, then terminate the region if the
    job asks for it; or mark it failed with the reason. A message delivered twice finds the job no longer
    queued and does nothing."""
    from tenants.services import region_terminate_after_export

    connection.set_schema_to_public()
    queued = RegionExport.objects.filter(pk=export.pk, status=RegionExport.Status.QUEUED)
    if not queued.update(status=RegionExport.Status.RUNNING):
        export.refresh_from_db()
        return export
    export.refresh_from_db()
    region = export.region
    try:
        _schema_check(region)
        archive = _archive_build(region, export.created_by)
    except Exception as exc:
        if not isinstance(exc, DomainError):
            logger.exception("export %s of %s failed", export.pk, region.schema_name)
        message = exc.message if isinstance(exc, DomainError) else _("Galat tak terduga; lihat log server.")
        with transaction.atomic():
            RegionExport.objects.filter(pk=export.pk).update(
                status=RegionExport.Status.FAILED, error=str(message), finished_at=timezone.now()
            )
            audit_record(
                actor=export.created_by,
                action="region.export.failed",
                target_type="region",
                target_id=region.schema_name,
                region=region.schema_name,
                after={"export": export.pk, "error": str(message)},
            )
        export.refresh_from_db()
        return export
    with transaction.atomic():
        RegionExport.objects.filter(pk=export.pk).update(
            status=RegionExport.Status.SUCCEEDED,
            file_name=archive.file_name,
            sha256=archive.sha256,
            size_bytes=archive.size,
            file_count=archive.file_count,
            finished_at=timezone.now(),
        )
        export.refresh_from_db()
        _audit_stored(export, export.created_by)
    if export.terminate_after:
        try:
            region_terminate_after_export(region=region, actor=export.created_by, reason=export.terminate_reason)
        except DomainError as exc:
            # The region changed meanwhile (say, terminated from the CLI): the archive stays; say why.
            RegionExport.objects.filter(pk=export.pk).update(
                error=_("Arsip tersimpan, tetapi wilayah tidak diakhiri: %(e)s") % {"e": exc.message}
            )
            export.refresh_from_db()
    return export
