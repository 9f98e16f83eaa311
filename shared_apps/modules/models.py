"""The control plane's catalogue of region modules, synced from the modules' own declarations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueModule(models.Model):
    code = models.CharField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=80)
    description = models.TextField(_("deskripsi"))
    version = models.CharField(_("versi"), max_length=20)
    depends_on = models.JSONField(_("bergantung pada"), default=list)
    # A module that disappears from the code stays listed (licences refer to it) but cannot be licensed.
    available = models.BooleanField(_("tersedia"), default=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("modul")
        verbose_name_plural = _("modul")

    def __str__(self) -> str:
        return self.name
