"""Adoption figures e-Kinerja reports for a day (the Metric contract in tenant_apps.base), run inside the
region's schema by shared_apps.reports."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from shared_apps.reports.periods import day_window
from tenant_apps.base import Metric
from tenant_apps.ekinerja.models import ActivityEntry, Appraisal, Skp
from tenant_apps.org.models import Employee

METRICS: tuple[Metric, ...] = (
    Metric("ekinerja.skp_coverage", _("Pegawai aktif dengan SKP disetujui tahun ini"), "percent"),
    Metric("ekinerja.activities_entered", _("Aktivitas harian dicatat")),
    Metric("ekinerja.activities_validated", _("Aktivitas harian divalidasi")),
    Metric("ekinerja.appraisals_completed", _("Penilaian kinerja diselesaikan")),
)


def collect(*, day: date) -> dict[str, float | None]:
    """Coverage is measured as of `day` for its year (None in a region without active employees); the counts
    are what happened during `day` (the region's calendar day): entries created, validated, appraisals done."""
    low, high = day_window(day)
    employees = Employee.objects.filter(active=True).count()
    approved = Skp.objects.filter(
        year=day.year, status=Skp.Status.APPROVED, employee__active=True, decided_at__lt=high
    ).count()
    return {
        "ekinerja.skp_coverage": round(100 * approved / employees, 1) if employees else None,
        "ekinerja.activities_entered": ActivityEntry.objects.filter(created_at__gte=low, created_at__lt=high).count(),
        "ekinerja.activities_validated": ActivityEntry.objects.filter(
            status=ActivityEntry.Status.VALIDATED, decided_at__gte=low, decided_at__lt=high
        ).count(),
        "ekinerja.appraisals_completed": Appraisal.objects.filter(
            status=Appraisal.Status.COMPLETED, completed_at__gte=low, completed_at__lt=high
        ).count(),
    }
