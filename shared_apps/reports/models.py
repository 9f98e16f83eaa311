"""Adoption snapshots and the runs that collect them (public schema).

One `Snapshot` row per region, day and metric holds the region-wide figure; `UnitSnapshot` holds the same
figure per OPD (root unit) for the metrics a module can split by unit. Units are referred to by their code
and name as values: region tables are never referenced from public ones (DESIGN.md). The per-unit rows live
in their own table so the platform dashboard, which never reads them, scans only region totals.

Collection writes by upsert on the unique keys and removes the day's rows a new collection no longer
produces, so collecting a day again replaces it exactly.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Region


class Snapshot(models.Model):
    # CASCADE only lets a test or developer remove a scratch region; regions are never deleted in use.
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("wilayah"))
    day = models.DateField(_("tanggal"))
    metric = models.CharField(_("metrik"), max_length=80)
    value = models.FloatField(_("nilai"), null=True)  # None: nothing to measure that day
    collected_at = models.DateTimeField(_("dikumpulkan pada"))

    class Meta:
        verbose_name = _("cuplikan harian")
        verbose_name_plural = _("cuplikan harian")
        constraints = [models.UniqueConstraint(fields=["region", "day", "metric"], name="reports_snapshot_unique")]
        indexes = [
            # The dashboard aggregates one period over all regions: an index-only scan by (metric, day).
            models.Index(fields=["metric", "day"], include=["region", "value"], name="reports_snapshot_metric_day"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.metric}={self.value}"


class UnitSnapshot(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("wilayah"))
    day = models.DateField(_("tanggal"))
    metric = models.CharField(_("metrik"), max_length=80)
    unit_code = models.CharField(_("kode unit"), max_length=30)
    unit_name = models.CharField(_("nama unit"), max_length=200)
    value = models.FloatField(_("nilai"), null=True)
    collected_at = models.DateTimeField(_("dikumpulkan pada"))

    class Meta:
        verbose_name = _("cuplikan harian per unit")
        verbose_name_plural = _("cuplikan harian per unit")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "metric", "unit_code"], name="reports_unit_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.unit_code} {self.metric}={self.value}"


class PeriodFigure(models.Model):
    """A region's metric folded over one of the preset periods (the last 7, 30, 90 or 365 days up to its latest
    collected day), refreshed each time the region is collected.

    The dashboard reads these instead of folding 552 regions x 365 days of snapshots on every view (seconds on
    the benchmark's 6 million rows; a few milliseconds here). Custom periods are still folded from snapshots.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("wilayah"))
    days = models.PositiveSmallIntegerField(_("periode (hari)"))
    metric = models.CharField(_("metrik"), max_length=80)
    value = models.FloatField(_("nilai"), null=True)
    end_day = models.DateField(_("sampai tanggal"))

    class Meta:
        verbose_name = _("angka periode")
        verbose_name_plural = _("angka periode")
        constraints = [
            models.UniqueConstraint(fields=["days", "metric", "region"], name="reports_period_figure_unique")
        ]
        # selectors.latest_day() reads MAX(end_day) on every report view: one index probe, not a scan.
        indexes = [models.Index(fields=["end_day"], name="reports_period_figure_end")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.days}d {self.metric}={self.value}"


class MonthFigure(models.Model):
    """A region's metric over one calendar month: the sum and count of its daily values and its last known
    value, refreshed with each collection of a day in that month (services.month_figures_refresh).

    A custom period folds its whole months from here and only its partial months from the snapshots: a year
    over 552 regions reads about 12 rows per region and metric instead of 365 (selectors._fold)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("wilayah"))
    month = models.DateField(_("bulan"))  # its first day
    metric = models.CharField(_("metrik"), max_length=80)
    total = models.FloatField(_("jumlah"))
    valued_days = models.IntegerField(_("hari bernilai"))
    last_day = models.DateField(_("hari terakhir bernilai"), null=True)
    last_value = models.FloatField(_("nilai terakhir"), null=True)

    class Meta:
        verbose_name = _("angka bulanan")
        verbose_name_plural = _("angka bulanan")
        constraints = [
            models.UniqueConstraint(fields=["region", "month", "metric"], name="reports_month_figure_unique")
        ]
        # A period over every region reads months by metric and month (index-only with the figures included).
        indexes = [
            models.Index(
                fields=["metric", "month"],
                include=["region", "total", "valued_days", "last_day", "last_value"],
                name="reports_month_figure_metric",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} {self.metric}={self.total}"


class PlatformDay(models.Model):
    """The platform's total of a metric on a day: the sum of every region's value and how many regions had one
    (a mean is total / regions). Kept by snapshots_replace in the same transaction as the snapshots, by the
    difference each region's collection makes, so the dashboard's daily chart over a year reads 365 rows
    instead of summing 552 regions per day. services.platform_days_rebuild recounts it from the snapshots."""

    day = models.DateField(_("tanggal"))
    metric = models.CharField(_("metrik"), max_length=80)
    # Exact decimal sums: a value added by one collection and taken back by the next cancels to the digit.
    total = models.DecimalField(_("jumlah"), max_digits=30, decimal_places=10)
    # Not PositiveIntegerField: its CHECK would refuse the negative shift an upsert proposes before it adds it.
    regions = models.IntegerField(_("wilayah dengan nilai"))

    class Meta:
        verbose_name = _("total platform harian")
        verbose_name_plural = _("total platform harian")
        constraints = [models.UniqueConstraint(fields=["metric", "day"], name="reports_platform_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}={self.total} ({self.regions})"


class CollectionRun(models.Model):
    """One collection of one day over a set of regions (the nightly job, a console button, the CLI)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "jadwal", _("Terjadwal")
        CONSOLE = "konsol", _("Konsol")
        CLI = "cli", _("Baris perintah")
        API = "api", _("API")
        DEMO = "demo", _("Demo")

    day = models.DateField(_("tanggal data"))
    trigger = models.CharField(_("pemicu"), max_length=10, choices=Trigger.choices)
    requested_by = models.CharField(_("diminta oleh"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("pengumpulan data")
        verbose_name_plural = _("pengumpulan data")

    def __str__(self) -> str:
        return f"#{self.pk} {self.day}"


class CollectionOutcome(models.Model):
    """What happened to one region in a run: a failing region is recorded here and the others go on."""

    class Status(models.TextChoices):
        QUEUED = "antre", _("Menunggu")
        OK = "berhasil", _("Berhasil")
        FAILED = "gagal", _("Gagal")
        SKIPPED = "dilewati", _("Dilewati")

    run = models.ForeignKey(CollectionRun, on_delete=models.CASCADE, related_name="outcomes")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name=_("wilayah"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    metrics = models.PositiveIntegerField(_("jumlah metrik"), default=0)
    error = models.TextField(_("galat"), blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region__official_name"]
        verbose_name = _("hasil pengumpulan wilayah")
        verbose_name_plural = _("hasil pengumpulan wilayah")
        constraints = [models.UniqueConstraint(fields=["run", "region"], name="reports_outcome_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.region_id}: {self.status}"


class ReportExport(models.Model):
    """A PDF adoption report rendered by Celery: the platform's (operators) or one region's (its own).

    The file lives in default storage under the region's prefix for a region report, under `public/` for
    the platform report, so a region host can only ever open its own."""

    class Status(models.TextChoices):
        QUEUED = "antre", _("Menunggu")
        RUNNING = "berjalan", _("Sedang dibuat")
        DONE = "selesai", _("Selesai")
        FAILED = "gagal", _("Gagal")

    class Scope(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        REGION = "wilayah", _("Wilayah")

    scope = models.CharField(_("cakupan"), max_length=10, choices=Scope.choices)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("wilayah")
    )
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    filters = models.JSONField(default=dict, blank=True)  # province, kind, module of a platform report
    monthly = models.BooleanField(_("laporan bulanan otomatis"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    file_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(_("galat"), blank=True)
    requested_by = models.CharField(_("diminta oleh"), max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ekspor laporan")
        verbose_name_plural = _("ekspor laporan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="platform", region__isnull=True)
                | models.Q(scope="wilayah", region__isnull=False),
                name="reports_export_scope_region",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.scope} {self.period_start}..{self.period_end} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
