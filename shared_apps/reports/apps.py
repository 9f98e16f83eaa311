from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Adoption reports (public schema): daily per-region snapshots of module metrics, the platform
    dashboard, each region's own report, CSV and PDF exports."""

    name = "shared_apps.reports"
    label = "reports"
    verbose_name = "Laporan adopsi"
    default_auto_field = "django.db.models.BigAutoField"
