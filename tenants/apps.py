from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Wilayah"
    default_auto_field = "django.db.models.BigAutoField"
