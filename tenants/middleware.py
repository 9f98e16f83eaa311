"""Host-based routing: the root domain serves the control plane, <slug>.<domain> serves a region.

The region's status decides routing: only an active region's schema is ever selected; a suspended one
gets an explanatory page and nothing else; an unknown host gets a 404 page, never a stack trace.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware

from mitra.observability import tag_region
from tenants.models import Domain, Region
from tenants.selectors import root_hostnames


class RegionMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        connection.set_schema_to_public()
        request.region = None  # type: ignore[attr-defined]
        try:
            hostname = self.hostname_from_request(request)
        except DisallowedHost:
            return render(request, "tenants/unknown_host.html", status=400)

        if hostname in root_hostnames():
            request.tenant = connection.tenant  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            set_urlconf(request.urlconf)  # type: ignore[attr-defined]
            tag_region(connection.schema_name)
            return None

        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        if domain is None:
            return render(request, "tenants/unknown_host.html", {"hostname": hostname}, status=404)
        region: Region = domain.tenant
        if region.status == Region.Status.SUSPENDED:
            return render(request, "tenants/region_suspended.html", {"shown_region": region}, status=403)
        if not region.is_routable:
            return render(request, "tenants/unknown_host.html", {"hostname": hostname}, status=404)

        region.domain_url = hostname
        request.tenant = region  # type: ignore[attr-defined]
        request.region = region  # type: ignore[attr-defined]
        connection.set_tenant(region)
        tag_region(region.schema_name)
        self.setup_url_routing(request)
        return None
