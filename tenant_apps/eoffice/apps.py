from django.utils.translation import gettext_lazy as _

from tenant_apps.base import MenuEntry, ModuleAppConfig, ModuleSpec


class EofficeConfig(ModuleAppConfig):
    name = "tenant_apps.eoffice"
    label = "eoffice"
    verbose_name = "e-Office"
    default = True  # apps.py also imports ModuleAppConfig; tell Django which config is the app's
    default_auto_field = "django.db.models.BigAutoField"
    spec = ModuleSpec(
        code="eoffice",
        name="e-Office",
        description=_(
            "Tata naskah dinas elektronik: surat masuk, disposisi, surat keluar dan nota dinas, "
            "tanda tangan elektronik dan arsip (Permendagri 1/2023)."
        ),
        version="0.1.0",
        url_prefix="eoffice/",
        urls="tenant_apps.eoffice.urls",
        api_urls="tenant_apps.eoffice.api.urls",
        menu=(MenuEntry(_("e-Office"), "home"),),
        metrics="tenant_apps.eoffice.metrics",
    )

    def ready(self) -> None:
        from tenant_apps.eoffice.counters import disposition_counters
        from tenant_apps.workspace.counters import register

        register(disposition_counters, module="eoffice")
