"""e-Office pages: the module's home, incoming letters (register, inbox, agenda, detail) and attachment
downloads. Thin: parse the form, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from mitra.errors import DomainError, NotFoundError
from tenant_apps.eoffice import selectors
from tenant_apps.eoffice.forms import IncomingLetterForm
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import org_today
from tenant_apps.registry import get_module

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "eoffice/home.html",
        {"module": get_module("eoffice"), "can_register": can(request.user, Action.EOFFICE_INCOMING_REGISTER)},
    )


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's inbox; records officers and admins may switch to the whole agenda book (?semua=1)."""
    can_register = can(request.user, Action.EOFFICE_INCOMING_REGISTER)
    everything = can_register and request.GET.get("semua") == "1"
    qs = selectors.incoming_agenda() if everything else selectors.incoming_inbox(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "eoffice/incoming_list.html",
        {"page": page, "everything": everything, "can_register": can_register},
    )


@login_required
def incoming_register(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.EOFFICE_INCOMING_REGISTER):
        raise PermissionDenied
    if request.method == "POST":
        form = IncomingLetterForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter = incoming_letter_register(
                    user=request.user,
                    sender=data["sender"],
                    letter_number=data["letter_number"],
                    letter_date=data["letter_date"],
                    received_date=data["received_date"],
                    subject=data["subject"],
                    nature=data["nature"],
                    urgency=data["urgency"],
                    addressed_to=data["addressed_to"],
                    attachments=data["attachments"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Surat masuk tercatat dengan nomor agenda %(n)s.") % {"n": letter.agenda.number}
                )
                return redirect("eoffice:incoming-detail", letter_id=letter.pk)
    else:
        form = IncomingLetterForm(initial={"received_date": org_today()})
    return render(request, "eoffice/incoming_form.html", {"form": form})


def _letter(request: HttpRequest, letter_id: str):  # type: ignore[no-untyped-def]
    try:
        return selectors.incoming_get_for(user=request.user, letter_id=letter_id)
    except NotFoundError:
        raise Http404 from None


@login_required
@require_safe
def incoming_detail(request: HttpRequest, letter_id: str) -> HttpResponse:
    letter = _letter(request, letter_id)
    return render(
        request, "eoffice/incoming_detail.html", {"letter": letter, "attachments": list(letter.attachments.all())}
    )


def attachment_response(attachment) -> FileResponse:  # type: ignore[no-untyped-def]
    """The file as a download with its checked content type; never rendered inline (it came from outside)."""
    try:
        handle = default_storage.open(attachment.file, "rb")
    except FileNotFoundError:
        raise NotFoundError("attachment_not_found", _("Lampiran tidak ditemukan.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def attachment_download(request: HttpRequest, letter_id: str, attachment_id: str) -> HttpResponse:
    try:
        attachment = selectors.attachment_get_for(user=request.user, letter_id=letter_id, attachment_id=attachment_id)
        return attachment_response(attachment)
    except NotFoundError:
        raise Http404 from None
