"""The region's front pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenant_apps.org.roles import Role, user_roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    labels = dict(Role.choices)
    roles = [labels[r] for r in sorted(user_roles(request.user)) if r in labels]
    return render(request, "org/home.html", {"roles": roles})
