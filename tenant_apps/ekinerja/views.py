"""e-Kinerja pages. SKP, activity logs and appraisals are
issue #6; this is the module's entry page, which the licence gate guards."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.registry import get_module


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ekinerja/home.html", {"module": get_module("ekinerja")})
