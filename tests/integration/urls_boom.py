"""Test-only URLconf: a region's pages plus one view that fails, standing in for a bug in a module."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from mitra.urls_tenants import urlpatterns as region_urlpatterns


class BoomError(RuntimeError):
    """The simulated bug; its own type so a test can tell its event from any other."""


def boom(request: HttpRequest) -> HttpResponse:
    # A real view holds a citizen's data in its locals when it fails; the report must not carry it.
    nik = request.POST.get("nik", "")
    raise BoomError(f"simulated bug after reading a NIK of {len(nik)} digits")


urlpatterns = [*region_urlpatterns, path("boom/", boom, name="boom")]
