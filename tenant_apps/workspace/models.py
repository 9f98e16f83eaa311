"""The region's own settings (region schema): one row per region."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.workspace.validation import DEFAULT_NUMBER_FORMAT, NUMBER_FORMAT_MAX_LENGTH, number_format_validate

SINGLETON_ID = 1
LETTERHEAD_MAX_LINES = 5
LETTERHEAD_LINE_MAX_LENGTH = 120


class RegionTimezone(models.TextChoices):
    """The three Indonesian time zones."""

    WIB = "Asia/Jakarta", _("WIB (UTC+7) — Jawa, Sumatra, Kalimantan Barat dan Tengah")
    WITA = "Asia/Makassar", _("WITA (UTC+8) — Bali, Nusa Tenggara, Sulawesi, Kalimantan Selatan, Timur dan Utara")
    WIT = "Asia/Jayapura", _("WIT (UTC+9) — Maluku dan Papua")


class RegionSettings(models.Model):
    """What the region admin sets for the whole region: letterhead (kop surat) and logo, time zone, and the
    letter number format. Exactly one row per region schema (primary key fixed to 1, enforced by a
    constraint), created on first read by `selectors.region_settings_get`.

    The time zone here is the region's own copy, used to show times on the region's pages. The control
    plane's `tenants.Region.timezone` (public schema) stays the source for licence and agreement validity
    dates: the operator sets it at registration, and a region admin must not be able to move the day their
    licence ends. Both start equal: the row is created from the control plane's value.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    letterhead = models.TextField(
        _("kop surat"),
        blank=True,
        help_text=_("Satu baris per baris kop, paling banyak 5 baris."),
    )
    # A name inside default storage (`<schema>/workspace/logo/<hash>.png`); empty when there is no logo.
    logo = models.CharField(max_length=255, blank=True)
    logo_content_type = models.CharField(max_length=20, blank=True)
    logo_sha256 = models.CharField(max_length=64, blank=True)
    timezone = models.CharField(
        _("zona waktu"), max_length=32, choices=RegionTimezone.choices, default=RegionTimezone.WIB
    )
    letter_number_format = models.CharField(
        _("format nomor naskah dinas"),
        max_length=NUMBER_FORMAT_MAX_LENGTH,
        default=DEFAULT_NUMBER_FORMAT,
        validators=[number_format_validate],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pengaturan wilayah")
        verbose_name_plural = _("pengaturan wilayah")
        constraints = [models.CheckConstraint(condition=models.Q(id=SINGLETON_ID), name="workspace_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Pengaturan wilayah"))

    def clean(self) -> None:
        lines = self.letterhead_lines
        if len(lines) > LETTERHEAD_MAX_LINES:
            message = _("Kop surat paling banyak %(max)d baris.") % {"max": LETTERHEAD_MAX_LINES}
            raise ValidationError({"letterhead": ValidationError(message, code="letterhead_too_many_lines")})
        if any(len(line) > LETTERHEAD_LINE_MAX_LENGTH for line in lines):
            message = _("Setiap baris kop surat paling panjang %(max)d karakter.") % {"max": LETTERHEAD_LINE_MAX_LENGTH}
            raise ValidationError({"letterhead": ValidationError(message, code="letterhead_line_too_long")})

    @property
    def letterhead_lines(self) -> list[str]:
        return [line.strip() for line in self.letterhead.splitlines() if line.strip()]

    @property
    def timezone_abbreviation(self) -> str:
        """WIB, WITA or WIT."""
        try:
            return RegionTimezone(self.timezone).name
        except ValueError:
            return ""


class Notification(models.Model):
    """One thing a person should know about (a disposition for them, a letter to review or sign…), shown in
    the web inbox (/notifikasi/) and, if they have an e-mail address and did not turn it off, mailed once.

    `event_key` names the event ("eoffice.disposition.sent:42"); the unique (event_key, recipient) makes
    recording it idempotent: a retried service or a double submit adds nothing. The text is frozen in the
    region's language when the event happens, so the history reads as it did. `emailed_at` is set by the
    mail task in the same transaction that claims the row, so a redelivered task never mails twice.
    """

    event_key = models.CharField(max_length=120)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60)  # the event without its object: "eoffice.disposition.sent"
    title = models.CharField(_("judul"), max_length=300)
    body = models.TextField(_("isi"), max_length=2000, blank=True)
    url = models.CharField(max_length=300, blank=True)  # a path on the region's own host
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="workspace_notification_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="workspace_notification_inbox"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="workspace_notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A person's choice about notification e-mails; no row means the default (e-mail on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_enabled = models.BooleanField(_("kirim juga lewat e-mail"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preferensi notifikasi")
        verbose_name_plural = _("preferensi notifikasi")

    def __str__(self) -> str:
        return f"{self.user_id}: {'e-mail' if self.email_enabled else '-'}"
