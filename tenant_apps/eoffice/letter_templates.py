"""Starting text for each type of outgoing letter (Permendagri 1/2023): what a drafter gets when they begin
a new letter of that type, before writing their own. Placeholders are in square brackets so that a
drafter, and a reviewer, see at once what is still to be filled in.

The letterhead, number, date, addressees, copies and signature block are not part of the body: the PDF
lays them out per type (tenant_apps.eoffice.pdf.LETTER_LAYOUTS).
"""

from __future__ import annotations

from dataclasses import dataclass

from tenant_apps.eoffice.models import LetterType
from tenant_apps.eoffice.pdf import LETTER_LAYOUTS

BODIES: dict[str, str] = {
    LetterType.SURAT_DINAS: (
        "Dengan hormat,\n\n"
        "Sehubungan dengan [dasar atau latar belakang], dengan ini kami sampaikan [maksud surat].\n\n"
        "Demikian disampaikan, atas perhatian dan kerja sama Bapak/Ibu kami ucapkan terima kasih."
    ),
    LetterType.NOTA_DINAS: (
        "Dengan hormat,\n\n"
        "Bersama ini kami laporkan/sampaikan [pokok persoalan].\n\n"
        "Berkenaan dengan hal tersebut, kami mohon [arahan/persetujuan/tindak lanjut] Bapak/Ibu.\n\n"
        "Demikian disampaikan, mohon arahan lebih lanjut."
    ),
    LetterType.SURAT_UNDANGAN: (
        "Dengan hormat,\n\n"
        "Dalam rangka [maksud kegiatan], kami mengundang Bapak/Ibu untuk hadir pada:\n"
        "hari, tanggal : [hari, tanggal]\n"
        "waktu : [pukul] WIB s.d. selesai\n"
        "tempat : [tempat]\n"
        "acara : [acara]\n\n"
        "Mengingat pentingnya acara tersebut, kami mohon kehadiran Bapak/Ibu tepat waktu.\n\n"
        "Demikian undangan ini disampaikan, atas perhatian Bapak/Ibu kami ucapkan terima kasih."
    ),
    LetterType.SURAT_EDARAN: (
        "1. Latar belakang\n[alasan surat edaran ini diterbitkan]\n\n"
        "2. Maksud dan tujuan\n[maksud dan tujuan]\n\n"
        "3. Ruang lingkup\n[ruang lingkup]\n\n"
        "4. Dasar\n[peraturan yang menjadi dasar]\n\n"
        "5. Isi edaran\n[hal yang harus dilaksanakan]\n\n"
        "Demikian surat edaran ini untuk dilaksanakan sebagaimana mestinya."
    ),
    LetterType.SURAT_TUGAS: (
        "Dasar : [peraturan atau surat yang menjadi dasar penugasan]\n\n"
        "MENUGASKAN\n\n"
        "Kepada : [nama, NIP, pangkat/golongan, jabatan]\n\n"
        "Untuk : [uraian tugas, tempat dan waktu pelaksanaan]\n\n"
        "Demikian surat tugas ini dibuat untuk dilaksanakan dengan penuh tanggung jawab."
    ),
    LetterType.MEMO: "[pesan singkat yang perlu disampaikan]",
}


@dataclass(frozen=True)
class LetterTemplate:
    letter_type: str
    label: str
    layout: str
    body: str


def letter_templates() -> list[LetterTemplate]:
    return [
        LetterTemplate(value, str(label), LETTER_LAYOUTS[value], BODIES[value]) for value, label in LetterType.choices
    ]


def letter_template_body(letter_type: str) -> str | None:
    """The starting body for `letter_type`, or None for a value that is not a letter type."""
    return BODIES.get(letter_type)
