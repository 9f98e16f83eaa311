"""A region (pemda) is a tenant with its own schema; its domain routes requests to that schema."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

SLUG_RE = re.compile(r"^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$")
SCHEMA_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Names a region may never take: PostgreSQL's own schemas, our public schema, and hostnames the
# platform keeps for itself.
RESERVED_NAMES = frozenset(
    {
        "public",
        "www",
        "admin",
        "api",
        "app",
        "static",
        "media",
        "mail",
        "smtp",
        "ftp",
        "ns",
        "ns1",
        "ns2",
        "mitra",
        "console",
        "konsol",
        "operator",
        "root",
        "template",
        "default",
        "information_schema",
        "localhost",
        "status",
        "docs",
        "auth",
        "sso",
        "test",
        "baru",  # /wilayah/baru/ is the console's registration page
    }
)
# Schemas of terminated regions are kept this long, then dropped by the `tenants.drop_terminated_regions` task.
TERMINATION_GRACE_DAYS = 30
TIMEZONES = [
    ("Asia/Jakarta", "WIB (Asia/Jakarta)"),
    ("Asia/Makassar", "WITA (Asia/Makassar)"),
    ("Asia/Jayapura", "WIT (Asia/Jayapura)"),
]


def validate_slug(value: str) -> None:
    if not SLUG_RE.match(value or ""):
        raise ValidationError(
            _("Subdomain hanya boleh berisi huruf kecil, angka dan tanda hubung, diawali huruf, maksimal 40."),
            code="invalid_subdomain",
        )
    if value in RESERVED_NAMES:
        raise ValidationError(
            _("Subdomain '%(value)s' dicadangkan oleh platform."), code="reserved_subdomain", params={"value": value}
        )


def validate_schema_name(value: str) -> None:
    if not SCHEMA_RE.match(value or "") or value.startswith("pg_"):
        raise ValidationError(_("Nama skema tidak sah: %(value)s"), code="invalid_schema", params={"value": value})
    if value in RESERVED_NAMES:
        raise ValidationError(_("Nama skema '%(value)s' dicadangkan."), code="reserved_schema", params={"value": value})


def schema_name_for_slug(slug: str) -> str:
    return slug.replace("-", "_")


class Region(TenantMixin):
    class Kind(models.TextChoices):
        PROVINSI = "provinsi", _("Provinsi")
        KABUPATEN = "kabupaten", _("Kabupaten")
        KOTA = "kota", _("Kota")

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        PROVISIONING = "provisioning", _("Sedang disiapkan")
        ACTIVE = "active", _("Aktif")
        SUSPENDED = "suspended", _("Ditangguhkan")
        TERMINATED = "terminated", _("Diakhiri")
        FAILED = "failed", _("Gagal disiapkan")

    slug = models.CharField(_("subdomain"), max_length=40, unique=True, validators=[validate_slug])
    official_name = models.CharField(_("nama resmi"), max_length=120, unique=True)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    region_code = models.CharField(_("kode wilayah Kemendagri"), max_length=8, unique=True)
    province_code = models.CharField(_("kode provinsi"), max_length=2)
    timezone = models.CharField(_("zona waktu"), max_length=32, choices=TIMEZONES, default="Asia/Jakarta")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("alasan status"), blank=True)
    # Termination keeps the schema for a grace period (tenants.services.regions_drop_terminated).
    terminated_at = models.DateTimeField(_("diakhiri pada"), null=True, blank=True)
    schema_dropped_at = models.DateTimeField(_("skema dihapus pada"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are made by the provisioning service, explicitly and resumably, never by save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["official_name"]
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")

    def __str__(self) -> str:
        return self.official_name

    def clean(self) -> None:
        validate_slug(self.slug)
        validate_schema_name(self.schema_name)

    @property
    def is_routable(self) -> bool:
        return self.status == self.Status.ACTIVE


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domain")

    def __str__(self) -> str:
        return self.domain


class ProvisioningJob(models.Model):
    """One run of provisioning a region, with the progress the console and the CLI show.

    The first admin's one-time setup link is kept here in clear only until an operator has viewed it once
    (then blanked); the region schema stores only the token's SHA-256 hash.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu antrean")
        RUNNING = "running", _("Berjalan")
        SUCCEEDED = "succeeded", _("Berhasil")
        FAILED = "failed", _("Gagal")

    class Method(models.TextChoices):
        CLONE = "clone", _("Salinan skema templat")
        MIGRATE = "migrate", _("Migrasi penuh")

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="provisioning_jobs", verbose_name=_("wilayah")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(_("langkah saat ini"), max_length=20, blank=True)
    steps_done = models.PositiveSmallIntegerField(_("langkah selesai"), default=0)
    steps_total = models.PositiveSmallIntegerField(_("jumlah langkah"), default=0)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    # The demo seeder and the test fixtures create their own accounts, so they skip the first-admin step.
    with_first_admin = models.BooleanField(default=True)
    method = models.CharField(_("cara membuat skema"), max_length=8, choices=Method.choices, blank=True)
    error = models.TextField(_("galat"), blank=True)
    requested_by = models.CharField(_("diminta oleh"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    setup_link = models.CharField(_("tautan aktivasi"), max_length=300, blank=True)
    setup_link_expires_at = models.DateTimeField(null=True, blank=True)
    setup_link_shown_at = models.DateTimeField(null=True, blank=True)
    setup_link_shown_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("pekerjaan penyiapan")
        verbose_name_plural = _("pekerjaan penyiapan")
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return f"{self.region_id}#{self.pk} {self.status} {self.progress}%"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def setup_link_available(self) -> bool:
        return bool(self.setup_link)


class RegionExport(models.Model):
    """A region's data (schema dump and files) packed into one .tar.gz in the public storage area.

    Requested from the console or the API it is a Celery job (queued → running → succeeded/failed), because
    a large region's dump takes minutes; `terminate_after` makes the job end the region once the archive is
    stored (and only then). The CLI makes one in the foreground."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        SUCCEEDED = "succeeded", _("Berhasil")
        FAILED = "failed", _("Gagal")

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="exports", verbose_name=_("wilayah"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUCCEEDED)
    terminate_after = models.BooleanField(_("akhiri wilayah setelah ekspor"), default=False)
    terminate_reason = models.CharField(max_length=500, blank=True)
    error = models.TextField(_("galat"), blank=True)
    file_name = models.CharField(_("berkas"), max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size_bytes = models.BigIntegerField(_("ukuran (bita)"), default=0)
    file_count = models.PositiveIntegerField(_("jumlah berkas wilayah"), default=0)
    created_by = models.CharField(_("dibuat oleh"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ekspor wilayah")
        verbose_name_plural = _("ekspor wilayah")
        constraints = [
            # One job at a time per region: two dumps of one schema would only race for the same work.
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(status__in=["queued", "running"]),
                name="tenants_export_one_in_progress",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="succeeded") | ~models.Q(file_name=""), name="tenants_export_has_file"
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or f"{self.region_id}:{self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS
