"""Console pages for agreements (/kerja-sama/ on the root domain). Viewers read; operators write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mitra.errors import DomainError, NotFoundError
from mitra.forms import apply_domain_error
from shared_apps.audit.services import actor_for
from shared_apps.console.roles import OperatorRole, has_operator_role, operator_required
from shared_apps.onboarding.forms import AgreementForm, ConfirmForm, FilterForm, ScanForm, SignForm, TerminateForm
from shared_apps.onboarding.models import Agreement
from shared_apps.onboarding.selectors import agreement_get, agreement_history, agreement_list, region_today
from shared_apps.onboarding.services import (
    agreement_activate,
    agreement_attach_scan,
    agreement_create,
    agreement_next_statuses,
    agreement_scan_attachable,
    agreement_sign,
    agreement_terminate,
    agreement_update,
)

S = Agreement.Status
PAGE_SIZE = 50
# Console action (URL segment) → the status it leads to, its button label and its confirmation question.
ACTIONS: dict[str, tuple[str, Any, Any]] = {
    "tandatangani": (
        S.SIGNED,
        gettext_lazy("Catat penandatanganan"),
        gettext_lazy("Catat bahwa kerja sama ini sudah ditandatangani?"),
    ),
    "aktifkan": (S.ACTIVE, gettext_lazy("Nyatakan berlaku"), gettext_lazy("Nyatakan kerja sama ini mulai berlaku?")),
    "akhiri": (
        S.TERMINATED,
        gettext_lazy("Akhiri kerja sama"),
        gettext_lazy("Akhiri kerja sama ini? Tindakan ini tidak dapat dibatalkan."),
    ),
}
HISTORY_LABELS = {
    "agreement.create": gettext_lazy("Dicatat sebagai draf"),
    "agreement.update": gettext_lazy("Diubah"),
    "agreement.scan": gettext_lazy("Pindaian diunggah"),
    "agreement.sign": gettext_lazy("Penandatanganan dicatat"),
    "agreement.activate": gettext_lazy("Dinyatakan berlaku"),
    "agreement.expire": gettext_lazy("Kedaluwarsa"),
    "agreement.terminate": gettext_lazy("Diakhiri"),
}


def scan_response(agreement: Agreement) -> FileResponse:
    """The scanned PDF as a download (never rendered inline: it comes from outside)."""
    if not agreement.scan:
        raise NotFoundError("scan_missing", _("Kerja sama ini belum memiliki pindaian."))
    filename = f"{agreement.kind}-{slugify(agreement.number) or agreement.pk}.pdf"
    return FileResponse(
        agreement.scan.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )


def _get(agreement_id: int) -> Agreement:
    try:
        return agreement_get(agreement_id=agreement_id)
    except NotFoundError:
        raise Http404 from None


@operator_required()
def agreement_list_view(request: HttpRequest) -> HttpResponse:
    filters = FilterForm(request.GET or None)
    qs = agreement_list()
    if filters.is_valid():
        if filters.cleaned_data.get("region"):
            qs = qs.filter(region=filters.cleaned_data["region"])
        if filters.cleaned_data.get("status"):
            qs = qs.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data.get("kind"):
            qs = qs.filter(kind=filters.cleaned_data["kind"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("halaman"))
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(
        request,
        "onboarding/agreement_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "can_write": has_operator_role(request.user, OperatorRole.OPERATOR),
        },
    )


@operator_required(OperatorRole.OPERATOR)
@require_http_methods(["GET", "POST"])
def agreement_create_view(request: HttpRequest) -> HttpResponse:
    # Coming from a region's page (?region=<slug>), the region is already chosen.
    form = AgreementForm(request.POST or None, request.FILES or None, initial={"region": request.GET.get("region")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = agreement_create(
                region=data["region"],
                kind=data["kind"],
                number=data["number"],
                title=data["title"],
                parties=data["parties"],
                signatories=data["signatories"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                modules=data["modules"],
                parent=data["parent"],
                scan=data["scan"] or None,
                actor=actor_for(request.user),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Kerja sama %(n)s dicatat sebagai draf.") % {"n": agreement.number})
            return redirect("onboarding:detail", agreement_id=agreement.pk)
    return render(request, "onboarding/agreement_form.html", {"form": form, "agreement": None})


@operator_required(OperatorRole.OPERATOR)
@require_http_methods(["GET", "POST"])
def agreement_edit_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _get(agreement_id)
    if agreement.status != S.DRAFT:
        messages.error(request, _("Kerja sama hanya dapat diubah selama masih draf."))
        return redirect("onboarding:detail", agreement_id=agreement.pk)
    form = AgreementForm(request.POST or None, editing=agreement, initial=AgreementForm.initial_for(agreement))
    if request.method == "POST" and form.is_valid():
        try:
            agreement_update(agreement=agreement, actor=actor_for(request.user), **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Perubahan disimpan."))
            return redirect("onboarding:detail", agreement_id=agreement.pk)
    return render(request, "onboarding/agreement_form.html", {"form": form, "agreement": agreement})


@operator_required()
def agreement_detail_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _get(agreement_id)
    can_write = has_operator_role(request.user, OperatorRole.OPERATOR)
    next_statuses = agreement_next_statuses(agreement)
    actions = [(slug, label) for slug, (to, label, _q) in ACTIONS.items() if to in next_statuses] if can_write else []
    can_attach = can_write and agreement_scan_attachable(agreement)
    return render(
        request,
        "onboarding/agreement_detail.html",
        {
            "agreement": agreement,
            "history": [(r, HISTORY_LABELS.get(r.action, r.action)) for r in agreement_history(agreement=agreement)],
            "actions": actions,
            "can_write": can_write,
            "can_attach": can_attach,
            "scan_form": ScanForm() if can_attach else None,
            "children": agreement.children.order_by("number"),
        },
    )


@operator_required()
def agreement_scan_view(request: HttpRequest, agreement_id: int) -> FileResponse:
    agreement = _get(agreement_id)
    try:
        return scan_response(agreement)
    except NotFoundError:
        raise Http404 from None


@operator_required(OperatorRole.OPERATOR)
@require_POST
def agreement_scan_upload_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _get(agreement_id)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Pilih berkas PDF untuk diunggah."))
    else:
        try:
            agreement_attach_scan(agreement=agreement, scan=form.cleaned_data["scan"], actor=actor_for(request.user))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Pindaian disimpan."))
    return redirect("onboarding:detail", agreement_id=agreement.pk)


def _sign(request: HttpRequest, agreement: Agreement, form: SignForm) -> Agreement:
    return agreement_sign(agreement=agreement, actor=actor_for(request.user), signed_on=form.cleaned_data["signed_on"])


def _activate(request: HttpRequest, agreement: Agreement, form: ConfirmForm) -> Agreement:
    return agreement_activate(agreement=agreement, actor=actor_for(request.user))


def _terminate(request: HttpRequest, agreement: Agreement, form: TerminateForm) -> Agreement:
    return agreement_terminate(agreement=agreement, actor=actor_for(request.user), reason=form.cleaned_data["reason"])


_PERFORM: dict[str, tuple[type, Callable[..., Agreement], Any]] = {
    "tandatangani": (SignForm, _sign, gettext_lazy("Penandatanganan dicatat.")),
    "aktifkan": (ConfirmForm, _activate, gettext_lazy("Kerja sama dinyatakan berlaku.")),
    "akhiri": (TerminateForm, _terminate, gettext_lazy("Kerja sama diakhiri.")),
}


@operator_required(OperatorRole.OPERATOR)
@require_http_methods(["GET", "POST"])
def agreement_action_view(request: HttpRequest, agreement_id: int, action: str) -> HttpResponse:
    """A confirmation page (GET) and the step itself (POST) for sign, activate and terminate."""
    if action not in ACTIONS:
        raise Http404
    agreement = _get(agreement_id)
    to, label, question = ACTIONS[action]
    form_class, perform, done = _PERFORM[action]
    initial = {"signed_on": region_today(agreement.region)} if form_class is SignForm else None
    # Not `request.POST or None`: activation posts no fields, and an empty POST must still be a bound form.
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if to not in agreement_next_statuses(agreement):
        messages.error(
            request,
            _("Tindakan ini tidak tersedia untuk kerja sama berstatus %(s)s.") % {"s": agreement.get_status_display()},
        )
        return redirect("onboarding:detail", agreement_id=agreement.pk)
    if request.method == "POST" and form.is_valid():
        try:
            perform(request, agreement, form)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("onboarding:detail", agreement_id=agreement.pk)
    return render(
        request,
        "onboarding/agreement_confirm.html",
        {
            "agreement": agreement,
            "form": form,
            "label": label,
            "question": question,
            "scan_missing": to == S.SIGNED and not agreement.scan,
        },
    )
