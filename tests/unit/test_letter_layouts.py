"""The head of a rendered letter follows its type (Permendagri 1/2023): a letter's Nomor/Hal block and
addressees, a memo's Yth./Dari/Tembusan table, a circular's TENTANG line, an assignment's centred title."""

from __future__ import annotations

from datetime import date

import pytest

from tenant_apps.eoffice.pdf import LETTER_LAYOUTS, LetterContent, letter_pdf_render
from tests.fixtures.pdf import pdf_text


def content(letter_type: str, label: str) -> LetterContent:
    return LetterContent(
        letterhead=["PEMERINTAH KABUPATEN BREBES", "DINAS KOMUNIKASI DAN INFORMATIKA"],
        logo="",
        type_label=label,
        number="000.1/7/KOMINFO/2026",
        letter_date=date(2026, 3, 7),
        subject="Rapat koordinasi SPBE",
        body="Dengan hormat,\n\nKami mengundang Saudara.",
        recipients=["Kepala Bidang IKP"],
        copies=["Sekretaris Daerah"],
        signer_name="Ahmad Fauzi",
        signer_nip="198001012005011001",
        signer_title="Kepala Dinas Komunikasi dan Informatika",
        signature_label="tidak tersertifikasi",
        verification_url="http://brebes.localhost/verifikasi/x/",
        place="Brebes",
        letter_type=letter_type,
    )


def text_of(letter_type: str, label: str) -> str:
    return pdf_text(letter_pdf_render(content(letter_type, label)))


def test_every_letter_type_has_a_layout():
    from tenant_apps.eoffice.models import LetterType

    assert set(LETTER_LAYOUTS) == set(LetterType.values)


@pytest.mark.parametrize("letter_type", ["surat_dinas", "surat_undangan"])
def test_a_letter_has_the_number_block_and_addressees_and_copies_at_the_foot(letter_type):
    text = text_of(letter_type, "Surat dinas")
    assert "(Brebes, 7 Maret 2026)" in text
    assert "(Hal)" in text
    assert "(di Tempat)" in text
    assert "(Tembusan:)" in text
    assert "(SURAT DINAS)" not in text  # a letter carries no centred title
    assert "(Sifat)" not in text  # not recorded on the letter, so not printed


@pytest.mark.parametrize("letter_type", ["nota_dinas", "memo"])
def test_a_memo_has_the_from_table_with_copies_in_the_head(letter_type):
    text = text_of(letter_type, "Nota dinas")
    assert "(NOTA DINAS)" in text
    assert "(Dari)" in text
    assert "(Kepala Dinas Komunikasi dan Informatika)" in text
    assert "(Sekretaris Daerah)" in text
    assert "(Tembusan:)" not in text  # no second copy list at the foot


def test_a_circular_says_what_it_is_about_in_capitals():
    text = text_of("surat_edaran", "Surat edaran")
    assert "(NOMOR 000.1/7/KOMINFO/2026)" in text
    assert "(TENTANG)" in text
    assert "(RAPAT KOORDINASI SPBE)" in text


def test_an_assignment_has_a_centred_title_and_the_date_above_the_signature():
    text = text_of("surat_tugas", "Surat tugas")
    assert "(SURAT TUGAS)" in text
    assert "(NOMOR 000.1/7/KOMINFO/2026)" in text
    assert "(Brebes, 7 Maret 2026)" in text
    assert "(Yth.)" not in text
