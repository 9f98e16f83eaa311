from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Adoption reports (public schema): daily per-region snapshots of module metrics, the platform
    dashboard, each region's own report, CSV and PDF exports."""

    name = "shared_apps.reports"
    label = "reports"
    verbose_name = "Laporan adopsi"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from shared_apps.reports.services import platform_days_forget_region
        from tenants.models import Region

        # A region's snapshots go with its row (CASCADE); the platform's daily totals hold no key to follow.
        pre_delete.connect(
            lambda sender, instance, **kwargs: platform_days_forget_region(region=instance),
            sender=Region,
            weak=False,
            dispatch_uid="reports.platform_days_forget_region",
        )
