"""Benchmark: e-Office list pages on a large region (issue 5 asks for < 150 ms median with 100k letters and
300k dispositions in one region, and a bounded number of queries).

Brebes gets 90,000 incoming letters, 10,000 signed outgoing letters and 300,000 dispositions, written with
set-based SQL (generate_series) inside the test's transaction, so nothing is left behind. The same pages are
measured on Tegal holding the same small organisation and a handful of letters: that is the baseline, in
the same run, and the table gives each page's ratio to it. Requests go through the whole Django stack (test
client with the region's Host header: middleware, licence gate, session, templates).

Run: `.venv/bin/pytest -m perf tests/perf/test_eoffice_benchmark.py -s`. It prints the figures and asserts
only that the number of queries per page does not grow with the data (timing belongs to benchmarks).
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.eoffice.models import Disposition, IncomingLetter, OutgoingLetter
from tenant_apps.eoffice.services import incoming_letter_register
from tenant_apps.org.models import Employee, Position
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import org_today
from tenant_apps.org.services import account_upsert
from tests.integration.test_licensing import licensed
from tests.integration.test_org import build_org, login

pytestmark = [pytest.mark.perf, pytest.mark.django_db]

INCOMING = 90_000
OUTGOING = 10_000
DISPOSITIONS = 300_000
ROUNDS = 25
EXTRA_POSITIONS = 40  # other leaders' seats, so that the measured inbox is a share of the region, not all of it

SUBJECTS = [
    "Undangan rapat koordinasi",
    "Permohonan data kepegawaian",
    "Laporan realisasi anggaran",
    "Pemberitahuan jadwal pelatihan",
    "Usulan kenaikan pangkat",
    "Surat edaran kebersihan lingkungan",
    "Penyampaian hasil monitoring SPBE",
    "Permintaan narasumber seminar",
]
SENDERS = ["Kementerian Dalam Negeri", "BKD Provinsi Jawa Tengah", "Bappeda", "Inspektorat", "Kominfo Provinsi"]


def _people(seed):
    """The organisation both regions share, and the accounts the pages are opened with."""
    org = build_org()
    users = {}
    for username, role, employee in (
        ("kadis", Role.LEADER, org.kadis),
        ("kabid", Role.STAFF, org.kabid),
        ("tu", Role.RECORDS_OFFICER, None),
    ):
        users[username] = account_upsert(
            username=username, password=seed.password, full_name=username, roles=[role], actor="t"
        )
        if employee is not None:
            Employee.objects.filter(pk=employee.pk).update(account=users[username])
    return org, users


def _bulk_load(org, users) -> None:
    """Letters, numbers and dispositions with set-based SQL. A fifth of the incoming letters go to the Kepala
    Dinas, the rest to 40 other leaders' seats; each letter gets dispositions in a tree (to the Kepala Bidang,
    then down), so the Kepala Bidang's disposition inbox is a large share of the 300k."""
    others = [
        Position.objects.create(code=f"OPD{i}-KADIS", title=f"Kepala OPD {i}", unit=org.opd).pk
        for i in range(EXTRA_POSITIONS)
    ]
    today = org_today()
    year = today.year
    officer = users["tu"].pk
    subjects = "ARRAY[" + ",".join(f"'{s}'" for s in SUBJECTS) + "]"
    senders = "ARRAY[" + ",".join(f"'{s}'" for s in SENDERS) + "]"
    others_sql = "ARRAY[" + ",".join(str(p) for p in others) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO eoffice_letternumbersequence (kind, unit_id, year, last_value, updated_at)"
            " VALUES ('agenda', NULL, %s, %s, now()) RETURNING id",
            [year, INCOMING],
        )
        agenda_seq = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO eoffice_letternumbersequence (kind, unit_id, year, last_value, updated_at)"
            " VALUES ('naskah', %s, %s, %s, now()) RETURNING id",
            [org.opd.pk, year, OUTGOING],
        )
        letter_seq = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO eoffice_issuednumber (sequence_id, kind, unit_id, year, value, number, classification_code,"
            " letter_ref, issued_by, issued_at, cancelled, cancelled_reason, cancelled_by)"
            " SELECT %s, 'agenda', NULL, %s, g, g || '/' || %s, '', 'incoming:bench', 'bench', now(), false, '', ''"
            " FROM generate_series(1, %s) g",
            [agenda_seq, year, year, INCOMING],
        )
        cursor.execute(
            f"""
            INSERT INTO eoffice_incomingletter (agenda_id, agenda_year, sender, letter_number, letter_date,
                received_date, subject, nature, urgency, addressed_to_id, status, registered_by_id, registered_at)
            SELECT n.id, %s, ({senders})[1 + n.value %% 5], (n.value %% 900) || '/' || n.value || '/SJ/' || %s,
                   %s::date - (n.value %% 700), %s::date - (n.value %% 700),
                   ({subjects})[1 + n.value %% 8] || ' nomor ' || n.value, 'biasa', 'biasa',
                   CASE WHEN n.value %% 5 = 0 THEN %s ELSE ({others_sql})[1 + n.value %% {EXTRA_POSITIONS}] END,
                   'terdaftar', %s, now()
            FROM eoffice_issuednumber n WHERE n.sequence_id = %s
            """,  # noqa: S608 (the arrays come from this module's constants)
            [year, year, today, today, org.head.pk, officer, agenda_seq],
        )
        # Three dispositions per letter, four for every third one (to the Kepala Bidang, the Kepala Seksi and
        # the analyst; the fourth to the analyst again), 300k in all.
        cursor.execute(
            """
            INSERT INTO eoffice_disposition (letter_id, parent_id, batch, from_position_id, to_position_id,
                instructions, note, urgency, deadline, status, sent_as, sent_by_id, sent_at, done_note,
                return_reason)
            SELECT l.id, NULL, gen_random_uuid(), l.addressed_to_id,
                   CASE WHEN k = 0 THEN %s WHEN k = 1 THEN %s ELSE %s END,
                   ARRAY['Tindak lanjuti'], 'Segera', 'biasa', l.received_date + 7,
                   (ARRAY['terkirim','dibaca','diproses','selesai'])[1 + (l.id + k) %% 4], 'definitif', %s,
                   now() - ((l.id %% 700) || ' days')::interval, '', ''
            FROM eoffice_incomingletter l CROSS JOIN generate_series(0, 3) k
            WHERE k < 3 OR l.id %% 3 = 0
            """,
            [org.division_head.pk, org.section_head.pk, org.analyst.pk, users["kadis"].pk],
        )  # fmt: skip
        cursor.execute(
            "INSERT INTO eoffice_issuednumber (sequence_id, kind, unit_id, year, value, number, classification_code,"
            " letter_ref, issued_by, issued_at, cancelled, cancelled_reason, cancelled_by)"
            " SELECT %s, 'naskah', %s, %s, g, '000.1/' || g || '/KOMINFO/' || %s, '000.1', 'outgoing:bench', 'bench',"
            " now(), false, '', '' FROM generate_series(1, %s) g",
            [letter_seq, org.opd.pk, year, year, OUTGOING],
        )
        cursor.execute(
            f"""
            INSERT INTO eoffice_outgoingletter (verification_id, letter_type, subject, body, classification_code,
                unit_id, signer_position_id, external_recipients, status, review_round, drafter_id, created_at,
                updated_at, number_id, letter_date, signed_at, signed_by_id, signer_name, signer_title, pdf,
                pdf_sha256, signature_provider, signature_certified, signature_info)
            SELECT gen_random_uuid(), 'surat_dinas', ({subjects})[1 + n.value %% 8] || ' keluar ' || n.value,
                   'Dengan hormat, bersama ini kami sampaikan ' || ({subjects})[1 + n.value %% 8]
                       || ' untuk ditindaklanjuti sebagaimana mestinya.',
                   '000.1', %s, %s, 'Gubernur Jawa Tengah', 'ditandatangani', 1, %s,
                   now() - ((n.value %% 700) || ' days')::interval, now(), n.id, %s::date - (n.value %% 700), now(),
                   %s, 'Ahmad Fauzi', 'Kepala Dinas', 'bench.pdf', repeat('a', 64), 'builtin', false, '{{}}'::jsonb
            FROM eoffice_issuednumber n WHERE n.sequence_id = %s
            """,  # noqa: S608 (the arrays come from this module's constants)
            [org.opd.pk, org.head.pk, users["kadis"].pk, today, users["kadis"].pk, letter_seq],
        )
        for table in ("issuednumber", "incomingletter", "disposition", "outgoingletter"):
            cursor.execute(f"ANALYZE eoffice_{table}")


def _small(org, users) -> None:
    """The baseline region: the same organisation and a few letters with a disposition each."""
    from tenant_apps.eoffice.disposition_services import disposition_create

    today = org_today()
    for i in range(5):
        letter = incoming_letter_register(
            user=users["tu"],
            sender=SENDERS[i % 5],
            letter_number=f"{i}/SJ",
            letter_date=today - timedelta(days=i),
            received_date=today - timedelta(days=i),
            subject=f"{SUBJECTS[i]} nomor {i}",
            addressed_to=org.head,
        )
        disposition_create(
            user=users["kadis"],
            letter=letter,
            to_positions=[org.division_head],
            instructions=["tindak_lanjuti"],
            note="",
            urgency="biasa",
            deadline=None,
        )


PAGES = [
    ("inbox (Kepala Dinas)", "kadis", "/eoffice/surat-masuk/"),
    ("agenda, all letters (TU)", "tu", "/eoffice/surat-masuk/?semua=1"),
    ("disposition inbox (Kabid)", "kabid", "/eoffice/disposisi/"),
    ("search 'rapat' (TU)", "tu", "/eoffice/arsip/?q=rapat"),
    ("search 'rapat koordinasi' (Kadis)", "kadis", "/eoffice/arsip/?q=rapat+koordinasi"),
    ("search number '123/SJ' (TU)", "tu", "/eoffice/arsip/?q=123%2FSJ"),
    ("search filters only, page 40 (TU)", "tu", "/eoffice/arsip/?kind=masuk&status=terdaftar&page=40"),
    ("search 'anggaran' (Kabid)", "kabid", "/eoffice/arsip/?q=anggaran"),
    ("search 'anggaran' page 60 (Kabid)", "kabid", "/eoffice/arsip/?q=anggaran&page=60"),
    ("API search 'laporan' (Kadis)", "kadis", "/api/v1/eoffice/search/?q=laporan"),
]


def _measure(seed, slug: str) -> dict[str, tuple[float, int]]:
    clients = {name: login(seed, slug, name) for name in ("kadis", "kabid", "tu")}
    results = {}
    for label, who, url in PAGES:
        client = clients[who]
        response = client.get(url)  # warm-up
        assert response.status_code == 200, (slug, label, response.status_code)
        timings = []
        for _ in range(ROUNDS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        results[label] = (statistics.median(timings) * 1000, len(queries))
    connection.set_schema_to_public()
    return results


def test_list_pages_on_a_large_region_against_a_small_one(seed):
    licensed("brebes", ["eoffice"])
    licensed("tegal", ["eoffice"])
    with schema_context("tegal"):
        _small(*_people(seed))
    with schema_context("brebes"):
        org, users = _people(seed)
        started = time.perf_counter()
        _bulk_load(org, users)
        load = time.perf_counter() - started
        counts = (IncomingLetter.objects.count(), OutgoingLetter.objects.count(), Disposition.objects.count())
        inbox = IncomingLetter.objects.filter(addressed_to=org.head).count()
        kabid = Disposition.objects.filter(to_position=org.division_head).count()
    connection.set_schema_to_public()
    small = _measure(seed, "tegal")
    large = _measure(seed, "brebes")
    print(
        f"\nbrebes: {counts[0]:,} incoming + {counts[1]:,} outgoing letters, {counts[2]:,} dispositions "
        f"(loaded in {load:.1f} s); Kepala Dinas inbox {inbox:,} letters, Kabid {kabid:,} dispositions. "
        f"Median of {ROUNDS} requests each; baseline = the same page on tegal (5 letters)."
    )
    print(f"{'page':<38} {'tegal ms':>9} {'brebes ms':>10} {'ratio':>6} {'queries':>8}")
    for label, _who, _url in PAGES:
        base, base_queries = small[label]
        big, big_queries = large[label]
        print(f"{label:<38} {base:9.1f} {big:10.1f} {big / base:6.2f} {big_queries:>5} ({base_queries})")
    for label, _who, _url in PAGES:
        # A page with hits loads their letters (two more queries) where the small region may have none.
        assert large[label][1] <= small[label][1] + 4, f"{label}: queries grow with the data"
