"""`mitra audit verify [--schema S | --all]`: walk the hash chain and report any edited or deleted record."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from shared_apps.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Verify the audit hash chain of the public schema, one region, or every live region."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Verify the chain; exits 1 if any record was edited or deleted.")
        verify.add_argument("--schema", default="public", help="Schema to verify (default: public).")
        verify.add_argument("--all", action="store_true", help="Verify public and every active/suspended region.")

    def handle(self, *args: Any, **options: Any) -> None:
        from tenants.models import Region

        schemas = [options["schema"]]
        if options["all"]:
            live = Region.objects.filter(status__in=[Region.Status.ACTIVE, Region.Status.SUSPENDED])
            schemas = ["public", *live.values_list("schema_name", flat=True)]
        broken = False
        for schema in schemas:
            with schema_context(schema):
                checked, problems = audit_verify()
            if problems:
                broken = True
                self.stderr.write(self.style.ERROR(f"{schema}: {len(problems)} problem(s) in {checked} record(s)"))
                for problem in problems:
                    self.stderr.write(f"  record {problem.record_id}: {problem.problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{schema}: chain intact ({checked} record(s))"))
        if broken:
            sys.exit(1)
