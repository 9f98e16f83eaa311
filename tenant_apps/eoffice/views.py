"""e-Office pages. The correspondence flows (registration, disposition, drafting, signing, archive) are
issue #5; this is the module's entry page, which the licence gate guards."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.registry import get_module


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "eoffice/home.html", {"module": get_module("eoffice")})
