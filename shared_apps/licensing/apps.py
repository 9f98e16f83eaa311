from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "shared_apps.licensing"
    label = "licensing"
    verbose_name = "Lisensi"
    default_auto_field = "django.db.models.BigAutoField"
