from django.utils.translation import gettext_lazy as _

from tenant_apps.base import MenuEntry, ModuleAppConfig, ModuleSpec


class EkinerjaConfig(ModuleAppConfig):
    name = "tenant_apps.ekinerja"
    label = "ekinerja"
    verbose_name = "e-Kinerja"
    default = True  # apps.py also imports ModuleAppConfig; tell Django which config is the app's
    default_auto_field = "django.db.models.BigAutoField"
    spec = ModuleSpec(
        code="ekinerja",
        name="e-Kinerja",
        description=_("Manajemen kinerja ASN: SKP, log aktivitas harian dan penilaian kinerja (PermenPAN-RB 6/2022)."),
        version="0.1.0",
        url_prefix="ekinerja/",
        urls="tenant_apps.ekinerja.urls",
        api_urls="tenant_apps.ekinerja.api.urls",
        menu=(MenuEntry(_("e-Kinerja"), "home"),),
    )
