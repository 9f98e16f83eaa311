"""Rendering an outgoing letter to PDF (reportlab): the region's letterhead and logo, the number and date,
addressees, the body, the signature block with the signer's label, the copies, and a QR code linking to the
public verification page. Everything taken from people is escaped before it reaches reportlab's markup.

The head of the document follows its type, as the annexes of Permendagri 1/2023 lay them out:
- surat dinas and surat undangan: place and date on the right, then Nomor / Sifat / Lampiran / Hal on the
  left and the addressees ("Yth.") below;
- nota dinas and memo: the title, then a table Yth. / Dari / Tembusan / Tanggal / Nomor / Hal under a rule
  (copies sit in the head, not at the foot);
- surat edaran: the title, NOMOR, TENTANG and the subject in capitals, centred;
- surat tugas: the title and NOMOR, centred; the body carries "Dasar" and "Untuk".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from django.core.files.storage import default_storage
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import HRFlowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def date_id(day: date) -> str:
    """`7 Maret 2026`: how dates are written on official documents."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class LetterContent:
    letterhead: list[str]
    logo: str  # a name in default storage, or ""
    type_label: str
    number: str
    letter_date: date
    subject: str
    body: str
    recipients: list[str]
    copies: list[str]
    signer_name: str
    signer_nip: str
    signer_title: str
    signature_label: str
    verification_url: str
    place: str = ""
    letter_type: str = ""  # a LetterType value; picks the layout of the head
    nature: str = ""  # sifat; the row is left out when the letter has none


LETTER_LAYOUTS = {
    "surat_dinas": "letter",
    "surat_undangan": "letter",
    "nota_dinas": "memo",
    "memo": "memo",
    "surat_edaran": "circular",
    "surat_tugas": "assignment",
}


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _qr(url: str, size: float = 2.6 * cm) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _logo(name: str) -> Image | None:
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        return None  # a missing logo must not stop a letter from being signed
    return Image(io.BytesIO(data), width=2.2 * cm, height=2.2 * cm, kind="proportional")


def _fields(rows: list[tuple[str, str]], style: ParagraphStyle) -> Table:
    """A label : value block (Nomor : …, Hal : …) with the values wrapping under themselves."""
    return Table(
        [[Paragraph(_text(label), style), ":", Paragraph(_text(value), style)] for label, value in rows if value],
        colWidths=[2.4 * cm, 0.4 * cm, None],
        hAlign="LEFT",
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        ),
    )


def letter_pdf_render(content: LetterContent) -> bytes:
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("body", parent=styles["Normal"], fontName="Helvetica", fontSize=11, leading=15)
    head = ParagraphStyle("head", parent=normal, alignment=TA_CENTER, fontName="Helvetica-Bold", fontSize=13)
    small = ParagraphStyle("small", parent=normal, fontSize=8, leading=10)
    title = ParagraphStyle("title", parent=head, fontSize=12, spaceBefore=6)

    heading = [Paragraph(_text(line), head) for line in content.letterhead] or [Paragraph("", head)]
    logo = _logo(content.logo)
    story: list = [
        Table(
            [[logo or "", heading]],
            colWidths=[2.6 * cm, None],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]),
        ),
        HRFlowable(width="100%", thickness=1.5, spaceBefore=4, spaceAfter=10),
    ]
    centred = ParagraphStyle("centred", parent=normal, alignment=TA_CENTER)
    dated = _text(f"{content.place + ', ' if content.place else ''}{date_id(content.letter_date)}")
    layout = LETTER_LAYOUTS.get(content.letter_type, "letter")
    copies_at_foot = True
    if layout == "letter":
        story += [
            Paragraph(dated, ParagraphStyle("dated", parent=normal, alignment=TA_RIGHT)),
            Spacer(1, 6),
            _fields(
                [("Nomor", content.number), ("Sifat", content.nature), ("Lampiran", "-"), ("Hal", content.subject)],
                normal,
            ),
        ]
        if content.recipients:
            story += [Spacer(1, 8), Paragraph("Yth.", normal)]
            story += [Paragraph(_text(f"{i}. {name}"), normal) for i, name in enumerate(content.recipients, 1)]
            story.append(Paragraph("di Tempat", normal))
    elif layout == "memo":
        copies_at_foot = False
        rows = [
            ("Yth.", "; ".join(content.recipients) or "-"),
            ("Dari", content.signer_title),
            ("Tembusan", "; ".join(content.copies) or "-"),
            ("Tanggal", date_id(content.letter_date)),
            ("Nomor", content.number),
            ("Sifat", content.nature),
            ("Hal", content.subject),
        ]
        story += [
            Paragraph(_text(content.type_label.upper()), title),
            Spacer(1, 8),
            _fields(rows, normal),
            HRFlowable(width="100%", thickness=0.75, spaceBefore=6, spaceAfter=4),
        ]
    else:
        story += [
            Paragraph(_text(content.type_label.upper()), title),
            Paragraph(_text(f"NOMOR {content.number}"), centred),
        ]
        if layout == "circular":
            story += [
                Spacer(1, 6),
                Paragraph("TENTANG", centred),
                Paragraph(_text(content.subject.upper()), centred),
            ]
            if content.recipients:
                story += [Spacer(1, 8), Paragraph("Yth.", normal)]
                story += [Paragraph(_text(f"{i}. {name}"), normal) for i, name in enumerate(content.recipients, 1)]
    story.append(Spacer(1, 10))
    for paragraph in content.body.replace("\r\n", "\n").split("\n\n"):
        if paragraph.strip():
            story += [Paragraph(_text(paragraph.strip()), normal), Spacer(1, 6)]
    if layout in ("circular", "assignment"):
        # Decrees, circulars and assignments carry the place and date above the signature.
        story.append(Paragraph(dated, ParagraphStyle("dated-sign", parent=normal, leftIndent=8.5 * cm)))
    signature = [
        Paragraph(_text(content.signer_title), normal),
        Spacer(1, 4),
        _qr(content.verification_url),
        Paragraph(_text(f"Ditandatangani: {content.signature_label}"), small),
        Spacer(1, 4),
        Paragraph(f"<b>{_text(content.signer_name)}</b>", normal),
        Paragraph(_text(f"NIP {content.signer_nip}") if content.signer_nip else "", normal),
    ]
    story += [Spacer(1, 14), Table([["", signature]], colWidths=[None, 8 * cm])]
    if content.copies and copies_at_foot:
        story += [Spacer(1, 12), Paragraph("Tembusan:", normal)]
        story += [Paragraph(_text(f"{i}. {name}"), normal) for i, name in enumerate(content.copies, 1)]
    story += [Spacer(1, 12), Paragraph(_text(f"Verifikasi keaslian: {content.verification_url}"), small)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.5 * cm,
        rightMargin=2 * cm,
        topMargin=1.5 * cm,
        bottomMargin=2 * cm,
        title=content.subject[:200],
        author=content.signer_name,
        creator="Mitra e-Office",
    )
    doc.build(story)
    return buffer.getvalue()
