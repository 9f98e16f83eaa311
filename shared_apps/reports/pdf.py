"""The PDF adoption report (reportlab): a cover, a summary table, charts, and the detail table.

A region's report holds only its own figures and the platform median; the platform report (operators)
holds every region matching its filters. Text from people (unit and region names) is escaped before it
reaches reportlab's markup.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shared_apps.reports import selectors
from shared_apps.reports.catalogue import MetricInfo, metric_catalogue
from shared_apps.reports.charts import fmt
from shared_apps.reports.models import ReportExport
from shared_apps.reports.periods import Period
from shared_apps.reports.selectors import Filters
from tenant_apps.eoffice.pdf import date_id
from tenants.storage import storage_prefix

CHART_WIDTH = 16 * cm
BLUE = colors.HexColor("#1f5fa8")
LINE_METRICS = ("workspace.active_users_7d", "eoffice.letters_signed", "eoffice.dispositions_created")
DETAIL_ROWS = 100


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    normal = ParagraphStyle("n", parent=base["Normal"], fontName="Helvetica", fontSize=9.5, leading=12)
    return {
        "normal": normal,
        "small": ParagraphStyle("s", parent=normal, fontSize=8, leading=10, textColor=colors.HexColor("#4a5563")),
        "title": ParagraphStyle("t", parent=normal, fontName="Helvetica-Bold", fontSize=22, leading=28),
        "subtitle": ParagraphStyle("st", parent=normal, fontSize=13, leading=18),
        "h2": ParagraphStyle("h2", parent=normal, fontName="Helvetica-Bold", fontSize=13, leading=18, spaceBefore=10),
    }


def _table(rows: list[list[object]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0da")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _line(title: str, period: Period, values: list[float | None]) -> Drawing:
    drawing = Drawing(CHART_WIDTH, 5.5 * cm)
    drawing.add(String(0, 5.1 * cm, title, fontName="Helvetica-Bold", fontSize=9))
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 1.2 * cm, 0.8 * cm, CHART_WIDTH - 1.6 * cm, 3.9 * cm
    chart.data = [[v if v is not None else 0 for v in values] or [0]]
    days = period.dates()
    step = max(1, len(days) // 6)
    chart.categoryAxis.categoryNames = [d.strftime("%d/%m") if i % step == 0 else "" for i, d in enumerate(days)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.lines[0].strokeColor = BLUE
    chart.lines[0].strokeWidth = 1.5
    drawing.add(chart)
    return drawing


def _bars(title: str, items: list[tuple[str, float]]) -> Drawing:
    height = max(2.5 * cm, 0.55 * cm * len(items) + 1.2 * cm)
    drawing = Drawing(CHART_WIDTH, height)
    drawing.add(String(0, height - 0.4 * cm, title, fontName="Helvetica-Bold", fontSize=9))
    if not items:
        drawing.add(String(0, height - 1.2 * cm, _("Belum ada data."), fontName="Helvetica", fontSize=8))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 5 * cm, 0.5 * cm
    chart.width, chart.height = CHART_WIDTH - 5.5 * cm, height - 1.3 * cm
    chart.data = [[value for _label, value in reversed(items)]]
    chart.categoryAxis.categoryNames = [label[:32] for label, _value in reversed(items)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    return drawing


def _cover(story: list, styles: dict, title: str, scope: str, period: Period, notes: list[str]) -> None:
    story += [
        Spacer(1, 5 * cm),
        Paragraph(escape(title), styles["title"]),
        Spacer(1, 0.4 * cm),
        Paragraph(escape(scope), styles["subtitle"]),
        Paragraph(escape(f"{date_id(period.start)} - {date_id(period.end)}"), styles["subtitle"]),
        Spacer(1, 1 * cm),
        *[Paragraph(escape(note), styles["normal"]) for note in notes],
        Spacer(1, 6 * cm),
        Paragraph(
            escape(_("Dibuat oleh Mitra, %(when)s.") % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M %Z")}),
            styles["small"],
        ),
        PageBreak(),
    ]


def _region_story(export: ReportExport, progress: Callable[[int], None]) -> list:
    styles = _styles()
    region = export.region
    assert region is not None  # a region report always names its region (database constraint)
    period = Period(export.period_start, export.period_end)
    infos = list(metric_catalogue().values())
    summary = selectors.region_summary(region, period, infos)
    medians = selectors.platform_medians(period, infos)
    daily = selectors.region_daily(region, period, infos)
    unit_infos, units = selectors.region_units(region, period)
    progress(40)
    story: list = []
    monthly = [_("Laporan bulanan otomatis.")] if export.monthly else []
    _cover(story, styles, _("Laporan Adopsi"), region.official_name, period, [
        *monthly,
        _("Median platform: nilai tengah seluruh wilayah aktif, tanpa nama wilayah; kosong bila kurang dari "
          "%(n)d wilayah.") % {"n": selectors.MEDIAN_MIN_REGIONS},
    ])  # fmt: skip
    story.append(Paragraph(escape(_("Ringkasan")), styles["h2"]))
    rows: list[list[object]] = [[_("Metrik"), region.official_name[:30], _("Median platform")]]
    for info in infos:
        if summary[info.code] is None and info.code.count(".") > 1:
            continue
        rows.append([Paragraph(escape(str(info.label)), styles["normal"]),
                     fmt(summary[info.code], info.unit_label), fmt(medians[info.code], info.unit_label)])  # fmt: skip
    story.append(_table(rows, [9 * cm, 3.5 * cm, 3.5 * cm]))
    story.append(Paragraph(escape(_("Grafik")), styles["h2"]))
    catalogue = metric_catalogue()
    for code in LINE_METRICS:
        if code in catalogue and any(v is not None for v in daily.get(code, {}).values()):
            values = [daily[code].get(day) for day in period.dates()]
            story += [_line(str(catalogue[code].label), period, values), Spacer(1, 0.3 * cm)]
    progress(65)
    if units:
        story.append(Paragraph(escape(_("Per perangkat daerah")), styles["h2"]))
        first = unit_infos[0]
        story.append(_bars(str(first.label), [(u.name, u.values.get(first.code) or 0) for u in units][:20]))
        header = [_("Unit"), *[Paragraph(escape(str(i.label)), styles["small"]) for i in unit_infos]]
        body = [[Paragraph(escape(u.name), styles["normal"]), *[fmt(u.values.get(i.code)) for i in unit_infos]]
                for u in units]  # fmt: skip
        width = (CHART_WIDTH - 5 * cm) / max(1, len(unit_infos))
        story.append(_table([header, *body], [5 * cm, *[width] * len(unit_infos)]))
    return story


def _platform_story(export: ReportExport, progress: Callable[[int], None]) -> list:
    styles = _styles()
    period = Period(export.period_start, export.period_end)
    filters = Filters(period=period, **{k: export.filters.get(k, "") for k in ("province", "kind", "module")})
    infos = selectors.headline_metrics(module=filters.module)
    rows = selectors.region_table(filters, infos=infos, sort="workspace.active_users_7d")
    funnel = selectors.funnel(filters)
    progress(40)
    notes = [f"{key}: {value}" for key, value in export.filters.items() if value]
    story: list = []
    _cover(story, styles, _("Laporan Adopsi Mitra"), _("Seluruh wilayah mitra"), period,
           [*notes, _("%(n)d wilayah dalam laporan ini.") % {"n": len(rows)}])  # fmt: skip
    story.append(Paragraph(escape(_("Ringkasan")), styles["h2"]))
    summary: list[list[object]] = [[_("Tahap / metrik"), _("Nilai")]]
    summary += [[stage.label, str(stage.count)] for stage in funnel]
    for info in infos:
        values = [row.values[info.code] for row in rows if row.values.get(info.code) is not None]
        total = (sum(values) / len(values) if info.aggregate == "mean" else sum(values)) if values else None
        summary.append([Paragraph(escape(str(info.label)), styles["normal"]), fmt(total, info.unit_label)])
    story.append(_table(summary, [12 * cm, 4 * cm]))
    story.append(Paragraph(escape(_("Grafik")), styles["h2"]))
    catalogue = metric_catalogue()
    for code in LINE_METRICS:
        if code in catalogue:
            series = selectors.platform_series(filters, catalogue[code])
            story += [_line(str(catalogue[code].label), period, [v for _d, v in series]), Spacer(1, 0.3 * cm)]
    progress(65)
    top = [(row.region.official_name, row.values.get("workspace.active_users_7d") or 0) for row in rows[:15]]
    story.append(_bars(_("Wilayah dengan pengguna aktif terbanyak (7 hari)"), top))
    story.append(PageBreak())
    story.append(Paragraph(escape(_("Wilayah")), styles["h2"]))
    shown: list[MetricInfo] = infos[:6]
    header = [_("Wilayah"), *[Paragraph(escape(str(i.label)), styles["small"]) for i in shown]]
    body = [[Paragraph(escape(row.region.official_name), styles["normal"]),
             *[fmt(row.values.get(i.code), i.unit_label) for i in shown]] for row in rows[:DETAIL_ROWS]]  # fmt: skip
    width = (CHART_WIDTH - 5 * cm) / max(1, len(shown))
    story.append(_table([header, *body], [5 * cm, *[width] * len(shown)]))
    if len(rows) > DETAIL_ROWS:
        story.append(Paragraph(escape(_("%(n)d wilayah lainnya ada di ekspor CSV.") % {"n": len(rows) - DETAIL_ROWS}),
                               styles["small"]))  # fmt: skip
    return story


def render_report(*, export: ReportExport, progress: Callable[[int], None]) -> str:
    """Render the export's PDF, store it under its owner's prefix, and return the stored name."""
    story = _region_story(export, progress) if export.region_id else _platform_story(export, progress)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=str(_("Laporan Adopsi")), author="Mitra")  # fmt: skip
    doc.build(story)
    progress(90)
    owner = export.region.schema_name if export.region_id else "public"
    slug = export.region.slug if export.region_id else "platform"
    name = f"reports/laporan-{slug}-{export.period_start}-{export.period_end}-{export.pk}.pdf"
    with storage_prefix(owner):
        return default_storage.save(name, ContentFile(buffer.getvalue()))
