"""In a real browser: the records officer registers an incoming letter through the form, the Kepala Dinas
disposes it to the Kepala Bidang, who forwards it to a staff member (a functional position), who marks it
done; the Kepala Dinas then opens the letter and sees the tracking tree with all three levels and their
statuses, the letter's status and its timeline. Each person's home counters change as work reaches them.

The server is a separate process, so the data is committed (committed_db) and removed afterwards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from shared_apps.licensing.models import Licence
from shared_apps.onboarding.models import Agreement
from tenant_apps.eoffice.models import (
    Disposition,
    IncomingAttachment,
    IncomingLetter,
    IssuedNumber,
    LetterNumberSequence,
)
from tenant_apps.org.models import Employee, Position, Unit
from tenant_apps.org.roles import Role
from tenant_apps.org.services import account_upsert
from tenant_apps.workspace.models import Notification
from tests.fixtures.control import licensed
from tests.fixtures.org import Org, build_org

pytestmark = [pytest.mark.browser]

PREFIX = "JRNY"
USERS = {"j-tu": "Tata Usaha", "j-kadis": "Ahmad Fauzi", "j-kabid": "Siti Rahmawati", "j-analis": "Budi Santoso"}
SUBJECT = "Permohonan narasumber literasi digital"


@dataclass
class Journey:
    org: Org


def _cleanup(nips: list[str]) -> None:
    with schema_context("brebes"):
        letters = IncomingLetter.objects.filter(subject=SUBJECT)
        dispositions = Disposition.objects.filter(letter__in=letters)
        while dispositions.exists():  # leaves first: a parent is protected by its children
            dispositions.filter(children__isnull=True).delete()
        IncomingAttachment.objects.filter(letter__in=letters).delete()
        numbers = list(letters.values_list("agenda_id", flat=True))
        letters.delete()
        IssuedNumber.objects.filter(pk__in=numbers).delete()
        LetterNumberSequence.objects.filter(issued__isnull=True).delete()
        Employee.objects.filter(nip__in=nips).delete()
        positions = Position.objects.filter(code__startswith=PREFIX)
        positions.update(superior=None)
        positions.delete()
        for kind in (Unit.Kind.SECTION, Unit.Kind.DIVISION, Unit.Kind.OPD):
            Unit.objects.filter(code__startswith=PREFIX, kind=kind).delete()
        Notification.objects.filter(recipient__username__in=list(USERS)).delete()
        get_user_model().objects.filter(username__in=list(USERS)).delete()
    connection.set_schema_to_public()
    Licence.objects.filter(region__slug="brebes").delete()
    Agreement.objects.filter(region__slug="brebes").delete()


@pytest.fixture
def journey(committed_db, seed) -> Iterator[Journey]:
    licensed("brebes", ["eoffice"])
    nips: list[str] = []
    try:
        with schema_context("brebes"):
            org = build_org(prefix=PREFIX)
            nips.extend(e.nip for e in [org.kadis, org.kabid, *org.analysts, org.spare])
            accounts = {
                username: account_upsert(
                    username=username,
                    password=seed.password,
                    full_name=name,
                    roles=[role],
                    actor="t",
                )
                for (username, name), role in zip(
                    USERS.items(), [Role.RECORDS_OFFICER, Role.LEADER, Role.STAFF, Role.STAFF], strict=True
                )
            }
            Employee.objects.filter(pk=org.kadis.pk).update(account=accounts["j-kadis"])
            Employee.objects.filter(pk=org.kabid.pk).update(account=accounts["j-kabid"])
            Employee.objects.filter(pk=org.analysts[0].pk).update(account=accounts["j-analis"])
        connection.set_schema_to_public()
        yield Journey(org)
    finally:
        _cleanup(nips)


class Person:
    """One person's own browser session (a context of their own, phone-sized)."""

    def __init__(self, browser, base: str, username: str, password: str) -> None:
        self.base = base
        self.context = browser.new_context(locale="id-ID", viewport={"width": 390, "height": 844})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.page.goto(f"{base}/masuk/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def counter(self, label: str) -> int:
        self.page.goto(f"{self.base}/")
        counter = self.page.locator(".counter", has_text=label)
        if counter.count() == 0:
            return 0
        return int(counter.locator(".counter-value").inner_text())

    def no_overflow(self) -> None:
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0

    def close(self) -> None:
        self.context.close()


def test_a_letter_goes_down_three_levels_and_the_leader_sees_the_tree(live_platform, browser, seed, journey):
    org = journey.org
    base = live_platform.url("brebes.localhost", "").rstrip("/")
    people: list[Person] = []

    def person(username: str) -> Person:
        people.append(Person(browser, base, username, seed.password))
        return people[-1]

    try:
        # The records officer registers the letter through the form.
        officer = person("j-tu")
        page = officer.page
        page.goto(f"{base}/eoffice/surat-masuk/catat/")
        page.fill("#id_sender", "Kementerian Komunikasi dan Digital")
        page.fill("#id_letter_number", "B-123/DJAI/2026")
        received = page.locator("#id_received_date").input_value()
        page.fill("#id_letter_date", received)
        page.fill("#id_subject", SUBJECT)
        page.select_option("#id_nature", "penting")
        page.select_option("#id_urgency", "segera")
        page.select_option("#id_addressed_to", str(org.head.pk))
        page.get_by_role("button", name="Catat", exact=True).click()
        page.wait_for_load_state()
        page.wait_for_url(re.compile(r".*/eoffice/surat-masuk/\d+/$"))
        assert "Surat masuk tercatat dengan nomor agenda" in page.locator(".messages").inner_text()
        assert "Terdaftar" in page.locator("dl").inner_text()
        letter_url = page.url

        # The Kepala Dinas hears of it on the home page and disposes it to the Kepala Bidang.
        leader = person("j-kadis")
        assert leader.counter("Notifikasi belum dibaca") == 1
        page = leader.page
        page.goto(f"{base}/notifikasi/")
        page.get_by_role("button", name=f"Surat masuk baru: {SUBJECT}").click()
        page.wait_for_url(letter_url)
        assert leader.counter("Notifikasi belum dibaca") == 0
        page.goto(letter_url)
        page.check(f"input[name=to_positions][value='{org.division_head.pk}']")
        page.check("input[name=instructions][value=tindak_lanjuti]")
        page.fill("#id_note", "Mohon disiapkan narasumber")
        page.get_by_role("button", name="Kirim disposisi").click()
        page.wait_for_url(letter_url)
        assert "Disposisi terkirim." in page.locator(".messages").inner_text()
        assert "Didisposisi" in page.locator("dl").inner_text()
        leader.no_overflow()

        # The Kepala Bidang sees it waiting and forwards it to the analyst.
        kabid = person("j-kabid")
        assert kabid.counter("Disposisi belum dibaca") == 1
        assert kabid.counter("Notifikasi belum dibaca") == 1
        page = kabid.page
        page.goto(f"{base}/eoffice/disposisi/")
        page.get_by_role("link", name=SUBJECT).first.click()
        page.wait_for_url(re.compile(r".*/eoffice/disposisi/\d+/$"))
        disposition_url = page.url
        assert kabid.counter("Disposisi belum dibaca") == 0  # opening it read it
        page.goto(disposition_url)
        forward = page.locator("form[action$='/forward/']")
        forward.locator(f"input[name=to_positions][value='{org.analyst.pk}']").check()
        forward.locator("input[name=instructions][value=siapkan_jawaban]").check()
        forward.get_by_role("button", name="Teruskan").click()
        page.wait_for_load_state()
        assert "Disposisi diteruskan." in page.locator(".messages").inner_text()

        # The analyst marks it done.
        analyst = person("j-analis")
        assert analyst.counter("Disposisi belum selesai") == 1
        page = analyst.page
        page.goto(f"{base}/eoffice/disposisi/")
        page.get_by_role("link", name=SUBJECT).first.click()
        page.wait_for_url(re.compile(r".*/eoffice/disposisi/\d+/$"))
        complete = page.locator("form[action$='/complete/']")
        complete.locator("textarea[name=note]").fill("Narasumber sudah dikonfirmasi")
        complete.get_by_role("button", name="Tandai selesai").click()
        page.wait_for_load_state()
        assert "Disposisi selesai." in page.locator(".messages").inner_text()
        assert analyst.counter("Disposisi belum selesai") == 0
        assert kabid.counter("Notifikasi belum dibaca") == 2  # the disposition, then its completion

        # The Kepala Dinas opens the letter: three levels, each with its status, and the history.
        page = leader.page
        page.goto(letter_url)
        tree = page.locator("ul.disposition-tree").first
        top = tree.locator(":scope > li")
        assert top.count() == 1
        assert "Kepala Dinas Komunikasi dan Informatika → Kepala Bidang IKP" in top.inner_text()
        assert top.locator(":scope > .status").inner_text() == "Diproses"
        child = top.locator(":scope > ul.disposition-tree > li")
        assert child.count() == 1
        assert "Kepala Bidang IKP → Pranata Komputer" in child.inner_text()
        assert child.locator(":scope > .status").inner_text() == "Selesai"
        assert "Budi Santoso" in child.inner_text()
        timeline = page.locator("#timeline").inner_text()
        assert "Disposisi diselesaikan" in timeline
        assert "Budi Santoso, Pranata Komputer" in timeline
        assert "Surat masuk dicatat" in timeline
        assert timeline.index("Disposisi diselesaikan") < timeline.index("Surat masuk dicatat")
        leader.no_overflow()
    finally:
        for someone in people:
            someone.close()
