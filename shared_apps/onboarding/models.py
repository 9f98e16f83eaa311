"""Agreements with a region: the MoU (nota kesepahaman) and its follow-up PKS (perjanjian kerja sama).

An agreement names the modules a region may be licensed for; licensing and provisioning read that scope
through `selectors.agreement_signed_scope`. Rows live in the public schema next to the region they concern;
the scanned PDF is stored under the region's prefix so that it leaves with the region's files.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Region


class Agreement(models.Model):
    class Kind(models.TextChoices):
        MOU = "mou", _("MoU (nota kesepahaman)")
        PKS = "pks", _("PKS (perjanjian kerja sama)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SIGNED = "signed", _("Ditandatangani")
        ACTIVE = "active", _("Berlaku")
        EXPIRED = "expired", _("Kedaluwarsa")
        TERMINATED = "terminated", _("Diakhiri")

    # Regions are never deleted by the application (termination keeps the row); CASCADE only lets a
    # developer or a test remove a scratch region together with its agreements.
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("wilayah"))
    kind = models.CharField(_("jenis"), max_length=3, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("MoU induk"),
    )
    number = models.CharField(_("nomor"), max_length=100)
    title = models.CharField(_("judul"), max_length=255)
    parties = models.JSONField(_("para pihak"), default=list)  # [{"name", "role"}]
    signatories = models.JSONField(_("penanda tangan"), default=list)  # [{"name", "position", "party"}]
    valid_from = models.DateField(_("berlaku mulai"))
    valid_until = models.DateField(_("berlaku sampai"))  # inclusive: the last day the agreement is in force
    modules = models.JSONField(_("modul"), default=list)  # sorted module codes, dependencies included
    scan = models.FileField(_("pindaian PDF"), max_length=255, blank=True)
    scan_sha256 = models.CharField(_("SHA-256 pindaian"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("tanggal penandatanganan"), null=True, blank=True)
    # Who recorded each step and when (the audit chain holds the same, with before/after).
    signed_by = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.CharField(max_length=150, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    terminated_by = models.CharField(max_length=150, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.TextField(_("alasan pengakhiran"), blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("kerja sama")
        verbose_name_plural = _("kerja sama")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="agreement_number_unique_per_kind"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="agreement_period_ordered"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(kind="pks"), name="agreement_only_pks_has_parent"
            ),
        ]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def has_scan(self) -> bool:
        return bool(self.scan)
