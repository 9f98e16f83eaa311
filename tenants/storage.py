"""File storage whose every key starts with the region's schema name.

Stored names carry the prefix (`brebes/eoffice/…`), so a region can be exported or removed as one key
prefix. A region's code can only reach its own prefix: a name under another region's prefix, or with no
prefix, is refused. The control plane (public schema) may reach every prefix, and writes files that belong
to a region (an MoU scan, say) inside `storage_prefix(region.schema_name)`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.db import connection
from storages.backends.s3 import S3Storage

from tenants.models import validate_schema_name

PUBLIC_SCHEMA = "public"
_prefix_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("storage_prefix", default=None)


@contextmanager
def storage_prefix(schema_name: str) -> Iterator[None]:
    """Write under another schema's prefix, e.g. the control plane storing a region's MoU scan."""
    if schema_name != PUBLIC_SCHEMA:
        validate_schema_name(schema_name)
    token = _prefix_override.set(schema_name)
    try:
        yield
    finally:
        _prefix_override.reset(token)


def current_prefix() -> str:
    return _prefix_override.get() or connection.schema_name


class RegionPrefixMixin:
    """Prefixes names on save and checks the prefix on every access."""

    def _prefixed(self, name: str) -> str:
        prefix = current_prefix()
        name = name.lstrip("/")
        return name if name.startswith(f"{prefix}/") else f"{prefix}/{name}"

    def _checked(self, name: str) -> str:
        # Both backends normalise `brebes/../tegal/x` to `tegal/x` after this check has read the first
        # segment, so a `..` anywhere would let a region reach another's files. Backslashes count as
        # separators, as in Django's own validate_file_name.
        if ".." in PurePosixPath(name.replace("\\", "/")).parts:
            raise SuspiciousFileOperation(f"Path traversal in {name!r}")
        schema = connection.schema_name
        owner = name.lstrip("/").split("/", 1)[0]
        if schema != PUBLIC_SCHEMA and owner != schema:
            raise SuspiciousFileOperation(f"File {name!r} is outside region {schema!r}")
        return name

    def save(self, name: str | None, content: File, max_length: int | None = None) -> str:
        if name is None:
            name = content.name
        # Checked like a read, so that `storage_prefix` cannot carry a region's code into another prefix.
        return super().save(self._checked(self._prefixed(name)), content, max_length=max_length)  # type: ignore[misc]

    def open(self, name: str, mode: str = "rb") -> File:
        return super().open(self._checked(name), mode)  # type: ignore[misc]

    def delete(self, name: str) -> None:
        super().delete(self._checked(name))  # type: ignore[misc]

    def exists(self, name: str) -> bool:
        return super().exists(self._checked(name))  # type: ignore[misc]

    def size(self, name: str) -> int:
        return super().size(self._checked(name))  # type: ignore[misc]

    def url(self, name: str, *args: Any, **kwargs: Any) -> str:
        return super().url(self._checked(name), *args, **kwargs)  # type: ignore[misc]

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return super().listdir(self._checked(path))  # type: ignore[misc]

    def get_accessed_time(self, name: str) -> datetime:
        return super().get_accessed_time(self._checked(name))  # type: ignore[misc]

    def get_created_time(self, name: str) -> datetime:
        return super().get_created_time(self._checked(name))  # type: ignore[misc]

    def get_modified_time(self, name: str) -> datetime:
        return super().get_modified_time(self._checked(name))  # type: ignore[misc]


class RegionFileSystemStorage(RegionPrefixMixin, FileSystemStorage):
    def path(self, name: str) -> str:
        return super().path(self._checked(name))


class RegionS3Storage(RegionPrefixMixin, S3Storage):
    pass
