"""The public verification page of signed outgoing letters, on the region's own host (/verifikasi/<id>/):
what the QR code on the letter opens. No login: citizens and other offices check a letter here. It lives
outside /eoffice/ so that a letter stays verifiable even if the region's e-Office licence later lapses.

It shows only what is printed on the letter anyway (number, date, signer, position) plus the file's
SHA-256, and compares an uploaded PDF's SHA-256 with it; the upload is hashed in chunks and never stored.
Before trusting the stored hash it checks the built-in signer's seal over it: a record whose hash was
changed in the database is reported as damaged, and no upload can then "match" it.
"""

from __future__ import annotations

import hashlib
import hmac

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from mitra.errors import NotFoundError
from tenant_apps.eoffice.selectors import outgoing_verification_get
from tenant_apps.eoffice.signing import UNCERTIFIED_LABEL, record_intact

UPLOAD_MAX_BYTES = 20 * 1024 * 1024


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas PDF naskah"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("Berkas terlalu besar (paling besar 20 MB)."), code="file_too_large")
        return upload


def _sha256(upload) -> str:  # type: ignore[no-untyped-def]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, verification_id: str) -> HttpResponse:
    try:
        letter = outgoing_verification_get(verification_id=verification_id)
    except NotFoundError:
        raise Http404 from None
    intact = record_intact(
        provider=letter.signature_provider, sha256=letter.pdf_sha256, info=letter.signature_info or {}
    )
    result: str | None = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            matches = hmac.compare_digest(_sha256(form.cleaned_data["file"]), letter.pdf_sha256)
            result = "sesuai" if matches and intact is not False else "tidak sesuai"
    else:
        form = VerifyForm()
    return render(
        request,
        "eoffice/verify.html",
        {
            "letter": letter,
            "form": form,
            "result": result,
            "intact": intact,
            "uncertified_label": UNCERTIFIED_LABEL,
        },
    )
