from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.modules.models import CatalogueModule


def catalogue_list() -> QuerySet[CatalogueModule]:
    return CatalogueModule.objects.order_by("code")


def catalogue_available_codes() -> frozenset[str]:
    return frozenset(CatalogueModule.objects.filter(available=True).values_list("code", flat=True))
