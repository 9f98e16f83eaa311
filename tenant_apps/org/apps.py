from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tenant_apps.org"
    label = "org"
    verbose_name = "Organisasi"
    default_auto_field = "django.db.models.BigAutoField"
