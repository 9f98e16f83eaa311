"""A region's organisation (region schema): units, positions, employees, acting officials, and the accounts'
one-time activation links. Nothing here refers to the public schema (DESIGN.md: no cross-schema keys)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from tenant_apps.org.validators import (
    nip_model_validator,
    position_code_validator,
    rank_model_validator,
    unit_code_validator,
)


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


class Unit(models.Model):
    """A unit of the organisation: an OPD (perangkat daerah) at the root, then bidang/bagian, then
    subbagian/seksi/subbidang. Its code appears in letter numbers, so it is unique (ignoring case) and has
    no "/".

    Invariant: a child's level is deeper than its parent's (an OPD has no parent, everything else has one),
    which also makes cycles impossible.
    """

    class Kind(models.TextChoices):
        OPD = "opd", _("Perangkat daerah (OPD)")
        DIVISION = "bidang", _("Bidang/Bagian")
        SECTION = "seksi", _("Subbagian/Seksi/Subbidang")

    LEVEL = {Kind.OPD: 1, Kind.DIVISION: 2, Kind.SECTION: 3}

    code = models.CharField(_("kode"), max_length=30, validators=[unit_code_validator])
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("unit induk"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="org_unit_code_unique_ci"),
            models.CheckConstraint(condition=models.Q(kind__in=["opd", "bidang", "seksi"]), name="org_unit_kind"),
            models.CheckConstraint(
                condition=models.Q(kind="opd", parent__isnull=True)
                | (~models.Q(kind="opd") & models.Q(parent__isnull=False)),
                name="org_unit_opd_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level(self) -> int:
        return self.LEVEL[self.Kind(self.kind)]

    def clean(self) -> None:
        if self.kind != self.Kind.OPD and self.parent is None:
            raise ValidationError({"parent": _("Bidang, bagian atau seksi harus mempunyai unit induk.")})
        if self.kind == self.Kind.OPD and self.parent is not None:
            raise ValidationError({"parent": _("Perangkat daerah (OPD) tidak mempunyai unit induk.")})
        if self.parent is not None and self.parent.level >= self.level:
            raise ValidationError({"parent": _("Unit induk harus berada di tingkat yang lebih tinggi.")})


class Position(models.Model):
    """A position (jabatan) in a unit, with its superior position: the hierarchy exists even while a seat is
    vacant, and e-Office addresses letters and dispositions to positions, not people. A structural position
    has at most one definitive holder; a functional one may have many."""

    class Kind(models.TextChoices):
        STRUCTURAL = "struktural", _("Struktural")
        FUNCTIONAL = "fungsional", _("Fungsional")

    code = models.CharField(_("kode"), max_length=30, validators=[position_code_validator])
    title = models.CharField(_("nama jabatan"), max_length=255)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions")
    superior = models.ForeignKey(
        "self",
        verbose_name=_("atasan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices, default=Kind.STRUCTURAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jabatan")
        verbose_name_plural = _("jabatan")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="org_position_code_unique_ci"),
            models.CheckConstraint(condition=models.Q(kind__in=["struktural", "fungsional"]), name="org_position_kind"),
            models.CheckConstraint(condition=~models.Q(superior=models.F("pk")), name="org_position_not_own_superior"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_structural(self) -> bool:
        return self.kind == self.Kind.STRUCTURAL


class Employee(models.Model):
    """A civil servant (ASN) of the region, identified by NIP. `account` is their login in this region's
    schema (username = NIP); an inactive employee's account is inactive too and takes no licence seat."""

    nip = models.CharField(_("NIP"), max_length=18, unique=True, validators=[nip_model_validator])
    name = models.CharField(_("nama"), max_length=200)
    rank = models.CharField(_("golongan"), max_length=10, blank=True, validators=[rank_model_validator])
    position = models.ForeignKey(
        Position,
        verbose_name=_("jabatan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    email = models.EmailField(_("surel"), blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("akun"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["name", "nip"]
        indexes = [models.Index(fields=["position", "active"], name="org_employee_position_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"


class ActingAssignment(models.Model):
    """An acting official for a structural position: Plt. (pelaksana tugas, while the seat is vacant or its
    holder permanently unable) or Plh. (pelaksana harian, while the holder is temporarily absent).

    Invariants: end (when set) is not before start; two assignments of the same kind to the same position
    never overlap (checked by the service under a lock on the position). No end date = until revoked.
    """

    class Kind(models.TextChoices):
        PLT = "plt", _("Plt. (pelaksana tugas)")
        PLH = "plh", _("Plh. (pelaksana harian)")

    PREFIX = {Kind.PLT: "Plt.", Kind.PLH: "Plh."}

    employee = models.ForeignKey(
        Employee, verbose_name=_("pegawai"), on_delete=models.PROTECT, related_name="acting_assignments"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("jabatan"), on_delete=models.PROTECT, related_name="acting_assignments"
    )
    kind = models.CharField(_("jenis"), max_length=3, choices=Kind.choices)
    start = models.DateField(_("mulai"))
    end = models.DateField(_("sampai"), null=True, blank=True)
    basis = models.CharField(_("dasar penunjukan"), max_length=200, blank=True)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("penugasan Plt./Plh.")
        verbose_name_plural = _("penugasan Plt./Plh.")
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")), name="org_acting_end"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=["plt", "plh"]), name="org_acting_kind"),
        ]
        indexes = [models.Index(fields=["position", "kind", "start"], name="org_acting_position_kind")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.position_id} {self.employee_id}"

    @property
    def prefix(self) -> str:
        return self.PREFIX[self.Kind(self.kind)]

    def clean(self) -> None:
        if self.end is not None and self.start is not None and self.end < self.start:
            raise ValidationError({"end": _("Tanggal selesai tidak boleh sebelum tanggal mulai.")})


class ImportBatch(models.Model):
    """An uploaded CSV between its preview and its confirmation. The decoded text is kept here (not in the
    browser) and parsed again on confirmation; the uploader's session holds the token. Its content is
    cleared once applied."""

    class Kind(models.TextChoices):
        UNITS = "unit", _("Unit kerja")
        POSITIONS = "jabatan", _("Jabatan")
        EMPLOYEES = "pegawai", _("Pegawai")

    token = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    content = models.TextField(blank=True)
    plan_digest = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("impor CSV")
        verbose_name_plural = _("impor CSV")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} {self.created_at:%Y-%m-%d %H:%M}"
