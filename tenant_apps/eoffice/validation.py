"""Checks on what comes from outside: attachment files and classification codes.

An attachment is recognised by its content, never by its name or the browser's content type: a PDF starts
with `%PDF-` and ends with `%%EOF`, a PNG is its signature through the IEND chunk, a JPEG its start- through
end-of-image markers. The file is never parsed or rendered on the server; it is downloaded as an attachment
with its checked content type and `nosniff`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
ORIGINAL_NAME_MAX = 255

_PDF_HEAD = re.compile(rb"^%PDF-[12]\.\d")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
_JPEG_SOI = b"\xff\xd8\xff"
_JPEG_EOI = b"\xff\xd9"
# Permendagri 83/2022 classification codes: groups of digits separated by dots (000, 400.14, 800.1.11.2).
_CLASSIFICATION = re.compile(r"^\d{3}(\.\d{1,3}){0,4}$")


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    original_name: str
    content_type: str
    extension: str
    sha256: str


def _not_allowed() -> ValidationError:
    return ValidationError(_("Lampiran harus berkas PDF, PNG atau JPEG yang utuh."), code="attachment_type_not_allowed")


def _too_large() -> ValidationError:
    return ValidationError(
        _("Lampiran paling besar %(mb)d MB.") % {"mb": ATTACHMENT_MAX_BYTES // (1024 * 1024)},
        code="attachment_too_large",
    )


def attachment_check(upload: IO[bytes], *, name: str = "", size: int | None = None) -> CheckedFile:
    """Read and check one uploaded file. Raises ValidationError with code `attachment_too_large`,
    `attachment_empty` or `attachment_type_not_allowed`."""
    if size is not None and size > ATTACHMENT_MAX_BYTES:
        raise _too_large()
    upload.seek(0)
    data = upload.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise _too_large()
    if not data:
        raise ValidationError(_("Lampiran kosong."), code="attachment_empty")
    tail = data[-1024:].rstrip(b"\x00\r\n\t ")
    if _PDF_HEAD.match(data) and tail.endswith(b"%%EOF"):
        content_type, extension = "application/pdf", "pdf"
    elif data.startswith(_PNG_SIGNATURE) and tail.endswith(_PNG_END):
        content_type, extension = "image/png", "png"
    elif data.startswith(_JPEG_SOI) and tail.endswith(_JPEG_EOI):
        content_type, extension = "image/jpeg", "jpg"
    else:
        raise _not_allowed()
    original = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    original = "".join(ch for ch in original if ch.isprintable())[:ORIGINAL_NAME_MAX] or f"lampiran.{extension}"
    return CheckedFile(data, original, content_type, extension, hashlib.sha256(data).hexdigest())


def classification_code_check(value: str) -> str:
    code = (value or "").strip()
    if not _CLASSIFICATION.match(code):
        raise ValidationError(
            _("Kode klasifikasi tidak valid (contoh: 000.1.2 atau 400.14)."), code="classification_code_invalid"
        )
    return code
