"""Notifications, incoming-letter status and letter timelines.

Notifications: one row per (event, recipient) for each e-Office event, to whoever acts for the position
today (a Plt. included), never twice for one event even when the emitting path or the mail task runs again;
e-mail only after commit (a rolled-back service leaves nothing), through a real Celery worker on the real
broker for one mail; the web inbox (/notifikasi/), its counter on the home page, and the attacker's side (a
Tegal user never sees Brebes notifications, nobody marks someone else's read).
Status: an incoming letter goes registered → disposed → done with its dispositions, every forbidden move
refused. Timeline: the letter's history in words on its page and in the API, only for who may see it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from mitra.errors import ConflictError
from shared_apps.audit.models import AuditRecord
from tenant_apps.eoffice import notifications as eoffice_notifications
from tenant_apps.eoffice.disposition_services import (
    INCOMING_TRANSITIONS,
    disposition_cancel,
    disposition_complete,
    disposition_create,
    disposition_forward,
    disposition_return,
)
from tenant_apps.eoffice.models import Disposition, IncomingLetter
from tenant_apps.eoffice.transitions import apply_transition
from tenant_apps.org.models import ActingAssignment, Employee, Position
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import org_today
from tenant_apps.org.services import account_upsert
from tenant_apps.workspace.models import Notification, NotificationPreference
from tenant_apps.workspace.notifications import Message, notify
from tenant_apps.workspace.tasks import send_notification_mails
from tenants.selectors import region_base_url, region_get
from tests.fixtures.control import licensed
from tests.fixtures.eoffice import DraftingOffice as OutgoingOffice
from tests.fixtures.eoffice import Office, act, create, incoming_letter
from tests.fixtures.org import api, build_org, login, nip
from tests.fixtures.processes import celery_worker

# Not django_db for the whole module: the real worker's test commits (committed_db) and cleans up.
pytestmark = [pytest.mark.integration]

LetterStatus = IncomingLetter.Status


def user(username: str):
    return get_user_model().objects.get(username=username)


def rows(username: str | None = None, kind: str | None = None) -> list[tuple[str, str]]:
    """(kind, recipient username) of the current schema's notifications, in id order."""
    qs = Notification.objects.select_related("recipient").order_by("id")
    if username:
        qs = qs.filter(recipient__username=username)
    if kind:
        qs = qs.filter(kind=kind)
    return [(n.kind, n.recipient.username) for n in qs]


def set_email(username: str, address: str) -> None:
    get_user_model().objects.filter(username=username).update(email=address)


class EagerMail:
    """Stands in for the broker in in-process tests: the task body runs when the commit hook fires."""

    def __init__(self) -> None:
        self.sent: list[list[int]] = []

    def __call__(self, args, headers=None, **options):
        (ids,) = args
        self.sent.append(list(ids))
        with schema_context(headers["_schema_name"]):
            return send_notification_mails.run(ids)


@pytest.fixture
def eager(monkeypatch) -> EagerMail:
    runner = EagerMail()
    monkeypatch.setattr(send_notification_mails, "apply_async", runner)
    return runner


# --- who hears of what ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_registered_letter_notifies_whoever_acts_for_the_addressed_position(seed, office):
    with schema_context("brebes"):
        incoming_letter(office)
        assert rows() == [("eoffice.incoming.registered", "kadis")]
        (row,) = Notification.objects.all()
        assert row.title == "Surat masuk baru: Undangan rapat koordinasi SPBE"
        assert row.url == f"/eoffice/surat-masuk/{IncomingLetter.objects.get().pk}/"
        # Addressed to the vacant section head: its Plt. hears of it, nobody else.
        letter = incoming_letter(office, subject="Permohonan data")
        IncomingLetter.objects.filter(pk=letter.pk).update(addressed_to=office.org.section_head)
        Notification.objects.all().delete()
        eoffice_notifications.incoming_registered(letter=IncomingLetter.objects.get(pk=letter.pk))
        assert rows() == [("eoffice.incoming.registered", "plt")]


@pytest.mark.django_db
def test_dispositions_notify_each_level_and_the_sender_hears_it_is_done(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        (to_kabid,) = disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.division_head], instructions=["pelajari"]
        )
        assert rows(kind="eoffice.disposition.sent") == [("eoffice.disposition.sent", "kabid")]
        (to_analyst,) = disposition_forward(
            user=desk.kabid, parent=to_kabid, to_positions=[org.analyst], instructions=["siapkan_jawaban"]
        )
        # The analyst position has two holders; only Budi has an account.
        assert rows(kind="eoffice.disposition.sent")[-1] == ("eoffice.disposition.sent", "analis")
        disposition_complete(user=desk.analyst, disposition=to_analyst, note="Bahan sudah dikirim")
        assert rows(kind="eoffice.disposition.selesai") == [("eoffice.disposition.selesai", "kabid")]
        to_kabid.refresh_from_db()
        disposition_return(user=desk.kabid, disposition=to_kabid, reason="Bukan wewenang bidang")
        assert rows(kind="eoffice.disposition.dikembalikan") == [("eoffice.disposition.dikembalikan", "kadis")]
        sent = Notification.objects.get(kind="eoffice.disposition.sent", recipient__username="analis")
        assert sent.body == "Dari Kepala Bidang IKP: Siapkan jawaban."
        assert sent.url == f"/eoffice/disposisi/{to_analyst.pk}/"


@pytest.mark.django_db
def test_a_disposition_to_a_vacant_seat_reaches_its_plt(seed, desk):
    with schema_context("brebes"):
        disposition_create(
            user=desk.office.leader,
            letter=desk.letter,
            to_positions=[desk.office.org.section_head],
            instructions=["hadiri"],
        )
        assert rows(kind="eoffice.disposition.sent") == [("eoffice.disposition.sent", "plt")]


@pytest.mark.django_db
def test_an_event_is_recorded_once_however_often_the_emitting_path_runs(seed, desk):
    with schema_context("brebes"):
        before = Notification.objects.count()
        eoffice_notifications.incoming_registered(letter=desk.letter)
        eoffice_notifications.incoming_registered(letter=desk.letter)
        assert Notification.objects.count() == before  # registering already notified the leader
        message = Message("Uji", "", "/")
        first = notify(event_key="test:1", kind="test", recipients=[desk.kabid.pk, desk.kabid.pk], message=message)
        again = notify(event_key="test:1", kind="test", recipients=[desk.kabid.pk, desk.analyst.pk], message=message)
        assert len(first) == 1
        assert len(again) == 1  # only the analyst is new
        assert Notification.objects.filter(event_key="test:1").count() == 2


# --- e-mail --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mail_goes_after_commit_once_even_when_the_task_is_delivered_twice(
    seed,
    office,
    eager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with schema_context("brebes"):
        set_email("kadis", "kadis@brebeskab.go.id")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            letter = incoming_letter(office)
        assert mailoutbox == []  # nothing before commit
        for callback in callbacks:
            callback()
        (mail,) = mailoutbox
        assert mail.to == ["kadis@brebeskab.go.id"]
        assert mail.subject == "[Mitra] Surat masuk baru: Undangan rapat koordinasi SPBE"
        link = region_base_url(region_get(slug="brebes")) + f"/eoffice/surat-masuk/{letter.pk}/"
        assert link in mail.body
        assert "Yth. Ahmad Fauzi" in mail.body
        # Redelivered: the row is marked, nothing goes twice.
        (ids,) = eager.sent
        assert send_notification_mails.run(ids) == 0
        assert len(mailoutbox) == 1
        assert Notification.objects.get(pk=ids[0]).emailed_at is not None


def rolled_back_registration(office: Office) -> None:
    with transaction.atomic():
        incoming_letter(office)
        raise RuntimeError("the request failed after the service")


@pytest.mark.django_db
def test_a_rolled_back_service_records_and_mails_nothing(
    seed,
    office,
    eager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with schema_context("brebes"):
        set_email("kadis", "kadis@brebeskab.go.id")
        with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
            rolled_back_registration(office)
        assert callbacks == []
        assert not Notification.objects.exists()
        assert not IncomingLetter.objects.exists()
    assert mailoutbox == []
    assert eager.sent == []


@pytest.mark.django_db
def test_no_mail_without_an_address_or_when_turned_off(
    seed,
    office,
    eager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with schema_context("brebes"):
        with django_capture_on_commit_callbacks(execute=True):
            incoming_letter(office)  # the leader has no address
        assert mailoutbox == []
        assert eager.sent == []
        set_email("kadis", "kadis@brebeskab.go.id")
        NotificationPreference.objects.create(user=office.leader, email_enabled=False)
        with django_capture_on_commit_callbacks(execute=True):
            incoming_letter(office, subject="Surat kedua")
        assert mailoutbox == []
        assert Notification.objects.count() == 2  # the web inbox still has both


WORKER_WITH_FILE_MAIL = """
import os, sys
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["MITRA_TEST_MAIL_DIR"]
from mitra.celery_app import app
app.worker_main(["worker", *sys.argv[1:]])
"""


@pytest.fixture
def mail_worker(committed_db, tmp_path) -> Iterator[Path]:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with celery_worker(
        f"mitra-mail-{os.getpid()}",
        launcher=[sys.executable, "-c", WORKER_WITH_FILE_MAIL],
        env={"MITRA_TEST_MAIL_DIR": str(mail_dir)},
        log_path=tmp_path / "worker.log",
    ):
        yield mail_dir


def _mails(mail_dir: Path, expected: int, timeout: float = 30) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p.read_text() for p in sorted(mail_dir.iterdir())]
        if len(found) >= expected:
            return found
        time.sleep(0.2)
    return [p.read_text() for p in sorted(mail_dir.iterdir())]


def test_a_real_worker_sends_the_mail_after_commit_and_never_twice(seed, mail_worker):
    with schema_context("brebes"):
        recipient = account_upsert(
            username="penerima-surel",
            password=seed.password,
            full_name="Sri Wahyuni",
            roles=[Role.STAFF],
            actor="t",
            email="sri@brebeskab.go.id",
        )
    try:
        with schema_context("brebes"):
            with transaction.atomic():
                (pk,) = notify(
                    event_key="test:worker",
                    kind="test",
                    recipients=[recipient.pk],
                    message=Message("Disposisi baru: Uji pekerja", "Dari Kepala Dinas", "/eoffice/"),
                )
                time.sleep(1)
                assert list(mail_worker.iterdir()) == []  # queued only once committed
            (mail,) = _mails(mail_worker, 1)
            assert "Subject: [Mitra] Disposisi baru: Uji pekerja" in mail
            assert "To: sri@brebeskab.go.id" in mail
            assert Notification.objects.get(pk=pk).emailed_at is not None
            # Redelivery of the same message: the worker finds it mailed and sends nothing.
            assert send_notification_mails.apply_async(([pk],)).get(timeout=30) == 0
        assert len(_mails(mail_worker, 2, timeout=2)) == 1
    finally:
        with schema_context("brebes"):
            Notification.objects.filter(recipient=recipient).delete()
            get_user_model().objects.filter(pk=recipient.pk).delete()
        connection.set_schema_to_public()


# --- the web inbox -------------------------------------------------------------------------------------------


def _counter(html: str) -> int:
    import re

    match = re.search(r'<span class="counter-value">(\d+)</span>\s*<span class="counter-label">Notifikasi belum', html)
    assert match, "no notification counter on the home page"
    return int(match.group(1))


@pytest.mark.django_db
def test_the_web_inbox_lists_marks_read_and_the_home_counter_follows(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        (to_kabid,) = disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.division_head], instructions=["pelajari"]
        )
        disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.analyst], instructions=["pelajari"]
        )
        (note,) = Notification.objects.filter(recipient=desk.kabid)
    kabid = login(seed, username="kabid")
    assert _counter(kabid.get("/").content.decode()) == 1
    page = kabid.get("/notifikasi/").content.decode()
    assert "Disposisi baru: Undangan rapat koordinasi SPBE" in page
    assert "1 belum dibaca" in page
    opened = kabid.post(f"/notifikasi/{note.pk}/baca/", {"buka": "1"})
    assert opened.status_code == 302
    assert opened["Location"] == f"/eoffice/disposisi/{to_kabid.pk}/"
    assert _counter(kabid.get("/").content.decode()) == 0
    # Someone else's notification is unknown to them.
    analyst = login(seed, username="analis")
    assert _counter(analyst.get("/").content.decode()) == 1
    assert analyst.post(f"/notifikasi/{note.pk}/baca/").status_code == 404
    assert analyst.post("/notifikasi/999999999999999999999/baca/").status_code == 404
    assert analyst.post("/notifikasi/baca-semua/").status_code == 302
    assert _counter(analyst.get("/").content.decode()) == 0
    # The e-mail switch.
    assert analyst.post("/notifikasi/e-mail/", {"email": "0"}).status_code == 302
    with schema_context("brebes"):
        assert NotificationPreference.objects.get(user=desk.analyst).email_enabled is False
        assert AuditRecord.objects.filter(action="notification.email_preference").exists()


@pytest.mark.django_db
def test_a_tegal_user_never_sees_brebes_notifications(seed, desk):
    with schema_context("brebes"):
        brebes_ids = list(Notification.objects.values_list("pk", flat=True))
    assert brebes_ids
    licensed("tegal", ["eoffice"])
    tegal = login(seed, "tegal", username="admin")
    page = tegal.get("/notifikasi/").content.decode()
    assert "Undangan rapat koordinasi SPBE" not in page
    assert "Belum ada notifikasi." in page
    for pk in brebes_ids:
        assert tegal.post(f"/notifikasi/{pk}/baca/").status_code == 404
    with schema_context("brebes"):
        assert not Notification.objects.filter(read_at__isnull=False).exists()


@pytest.mark.django_db
def test_the_notifications_page_runs_a_bounded_number_of_queries(seed, desk, django_assert_max_num_queries):
    with schema_context("brebes"):
        for i in range(30):
            notify(event_key=f"test:{i}", kind="test", recipients=[desk.kabid.pk], message=Message(f"Uji {i}"))
    kabid = login(seed, username="kabid")
    with django_assert_max_num_queries(30):
        page = kabid.get("/notifikasi/")
    assert "Halaman 1 dari 2" in page.content.decode()


# --- outgoing letters ----------------------------------------------------------------------------------------


@pytest.fixture
def outgoing_office(seed, media) -> OutgoingOffice:
    """As in test_eoffice_outgoing: drafter `konseptor`; chain Kepala Seksi (Plt. `plt`) then Kepala Bidang
    (`kabid`); signer `kadis`; recipient `sekre`, copy `insp`."""
    licensed("brebes", ["eoffice"])
    with schema_context("brebes"):
        org = build_org()
        secretary = Position.objects.create(code="KOMINFO-SEKRE", title="Sekretaris Dinas", unit=org.opd)
        inspector = Position.objects.create(code="KOMINFO-INSP", title="Inspektur Pembantu", unit=org.opd)

        def account(username: str, name: str, employee: Employee, role: str = Role.STAFF) -> None:
            made = account_upsert(username=username, password=seed.password, full_name=name, roles=[role], actor="t")
            Employee.objects.filter(pk=employee.pk).update(account=made)

        account("konseptor", "Budi Santoso", org.analysts[0])
        account("kabid", "Siti Rahmawati", org.kabid, Role.LEADER)
        account("kadis", "Ahmad Fauzi", org.kadis, Role.LEADER)
        account("plt", "Eko Prasetyo", org.spare)
        account("sekre", "Rina Wati", Employee.objects.create(nip=nip(6, gender=2), name="Rina", position=secretary))
        account("insp", "Joko", Employee.objects.create(nip=nip(7), name="Joko", position=inspector))
        ActingAssignment.objects.create(
            employee=org.spare,
            position=org.section_head,
            kind=ActingAssignment.Kind.PLT,
            start=org_today() - timedelta(days=3),
            created_by="t",
        )
    connection.set_schema_to_public()
    return OutgoingOffice(org, secretary, inspector)


@pytest.mark.django_db
def test_outgoing_letters_notify_reviewers_signer_drafter_and_recipients(seed, outgoing_office):
    letter = create(outgoing_office)
    assert act("konseptor", letter["id"], "submit").status_code == 200
    with schema_context("brebes"):
        assert rows() == [("eoffice.outgoing.review", "plt")]  # the first step is the vacant seat's Plt.
    assert act("plt", letter["id"], "review", decision="kembalikan", note="Perbaiki tanggal").status_code == 200
    assert act("konseptor", letter["id"], "submit").status_code == 200
    assert act("plt", letter["id"], "review", decision="setuju").status_code == 200
    assert act("kabid", letter["id"], "review", decision="setuju").status_code == 200
    assert act("kadis", letter["id"], "sign").status_code == 200
    with schema_context("brebes"):
        assert rows() == [
            ("eoffice.outgoing.review", "plt"),
            ("eoffice.outgoing.dikembalikan", "konseptor"),
            ("eoffice.outgoing.review", "plt"),  # round 2: a new event
            ("eoffice.outgoing.review", "kabid"),
            ("eoffice.outgoing.sign", "kadis"),
            ("eoffice.outgoing.approved", "konseptor"),
            ("eoffice.outgoing.signed", "konseptor"),
            ("eoffice.outgoing.received", "sekre"),
            ("eoffice.outgoing.received", "insp"),
        ]
        returned = Notification.objects.get(kind="eoffice.outgoing.dikembalikan")
        assert (returned.title, returned.body) == (
            "Naskah dikembalikan: Undangan rapat koordinasi SPBE",
            "Perbaiki tanggal",
        )


@pytest.mark.django_db
def test_the_outgoing_timeline_tells_the_review_and_signing(seed, outgoing_office):
    letter = create(outgoing_office)
    act("konseptor", letter["id"], "submit")
    act("plt", letter["id"], "review", decision="setuju")
    act("kabid", letter["id"], "review", decision="setuju")
    act("kadis", letter["id"], "sign")
    timeline = api(username="konseptor").get(f"/api/v1/eoffice/outgoing/{letter['id']}/timeline/").json()
    labels = [e["label"] for e in timeline]
    assert labels.index("Nomor dan tanggal naskah ditetapkan") < labels.index("Naskah ditandatangani")
    assert labels.index("Naskah ditandatangani") < labels.index("Naskah diajukan kepada verifikator")
    assert labels[-1] == "Draf naskah dibuat"
    assert "Verifikator menyetujui" in labels
    *_, review = (e for e in timeline if e["action"] == "eoffice.outgoing.review.setuju")  # the first step
    assert (review["actor_name"], review["detail"]) == ("Eko Prasetyo", "Kepala Seksi Informasi")
    page = login(seed, username="kadis").get(f"/eoffice/surat-keluar/{letter['id']}/").content.decode()
    assert "Naskah diajukan kepada verifikator" in page
    assert "Ahmad Fauzi, Kepala Dinas Komunikasi dan Informatika" in page
    # Someone outside the letter (not drafter, chain, signer; the copy sees it only once signed) gets 404.
    assert api(username="staf").get(f"/api/v1/eoffice/outgoing/{letter['id']}/timeline/").status_code == 404
    licensed("tegal", ["eoffice"])
    assert api("tegal", "admin").get(f"/api/v1/eoffice/outgoing/{letter['id']}/timeline/").status_code == 404


# --- incoming letter status ----------------------------------------------------------------------------------


def status_of(letter: IncomingLetter) -> str:
    return IncomingLetter.objects.get(pk=letter.pk).status


@pytest.mark.django_db
def test_an_incoming_letter_is_disposed_then_done_when_every_branch_is_finished(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        assert status_of(desk.letter) == LetterStatus.REGISTERED
        (to_kabid,) = disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.division_head], instructions=["pelajari"]
        )
        assert status_of(desk.letter) == LetterStatus.DISPOSED
        (to_analyst,) = disposition_forward(
            user=desk.kabid, parent=to_kabid, to_positions=[org.analyst], instructions=["pelajari"]
        )
        disposition_complete(user=desk.analyst, disposition=to_analyst, note="Selesai")
        assert status_of(desk.letter) == LetterStatus.DISPOSED  # the Kepala Bidang's own is still open
        to_kabid.refresh_from_db()
        disposition_complete(user=desk.kabid, disposition=to_kabid, note="Sudah ditindaklanjuti")
        assert status_of(desk.letter) == LetterStatus.DONE
        # A new disposition later opens it again.
        (again,) = disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.division_head], instructions=["arsipkan"]
        )
        assert status_of(desk.letter) == LetterStatus.DISPOSED
        # Withdrawn while unread: it no longer counts, and every other branch is done.
        disposition_cancel(user=desk.office.leader, disposition=again)
        assert status_of(desk.letter) == LetterStatus.DONE
        actions = list(
            AuditRecord.objects.filter(target_type="eoffice.incoming_letter", action__startswith="eoffice.incoming.")
            .exclude(action="eoffice.incoming.register")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == [
            "eoffice.incoming.didisposisi",
            "eoffice.incoming.selesai",
            "eoffice.incoming.didisposisi",
            "eoffice.incoming.selesai",
        ]


@pytest.mark.django_db
def test_a_returned_disposition_leaves_the_letter_with_the_leader_and_a_cancelled_one_undisposes_it(seed, desk):
    org = desk.office.org
    with schema_context("brebes"):
        (to_kabid,) = disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.division_head], instructions=["pelajari"]
        )
        disposition_return(user=desk.kabid, disposition=to_kabid, reason="Bukan wewenang")
        assert status_of(desk.letter) == LetterStatus.DISPOSED  # the leader must decide again
        other = incoming_letter(desk.office, subject="Surat lain")
        (row,) = disposition_create(
            user=desk.office.leader, letter=other, to_positions=[org.division_head], instructions=["pelajari"]
        )
        disposition_cancel(user=desk.office.leader, disposition=row)
        assert status_of(other) == LetterStatus.REGISTERED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "to"),
    [
        (start, to)
        for start in LetterStatus.values
        for to in LetterStatus.values
        if to != start and to not in INCOMING_TRANSITIONS[start]
    ],
)
def test_every_forbidden_incoming_status_change_is_refused(seed, desk, start, to):
    with schema_context("brebes"):
        IncomingLetter.objects.filter(pk=desk.letter.pk).update(status=start)
        with pytest.raises(ConflictError) as refused:
            apply_transition(
                obj=IncomingLetter.objects.get(pk=desk.letter.pk),
                to=to,
                table=INCOMING_TRANSITIONS,
                user=desk.office.leader,
                action="eoffice.incoming",
                target_type="eoffice.incoming_letter",
                refusal="%(status)s → %(to)s",
            )
        assert refused.value.code == "invalid_transition"
        assert status_of(desk.letter) == start


@pytest.mark.django_db
def test_the_status_shows_in_the_inbox_the_detail_page_and_the_api(seed, desk):
    with schema_context("brebes"):
        disposition_create(
            user=desk.office.leader,
            letter=desk.letter,
            to_positions=[desk.office.org.division_head],
            instructions=["pelajari"],
        )
    leader = login(seed, username="kadis")
    assert "Didisposisi" in leader.get("/eoffice/surat-masuk/").content.decode()
    assert "Didisposisi" in leader.get(f"/eoffice/surat-masuk/{desk.letter.pk}/").content.decode()
    assert api(username="kadis").get(f"/api/v1/eoffice/incoming/{desk.letter.pk}/").json()["status"] == "didisposisi"


# --- incoming letter timeline --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_incoming_timeline_tells_who_did_what_newest_first(seed, desk, django_assert_max_num_queries):
    org = desk.office.org
    with schema_context("brebes"):
        (to_kabid,) = disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.division_head], instructions=["pelajari"]
        )
        (to_analyst,) = disposition_forward(
            user=desk.kabid, parent=to_kabid, to_positions=[org.analyst], instructions=["siapkan_jawaban"]
        )
        disposition_complete(user=desk.analyst, disposition=to_analyst, note="Bahan sudah dikirim")
    leader = api(username="kadis")
    with django_assert_max_num_queries(40):
        timeline = leader.get(f"/api/v1/eoffice/incoming/{desk.letter.pk}/timeline/").json()
    assert [e["action"] for e in timeline] == [
        "eoffice.disposition.selesai",
        "eoffice.disposition.dibaca",
        "eoffice.disposition.send",
        "eoffice.disposition.diproses",
        "eoffice.disposition.dibaca",
        "eoffice.incoming.didisposisi",
        "eoffice.disposition.send",
        "eoffice.incoming.register",
    ]
    done = timeline[0]
    assert (done["actor_name"], done["actor_position"], done["label"]) == (
        "Budi Santoso",
        "Pranata Komputer",
        "Disposisi diselesaikan",
    )
    assert done["detail"] == "Kepala Bidang IKP → Pranata Komputer: Bahan sudah dikirim"
    sent = timeline[6]
    assert sent["detail"] == "Dari Kepala Dinas Komunikasi dan Informatika kepada Kepala Bidang IKP — Pelajari"
    assert (timeline[-1]["actor_name"], timeline[-1]["label"]) == ("Tata Usaha", "Surat masuk dicatat")
    page = login(seed, username="kadis").get(f"/eoffice/surat-masuk/{desk.letter.pk}/").content.decode()
    assert "Disposisi diselesaikan" in page
    assert "Budi Santoso, Pranata Komputer" in page
    assert page.index("Disposisi diselesaikan") < page.index("Surat masuk dicatat")
    assert " WIB</time>" in page  # in the region's time zone


@pytest.mark.django_db
def test_the_timeline_is_as_private_as_the_letter(seed, desk):
    path = f"/api/v1/eoffice/incoming/{desk.letter.pk}/timeline/"
    assert api(username="kadis").get(path).status_code == 200
    assert api(username="analis").get(path).status_code == 404  # not (yet) a recipient
    assert api(username="staf").get(path).status_code == 404
    assert login(seed, username="staf").get(f"/eoffice/surat-masuk/{desk.letter.pk}/").status_code == 404
    licensed("tegal", ["eoffice"])
    assert api("tegal", "admin").get(path).status_code == 404


@pytest.mark.django_db
def test_the_timeline_reads_a_fixed_number_of_queries(seed, desk):
    from tenant_apps.eoffice.timeline import incoming_timeline

    org = desk.office.org
    with schema_context("brebes"):
        (to_kabid,) = disposition_create(
            user=desk.office.leader, letter=desk.letter, to_positions=[org.division_head], instructions=["pelajari"]
        )

        def count() -> int:
            letter = IncomingLetter.objects.get(pk=desk.letter.pk)
            with CaptureQueriesContext(connection) as captured:
                incoming_timeline(letter=letter)
            return len([q for q in captured if not q["sql"].startswith("SET search_path")])

        few = count()
        for _ in range(5):
            disposition_forward(user=desk.kabid, parent=to_kabid, to_positions=[org.analyst], instructions=["pelajari"])
        assert count() == few
        assert Disposition.objects.filter(letter=desk.letter).count() == 6
