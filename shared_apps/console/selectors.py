"""Reads for the operators' console: the onboarding funnel and the region overview.

The overview reads agreements and licences in bulk (one query each) through the onboarding and licensing
selectors, applying the same rule as `agreement_signed_scope` and `licence_current` per region: a per-region
call would cost two queries per region, over a thousand for 552 regions on every dashboard view. A test
checks that both ways agree (tests/integration/test_region_console.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shared_apps.licensing.models import Licence
from shared_apps.licensing.selectors import licence_list
from shared_apps.licensing.selectors import region_today as licence_region_today
from shared_apps.onboarding.models import Agreement
from shared_apps.onboarding.selectors import agreement_list
from shared_apps.onboarding.selectors import region_today as agreement_region_today
from tenants.models import Region
from tenants.selectors import region_list

S = Region.Status
PROVISIONED = (S.ACTIVE, S.SUSPENDED)


@dataclass(frozen=True)
class RegionRow:
    region: Region
    signed: bool  # a signed or active agreement in force today (agreement_signed_scope is not None)
    licensed: bool  # a licence current today (licence_current is not None)

    @property
    def provisioned(self) -> bool:
        return self.region.status in PROVISIONED


@dataclass(frozen=True)
class FunnelStage:
    code: str
    label: str
    count: int


def region_overview(*, status: str | None = None) -> list[RegionRow]:
    """Every region (optionally of one status) with whether it has a signed MoU and a current licence."""
    regions = region_list()
    if status:
        regions = regions.filter(status=status)
    signed = {
        a.region_id
        for a in agreement_list().filter(status__in=[Agreement.Status.SIGNED, Agreement.Status.ACTIVE])
        if a.valid_until >= agreement_region_today(a.region)
    }
    licensed = {
        lic.region_id
        for lic in licence_list(status=Licence.Status.ACTIVE)
        if lic.valid_from <= licence_region_today(lic.region) <= lic.valid_until
    }
    return [RegionRow(region=r, signed=r.pk in signed, licensed=r.pk in licensed) for r in regions]


def onboarding_funnel(rows: list[RegionRow]) -> list[FunnelStage]:
    """How far each region (terminated ones aside) has come: registered → MoU signed → licensed →
    provisioned → active. Each stage counts the regions that have reached it."""
    live = [row for row in rows if row.region.status != S.TERMINATED]
    return [
        FunnelStage("registered", str(_("Terdaftar")), len(live)),
        FunnelStage("signed", str(_("MoU ditandatangani")), sum(row.signed for row in live)),
        FunnelStage("licensed", str(_("Berlisensi")), sum(row.licensed for row in live)),
        FunnelStage("provisioned", str(_("Disiapkan")), sum(row.provisioned for row in live)),
        FunnelStage("active", str(_("Aktif")), sum(row.region.status == S.ACTIVE for row in live)),
    ]
