"""Checks on what a region admin may put into the region's settings: the logo file and letter number formats.

The logo is recognised by its content, never by its name or the browser's content type. Pillow is not a
dependency of Mitra, so instead of decoding the picture we walk its container structure: a PNG must be a
chain of CRC-checked chunks from IHDR to IEND, a JPEG a chain of marker segments with a frame header (SOF)
ending at its end-of-image marker, with nothing after the image. A text file renamed `.png`, an HTML or SVG
file, a truncated upload or a file with something appended to the picture fails. The image is never decoded
on the server, so decompression bombs cannot hurt it; the browser shows it as an <img>, served with its
checked content type and `nosniff`.
"""

from __future__ import annotations

import string
import struct
import zlib
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 4096

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SOI = b"\xff\xd8"
# Start-of-frame markers (baseline, extended, progressive, lossless…), not DHT (C4), JPG (C8) or DAC (CC).
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class ImageInfo:
    content_type: str  # "image/png" or "image/jpeg"
    extension: str  # "png" or "jpg"
    width: int
    height: int


def _invalid() -> ValidationError:
    return ValidationError(_("Berkas logo harus gambar PNG atau JPEG yang utuh."), code="logo_not_image")


def _png_info(data: bytes) -> ImageInfo:
    pos = len(PNG_SIGNATURE)
    first = True
    width = height = 0
    while True:
        if pos + 12 > len(data):
            raise _invalid()
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data) or not kind.isalpha():
            raise _invalid()
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(kind + body) != crc:
            raise _invalid()
        if first:
            if kind != b"IHDR" or length != 13:
                raise _invalid()
            width, height = struct.unpack(">II", body[:8])
            first = False
        if kind == b"IEND":
            if data[end:].strip(b"\x00"):  # something riding after the image (a polyglot file)
                raise _invalid()
            break
        pos = end
    return ImageInfo("image/png", "png", width, height)


def _jpeg_info(data: bytes) -> ImageInfo:
    pos = len(JPEG_SOI)
    width = height = 0
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            raise _invalid()
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9 or marker == 0x01 or 0xD0 <= marker <= 0xD7:  # EOI, TEM, RSTn carry no length
            if marker == 0xD9:
                if data[pos + 2 :].strip(b"\x00"):  # something riding after the image (a polyglot file)
                    raise _invalid()
                break
            pos += 2
            continue
        if pos + 4 > len(data):
            raise _invalid()
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            raise _invalid()
        if marker in _JPEG_SOF and length >= 7:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the end-of-image marker
            eoi = data.rfind(b"\xff\xd9")
            if eoi < pos:
                raise _invalid()
            pos = eoi
    else:
        raise _invalid()
    if not width or not height:
        raise _invalid()
    return ImageInfo("image/jpeg", "jpg", width, height)


def logo_inspect(upload: IO[bytes], *, size: int | None = None) -> ImageInfo:
    """Check an uploaded logo: PNG or JPEG by content, at most 1 MB, sides at most 4096 px.

    Raises django ValidationError with code `logo_too_large`, `logo_not_image` or `logo_too_big_dimensions`.
    """
    if size is not None and size > LOGO_MAX_BYTES:
        raise ValidationError(_("Berkas logo paling besar 1 MB."), code="logo_too_large")
    upload.seek(0)
    data = upload.read(LOGO_MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(_("Berkas logo paling besar 1 MB."), code="logo_too_large")
    try:
        if data.startswith(PNG_SIGNATURE):
            info = _png_info(data)
        elif data.startswith(JPEG_SOI):
            info = _jpeg_info(data)
        else:
            raise _invalid()
    except struct.error:
        raise _invalid() from None
    if not (0 < info.width <= LOGO_MAX_SIDE and 0 < info.height <= LOGO_MAX_SIDE):
        raise ValidationError(
            _("Ukuran logo paling besar %(side)d x %(side)d piksel.") % {"side": LOGO_MAX_SIDE},
            code="logo_too_big_dimensions",
        )
    return info


# --- letter numbers -----------------------------------------------------------------------------------------

NUMBER_PLACEHOLDERS = {
    "klasifikasi": gettext_lazy("kode klasifikasi arsip"),
    "nomor": gettext_lazy("nomor urut"),
    "unit": gettext_lazy("kode unit kerja"),
    "tahun": gettext_lazy("tahun"),
}
NUMBER_REQUIRED = ("nomor", "tahun")
DEFAULT_NUMBER_FORMAT = "{klasifikasi}/{nomor}/{unit}/{tahun}"
NUMBER_FORMAT_MAX_LENGTH = 100
# Only {nomor} may be zero-padded: {nomor:03d} gives 007.
_NUMBER_SPECS = {"", *(f"0{width}d" for width in range(2, 7))}


def number_format_validate(value: str) -> None:
    """A letter number format: known placeholders only ({klasifikasi}, {nomor}, {unit}, {tahun}), {nomor} and
    {tahun} present, no line breaks. `{nomor:03d}` pads the sequence with zeros. Literal braces are refused."""
    if any(ch in value for ch in "\r\n\t\x00"):
        raise ValidationError(_("Format nomor harus satu baris."), code="number_format_multiline")
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError:
        raise ValidationError(
            _("Format nomor tidak valid: periksa pasangan kurung kurawal { }."), code="number_format_syntax"
        ) from None
    seen: set[str] = set()
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in NUMBER_PLACEHOLDERS:
            raise ValidationError(
                _("Penanda {%(name)s} tidak dikenal. Yang dapat dipakai: %(known)s.")
                % {"name": name[:30], "known": ", ".join(f"{{{k}}}" for k in NUMBER_PLACEHOLDERS)},
                code="number_format_unknown_placeholder",
            )
        if conversion or (spec and (name != "nomor" or spec not in _NUMBER_SPECS)):
            raise ValidationError(
                _("Hanya {nomor} yang boleh diberi lebar, misalnya {nomor:03d}."), code="number_format_spec"
            )
        seen.add(name)
    missing = [name for name in NUMBER_REQUIRED if name not in seen]
    if missing:
        raise ValidationError(
            _("Format nomor harus memuat %(missing)s.") % {"missing": ", ".join(f"{{{m}}}" for m in missing)},
            code="number_format_missing_placeholder",
        )


def number_format_render(fmt: str, *, klasifikasi: str, nomor: int, unit: str, tahun: int) -> str:
    """A letter number from a validated format, e.g. `400.14/12/DISKOMINFO/2026`."""
    return fmt.format(klasifikasi=klasifikasi, nomor=nomor, unit=unit, tahun=tahun)
