"""Benchmark: signing an outgoing letter (issue 5 asks for < 1 s median): the PDF render plus SHA-256 alone,
and the whole signing service (number, render, built-in signer, hash, storage, audit) on the test database.

Run: `.venv/bin/pytest -m perf tests/perf/test_signing_benchmark.py -s`. It prints medians of 20 signings and
asserts nothing about time (timing belongs to benchmarks, not tests).
"""

from __future__ import annotations

import hashlib
import statistics
import time

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenant_apps.eoffice.models import OutgoingLetter
from tenant_apps.eoffice.outgoing_services import outgoing_letter_create, outgoing_letter_sign, outgoing_letter_submit
from tenant_apps.eoffice.pdf import LetterContent, letter_pdf_render
from tenant_apps.org.models import Employee
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import org_today
from tenant_apps.org.services import account_upsert
from tests.fixtures.org import build_org

pytestmark = [pytest.mark.perf, pytest.mark.django_db]

ROUNDS = 20
BODY = "\n\n".join(
    "Sehubungan dengan pelaksanaan Sistem Pemerintahan Berbasis Elektronik, dengan hormat kami sampaikan "
    "bahwa rapat koordinasi akan dilaksanakan sesuai jadwal terlampir. " * 3
    for _ in range(6)
)


def test_signing_median_of_20(seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with schema_context("brebes"):
        org = build_org()
        kadis = account_upsert(username="kadis", password=seed.password, full_name="A", roles=[Role.LEADER], actor="t")
        Employee.objects.filter(pk=org.kadis.pk).update(account=kadis)
        letters: list[OutgoingLetter] = []
        for i in range(ROUNDS + 1):
            letter = outgoing_letter_create(
                user=kadis,
                letter_type="surat_dinas",
                subject=f"Rapat koordinasi {i}",
                body=BODY,
                classification_code="000.1.2",
                signer_position=org.head,
                recipients=[org.division_head, org.section_head],
                copies=[org.analyst],
                external_recipients="Gubernur Jawa Tengah",
            )
            letters.append(outgoing_letter_submit(user=kadis, letter=letter))

        content = LetterContent(
            letterhead=["PEMERINTAH KABUPATEN BREBES", "DINAS KOMUNIKASI DAN INFORMATIKA"],
            logo="",
            type_label="Surat dinas",
            number="000.1.2/1/KOMINFO/2026",
            letter_date=org_today(),
            subject="Rapat koordinasi",
            body=BODY,
            recipients=["Kepala Bidang IKP", "Gubernur Jawa Tengah"],
            copies=["Pranata Komputer"],
            signer_name="Ahmad Fauzi",
            signer_nip="198001012005011001",
            signer_title="Kepala Dinas Komunikasi dan Informatika",
            signature_label="tidak tersertifikasi",
            verification_url="http://brebes.localhost:8000/verifikasi/5e5025ea-e42b-4a55-8932-d87f60886edd/",
        )
        render: list[float] = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            hashlib.sha256(letter_pdf_render(content)).hexdigest()
            render.append(time.perf_counter() - started)

        outgoing_letter_sign(user=kadis, letter=letters[0])  # warm-up (first number sequence row, imports)
        service: list[float] = []
        for letter in letters[1:]:
            started = time.perf_counter()
            outgoing_letter_sign(user=kadis, letter=letter)
            service.append(time.perf_counter() - started)
    connection.set_schema_to_public()
    print(
        f"\nsigning, median of {ROUNDS}: render + SHA-256 {statistics.median(render) * 1000:.1f} ms; "
        f"whole signing service {statistics.median(service) * 1000:.1f} ms "
        f"(max {max(service) * 1000:.1f} ms)"
    )
