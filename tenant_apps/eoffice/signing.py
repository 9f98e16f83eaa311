"""The signer interface of outgoing letters.

A Signer receives the rendered PDF and who signs it, and returns the bytes to freeze (the same bytes, or a
PDF carrying an embedded signature) with what it can say about the certificate. The letter's SHA-256 is
taken over whatever the signer returns, so the verification page checks the exact file people receive.

Built in: `BuiltinSigner`, labelled "tidak tersertifikasi". It does not change the PDF; it seals the PDF's
SHA-256 with a per-region key (an HMAC keyed by the platform secret and the region's schema), so a record
altered in the database no longer matches its seal. It is not an electronic signature under the law.

Adapter point for the national certified provider (BSrE, Balai Sertifikasi Elektronik): implement
`Signer` in a class like `BsreSigner` below, calling BSrE's signing API with the signer's NIK and the
passphrase the signer types at the moment of signing. The passphrase is an argument of that one call, held
in memory only: it is never stored, logged, audited or put on the letter. Choose the class in
`signer_for_region`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from mitra.errors import DomainError

UNCERTIFIED_LABEL = "tidak tersertifikasi"


@dataclass(frozen=True)
class SignerIdentity:
    """Who signs: the official's name and NIP and the title they sign with ("Plt. …" when acting)."""

    name: str
    nip: str
    title: str


@dataclass(frozen=True)
class SignResult:
    data: bytes  # the PDF to freeze
    provider: str
    certified: bool
    certificate: dict[str, Any] = field(default_factory=dict)  # shown on the verification page; no secrets


class Signer(Protocol):
    provider: str
    certified: bool
    label: str  # printed on the letter under the signature

    def sign(self, pdf_bytes: bytes, signer: SignerIdentity) -> SignResult: ...


class BuiltinSigner:
    provider = "builtin"
    certified = False
    label = UNCERTIFIED_LABEL

    def _seal(self, digest: str) -> str:
        # The key is derived per region: a seal made for Brebes means nothing for Tegal.
        return salted_hmac(
            f"mitra.eoffice.builtin-signer:{connection.schema_name}", digest, algorithm="sha256"
        ).hexdigest()

    def sign(self, pdf_bytes: bytes, signer: SignerIdentity) -> SignResult:
        digest = hashlib.sha256(pdf_bytes).hexdigest()
        return SignResult(
            data=pdf_bytes,
            provider=self.provider,
            certified=False,
            certificate={
                "label": UNCERTIFIED_LABEL,
                "subject": signer.name,
                "nip": signer.nip,
                "seal": self._seal(digest),
            },
        )

    def seal_matches(self, *, sha256: str, seal: str) -> bool:
        return (
            bool(seal)
            and salted_hmac(
                f"mitra.eoffice.builtin-signer:{connection.schema_name}", sha256, algorithm="sha256"
            ).hexdigest()
            == seal
        )


class BsreSigner:
    """Adapter point for BSrE (not connected yet). A real implementation takes the passphrase per call —
    e.g. `BsreSigner(passphrase=typed_value).sign(...)` built inside the signing request and dropped after
    it — and returns the PAdES-signed PDF with the certificate's subject, issuer, serial and validity."""

    provider = "bsre"
    certified = True
    label = "ditandatangani secara elektronik (BSrE)"

    def __init__(self, *, passphrase: str) -> None:
        self._passphrase = passphrase  # in memory for this one signing only

    def sign(self, pdf_bytes: bytes, signer: SignerIdentity) -> SignResult:
        raise DomainError("signer_unavailable", _("Penyedia tanda tangan tersertifikasi belum tersambung."), status=503)


def record_intact(*, provider: str, sha256: str, info: dict[str, Any]) -> bool | None:
    """Whether a signed letter's stored record still carries the seal its signer made: False when someone
    changed the stored hash (say, to make a forged PDF "match"), None when the provider's own signature
    inside the PDF is what proves integrity (certified providers) so there is no seal to check here."""
    if provider == BuiltinSigner.provider:
        return BuiltinSigner().seal_matches(sha256=sha256, seal=str(info.get("seal", "")))
    return None


def signer_for_region() -> Signer:
    """The signer the current region uses: the built-in one until a region is connected to BSrE."""
    return BuiltinSigner()
