"""Licences: which modules a region may use, for how many accounts, and for which period.

A licence row is never rewritten into another term: a renewal creates a new row linked to the one it
replaces (`previous`) and marks that one superseded, so the history of a region's licences stays readable.
Extending the end date and adding or removing modules change the active row in place (both audited).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.models import Region


class Licence(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktif")
        SUPERSEDED = "superseded", _("Digantikan")
        REVOKED = "revoked", _("Dicabut")
        EXPIRED = "expired", _("Berakhir")

    # Regions are never deleted by the application (termination keeps the row); CASCADE only lets a
    # developer or a test remove a scratch region together with its licences.
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="licences", verbose_name=_("wilayah"))
    modules = models.JSONField(_("modul"), default=list)  # module codes, sorted, dependencies included
    seat_limit = models.PositiveIntegerField(_("batas akun"))
    valid_from = models.DateField(_("berlaku sejak"))
    valid_until = models.DateField(_("berlaku sampai"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    reason = models.TextField(_("alasan"), blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("lisensi sebelumnya"),
    )
    created_by = models.CharField(_("dibuat oleh"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lisensi")
        verbose_name_plural = _("lisensi")
        constraints = [
            # The gate reads "the" active licence of a region; the database guarantees there is at most one.
            models.UniqueConstraint(
                fields=["region"], condition=Q(status="active"), name="licensing_one_active_licence_per_region"
            ),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="licensing_valid_period"),
            models.CheckConstraint(condition=Q(seat_limit__gte=1), name="licensing_seat_limit_positive"),
        ]
        indexes = [models.Index(fields=["status", "valid_until"], name="licensing_status_until_idx")]

    def __str__(self) -> str:
        return f"{self.region} #{self.pk} ({self.valid_from} - {self.valid_until})"
