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
from tenant_apps.org.selectors import org_today
from tests.fixtures.control import licensed
from tests.fixtures.eoffice_bulk import SENDERS, SUBJECTS, bulk_load, people
from tests.fixtures.org import login

pytestmark = [pytest.mark.perf, pytest.mark.django_db]

ROUNDS = 25


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
        _small(*people(seed))
    with schema_context("brebes"):
        org, users = people(seed)
        started = time.perf_counter()
        bulk_load(org, users)
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
