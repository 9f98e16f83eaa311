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
        # No depends_on: the organisation (org) is part of every workspace, not a licensable module, and
        # e-Office evidence is optional (without e-Office there is simply nothing to offer).
        menu=(MenuEntry(_("e-Kinerja"), "home"),),
        metrics="tenant_apps.ekinerja.metrics",
    )
