from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModulesConfig(AppConfig):
    name = "shared_apps.modules"
    label = "modules"
    verbose_name = "Katalog modul"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shared_apps.modules.signals import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="modules_catalogue_sync")
