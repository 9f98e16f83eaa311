"""Workspace pages on a region's host: region settings, the region's logo, password reset by e-mail, and the
user's notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mitra.login import LoginThrottle
from shared_apps.audit.services import actor_for
from tenant_apps.workspace.forms import RegionSetPasswordForm, RegionSettingsForm
from tenant_apps.workspace.notifications import (
    notification_email_set,
    notification_mark_all_read,
    notification_mark_read,
)
from tenant_apps.workspace.permissions import can_manage_region
from tenant_apps.workspace.selectors import (
    notification_email_enabled,
    notification_list_for,
    notification_unread_count,
    region_settings_get,
)
from tenant_apps.workspace.services import password_reset_request, password_reset_token, region_settings_update


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    """The region admin's settings page: letterhead and logo, time zone, letter number format."""
    if not can_manage_region(request.user):
        raise PermissionDenied
    current = region_settings_get()
    form = RegionSettingsForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("logo_file")
        try:
            region_settings_update(
                actor=actor_for(request.user),
                letterhead=form.cleaned_data["letterhead"],
                timezone=form.cleaned_data["timezone"],
                letter_number_format=form.cleaned_data["letter_number_format"],
                logo=upload or None,
                logo_size=upload.size if upload else None,
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Pengaturan wilayah tersimpan."))
            return redirect("workspace:settings")
    # The example uses the saved format: an invalid one typed into the form has no example.
    saved = region_settings_get()
    example = RegionSettingsForm(instance=saved).number_example()
    return render(request, "workspace/settings.html", {"form": form, "saved": saved, "example": example})


@require_safe
def logo(request: HttpRequest) -> HttpResponse:
    """The region's logo, as checked on upload. Public on purpose: the login page shows it, and it is the
    region's emblem, not a secret. Served with its checked content type, `nosniff`, and no active content."""
    current = region_settings_get()
    if not current.logo:
        raise Http404
    try:
        handle = default_storage.open(current.logo, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=current.logo_content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    # The page links the logo with ?v=<hash>, so a replaced logo has a new URL and this can be cached.
    response["Cache-Control"] = "public, max-age=86400"
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail. The mail is built and sent by a Celery task after commit, with a link
    on the region's own address; nothing from this request (Host, X-Forwarded-Host) goes into it. The page
    says the same whether or not the address belongs to an account."""

    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = RegionSetPasswordForm
    token_generator = password_reset_token
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        # Whoever proved they own the mailbox may log in again at once, even after a lockout.
        LoginThrottle(self.request, form.user.get_username()).succeeded()
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# --- notifications -------------------------------------------------------------------------------------------

NOTIFICATIONS_PAGE_SIZE = 25


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, with the unread ones marked, and the e-mail choice."""
    page = Paginator(notification_list_for(user=request.user), NOTIFICATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workspace/notifications.html",
        {
            "page": page,
            "unread": notification_unread_count(user=request.user),
            "email_enabled": notification_email_enabled(user=request.user),
            "has_email": bool(getattr(request.user, "email", "")),
        },
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: str) -> HttpResponse:
    """Mark one notification read; with `buka=1` go on to what it is about."""
    pk = int(notification_id) if notification_id.isdigit() and len(notification_id) < 19 else 0
    notification = notification_list_for(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    notification_mark_read(user=request.user, notification_id=notification.pk)
    if request.POST.get("buka") == "1" and notification.url.startswith("/") and not notification.url.startswith("//"):
        return redirect(notification.url)
    return redirect("workspace:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user=request.user)
    messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
    return redirect("workspace:notifications")


@login_required
@require_POST
def notification_email(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("email") == "1"
    notification_email_set(user=request.user, enabled=enabled)
    messages.success(request, _("Notifikasi e-mail diaktifkan.") if enabled else _("Notifikasi e-mail dimatikan."))
    return redirect("workspace:notifications")
