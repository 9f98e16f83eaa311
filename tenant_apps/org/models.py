"""Models of a region's own accounts area (region schema)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivationToken(models.Model):
    """A one-time link that lets an account set its first password (the region admin after provisioning).

    Only the SHA-256 of the token is stored: whoever reads this table cannot use a link from it. The token
    lives in the region's schema, so a Brebes link opened on another region's host finds nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("token aktivasi")
        verbose_name_plural = _("token aktivasi")

    def __str__(self) -> str:
        return f"{self.user_id} {self.expires_at:%Y-%m-%d %H:%M}"
