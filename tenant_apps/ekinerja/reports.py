"""e-Kinerja reports: fill rate per unit (active employees, approved SKP, activity entries and how many are
validated), rating distribution per unit, CSV exports, and an employee's annual document as PDF.

Fill rate and distribution are a fixed number of grouped queries whatever the region's size (one GROUP BY per
figure, then one query for the units' names), so they stay fast at 15-20k employees.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from django.db.models import Count, Sum
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tenant_apps.ekinerja.models import ActivityMonth, Appraisal, AppraisalPeriod, Skp
from tenant_apps.ekinerja.rating import Predikat
from tenant_apps.eoffice.pdf import date_id
from tenant_apps.org.models import Employee, Unit


@dataclass
class FillRow:
    unit: Unit
    employees: int = 0
    skp_approved: int = 0
    entries: int = 0
    entries_validated: int = 0

    @property
    def skp_percent(self) -> float:
        return round(100 * self.skp_approved / self.employees, 1) if self.employees else 0.0

    @property
    def validated_percent(self) -> float:
        return round(100 * self.entries_validated / self.entries, 1) if self.entries else 0.0


def fill_rate(*, year: int, start: date, end: date) -> list[FillRow]:
    """Per unit (of the employees' positions today): active employees, their approved SKP of `year`, and the
    activity entries of the months from `start` to `end` with how many are validated. Four queries.

    Entries come from the running monthly counts (ActivityMonth, one row per employee and month), rolled up
    to units here: counting a large region's 300k entries of a month on every request costs far more."""
    rows: dict[int, FillRow] = {}

    def row(unit_id: int) -> FillRow:
        return rows.setdefault(unit_id, FillRow(unit=None))  # type: ignore[arg-type]

    # Each figure is grouped by unit in the database: 850 rows cross the wire, not 15k per figure.
    unit = "position__unit_id"
    active = Employee.objects.filter(active=True, position__isnull=False).order_by()
    for unit_id, n in active.values_list(unit).annotate(n=Count("pk")).values_list(unit, "n"):
        row(unit_id).employees = n
    employee_unit = f"employee__{unit}"
    approved = Skp.objects.filter(year=year, status=Skp.Status.APPROVED, employee__active=True).order_by()
    for unit_id, n in approved.values_list(employee_unit).annotate(n=Count("pk")).values_list(employee_unit, "n"):
        if unit_id is not None:
            row(unit_id).skp_approved = n
    months = ActivityMonth.objects.filter(
        month__gte=start.replace(day=1), month__lte=end, employee__active=True, employee__position__isnull=False
    ).order_by()
    for unit_id, entered, validated in (
        months.values_list(employee_unit)
        .annotate(entered=Sum("entered"), validated=Sum("validated"))
        .values_list(employee_unit, "entered", "validated")
    ):
        row(unit_id).entries, row(unit_id).entries_validated = entered, validated
    for unit in Unit.objects.filter(pk__in=list(rows)).only("code", "name", "kind", "parent_id"):
        rows[unit.pk].unit = unit
    return sorted(rows.values(), key=lambda r: r.unit.code)


@dataclass
class DistributionRow:
    unit: Unit
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[int]:
        return [self.counts.get(p, 0) for p in Predikat.values]


def distribution(*, period: AppraisalPeriod) -> list[DistributionRow]:
    """Completed appraisals of `period` per unit and predikat. Two queries."""
    rows: dict[int, DistributionRow] = {}
    for unit_id, predikat, n in (
        Appraisal.objects.filter(period=period, status=Appraisal.Status.COMPLETED)
        .values_list("skp__position__unit_id", "predikat")
        .annotate(n=Count("pk"))
        .values_list("skp__position__unit_id", "predikat", "n")
    ):
        rows.setdefault(unit_id, DistributionRow(unit=None)).counts[predikat] = n  # type: ignore[arg-type]
    for unit in Unit.objects.filter(pk__in=list(rows)).only("code", "name", "kind", "parent_id"):
        rows[unit.pk].unit = unit
    return sorted(rows.values(), key=lambda r: r.unit.code)


def _csv(header: list[str], lines: Iterable[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # what Excel on Indonesian Windows opens directly
    writer.writerow(header)
    for line in lines:
        writer.writerow([_cell(v) for v in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: object) -> object:
    # A cell starting with = + - @ is a formula to spreadsheets; names come from people.
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not isinstance(value, int | float) else value


def fill_rate_csv(rows: list[FillRow]) -> bytes:
    return _csv(
        ["kode_unit", "unit", "pegawai", "skp_disetujui", "persen_skp", "aktivitas", "aktivitas_divalidasi",
         "persen_validasi"],
        ([r.unit.code, r.unit.name, r.employees, r.skp_approved, r.skp_percent, r.entries, r.entries_validated,
          r.validated_percent] for r in rows),
    )  # fmt: skip


def distribution_csv(rows: list[DistributionRow]) -> bytes:
    return _csv(
        ["kode_unit", "unit", *Predikat.values, "jumlah"],
        ([r.unit.code, r.unit.name, *r.cells(), r.total] for r in rows),
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or "").replace("\n", "<br/>"), style)


def skp_annual_pdf(*, skp: Skp, region_name: str, appraisals: list[Appraisal], today: date) -> bytes:
    """The employee's annual performance document: identity, appraiser, RHK with indicators and targets,
    behaviour expectations, and every completed appraisal of the year with its predikat."""
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("n", parent=styles["Normal"], fontName="Helvetica", fontSize=9, leading=12)
    bold = ParagraphStyle("b", parent=normal, fontName="Helvetica-Bold")
    title = ParagraphStyle("t", parent=bold, fontSize=12, alignment=1, spaceAfter=6)
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    employee = skp.employee
    appraiser = skp.appraiser_position
    story: list = [
        _p(region_name.upper(), title),
        _p(f"DOKUMEN EVALUASI KINERJA PEGAWAI TAHUN {skp.year}", title),
        Table(
            [
                [_p("Pegawai", bold), _p(f"{employee.name} — NIP {employee.nip}", normal)],
                [_p("Jabatan", bold), _p(f"{skp.position.title} ({skp.position.unit.name})", normal)],
                [_p("Pejabat penilai", bold), _p(appraiser.title if appraiser else "—", normal)],
                [_p("Pendekatan", bold), _p(skp.get_approach_display(), normal)],
                [_p("Status SKP", bold), _p(skp.get_status_display(), normal)],
            ],
            colWidths=[4 * cm, None],
            style=grid,
        ),
        Spacer(1, 10),
        _p("Rencana hasil kerja", bold),
    ]
    rhk_rows = [[_p("Jenis", bold), _p("RHK", bold), _p("Indikator dan target", bold)]]
    for rhk in skp.rhks.all():
        indicators = "\n".join(f"{i.get_aspect_display()}: {i.text} — {i.target}" for i in rhk.indicators.all())
        parent = f"\n(mengintervensi: {rhk.parent.text})" if rhk.parent_id else ""
        rhk_rows.append([_p(rhk.get_kind_display(), normal), _p(rhk.text + parent, normal), _p(indicators, normal)])
    story += [Table(rhk_rows, colWidths=[2 * cm, 7 * cm, None], style=grid, repeatRows=1), Spacer(1, 10)]
    story.append(_p("Perilaku kerja (BerAKHLAK) dan ekspektasi khusus pimpinan", bold))
    story.append(
        Table(
            [[_p(b.get_value_display(), normal), _p(b.expectation or "—", normal)] for b in skp.behaviours.all()],
            colWidths=[4 * cm, None],
            style=grid,
        )
    )
    story += [Spacer(1, 10), _p("Penilaian", bold)]
    rows = [[_p("Periode", bold), _p("Hasil kerja", bold), _p("Perilaku", bold), _p("Predikat", bold)]]
    for a in appraisals:
        rows.append(
            [_p(a.period.label, normal), _p(a.get_results_rating_display(), normal),
             _p(a.get_behaviour_rating_display(), normal), _p(a.get_predikat_display(), bold)]
        )  # fmt: skip
    story.append(Table(rows, colWidths=[4 * cm, 4 * cm, 4 * cm, None], style=grid, repeatRows=1))
    story += [Spacer(1, 14), _p(f"Dicetak {date_id(today)} dari Mitra e-Kinerja.", normal)]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.5 * cm, bottomMargin=1.5 * cm,
        title=f"SKP {skp.year} {employee.nip}", creator="Mitra e-Kinerja",
    ).build(story)  # fmt: skip
    return buffer.getvalue()
