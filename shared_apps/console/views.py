"""The operators' console (control plane, root domain): dashboard, regions, provisioning and operations.

Viewers read everything; operators register, provision, suspend, resume and export; admins also terminate.
Views are thin: validate, call one service, POST-redirect-GET with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mitra.errors import DomainError, NotFoundError
from shared_apps.audit.selectors import audit_for_region
from shared_apps.audit.services import actor_for
from shared_apps.console.forms import RegionRegisterForm, RegionSuspendForm, RegionTerminateForm
from shared_apps.console.roles import OperatorRole, has_operator_role, operator_required
from shared_apps.console.selectors import onboarding_funnel, region_overview
from shared_apps.licensing.selectors import days_left, licence_current, licence_list, licences_expiring
from shared_apps.onboarding.selectors import agreement_list, agreement_signed_scope
from tenants.export import region_export_request
from tenants.models import ProvisioningJob, Region
from tenants.selectors import (
    RegionNotFoundError,
    provisioning_job_current,
    provisioning_job_get,
    region_base_url,
    region_export_get,
    region_export_list,
    region_get,
)
from tenants.services import (
    PROVISION_STEPS,
    STEP_LABELS,
    provision_steps,
    provisioning_setup_link_reveal,
    region_provision_request,
    region_register,
    region_resume,
    region_suspend,
    region_terminate_request,
)
from tenants.storage import storage_prefix

EXPIRY_WARNING_DAYS = 30
TIMELINE_LENGTH = 200
S = Region.Status


def _region_or_404(slug: str) -> Region:
    try:
        return region_get(slug=slug)
    except RegionNotFoundError:
        raise Http404 from None


@operator_required()
def home(request: HttpRequest) -> HttpResponse:
    """Dashboard: the onboarding funnel, licences about to expire, and every region with its status."""
    rows = region_overview()
    expiring = [(lic, days_left(lic)) for lic in licences_expiring(within_days=EXPIRY_WARNING_DAYS)]
    return render(
        request,
        "console/home.html",
        {
            "funnel": onboarding_funnel(rows),
            "expiring": expiring,
            "rows": [(row, region_base_url(row.region)) for row in rows],
            "can_operate": has_operator_role(request.user, OperatorRole.OPERATOR),
            "warning_days": EXPIRY_WARNING_DAYS,
        },
    )


@operator_required()
def region_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in S.values:
        status = None
    rows = region_overview(status=status)
    return render(
        request,
        "console/region_list.html",
        {
            "rows": [(row, region_base_url(row.region)) for row in rows],
            "statuses": S.choices,
            "status": status,
            "can_operate": has_operator_role(request.user, OperatorRole.OPERATOR),
        },
    )


@operator_required(OperatorRole.OPERATOR)
def region_register_view(request: HttpRequest) -> HttpResponse:
    form = RegionRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = region_register(
                slug=data["slug"],
                region_code=data["region_code"],
                official_name=data["official_name"] or None,
                timezone=data["timezone"] or None,
                actor=actor_for(request.user),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("%(name)s terdaftar.") % {"name": region.official_name})
            return redirect("console:region-detail", slug=region.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "console/region_register.html", {"form": form}, status=status)


def _job_payload(job: ProvisioningJob | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "step": job.step,
        "step_label": str(STEP_LABELS.get(job.step, "")),
        "steps_done": job.steps_done,
        "steps_total": job.steps_total,
        "progress": job.progress,
        "method": job.method,
        "error": job.error,
        "finished": job.is_finished,
        "setup_link_ready": job.setup_link_available,
    }


def _detail_context(request: HttpRequest, region: Region, **extra: Any) -> dict[str, Any]:
    job = provisioning_job_current(region=region)
    role_operator = has_operator_role(request.user, OperatorRole.OPERATOR)
    exports = list(region_export_list(region=region)[:10])
    export_running = any(export.in_progress for export in exports)
    # Not "region": base.html takes that as "this page is inside a region" and switches to the region's look.
    context = {
        "target": region,
        "base_url": region_base_url(region),
        "agreements": list(agreement_list(region=region)),
        "signed_scope": sorted(agreement_signed_scope(region=region) or []),
        "has_signed_agreement": agreement_signed_scope(region=region) is not None,
        "licence": licence_current(region=region),
        "latest_licence": licence_list(region_slug=region.slug).first(),
        "job": job,
        "job_payload": _job_payload(job),
        "steps": provision_steps(with_first_admin=job.with_first_admin) if job else PROVISION_STEPS,
        "exports": exports,
        "export_running": export_running,
        "timeline": list(audit_for_region(schema_name=region.schema_name)[:TIMELINE_LENGTH]),
        "can_operate": role_operator,
        "can_admin": has_operator_role(request.user, OperatorRole.ADMIN),
        "can_provision": role_operator and region.status in (S.PENDING, S.FAILED) and (job is None or job.is_finished),
        "can_suspend": role_operator and region.status == S.ACTIVE,
        "can_resume": role_operator and region.status == S.SUSPENDED,
        "can_export": role_operator
        and not export_running
        and region.status in (S.ACTIVE, S.SUSPENDED, S.TERMINATED)
        and region.schema_dropped_at is None,
        "can_terminate": has_operator_role(request.user, OperatorRole.ADMIN)
        and not export_running
        and region.status in (S.PENDING, S.FAILED, S.ACTIVE, S.SUSPENDED),
        "suspend_form": RegionSuspendForm(),
        "terminate_form": RegionTerminateForm(region=region),
    }
    context.update(extra)
    return context


@never_cache
@operator_required()
def region_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    region = _region_or_404(slug)
    return render(request, "console/region_detail.html", _detail_context(request, region))


@never_cache
@operator_required()
def provisioning_job_status_view(request: HttpRequest, slug: str, job_id: int) -> JsonResponse:
    """What the detail page polls every 2 s while a job runs. Never contains the setup link."""
    region = _region_or_404(slug)
    try:
        job = provisioning_job_get(region=region, job_id=job_id)
    except NotFoundError:
        raise Http404 from None
    return JsonResponse(_job_payload(job) or {})


def _run(request: HttpRequest, slug: str, action: Any, success: str) -> HttpResponse:
    """Call one service for the region; a domain error becomes an error message. Then back to the detail."""
    region = _region_or_404(slug)
    try:
        action(region)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success % {"name": region.official_name})
    return redirect("console:region-detail", slug=region.slug)


@require_POST
@operator_required(OperatorRole.OPERATOR)
def region_provision_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _run(
        request,
        slug,
        lambda region: region_provision_request(region=region, actor=actor_for(request.user)),
        _("Penyiapan %(name)s masuk antrean."),
    )


@require_POST
@operator_required(OperatorRole.OPERATOR)
def region_suspend_view(request: HttpRequest, slug: str) -> HttpResponse:
    form = RegionSuspendForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run(
        request,
        slug,
        lambda region: region_suspend(region=region, actor=actor_for(request.user), reason=reason),
        _("%(name)s ditangguhkan."),
    )


@require_POST
@operator_required(OperatorRole.OPERATOR)
def region_resume_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _run(
        request,
        slug,
        lambda region: region_resume(region=region, actor=actor_for(request.user)),
        _("%(name)s aktif kembali."),
    )


@require_POST
@operator_required(OperatorRole.ADMIN)
def region_terminate_view(request: HttpRequest, slug: str) -> HttpResponse:
    region = _region_or_404(slug)
    form = RegionTerminateForm(request.POST, region=region)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("console:region-detail", slug=region.slug)
    try:
        _region, export = region_terminate_request(
            region=region, actor=actor_for(request.user), reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if export is None:
            messages.success(request, _("%(name)s diakhiri.") % {"name": region.official_name})
        else:
            messages.success(
                request,
                _(
                    "Ekspor data %(name)s berjalan; wilayah diakhiri begitu arsipnya tersimpan, dan skemanya "
                    "dihapus setelah masa tenggang."
                )
                % {"name": region.official_name},
            )
    return redirect("console:region-detail", slug=region.slug)


@require_POST
@operator_required(OperatorRole.OPERATOR)
def region_export_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _run(
        request,
        slug,
        lambda region: region_export_request(region=region, actor=actor_for(request.user)),
        _("Ekspor data %(name)s masuk antrean; halaman ini memperbarui dirinya sampai selesai."),
    )


@operator_required(OperatorRole.OPERATOR)
def region_export_download_view(request: HttpRequest, slug: str, export_id: int) -> FileResponse:
    region = _region_or_404(slug)
    try:
        export = region_export_get(region=region, export_id=export_id)
    except NotFoundError:
        raise Http404 from None
    if not export.file_name:  # a job still running, or one that failed: there is no archive
        raise Http404
    with storage_prefix("public"):
        handle = default_storage.open(export.file_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=export.file_name.rsplit("/", 1)[-1])


@never_cache
@require_POST
@operator_required(OperatorRole.OPERATOR)
def setup_link_reveal_view(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """Show the first admin's setup link, once: the page that answers this POST is the only place it appears."""
    region = _region_or_404(slug)
    try:
        job = provisioning_job_get(region=region, job_id=job_id)
        link, expires_at = provisioning_setup_link_reveal(job=job, actor=actor_for(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("console:region-detail", slug=region.slug)
    context = _detail_context(request, region, revealed_link=link, revealed_expires_at=expires_at)
    response = render(request, "console/region_detail.html", context)
    # Origin only, never the path. Not "no-referrer": browsers then send `Origin: null` with the page's forms
    # (sign out, suspend, export), and CSRF refuses them.
    response["Referrer-Policy"] = "strict-origin"
    return response
