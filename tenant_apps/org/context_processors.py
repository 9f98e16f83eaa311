"""The region's menu: only modules its licence covers today (one query per request, shared with the gate)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from tenant_apps.org.permissions import Action, can
from tenant_apps.registry import all_modules
from tenants.gate import request_licensed_modules


def region_menu(request: HttpRequest) -> dict[str, Any]:
    """`region_menu`: [{label, url}] of the licensed modules' menu entries, then the workspace pages the user's
    role may open; `licensed_modules`: [{code, name,
    description, url}] for the home page's cards. Empty on the control plane and for anonymous visitors."""
    user = getattr(request, "user", None)
    if getattr(request, "region", None) is None or user is None or not user.is_authenticated:
        return {"region_menu": [], "licensed_modules": []}
    licensed = request_licensed_modules(request)
    menu: list[dict[str, str]] = []
    modules: list[dict[str, str]] = []
    for spec in all_modules():
        if spec.code not in licensed:
            continue
        entries = [{"label": str(e.label), "url": reverse(f"{spec.code}:{e.url_name}")} for e in spec.menu]
        menu.extend(entries)
        modules.append(
            {
                "code": spec.code,
                "name": spec.name,
                "description": str(spec.description),
                "url": entries[0]["url"] if entries else f"/{spec.url_prefix}",
            }
        )
    # The workspace's own pages follow the modules, each shown only to the roles that may open it. The
    # notifications link carries no count: the home page shows it, and every other page saves the query.
    menu.append({"label": _("Notifikasi"), "url": reverse("workspace:notifications")})
    if can(user, Action.ORG_VIEW):
        menu.append({"label": _("Organisasi"), "url": reverse("org:tree")})
    if can(user, Action.REPORTS_VIEW):
        menu.append({"label": _("Laporan"), "url": reverse("reports:region")})
    if can(user, Action.REGION_SETTINGS):
        menu.append({"label": _("Pengaturan"), "url": reverse("workspace:settings")})
    return {"region_menu": menu, "licensed_modules": modules}
