"""Console pages for licences (/lisensi/): viewers read, operators issue, renew, extend, change modules and
revoke. Thin: validate the form, call one service, redirect with a message (POST-redirect-GET)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mitra.errors import DomainError, NotFoundError
from mitra.forms import apply_domain_error
from shared_apps.audit.services import actor_for
from shared_apps.console.roles import OperatorRole, has_operator_role, operator_required
from shared_apps.licensing import services
from shared_apps.licensing.forms import (
    LicenceExtendForm,
    LicenceFilterForm,
    LicenceIssueForm,
    LicenceModulesForm,
    LicenceRenewForm,
    LicenceRevokeForm,
)
from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import (
    agreement_scope_or_none,
    days_left,
    licence_audit,
    licence_get,
    licence_history,
    licence_list,
    licences_expiring,
    platform_today,
)
from tenants.models import Region
from tenants.selectors import RegionNotFoundError, region_get

EXPIRY_WARNING_DAYS = 30
PAGE_SIZE = 100


def _licence_or_404(pk: int) -> Licence:
    try:
        return licence_get(licence_id=pk)
    except NotFoundError:
        raise Http404 from None


@operator_required()
def licence_list_view(request: HttpRequest) -> HttpResponse:
    form = LicenceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    licences = licence_list(
        region_slug=filters.get("region") or None,
        status=filters.get("status") or None,
        expiring_within=EXPIRY_WARNING_DAYS if filters.get("expiring") else None,
    )
    page = Paginator(licences, PAGE_SIZE).get_page(request.GET.get("page"))
    today = platform_today()
    expiring = list(licences_expiring(within_days=EXPIRY_WARNING_DAYS, today=today))
    expiring_ids = {licence.pk for licence in expiring}
    rows = [(lic, days_left(lic, today=today), lic.pk in expiring_ids) for lic in page]
    warnings = [(lic, days_left(lic, today=today)) for lic in expiring]
    return render(
        request,
        "licensing/list.html",
        {
            "filter_form": form,
            "rows": rows,
            "page": page,
            "warnings": warnings,
            "can_issue": has_operator_role(request.user, OperatorRole.OPERATOR),
        },
    )


@operator_required(OperatorRole.OPERATOR)
def licence_issue_view(request: HttpRequest) -> HttpResponse:
    slug = (request.POST.get("region") if request.method == "POST" else request.GET.get("region")) or ""
    region: Region | None = None
    if slug:
        try:
            region = region_get(slug=slug)
        except RegionNotFoundError:
            region = None
    scope = agreement_scope_or_none(region) if region is not None else None
    today = platform_today()
    if request.method == "POST":
        form = LicenceIssueForm(request.POST, scope=scope)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assert region is not None  # the form only accepts known slugs
                licence = services.licence_issue(
                    region=region,
                    modules=data["modules"],
                    seat_limit=data["seat_limit"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    actor=actor_for(request.user),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Lisensi untuk %(region)s diterbitkan.") % {"region": region.official_name})
                return redirect("licensing:detail", pk=licence.pk)
    else:
        form = LicenceIssueForm(
            initial={
                "region": slug,
                "valid_from": today,
                "valid_until": today + timedelta(days=365),
                "modules": sorted(scope or ()),
            },
            scope=scope,
        )
    # Not "region": base.html takes that as "this page is inside a region" and dresses the console as one.
    return render(
        request, "licensing/issue.html", {"form": form, "target": region, "scope": scope, "chosen": bool(slug)}
    )


def _action_forms(licence: Licence, scope: frozenset[str] | None) -> dict[str, forms.Form]:
    return {
        "renew_form": LicenceRenewForm(initial={"valid_until": licence.valid_until + timedelta(days=365)}),
        "extend_form": LicenceExtendForm(initial={"valid_until": licence.valid_until + timedelta(days=90)}),
        "modules_form": LicenceModulesForm(licence=licence, scope=scope),
        "revoke_form": LicenceRevokeForm(),
    }


def _render_detail(request: HttpRequest, licence: Licence, bound: dict[str, forms.Form] | None = None) -> HttpResponse:
    chain = licence_history(licence=licence)
    scope = agreement_scope_or_none(licence.region)
    context: dict[str, Any] = {
        "licence": licence,
        "chain": chain,
        "audit": licence_audit(licences=chain),
        "days_left": days_left(licence),
        "scope": scope,
        "can_act": has_operator_role(request.user, OperatorRole.OPERATOR),
        "can_renew": licence.status in (Licence.Status.ACTIVE, Licence.Status.EXPIRED),
        "is_active": licence.status == Licence.Status.ACTIVE,
        **_action_forms(licence, scope),
        **(bound or {}),
    }
    return render(request, "licensing/detail.html", context)


@operator_required()
def licence_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _licence_or_404(pk))


def _run_action(
    request: HttpRequest,
    licence: Licence,
    *,
    key: str,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Licence],
    done: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("licensing:detail", pk=result.pk)
    return _render_detail(request, licence, {key: form})


@require_POST
@operator_required(OperatorRole.OPERATOR)
def licence_renew_view(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence_or_404(pk)
    return _run_action(
        request,
        licence,
        key="renew_form",
        form=LicenceRenewForm(request.POST),
        call=lambda d: services.licence_renew(
            licence=licence, valid_until=d["valid_until"], seat_limit=d.get("seat_limit"), actor=actor_for(request.user)
        ),
        done=_("Lisensi diperbarui; lisensi lama tersimpan dalam riwayat."),
    )


@require_POST
@operator_required(OperatorRole.OPERATOR)
def licence_extend_view(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence_or_404(pk)
    return _run_action(
        request,
        licence,
        key="extend_form",
        form=LicenceExtendForm(request.POST),
        call=lambda d: services.licence_extend(
            licence=licence, valid_until=d["valid_until"], actor=actor_for(request.user)
        ),
        done=_("Masa berlaku lisensi diperpanjang."),
    )


@require_POST
@operator_required(OperatorRole.OPERATOR)
def licence_modules_view(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence_or_404(pk)
    current = set(licence.modules)

    def call(data: dict[str, Any]) -> Licence:
        wanted = set(data["modules"])
        return services.licence_modules_change(
            licence=licence,
            add=sorted(wanted - current),
            remove=sorted(current - wanted),
            actor=actor_for(request.user),
        )

    return _run_action(
        request,
        licence,
        key="modules_form",
        form=LicenceModulesForm(request.POST, licence=licence, scope=agreement_scope_or_none(licence.region)),
        call=call,
        done=_("Modul lisensi diubah."),
    )


@require_POST
@operator_required(OperatorRole.OPERATOR)
def licence_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _licence_or_404(pk)
    return _run_action(
        request,
        licence,
        key="revoke_form",
        form=LicenceRevokeForm(request.POST),
        call=lambda d: services.licence_revoke(licence=licence, reason=d["reason"], actor=actor_for(request.user)),
        done=_("Lisensi dicabut. Semua modul wilayah ini tertutup mulai sekarang."),
    )
