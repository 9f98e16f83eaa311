"""The operators' console (control plane, root domain)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared_apps.console.roles import operator_required
from tenants.selectors import region_base_url, region_list


@operator_required()
def home(request: HttpRequest) -> HttpResponse:
    regions = [(r, region_base_url(r)) for r in region_list()]
    return render(request, "console/home.html", {"regions": regions})
