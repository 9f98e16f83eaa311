"""Celery tasks of the reports app: thin, taking ids, calling one service."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from celery import shared_task
from django.db import connection

from tenants.tasks import RegionTask


@shared_task(name="reports.collect_daily")
def collect_daily(day: str | None = None) -> dict[str, Any]:
    """Nightly (beat, 00:30 WIB): collect the day that has just ended for every active region, fanned out as
    one task per region. `day` (ISO) is for tests and backfills."""
    from shared_apps.reports.models import CollectionRun
    from shared_apps.reports.services import collection_run_start
    from tenants.selectors import platform_today

    connection.set_schema_to_public()
    target = date.fromisoformat(day) if day else platform_today() - timedelta(days=1)
    run = collection_run_start(day=target, trigger=CollectionRun.Trigger.SCHEDULE, actor="system:beat")
    return {"run": run.pk, "day": target.isoformat(), "regions": run.outcomes.count()}


@shared_task(base=RegionTask, name="reports.collect_region")
def collect_region(outcome_id: int) -> dict[str, Any]:
    """One region's part of a collection run; runs in the region's schema (the outcome row is public and
    read through the search path). A region whose schema does not match the outcome is refused."""
    from shared_apps.reports.models import CollectionOutcome
    from shared_apps.reports.services import collection_outcome_run

    outcome = CollectionOutcome.objects.select_related("run", "region").get(pk=outcome_id)
    if outcome.region.schema_name != connection.schema_name:
        raise RuntimeError(
            f"outcome {outcome_id} belongs to {outcome.region.schema_name}, not {connection.schema_name}"
        )
    outcome = collection_outcome_run(outcome=outcome)
    return {"outcome": outcome.pk, "status": outcome.status, "metrics": outcome.metrics}


@shared_task(name="reports.render_export")
def render_export(export_id: int) -> dict[str, Any]:
    from shared_apps.reports.models import ReportExport
    from shared_apps.reports.services import report_export_render

    connection.set_schema_to_public()
    export = report_export_render(export=ReportExport.objects.get(pk=export_id))
    return {"export": export.pk, "status": export.status}


@shared_task(name="reports.monthly_region_reports")
def monthly_region_reports() -> list[int]:
    """On the 1st (beat): last month's PDF report for every active region."""
    from shared_apps.reports.services import monthly_reports_request

    connection.set_schema_to_public()
    return [export.pk for export in monthly_reports_request()]
