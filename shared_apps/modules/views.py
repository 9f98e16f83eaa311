from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared_apps.console.roles import operator_required
from shared_apps.modules.selectors import catalogue_list


@operator_required()
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "modules/catalogue.html", {"modules": catalogue_list()})
