"""e-Office records (region schema): letter number sequences and every number issued from them, incoming
letters (naskah masuk) and their attachments.

Numbers are gap-free: a sequence row per (kind, unit, year) is locked while a number is taken, and the number
is recorded as an IssuedNumber in the same transaction, so a rolled-back letter gives its number back and
two signers never get the same one. A number once committed is never reused: cancelling only marks it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tenant_apps.org.models import Position, Unit


class SequenceKind(models.TextChoices):
    LETTER = "naskah", _("Nomor naskah dinas")  # per (unit, year)
    AGENDA = "agenda", _("Nomor agenda surat masuk")  # per year, region-wide


class LetterNumberSequence(models.Model):
    """The last value taken from one sequence. Letter sequences belong to a unit; the agenda sequence of
    incoming letters has no unit (one per region and year)."""

    kind = models.CharField(max_length=10, choices=SequenceKind.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("urutan nomor")
        verbose_name_plural = _("urutan nomor")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "year"],
                condition=models.Q(unit__isnull=False),
                name="eoffice_sequence_unit_year_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "year"], condition=models.Q(unit__isnull=True), name="eoffice_sequence_year_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="naskah", unit__isnull=False) | models.Q(kind="agenda", unit__isnull=True),
                name="eoffice_sequence_kind_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id or '-'} {self.year}: {self.last_value}"


class IssuedNumber(models.Model):
    """One number taken from a sequence, with its formatted text. Never deleted; a cancelled number stays
    here so that the sequence keeps no hole that nobody can explain."""

    sequence = models.ForeignKey(LetterNumberSequence, on_delete=models.PROTECT, related_name="issued")
    kind = models.CharField(max_length=10, choices=SequenceKind.choices)
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField()
    number = models.CharField(_("nomor"), max_length=200)
    classification_code = models.CharField(_("kode klasifikasi"), max_length=30, blank=True)
    # What the number was given to ("incoming:12", later the outgoing letter); empty until it is attached.
    letter_ref = models.CharField(max_length=60, blank=True)
    issued_by = models.CharField(max_length=200)
    issued_at = models.DateTimeField(auto_now_add=True)
    cancelled = models.BooleanField(_("dibatalkan"), default=False)
    cancelled_reason = models.CharField(_("alasan pembatalan"), max_length=500, blank=True)
    cancelled_by = models.CharField(max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nomor terbit")
        verbose_name_plural = _("nomor terbit")
        ordering = ["sequence", "value"]
        # Adoption metrics count a day's numbers (tenant_apps/eoffice/metrics.py): without it, a full scan.
        indexes = [models.Index(fields=["issued_at"], name="eoffice_issued_at")]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "value"], name="eoffice_issued_sequence_value_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=1), name="eoffice_issued_value_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class Nature(models.TextChoices):
    """Sifat naskah."""

    ORDINARY = "biasa", _("Biasa")
    IMPORTANT = "penting", _("Penting")
    SECRET = "rahasia", _("Rahasia")


class Urgency(models.TextChoices):
    """Kecepatan penyampaian."""

    ORDINARY = "biasa", _("Biasa")
    URGENT = "segera", _("Segera")
    VERY_URGENT = "sangat_segera", _("Sangat segera")


class IncomingLetter(models.Model):
    """A letter received from outside, registered by the records officer and addressed to a position (the
    leader's): whoever acts for that position today finds it in their inbox."""

    class Status(models.TextChoices):
        """Follows the letter's dispositions (set by disposition_services.incoming_status_refresh, inside the
        same transaction as the disposition change): registered until the addressee disposes it; disposed
        while any disposition is still open (sent, read or in progress); done once it has dispositions and
        every one of them is finished (done, returned or cancelled), since a returned or cancelled branch
        needs nothing more from its recipient. A new disposition sent later makes it disposed again."""

        REGISTERED = "terdaftar", _("Terdaftar")
        DISPOSED = "didisposisi", _("Didisposisi")
        DONE = "selesai", _("Selesai")

    agenda = models.OneToOneField(IssuedNumber, on_delete=models.PROTECT, related_name="incoming_letter")
    agenda_year = models.PositiveSmallIntegerField(_("tahun agenda"))
    sender = models.CharField(_("pengirim"), max_length=255)
    letter_number = models.CharField(_("nomor surat"), max_length=100)
    letter_date = models.DateField(_("tanggal surat"))
    received_date = models.DateField(_("tanggal diterima"))
    subject = models.CharField(_("perihal"), max_length=500)
    nature = models.CharField(_("sifat"), max_length=10, choices=Nature.choices, default=Nature.ORDINARY)
    urgency = models.CharField(_("kecepatan"), max_length=15, choices=Urgency.choices, default=Urgency.ORDINARY)
    addressed_to = models.ForeignKey(
        Position, verbose_name=_("ditujukan kepada"), on_delete=models.PROTECT, related_name="incoming_letters"
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.REGISTERED)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    # Full-text search (archive): kept by a database trigger from subject, numbers and sender (migration 0005).
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("surat masuk")
        verbose_name_plural = _("surat masuk")
        ordering = ["-received_date", "-id"]
        indexes = [
            models.Index(fields=["addressed_to", "-received_date", "-id"], name="eoffice_incoming_inbox"),
            models.Index(fields=["-received_date", "-id"], name="eoffice_incoming_received"),
            models.Index(fields=["-agenda_year", "-agenda"], name="eoffice_incoming_agenda"),
            GinIndex(fields=["search"], name="eoffice_incoming_search"),
            # Adoption metrics read one day by each timestamp (metrics.py); the regions' history only grows.
            models.Index(fields=["registered_at"], name="eoffice_incoming_registered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nature__in=["biasa", "penting", "rahasia"]), name="eoffice_incoming_nature"
            ),
            models.CheckConstraint(
                condition=models.Q(urgency__in=["biasa", "segera", "sangat_segera"]), name="eoffice_incoming_urgency"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["terdaftar", "didisposisi", "selesai"]), name="eoffice_incoming_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agenda.number} {self.subject}"


class IncomingAttachment(models.Model):
    """A file received with an incoming letter (PDF, PNG or JPEG, checked by content), kept in the default
    storage under the region's prefix."""

    letter = models.ForeignKey(IncomingLetter, on_delete=models.PROTECT, related_name="attachments")
    file = models.CharField(max_length=255)  # a name inside default storage
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lampiran surat masuk")
        verbose_name_plural = _("lampiran surat masuk")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class DispositionInstruction(models.Model):
    """One standard instruction a disposition can carry ("Tindak lanjuti", "Pelajari", …). The region's own
    list: seeded by the migration, then kept by the region admin; a retired instruction is deactivated, not
    deleted, because dispositions keep the label they were sent with."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    label = models.CharField(_("instruksi"), max_length=100)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("instruksi disposisi")
        verbose_name_plural = _("instruksi disposisi")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label


class Disposition(models.Model):
    """An instruction on an incoming letter from one position to another. A disposition to three positions is
    three rows sharing `batch`, so each recipient reads, works and finishes on its own; `parent` is the
    disposition its sender received (None when the sender is the letter's addressee), which makes a tree per
    letter. Addressed to positions, not people: whoever acts for the position today (Plt./Plh. included) sees
    it and acts on it.

    Instructions are stored as the labels chosen when it was sent, so renaming the region's list later does
    not rewrite history (and the tracking tree needs no join for them).
    """

    class Status(models.TextChoices):
        SENT = "terkirim", _("Terkirim")
        READ = "dibaca", _("Dibaca")
        IN_PROGRESS = "diproses", _("Diproses")
        DONE = "selesai", _("Selesai")
        RETURNED = "dikembalikan", _("Dikembalikan")
        CANCELLED = "dibatalkan", _("Dibatalkan")

    OPEN = (Status.SENT, Status.READ, Status.IN_PROGRESS)

    letter = models.ForeignKey(IncomingLetter, on_delete=models.PROTECT, related_name="dispositions")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("induk")
    )
    batch = models.UUIDField(db_index=True)
    from_position = models.ForeignKey(
        Position, verbose_name=_("dari"), on_delete=models.PROTECT, related_name="dispositions_sent"
    )
    to_position = models.ForeignKey(
        Position, verbose_name=_("kepada"), on_delete=models.PROTECT, related_name="dispositions_received"
    )
    instructions = ArrayField(models.CharField(max_length=100), verbose_name=_("instruksi"))
    note = models.TextField(_("catatan"), max_length=2000, blank=True)
    urgency = models.CharField(_("kecepatan"), max_length=15, choices=Urgency.choices, default=Urgency.ORDINARY)
    deadline = models.DateField(_("batas waktu"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.SENT)
    # "definitif", "plt" or "plh": on what basis the sender acted for from_position.
    sent_as = models.CharField(max_length=10)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_note = models.TextField(_("catatan penyelesaian"), max_length=2000, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("alasan pengembalian"), max_length=2000, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("disposisi")
        verbose_name_plural = _("disposisi")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["to_position", "status", "-sent_at"], name="eoffice_disposition_inbox"),
            # The inbox order (unread first, then newest; selectors.disposition_inbox), so a page of a position
            # with 100k dispositions is read from the index instead of sorting them all.
            models.Index(
                models.F("to_position"),
                models.Case(models.When(status="terkirim", then=models.Value(0)), default=models.Value(1)),
                models.F("sent_at").desc(),
                models.F("id").desc(),
                name="eoffice_disposition_unread",
                condition=~models.Q(status="dibatalkan"),
            ),
            models.Index(fields=["letter", "id"], name="eoffice_disposition_letter"),
            # "Was this letter disposed to one of my positions?" (search visibility), answered from the index.
            models.Index(fields=["letter", "to_position"], name="eoffice_disposition_letter_to"),
            models.Index(fields=["deadline", "status"], name="eoffice_disposition_deadline"),
            # Adoption metrics (metrics.py): a day's sent and finished dispositions, the ones closed after a day
            # and the ones still open past their deadline, each read from an index, not the region's history.
            models.Index(fields=["sent_at"], name="eoffice_disposition_sent"),
            models.Index(
                fields=["done_at"], name="eoffice_disposition_done", condition=models.Q(done_at__isnull=False)
            ),
            models.Index(Coalesce("done_at", "returned_at", "cancelled_at"), name="eoffice_disposition_closed"),
            models.Index(
                fields=["deadline"],
                include=["sent_at", "to_position"],  # counted per position from the index alone
                name="eoffice_disposition_overdue",
                condition=models.Q(done_at__isnull=True, returned_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_position=models.F("to_position")), name="eoffice_disposition_not_to_self"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["terkirim", "dibaca", "diproses", "selesai", "dikembalikan", "dibatalkan"]
                ),
                name="eoffice_disposition_status",
            ),
            models.CheckConstraint(
                condition=models.Q(urgency__in=["biasa", "segera", "sangat_segera"]),
                name="eoffice_disposition_urgency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id}: {self.from_position_id} → {self.to_position_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class LetterType(models.TextChoices):
    """Jenis naskah dinas keluar (Permendagri 1/2023)."""

    SURAT_DINAS = "surat_dinas", _("Surat dinas")
    NOTA_DINAS = "nota_dinas", _("Nota dinas")
    SURAT_UNDANGAN = "surat_undangan", _("Surat undangan")
    SURAT_EDARAN = "surat_edaran", _("Surat edaran")
    SURAT_TUGAS = "surat_tugas", _("Surat tugas")
    MEMO = "memo", _("Memo")


class OutgoingLetter(models.Model):
    """A letter written inside the region (naskah keluar): drafted, reviewed by an ordered chain of positions,
    signed by whoever acts for the signer position. Signing freezes it: the number, date, rendered PDF and its
    SHA-256 never change afterwards, and `verification_id` is what the QR code on the PDF points to."""

    class Status(models.TextChoices):
        DRAFT = "draf", _("Draf")
        IN_REVIEW = "diperiksa", _("Dalam pemeriksaan")
        APPROVED = "disetujui", _("Disetujui")
        SIGNED = "ditandatangani", _("Ditandatangani")
        RETURNED = "dikembalikan", _("Dikembalikan")
        REJECTED = "ditolak", _("Ditolak")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    # Random, so that verification links cannot be enumerated.
    verification_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    letter_type = models.CharField(_("jenis naskah"), max_length=20, choices=LetterType.choices)
    subject = models.CharField(_("perihal"), max_length=500)
    body = models.TextField(_("isi"), max_length=20000)
    classification_code = models.CharField(_("kode klasifikasi"), max_length=30)
    unit = models.ForeignKey(Unit, verbose_name=_("unit penomoran"), on_delete=models.PROTECT, related_name="+")
    signer_position = models.ForeignKey(
        Position, verbose_name=_("jabatan penanda tangan"), on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.ManyToManyField(
        Position, verbose_name=_("penerima internal"), blank=True, related_name="outgoing_received"
    )
    copies = models.ManyToManyField(Position, verbose_name=_("tembusan"), blank=True, related_name="outgoing_copied")
    external_recipients = models.TextField(_("penerima eksternal"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.DRAFT)
    review_round = models.PositiveSmallIntegerField(default=0)
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Frozen on signing.
    number = models.OneToOneField(
        IssuedNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="outgoing_letter"
    )
    letter_date = models.DateField(_("tanggal naskah"), null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=300, blank=True)  # "Plt. Kepala Dinas …" when acting
    pdf = models.CharField(max_length=255, blank=True)  # a name inside default storage
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    signature_provider = models.CharField(max_length=30, blank=True)
    signature_certified = models.BooleanField(default=False)
    signature_info = models.JSONField(default=dict, blank=True)
    # Full-text search (archive): kept by a database trigger from subject, number, body, signer and external
    # recipients (migration 0005).
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("naskah keluar")
        verbose_name_plural = _("naskah keluar")
        ordering = ["-updated_at", "-id"]
        indexes = [
            GinIndex(fields=["search"], name="eoffice_outgoing_search"),
            models.Index(fields=["created_at"], name="eoffice_outgoing_created"),
            models.Index(
                fields=["signed_at"], name="eoffice_outgoing_signed", condition=models.Q(signed_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["draf", "diperiksa", "disetujui", "ditandatangani", "dikembalikan", "ditolak"]
                ),
                name="eoffice_outgoing_status",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ditandatangani")
                | (models.Q(number__isnull=False, letter_date__isnull=False) & ~models.Q(pdf_sha256="")),
                name="eoffice_outgoing_signed_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.number.number if self.number_id else f"{self.get_letter_type_display()}: {self.subject}"

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def external_recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.external_recipients.splitlines() if line.strip()]


class OutgoingReviewer(models.Model):
    """One step of a letter's review chain (verifikator), in order. Changed only while the letter is
    editable; each submission starts a new review round over the chain as it is then."""

    letter = models.ForeignKey(OutgoingLetter, on_delete=models.CASCADE, related_name="reviewers")
    order = models.PositiveSmallIntegerField()
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["letter", "order"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "order"], name="eoffice_reviewer_order_unique"),
            models.UniqueConstraint(fields=["letter", "position"], name="eoffice_reviewer_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} #{self.order}: {self.position_id}"


class OutgoingReview(models.Model):
    """A reviewer's decision in one review round. Append-only: the history of every round stays."""

    class Decision(models.TextChoices):
        APPROVE = "setuju", _("Setuju")
        RETURN = "kembalikan", _("Kembalikan")
        REJECT = "tolak", _("Tolak")

    letter = models.ForeignKey(OutgoingLetter, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField()
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    note = models.TextField(max_length=2000, blank=True)
    decided_as = models.CharField(max_length=10)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["letter", "round", "order"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "round", "order"], name="eoffice_review_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} r{self.round} #{self.order}: {self.decision}"


# --- archive (issue 5 item 6) ----------------------------------------------------------------------------------


class FinalDisposition(models.TextChoices):
    """Nasib akhir arsip in the retention schedule (JRA)."""

    DESTROY = "musnah", _("Musnah")
    PERMANENT = "permanen", _("Permanen")
    REVIEW = "dinilai_kembali", _("Dinilai kembali")


class ClassificationCode(models.Model):
    """One archive classification code of the region (Permendagri 83/2022) with its retention schedule (JRA):
    years kept active in the unit, then inactive in the records centre, then the final disposition. The parent
    is the longest existing code that prefixes this one ("000.1" for "000.1.2"), kept by the service. A code
    that a dossier uses is deactivated, never deleted (PROTECT below and in the service)."""

    code = models.CharField(_("kode"), max_length=30, unique=True)
    name = models.CharField(_("nama"), max_length=255)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("induk")
    )
    active_years = models.PositiveSmallIntegerField(_("retensi aktif (tahun)"), default=2)
    inactive_years = models.PositiveSmallIntegerField(_("retensi inaktif (tahun)"), default=3)
    final_disposition = models.CharField(
        _("keterangan akhir"), max_length=20, choices=FinalDisposition.choices, default=FinalDisposition.DESTROY
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kode klasifikasi")
        verbose_name_plural = _("kode klasifikasi")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(final_disposition__in=["musnah", "permanen", "dinilai_kembali"]),
                name="eoffice_classification_final",
            ),
            models.CheckConstraint(
                condition=models.Q(active_years__lte=100, inactive_years__lte=100),
                name="eoffice_classification_years",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Dossier(models.Model):
    """A file (berkas): the letters of one classification code, one unit and one year. Open while letters
    are filed into it; closing fixes the retention dates from the schedule as it is then (a later change of
    the code's schedule never shortens a closed dossier's retention). Nothing in it may be destroyed before
    `retention_until`; the database refuses deleting a dossier or a filing before then (trigger)."""

    class Status(models.TextChoices):
        OPEN = "terbuka", _("Terbuka")
        CLOSED = "ditutup", _("Ditutup")
        DISPOSED = "dimusnahkan", _("Dimusnahkan")
        TRANSFERRED = "diserahkan", _("Diserahkan ke lembaga kearsipan")

    classification = models.ForeignKey(
        ClassificationCode, verbose_name=_("kode klasifikasi"), on_delete=models.PROTECT, related_name="dossiers"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("tahun"))
    title = models.CharField(_("uraian berkas"), max_length=255)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.CharField(max_length=200)
    closed_on = models.DateField(_("tanggal ditutup"), null=True, blank=True)
    active_years = models.PositiveSmallIntegerField(null=True, blank=True)
    inactive_years = models.PositiveSmallIntegerField(null=True, blank=True)
    final_disposition = models.CharField(max_length=20, choices=FinalDisposition.choices, blank=True)
    active_until = models.DateField(_("retensi aktif sampai"), null=True, blank=True)
    retention_until = models.DateField(_("retensi berakhir"), null=True, blank=True)
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("berkas")
        verbose_name_plural = _("berkas")
        ordering = ["-year", "classification__code", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["classification", "unit", "year"], name="eoffice_dossier_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=["terbuka", "ditutup", "dimusnahkan", "diserahkan"]),
                name="eoffice_dossier_status",
            ),
            models.CheckConstraint(
                condition=models.Q(status="terbuka") | models.Q(closed_on__isnull=False, retention_until__isnull=False),
                name="eoffice_dossier_closed_has_retention",
            ),
        ]
        indexes = [models.Index(fields=["status", "retention_until"], name="eoffice_dossier_retention")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """How the dossier is cited: classification code / unit code / year."""
        return f"{self.classification.code}/{self.unit.code}/{self.year}"


class DossierItem(models.Model):
    """One letter filed into a dossier: an incoming letter (filed by the records officer) or a signed outgoing
    letter (filed on signing). A letter is in at most one dossier. The foreign keys keep a filed letter from
    being deleted; the trigger keeps the filing itself until the dossier's retention ends."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="items")
    incoming = models.OneToOneField(
        IncomingLetter, null=True, blank=True, on_delete=models.PROTECT, related_name="archive_item"
    )
    outgoing = models.OneToOneField(
        OutgoingLetter, null=True, blank=True, on_delete=models.PROTECT, related_name="archive_item"
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    filed_by = models.CharField(max_length=200)
    automatic = models.BooleanField(default=False)
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("isi berkas")
        verbose_name_plural = _("isi berkas")
        ordering = ["dossier", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(incoming__isnull=False, outgoing__isnull=True)
                | models.Q(incoming__isnull=True, outgoing__isnull=False),
                name="eoffice_dossier_item_one_letter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'in' if self.incoming_id else 'out'} {self.incoming_id or self.outgoing_id}"


class ArchiveDisposal(models.Model):
    """The record of a disposal decision (berita acara): a whole dossier destroyed or handed over to the
    regional archive institution, or one filed letter destroyed. Append-only; what was disposed is kept as a
    snapshot so the record reads the same later."""

    class Kind(models.TextChoices):
        DESTROY = "musnah", _("Pemusnahan")
        TRANSFER = "serah", _("Penyerahan ke lembaga kearsipan")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="disposals")
    item = models.ForeignKey(DossierItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField(_("nomor berita acara"), max_length=100)
    reason = models.TextField(_("keterangan"), max_length=2000)
    retention_until = models.DateField()
    letters = models.JSONField(default=list)
    decided_by = models.CharField(max_length=200)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("berita acara penyusutan")
        verbose_name_plural = _("berita acara penyusutan")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.reference
