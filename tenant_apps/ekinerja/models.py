"""e-Kinerja records (region schema), after PermenPAN-RB 6/2022: the region's settings, the activity
catalogue, SKP (performance plan) with its work results (RHK), indicators and behaviour expectations, the
daily activity log with its evidence, appraisal periods and appraisals.

Who appraises whom is not stored as a fact: it is read from the organisation (the superior position of the
employee's position, and whoever acts for it today, Plt./Plh. included). The SKP keeps the positions as they
were when it was made, for the printed document.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.ekinerja.rating import OrgPredikat, Predikat, Rating
from tenant_apps.org.models import Employee, Position, Unit


class EkinerjaSettings(models.Model):
    """The region's e-Kinerja settings: one row (pk=1), created with defaults on first read."""

    class PeriodKind(models.TextChoices):
        MONTHLY = "bulanan", _("Bulanan")
        QUARTERLY = "triwulan", _("Triwulanan")

    period_kind = models.CharField(
        _("periode penilaian"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTHLY
    )
    # Entries of a month lock at the end of this day of the following month.
    cutoff_day = models.PositiveSmallIntegerField(_("tanggal batas input bulan berikutnya"), default=5)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pengaturan e-Kinerja")
        verbose_name_plural = _("pengaturan e-Kinerja")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="ekinerja_settings_single"),
            models.CheckConstraint(
                condition=models.Q(cutoff_day__gte=1, cutoff_day__lte=28), name="ekinerja_settings_cutoff"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} / {self.cutoff_day}"


class UnitPerformance(models.Model):
    """An OPD's own performance predikat for a year; it caps its employees' predikat distribution."""

    unit = models.ForeignKey(Unit, verbose_name=_("perangkat daerah"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("tahun"))
    predikat = models.CharField(_("predikat organisasi"), max_length=20, choices=OrgPredikat.choices)

    class Meta:
        verbose_name = _("predikat kinerja organisasi")
        verbose_name_plural = _("predikat kinerja organisasi")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="ekinerja_unit_performance_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.predikat}"


class CatalogueActivity(models.Model):
    """A standard activity with its standard minutes, kept by the region admin. Entries copy the name, so
    retiring or renaming one does not rewrite history."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama kegiatan"), max_length=200)
    standard_minutes = models.PositiveSmallIntegerField(_("menit standar"))
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("katalog kegiatan")
        verbose_name_plural = _("katalog kegiatan")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(standard_minutes__gte=1, standard_minutes__lte=1440), name="ekinerja_catalogue_min"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.standard_minutes} menit)"


class Skp(models.Model):
    """An employee's performance plan for a year."""

    class Status(models.TextChoices):
        DRAFT = "draf", _("Draf")
        SUBMITTED = "diajukan", _("Diajukan")
        APPROVED = "disetujui", _("Disetujui")
        RETURNED = "dikembalikan", _("Dikembalikan")

    class Approach(models.TextChoices):
        QUANTITATIVE = "kuantitatif", _("Kuantitatif")
        QUALITATIVE = "kualitatif", _("Kualitatif")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    employee = models.ForeignKey(Employee, verbose_name=_("pegawai"), on_delete=models.PROTECT, related_name="skps")
    year = models.PositiveSmallIntegerField(_("tahun"))
    approach = models.CharField(_("pendekatan"), max_length=12, choices=Approach.choices)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.DRAFT)
    # The organisation as it was when the SKP was made (what the document prints).
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    appraiser_position = models.ForeignKey(Position, null=True, on_delete=models.PROTECT, related_name="+")
    appraiser_superior_position = models.ForeignKey(Position, null=True, on_delete=models.PROTECT, related_name="+")
    return_note = models.TextField(_("catatan pengembalian"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SKP")
        verbose_name_plural = _("SKP")
        ordering = ["-year", "employee__name"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year"], name="ekinerja_skp_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draf", "diajukan", "disetujui", "dikembalikan"]),
                name="ekinerja_skp_status",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"], name="ekinerja_skp_year_status")]

    def __str__(self) -> str:
        return f"SKP {self.year} {self.employee_id}"

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE


class Rhk(models.Model):
    """A planned work result (rencana hasil kerja), optionally cascaded from a superior's RHK (the leader's
    RHK it intervenes: "RHK pimpinan yang diintervensi")."""

    class Kind(models.TextChoices):
        MAIN = "utama", _("Utama")
        ADDITIONAL = "tambahan", _("Tambahan")

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="rhks")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    text = models.CharField(_("rencana hasil kerja"), max_length=1000)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("RHK pimpinan yang diintervensi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("RHK")
        verbose_name_plural = _("RHK")
        ordering = ["skp", "-kind", "order", "id"]  # "utama" before "tambahan"

    def __str__(self) -> str:
        return self.text


class Indicator(models.Model):
    class Aspect(models.TextChoices):
        QUANTITY = "kuantitas", _("Kuantitas")
        QUALITY = "kualitas", _("Kualitas")
        TIME = "waktu", _("Waktu")
        COST = "biaya", _("Biaya")

    rhk = models.ForeignKey(Rhk, on_delete=models.CASCADE, related_name="indicators")
    aspect = models.CharField(_("aspek"), max_length=10, choices=Aspect.choices)
    text = models.CharField(_("indikator"), max_length=500)
    target = models.CharField(_("target"), max_length=200)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["rhk", "id"]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}: {self.text} ({self.target})"


class BehaviourValue(models.TextChoices):
    """The seven BerAKHLAK core values."""

    SERVICE = "berorientasi_pelayanan", _("Berorientasi Pelayanan")
    ACCOUNTABLE = "akuntabel", _("Akuntabel")
    COMPETENT = "kompeten", _("Kompeten")
    HARMONIOUS = "harmonis", _("Harmonis")
    LOYAL = "loyal", _("Loyal")
    ADAPTIVE = "adaptif", _("Adaptif")
    COLLABORATIVE = "kolaboratif", _("Kolaboratif")


class BehaviourExpectation(models.Model):
    """The leader's specific expectation for one BerAKHLAK value in an SKP."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="behaviours")
    value = models.CharField(_("nilai"), max_length=25, choices=BehaviourValue.choices)
    expectation = models.TextField(_("ekspektasi khusus pimpinan"), max_length=2000, blank=True)

    class Meta:
        ordering = ["skp", "id"]
        constraints = [models.UniqueConstraint(fields=["skp", "value"], name="ekinerja_behaviour_once")]

    def __str__(self) -> str:
        return self.value


class ActivityEntry(models.Model):
    """One line of an employee's daily activity log. Validated (or rejected) by whoever acts for the
    superior position; a month's entries lock after the region's cut-off day of the following month."""

    class Status(models.TextChoices):
        SUBMITTED = "diajukan", _("Menunggu validasi")
        VALIDATED = "divalidasi", _("Divalidasi")
        REJECTED = "ditolak", _("Ditolak")

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="activities")
    day = models.DateField(_("tanggal"))
    catalogue = models.ForeignKey(
        CatalogueActivity, verbose_name=_("kegiatan katalog"), null=True, blank=True, on_delete=models.PROTECT
    )
    description = models.CharField(_("uraian kegiatan"), max_length=1000)
    minutes = models.PositiveSmallIntegerField(_("menit"))
    rhk = models.ForeignKey(
        Rhk, verbose_name=_("RHK terkait"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    reject_reason = models.TextField(_("alasan penolakan"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aktivitas harian")
        verbose_name_plural = _("aktivitas harian")
        ordering = ["-day", "-id"]
        indexes = [
            models.Index(fields=["employee", "status", "day"], name="ekinerja_entry_employee"),
            models.Index(fields=["day", "status"], name="ekinerja_entry_day"),
            # Adoption metrics count a day's entries and decisions (metrics.py), not the region's history.
            models.Index(fields=["created_at"], name="ekinerja_entry_created"),
            models.Index(
                fields=["decided_at"], name="ekinerja_entry_decided", condition=models.Q(decided_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=1440), name="ekinerja_entry_minutes"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["diajukan", "divalidasi", "ditolak"]), name="ekinerja_entry_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.description[:40]}"


class ActivityMonth(models.Model):
    """How many entries an employee logged in a month and how many of them are validated: a running count kept
    by the activity services in the same transaction as each change, so that the fill-rate report reads one
    row per employee instead of counting a region's 300k entries of a month (activity_month_rebuild recounts
    a month from the entries if it is ever in doubt)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    entered = models.IntegerField(default=0)
    validated = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "month"], name="ekinerja_activity_month_once")]
        indexes = [models.Index(fields=["month"], name="ekinerja_activity_month")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month:%Y-%m}: {self.validated}/{self.entered}"


class Evidence(models.Model):
    """Bukti dukung of an activity: an uploaded file, a link, or a piece of e-Office work. e-Office work is
    kept by value (kind, id, label), so the evidence still reads right if the letter later changes."""

    class Kind(models.TextChoices):
        FILE = "berkas", _("Berkas")
        LINK = "tautan", _("Tautan")
        LETTER_DRAFTED = "naskah_disusun", _("Naskah disusun (e-Office)")
        LETTER_SIGNED = "naskah_ditandatangani", _("Naskah ditandatangani (e-Office)")
        DISPOSITION_DONE = "disposisi_selesai", _("Disposisi diselesaikan (e-Office)")

    EOFFICE = (Kind.LETTER_DRAFTED, Kind.LETTER_SIGNED, Kind.DISPOSITION_DONE)

    entry = models.ForeignKey(ActivityEntry, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=25, choices=Kind.choices)
    ref_id = models.BigIntegerField(null=True, blank=True)  # the e-Office record's id, for the EOFFICE kinds
    label = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    file = models.CharField(max_length=255, blank=True)  # a name inside default storage
    content_type = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry", "id"]
        indexes = [models.Index(fields=["kind", "ref_id"], name="ekinerja_evidence_ref")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.label}"


class AppraisalPeriod(models.Model):
    """A period appraisals are made for: a month (number 1-12), a quarter (1-4) or the year (0)."""

    class Kind(models.TextChoices):
        MONTHLY = "bulanan", _("Bulanan")
        QUARTERLY = "triwulan", _("Triwulanan")
        ANNUAL = "tahunan", _("Tahunan")

    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["year", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "kind", "number"], name="ekinerja_period_once")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from tenant_apps.ekinerja.periods import period_label

        return period_label(self)


class Appraisal(models.Model):
    """The appraiser's judgement of one SKP for one period: realisation per indicator, feedback, the two
    ratings and the predikat the matrix gives them. Completing it freezes it."""

    class Status(models.TextChoices):
        DRAFT = "draf", _("Draf")
        COMPLETED = "selesai", _("Selesai")

    skp = models.ForeignKey(Skp, on_delete=models.PROTECT, related_name="appraisals")
    period = models.ForeignKey(AppraisalPeriod, on_delete=models.PROTECT, related_name="appraisals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    results_rating = models.CharField(_("rating hasil kerja"), max_length=10, choices=Rating.choices, blank=True)
    behaviour_rating = models.CharField(_("rating perilaku kerja"), max_length=10, choices=Rating.choices, blank=True)
    predikat = models.CharField(_("predikat"), max_length=20, choices=Predikat.choices, blank=True)
    feedback = models.TextField(_("umpan balik"), max_length=4000, blank=True)
    behaviour_feedback = models.JSONField(default=dict, blank=True)  # {BehaviourValue: text}
    appraiser_position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    appraiser_as = models.CharField(max_length=10)  # definitif / plt / plh
    appraiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("penilaian kinerja")
        verbose_name_plural = _("penilaian kinerja")
        ordering = ["period", "skp"]
        constraints = [
            models.UniqueConstraint(fields=["skp", "period"], name="ekinerja_appraisal_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draf", "selesai"]), name="ekinerja_appraisal_status"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draf") | ~models.Q(predikat=""), name="ekinerja_appraisal_completed_rated"
            ),
        ]
        indexes = [models.Index(fields=["status", "completed_at"], name="ekinerja_appraisal_done")]

    def __str__(self) -> str:
        return f"{self.skp_id} {self.period_id} {self.status}"


class Realisation(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="realisations")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    realisation = models.CharField(_("realisasi"), max_length=500, blank=True)
    feedback = models.CharField(_("umpan balik"), max_length=1000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appraisal", "indicator"], name="ekinerja_realisation_once")]

    def __str__(self) -> str:
        return self.realisation
