"""e-Office pages: the module's home, incoming letters (register, inbox, agenda, detail), attachment
downloads, and dispositions (send, inbox, detail with the viewer's actions, overdue per unit). Thin: parse
the form, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mitra.errors import DomainError, ForbiddenError, NotFoundError
from tenant_apps.eoffice import selectors
from tenant_apps.eoffice.disposition_services import (
    disposition_cancel,
    disposition_complete,
    disposition_create,
    disposition_forward,
    disposition_mark_read,
    disposition_return,
    disposition_start,
)
from tenant_apps.eoffice.forms import (
    DispositionCompleteForm,
    DispositionForm,
    DispositionReturnForm,
    IncomingLetterForm,
    OutgoingLetterForm,
    OutgoingReviewForm,
)
from tenant_apps.eoffice.letter_templates import letter_template_body, letter_templates
from tenant_apps.eoffice.models import Disposition
from tenant_apps.eoffice.outgoing_services import (
    outgoing_letter_create,
    outgoing_letter_review,
    outgoing_letter_sign,
    outgoing_letter_submit,
    outgoing_letter_update,
)
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.eoffice.timeline import incoming_timeline, outgoing_timeline
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import org_today
from tenant_apps.registry import get_module

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "eoffice/home.html",
        {
            "module": get_module("eoffice"),
            "can_register": can(request.user, Action.EOFFICE_INCOMING_REGISTER),
            "can_numbers": can(request.user, Action.EOFFICE_NUMBERS),
            "can_settings": can(request.user, Action.EOFFICE_SETTINGS),
        },
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


def _incoming_detail(request: HttpRequest, letter: Any, form: DispositionForm | None = None) -> HttpResponse:
    can_dispose = selectors.user_holds(user=request.user, position_id=letter.addressed_to_id)
    if can_dispose and form is None:
        form = DispositionForm(exclude_position=letter.addressed_to_id, initial={"urgency": letter.urgency})
    return render(
        request,
        "eoffice/incoming_detail.html",
        {
            "letter": letter,
            "attachments": list(letter.attachments.all()),
            "tree": selectors.disposition_tree(letter=letter),
            "timeline": incoming_timeline(letter=letter),
            "form": form if can_dispose else None,
        },
    )


@login_required
@require_safe
def incoming_detail(request: HttpRequest, letter_id: str) -> HttpResponse:
    return _incoming_detail(request, _letter(request, letter_id))


def _form_errors(form: forms.Form, exc: ValidationError | DomainError) -> None:
    if isinstance(exc, DomainError):
        form.add_error(None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
@require_POST
def disposition_create_view(request: HttpRequest, letter_id: str) -> HttpResponse:
    letter = _letter(request, letter_id)
    form = DispositionForm(request.POST, exclude_position=letter.addressed_to_id)
    if form.is_valid():
        try:
            disposition_create(user=request.user, letter=letter, **form.cleaned_data)
        except ForbiddenError:
            raise PermissionDenied from None
        except (ValidationError, DomainError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Disposisi terkirim."))
            return redirect("eoffice:incoming-detail", letter_id=letter.pk)
    if not selectors.user_holds(user=request.user, position_id=letter.addressed_to_id):
        raise PermissionDenied
    return _incoming_detail(request, letter, form)


# --- dispositions --------------------------------------------------------------------------------------------


@login_required
@require_safe
def disposition_inbox(request: HttpRequest) -> HttpResponse:
    sent = request.GET.get("terkirim") == "1"
    qs = selectors.disposition_sent(user=request.user) if sent else selectors.disposition_inbox(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "eoffice/disposition_list.html",
        {"page": page, "sent": sent, "can_monitor": can(request.user, Action.EOFFICE_DISPOSITION_MONITOR)},
    )


def _disposition(request: HttpRequest, disposition_id: str) -> Any:
    try:
        return selectors.disposition_get_for(user=request.user, disposition_id=disposition_id)
    except NotFoundError:
        raise Http404 from None


def _disposition_page(request: HttpRequest, disposition: Any, **forms_: forms.Form) -> HttpResponse:
    actions = selectors.disposition_actions(user=request.user, disposition=disposition)
    context: dict[str, Any] = {"disposition": disposition, "actions": actions}
    if "forward" in actions:
        context["forward_form"] = forms_.get("forward") or DispositionForm(
            exclude_position=disposition.to_position_id, initial={"urgency": disposition.urgency}
        )
    if "complete" in actions:
        context["complete_form"] = forms_.get("complete") or DispositionCompleteForm()
    if "return" in actions:
        context["return_form"] = forms_.get("return") or DispositionReturnForm()
    return render(request, "eoffice/disposition_detail.html", context)


@login_required
@require_safe
def disposition_detail(request: HttpRequest, disposition_id: str) -> HttpResponse:
    disposition = _disposition(request, disposition_id)
    # Opening it is reading it, when the viewer acts for the receiving position.
    disposition_mark_read(user=request.user, disposition=disposition)
    return _disposition_page(request, _disposition(request, disposition_id))


_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "forward": DispositionForm,
    "complete": DispositionCompleteForm,
    "return": DispositionReturnForm,
}


@login_required
@require_POST
def disposition_action(request: HttpRequest, disposition_id: str, action: str) -> HttpResponse:
    """One POST per action (forward, start, complete, return, cancel); then back to the detail page."""
    disposition = _disposition(request, disposition_id)
    form: forms.Form | None = None
    if action == "forward":
        form = DispositionForm(request.POST, exclude_position=disposition.to_position_id)
    elif action in _ACTION_FORMS:
        form = _ACTION_FORMS[action](request.POST)
    try:
        if form is not None and not form.is_valid():
            return _disposition_page(request, disposition, **{action: form})
        data = form.cleaned_data if form is not None else {}
        if action == "forward":
            disposition_forward(user=request.user, parent=disposition, **data)
            messages.success(request, _("Disposisi diteruskan."))
        elif action == "start":
            disposition_start(user=request.user, disposition=disposition)
            messages.success(request, _("Disposisi sedang diproses."))
        elif action == "complete":
            disposition_complete(user=request.user, disposition=disposition, note=data["note"])
            messages.success(request, _("Disposisi selesai."))
        elif action == "return":
            disposition_return(user=request.user, disposition=disposition, reason=data["reason"])
            messages.success(request, _("Disposisi dikembalikan kepada pengirim."))
        elif action == "cancel":
            disposition_cancel(user=request.user, disposition=disposition)
            messages.success(request, _("Disposisi dibatalkan."))
        else:
            raise Http404
    except ForbiddenError:
        raise PermissionDenied from None
    except ValidationError as exc:
        assert form is not None
        _form_errors(form, exc)
        return _disposition_page(request, disposition, **{action: form})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("eoffice:disposition-detail", disposition_id=disposition.pk)


@login_required
@require_safe
def disposition_overdue(request: HttpRequest) -> HttpResponse:
    """Overdue dispositions of a unit (and the units below it). Monitors choose any unit; others see the
    unit of a position they act for."""
    own_units = [official.position.unit for official in selectors.user_positions(user=request.user)]
    monitor = can(request.user, Action.EOFFICE_DISPOSITION_MONITOR)
    if not monitor and not own_units:
        raise PermissionDenied
    units = list(Unit.objects.order_by("code")) if monitor else own_units
    chosen = request.GET.get("unit")
    unit = next((u for u in units if str(u.pk) == chosen), None) or (own_units[0] if own_units else None)
    if unit is None and units:
        unit = units[0]
    qs = selectors.disposition_overdue(unit=unit) if unit is not None else Disposition.objects.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "eoffice/disposition_overdue.html", {"page": page, "unit": unit, "units": units})


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


# --- outgoing letters ----------------------------------------------------------------------------------------


def outgoing_pdf_response(letter: Any) -> FileResponse:
    """The frozen PDF of a signed letter, as a download."""
    if not letter.pdf:
        raise NotFoundError("pdf_not_found", _("Naskah belum ditandatangani."))
    try:
        handle = default_storage.open(letter.pdf, "rb")
    except FileNotFoundError:
        raise NotFoundError("pdf_not_found", _("Berkas naskah tidak ditemukan.")) from None
    filename = f"{letter.number.number.replace('/', '-')}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def outgoing_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.outgoing_list_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "eoffice/outgoing_list.html",
        {"page": page, "can_draft": can(request.user, Action.EOFFICE_OUTGOING_DRAFT)},
    )


def _outgoing(request: HttpRequest, letter_id: str) -> Any:
    try:
        return selectors.outgoing_get_for(user=request.user, letter_id=letter_id)
    except NotFoundError:
        raise Http404 from None


def _outgoing_initial(letter: Any) -> dict[str, Any]:
    initial = {
        "letter_type": letter.letter_type,
        "subject": letter.subject,
        "classification_code": letter.classification_code,
        "body": letter.body,
        "signer_position": letter.signer_position_id,
        "unit": letter.unit_id,
        "recipients": list(letter.recipients.values_list("pk", flat=True)),
        "copies": list(letter.copies.values_list("pk", flat=True)),
        "external_recipients": letter.external_recipients,
    }
    for step in letter.reviewers.order_by("order"):
        initial[f"reviewer_{step.order}"] = step.position_id
    return initial


@login_required
def outgoing_form(request: HttpRequest, letter_id: str | None = None) -> HttpResponse:
    """New draft (no id) or edit of a draft/returned letter by its drafter."""
    letter = _outgoing(request, letter_id) if letter_id is not None else None
    if letter is None and not can(request.user, Action.EOFFICE_OUTGOING_DRAFT):
        raise PermissionDenied
    if letter is not None and "edit" not in selectors.outgoing_actions(user=request.user, letter=letter):
        raise PermissionDenied
    # A new draft starts from the template of the type chosen on the form's links (?jenis=nota_dinas).
    chosen = request.GET.get("jenis", "") if letter is None else ""
    if request.method == "POST":
        form = OutgoingLetterForm(request.POST)
        if form.is_valid():
            try:
                if letter is None:
                    letter = outgoing_letter_create(user=request.user, **form.service_values())
                else:
                    outgoing_letter_update(user=request.user, letter=letter, **form.service_values())
            except ForbiddenError:
                raise PermissionDenied from None
            except (ValidationError, DomainError) as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Draf naskah tersimpan."))
                return redirect("eoffice:outgoing-detail", letter_id=letter.pk)
    else:
        initial: dict[str, object] = {"classification_code": ""}
        if letter is None and (body := letter_template_body(chosen)) is not None:
            initial.update(letter_type=chosen, body=body)
        form = OutgoingLetterForm(initial=_outgoing_initial(letter) if letter else initial)
    return render(
        request,
        "eoffice/outgoing_form.html",
        {"form": form, "letter": letter, "templates": letter_templates(), "chosen_type": chosen},
    )


@login_required
@require_safe
def outgoing_detail(request: HttpRequest, letter_id: str) -> HttpResponse:
    letter = _outgoing(request, letter_id)
    return render(
        request,
        "eoffice/outgoing_detail.html",
        {
            "letter": letter,
            "actions": selectors.outgoing_actions(user=request.user, letter=letter),
            "viewer_role": selectors.outgoing_viewer_role(user=request.user, letter=letter),
            "reviewers": list(letter.reviewers.select_related("position").order_by("order")),
            "reviews": list(selectors.outgoing_reviews(letter=letter)),
            "recipients": list(letter.recipients.order_by("title")),
            "copies": list(letter.copies.order_by("title")),
            "review_form": OutgoingReviewForm(),
            "timeline": outgoing_timeline(letter=letter),
        },
    )


@login_required
@require_POST
def outgoing_action(request: HttpRequest, letter_id: str, action: str) -> HttpResponse:
    """One POST per action (submit, approve, return, reject, sign); then back to the detail page."""
    letter = _outgoing(request, letter_id)
    decisions = {"approve": "setuju", "return": "kembalikan", "reject": "tolak"}
    try:
        if action == "submit":
            outgoing_letter_submit(user=request.user, letter=letter)
            messages.success(request, _("Naskah diajukan."))
        elif action in decisions:
            form = OutgoingReviewForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            outgoing_letter_review(user=request.user, letter=letter, decision=decisions[action], note=note)
            messages.success(request, _("Keputusan tersimpan."))
        elif action == "sign":
            signed = outgoing_letter_sign(user=request.user, letter=letter)
            messages.success(request, _("Naskah ditandatangani dengan nomor %(n)s.") % {"n": signed.number.number})
        else:
            raise Http404
    except ForbiddenError:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("eoffice:outgoing-detail", letter_id=letter.pk)


@login_required
@require_safe
def outgoing_pdf(request: HttpRequest, letter_id: str) -> HttpResponse:
    try:
        return outgoing_pdf_response(_outgoing(request, letter_id))
    except NotFoundError:
        raise Http404 from None
