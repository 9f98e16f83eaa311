"""`{% region_shell as shell %}`: what the page frame needs about the region being served."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone

from tenant_apps.workspace.permissions import can_manage_region
from tenant_apps.workspace.selectors import region_settings_get

register = template.Library()

_REQUEST_ATTR = "_mitra_shell"


@register.simple_tag(takes_context=True)
def region_shell(context: template.Context) -> dict[str, Any]:
    """{logo_url, can_manage, timezone}: the region's logo (with a version for caching), whether the user
    may open the region settings, and the time zone the page shows times in (the region's own setting;
    on the control plane the current zone). Read once per request."""
    request = context.get("request")
    if request is None:
        return {"logo_url": "", "can_manage": False, "timezone": timezone.get_current_timezone_name()}
    cached = getattr(request, _REQUEST_ATTR, None)
    if cached is not None:
        return cached
    shell: dict[str, Any] = {"logo_url": "", "can_manage": False, "timezone": timezone.get_current_timezone_name()}
    if getattr(request, "region", None) is not None:
        settings_row = region_settings_get()
        if settings_row.logo:
            shell["logo_url"] = f"{reverse('workspace:logo')}?v={settings_row.logo_sha256[:12]}"
        shell["can_manage"] = can_manage_region(request.user) if hasattr(request, "user") else False
        shell["timezone"] = settings_row.timezone
    setattr(request, _REQUEST_ATTR, shell)
    return shell
