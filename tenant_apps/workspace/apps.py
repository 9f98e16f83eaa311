from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The region's web shell and settings: letterhead, logo, timezone, numbering formats, home counters."""

    name = "tenant_apps.workspace"
    label = "workspace"
    verbose_name = "Ruang kerja"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenant_apps.workspace.counters import account_counters, notification_counters, register

        register(notification_counters)
        register(account_counters)
