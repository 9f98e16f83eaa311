"""`mitra demo`: seed the demo platform. Safe to run again: it only adds what is missing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from shared_apps.console.roles import OperatorRole, operator_role_set
from shared_apps.licensing.selectors import licence_current
from shared_apps.licensing.services import licence_issue
from shared_apps.onboarding.selectors import agreement_list
from shared_apps.onboarding.services import agreement_activate, agreement_create, agreement_sign
from shared_apps.reports.models import CollectionRun
from shared_apps.reports.services import collection_run_start
from tenant_apps.org.roles import Role
from tenant_apps.org.services import account_upsert
from tenants.models import Region
from tenants.selectors import platform_base_url, region_base_url, region_today
from tenants.services import region_provision, region_register

DEMO_PASSWORD = "mitra-demo-2026"  # noqa: S105  (published demo credential, listed in the README)
ACTOR = "system:demo"
BREBES_ACCOUNTS = [
    ("admin", "Admin Diskominfo Brebes", [Role.REGION_ADMIN]),
    ("kepala", "Kepala Dinas Brebes", [Role.LEADER]),
    ("staf", "Staf Pelaksana Brebes", [Role.STAFF]),
]


PARTIES = [
    {"name": "Pemerintah Kota Tangerang", "role": "pihak pertama"},
    {"name": "Pemerintah Kabupaten Brebes", "role": "pihak kedua"},
]
SIGNATORIES = [
    {"name": "H. Sachrudin", "position": "Wali Kota Tangerang", "party": "Pemerintah Kota Tangerang"},
    {"name": "Hj. Paramitha Widya Kusuma", "position": "Bupati Brebes", "party": "Pemerintah Kabupaten Brebes"},
]


def _region(slug: str, code: str) -> Region:
    return Region.objects.filter(slug=slug).first() or region_register(slug=slug, region_code=code, actor=ACTOR)


def _brebes_agreement_and_licence(brebes: Region) -> None:
    """Brebes's MoU, signed and in force, for e-Office and e-Kinerja, and a licence for both."""
    today = region_today(brebes)
    if not agreement_list(region=brebes).exists():
        mou = agreement_create(
            region=brebes,
            kind="mou",
            number="119/01/MOU/DISKOMINFO/2026",
            title="Pemanfaatan aplikasi e-Office dan e-Kinerja Pemerintah Kota Tangerang",
            parties=PARTIES,
            signatories=SIGNATORIES,
            valid_from=today,
            valid_until=today.replace(year=today.year + 3),
            modules=["eoffice", "ekinerja"],
            actor=ACTOR,
        )
        agreement_sign(agreement=mou, actor=ACTOR)
        agreement_activate(agreement=mou, actor=ACTOR)
    if licence_current(region=brebes) is None:
        licence_issue(
            region=brebes,
            modules=["eoffice", "ekinerja"],
            seat_limit=500,
            valid_from=today,
            valid_until=today.replace(year=today.year + 1),
            actor=ACTOR,
        )


def _second_region_mid_onboarding() -> Region:
    """Kabupaten Tegal is registered and its MoU is still a draft, so the console's funnel has two stages."""
    tegal = _region("tegal", "33.28")
    if not agreement_list(region=tegal).exists():
        today = region_today(tegal)
        agreement_create(
            region=tegal,
            kind="mou",
            number="120/01/MOU/DISKOMINFO/2026",
            title="Pemanfaatan aplikasi e-Office Pemerintah Kota Tangerang",
            parties=[PARTIES[0], {"name": "Pemerintah Kabupaten Tegal", "role": "pihak kedua"}],
            signatories=[SIGNATORIES[0]],
            valid_from=today,
            valid_until=today.replace(year=today.year + 3),
            modules=["eoffice"],
            actor=ACTOR,
        )
    return tegal


class Command(BaseCommand):
    help = (
        "Seeds the demo: Tangerang's operator; Brebes with a signed MoU, a licence for e-Office and e-Kinerja, "
        "provisioned, with three staff accounts; Kabupaten Tegal registered with a draft MoU."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            operator, created = get_user_model().objects.get_or_create(
                username="operator",
                defaults={"first_name": "Operator", "last_name": "Diskominfo Tangerang", "is_staff": True},
            )
            if created:
                operator.set_password(DEMO_PASSWORD)
                operator.save(update_fields=["password"])
            operator_role_set(operator, OperatorRole.ADMIN)

        brebes = _region("brebes", "33.29")
        _brebes_agreement_and_licence(brebes)
        region_provision(region=brebes, actor=ACTOR)
        with schema_context(brebes.schema_name):
            for username, name, roles in BREBES_ACCOUNTS:
                account_upsert(username=username, password=DEMO_PASSWORD, full_name=name, roles=roles, actor=ACTOR)

        tegal = _second_region_mid_onboarding()
        # Real figures, not invented ones: today's adoption snapshot of Brebes, collected as the nightly job does.
        collection_run_start(slugs=[brebes.slug], trigger=CollectionRun.Trigger.DEMO, actor=ACTOR, run_async=False)

        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"  Control plane : {platform_base_url()}/   (operator / {DEMO_PASSWORD})")
        self.stdout.write(f"  Brebes        : {region_base_url(brebes)}/   (admin, kepala, staf / {DEMO_PASSWORD})")
        self.stdout.write(f"  {tegal.official_name}: registered, MoU draft (not provisioned yet)")
        self.stdout.write(f"  Adoption report: {platform_base_url()}/laporan/   (today's snapshot of Brebes collected)")
