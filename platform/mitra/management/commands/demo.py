"""`mitra demo`: seed the demo platform. Safe to run again: it only adds what is missing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from shared_apps.console.roles import OperatorRole, operator_role_set
from tenant_apps.org.roles import Role
from tenant_apps.org.services import account_upsert
from tenants.models import Region
from tenants.selectors import platform_base_url, region_base_url
from tenants.services import region_provision, region_register

DEMO_PASSWORD = "mitra-demo-2026"  # noqa: S105  (published demo credential, listed in the README)
ACTOR = "system:demo"
BREBES_ACCOUNTS = [
    ("admin", "Admin Diskominfo Brebes", [Role.REGION_ADMIN]),
    ("kepala", "Kepala Dinas Brebes", [Role.LEADER]),
    ("staf", "Staf Pelaksana Brebes", [Role.STAFF]),
]


class Command(BaseCommand):
    help = "Seeds the demo: Tangerang's operator account and Brebes, provisioned, with three staff accounts."

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

        brebes = Region.objects.filter(slug="brebes").first()
        if brebes is None:
            brebes = region_register(slug="brebes", region_code="33.29", actor=ACTOR)
        region_provision(region=brebes, actor=ACTOR)
        with schema_context(brebes.schema_name):
            for username, name, roles in BREBES_ACCOUNTS:
                account_upsert(username=username, password=DEMO_PASSWORD, full_name=name, roles=roles, actor=ACTOR)

        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"  Control plane : {platform_base_url()}/   (operator / {DEMO_PASSWORD})")
        self.stdout.write(f"  Brebes        : {region_base_url(brebes)}/   (admin, kepala, staf / {DEMO_PASSWORD})")
