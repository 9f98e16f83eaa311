"""The licence gate: a region may use a module only while its licence covers that module today.

Three doors, one question (`shared_apps.licensing.selectors.licensed_module_codes`):
- `ModuleGateMiddleware` for every request on a region host whose path belongs to a module (pages and API);
- `ModuleLicensed`, a DRF permission for module API views that set `module_code` (defence in depth, and
  for views mounted outside the module's own prefix);
- `ModuleTask`, a Celery task base with `module_code` that refuses to run when the region is not licensed
  at run time (a task queued yesterday must not run after today's revocation).

The licensed set is read once per request (one small query) and kept on the request, so the gate, the DRF
permission and the menu share it. No cross-request cache: a revocation takes effect on the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from shared_apps.licensing.selectors import licensed_module_codes, today_in
from tenant_apps.base import ModuleSpec
from tenant_apps.registry import get_module, module_for_path
from tenants.tasks import RegionTask

_CACHE_ATTR = "_mitra_licensed_modules"


class ModuleNotLicensedError(PermissionError):
    """A module was used in a region whose licence does not cover it today."""

    code = "module_not_licensed"

    def __init__(self, module_code: str, schema_name: str) -> None:
        super().__init__(f"Module {module_code!r} is not licensed for region {schema_name!r} today")
        self.module_code = module_code
        self.schema_name = schema_name


def request_licensed_modules(request: HttpRequest) -> frozenset[str]:
    """Modules the request's region may use today; empty on the control plane. Read once per request."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    region = getattr(request, "region", None)
    if region is None:
        codes: frozenset[str] = frozenset()
    else:
        codes = licensed_module_codes(schema_name=region.schema_name, on=today_in(region.timezone))
    setattr(request, _CACHE_ATTR, codes)
    return codes


def _not_licensed_message(spec: ModuleSpec) -> str:
    return _(
        "Modul %(module)s belum termasuk lisensi wilayah ini atau lisensinya sudah berakhir. "
        "Hubungi Diskominfo daerah Anda."
    ) % {"module": spec.name}


def module_not_licensed_response(request: HttpRequest, spec: ModuleSpec) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "module_not_licensed", "message": _not_licensed_message(spec), "module": spec.code}},
            status=403,
        )
    return render(request, "tenants/module_not_licensed.html", {"module": spec}, status=403)


class ModuleGateMiddleware:
    """After AuthenticationMiddleware: on a region host, a module path the region is not licensed for today
    gets a 403 (an Indonesian page, or the API error shape). Paths outside modules pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "region", None) is not None:
            spec = module_for_path(request.path_info)
            if spec is not None and spec.code not in request_licensed_modules(request):
                return module_not_licensed_response(request, spec)
        return self.get_response(request)


class ModuleLicensed(BasePermission):
    """DRF permission for module API views: the view's `module_code` must be licensed in the request's
    region today. On the control plane (no region) it refuses: module APIs exist only on region hosts."""

    code = "module_not_licensed"

    def has_permission(self, request: Any, view: Any) -> bool:
        module_code = getattr(view, "module_code", None)
        if not module_code:
            raise RuntimeError(f"{type(view).__name__} uses ModuleLicensed but sets no module_code")
        django_request = getattr(request, "_request", request)
        if module_code in request_licensed_modules(django_request):
            return True
        self.message = _not_licensed_message(get_module(module_code))
        return False


class ModuleTask(RegionTask):
    """Base for a module's region tasks: set `module_code`; the task refuses to run (ModuleNotLicensedError)
    when its region is not licensed for the module at the moment it runs."""

    abstract = True
    module_code: str = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        schema_name = connection.schema_name
        if schema_name != "public":  # RegionTask.__call__ refuses the public schema itself
            if not self.module_code:
                raise RuntimeError(f"Task {self.name} uses ModuleTask but sets no module_code")
            if self.module_code not in licensed_module_codes(schema_name=schema_name):
                raise ModuleNotLicensedError(self.module_code, schema_name)
        return super().__call__(*args, **kwargs)
