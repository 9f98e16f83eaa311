"""Adoption snapshots: metric values against known seeded activity, collection that is idempotent, skips
regions that are not active, survives a failing region, follows the licence of the day, and fans out to a
real Celery worker; the `mitra reports collect` command and the nightly task."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from shared_apps.reports import services
from shared_apps.reports.models import CollectionOutcome, CollectionRun, PeriodFigure, Snapshot, UnitSnapshot
from shared_apps.reports.tasks import collect_daily
from tenant_apps.eoffice import metrics as eoffice_metrics
from tenant_apps.eoffice.models import Disposition, IncomingLetter, LetterType, OutgoingLetter
from tenant_apps.eoffice.services import agenda_number_issue, letter_number_issue
from tenant_apps.org.models import Position, Unit
from tenant_apps.workspace import metrics as workspace_metrics
from tenants.models import Region
from tenants.selectors import region_today
from tests.fixtures.control import licensed, pass_time
from tests.fixtures.org import Org, build_org
from tests.fixtures.processes import celery_worker

pytestmark = [pytest.mark.integration]

WIB = ZoneInfo("Asia/Jakarta")
OS = CollectionOutcome.Status


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of the region's day (Brebes is on WIB)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


@dataclass
class Activity:
    day: date
    org: Org
    other_opd: Unit


def _incoming(user, org: Org, registered: datetime, subject: str) -> IncomingLetter:
    agenda = agenda_number_issue(year=registered.year, actor="t")
    letter = IncomingLetter.objects.create(
        agenda=agenda, agenda_year=registered.year, sender="Kemendagri", letter_number=f"100/{uuid.uuid4().hex[:6]}",
        letter_date=registered.date(), received_date=registered.date(), subject=subject,
        addressed_to=org.head, registered_by=user,
    )  # fmt: skip
    IncomingLetter.objects.filter(pk=letter.pk).update(registered_at=registered)
    return letter


def _disposition(user, letter, to: Position, sent: datetime, **fields) -> Disposition:
    disposition = Disposition.objects.create(
        letter=letter, batch=uuid.uuid4(), from_position=letter.addressed_to, to_position=to,
        instructions=["Tindak lanjuti"], sent_as="definitif", sent_by=user, **fields,
    )  # fmt: skip
    Disposition.objects.filter(pk=disposition.pk).update(sent_at=sent)
    return disposition


def _outgoing(user, org: Org, letter_type: str, created: datetime, signed: datetime | None = None) -> OutgoingLetter:
    fields = {}
    if signed is not None:
        number = letter_number_issue(unit=org.opd, classification_code="400.14", year=signed.year, actor="t")
        fields = {"number": number, "letter_date": signed.date(), "pdf_sha256": "0" * 64,
                  "status": OutgoingLetter.Status.SIGNED, "signed_by": user}  # fmt: skip
    letter = OutgoingLetter.objects.create(
        letter_type=letter_type, subject="Rapat", body="Isi", classification_code="400.14", unit=org.opd,
        signer_position=org.head, drafter=user, **fields,
    )  # fmt: skip
    OutgoingLetter.objects.filter(pk=letter.pk).update(created_at=created, signed_at=signed)
    if signed is not None:
        type(letter.number).objects.filter(pk=letter.number_id).update(issued_at=signed)
    return letter


def seed_activity(day: date) -> Activity:
    """Known e-Office activity in Brebes around `day` (run inside the brebes schema):

    - letter A registered 09:00, disposed 11:00 (2 h), done 15:00: first disposition and completion on the day;
    - letter B registered 09:00, disposed 13:00 (4 h) to another OPD, still open;
    - letter C registered the day before, disposed that day with that day as deadline: overdue on `day`;
    - a cancelled disposition on B (sent on the day: created, but not a first disposition);
    - outgoing: a nota dinas and a surat dinas drafted on the day, the nota dinas signed on the day, and a
      number taken by hand for a paper letter: half of the day's numbers were signed in Mitra.
    """
    user = get_user_model().objects.get(username="admin")
    org = build_org()
    other_opd = Unit.objects.create(code="DPMPTSP", name="Dinas Penanaman Modal", kind=Unit.Kind.OPD)
    other_head = Position.objects.create(code="DPMPTSP-KADIS", title="Kepala DPMPTSP", unit=other_opd)
    yesterday = day - timedelta(days=1)
    a = _incoming(user, org, at(day, 9), "A")
    b = _incoming(user, org, at(day, 9), "B")
    c = _incoming(user, org, at(yesterday, 8), "C")
    done = _disposition(user, a, org.division_head, at(day, 11))
    Disposition.objects.filter(pk=done.pk).update(status=Disposition.Status.DONE, done_at=at(day, 15), done_by=user)
    _disposition(user, b, other_head, at(day, 13))
    _disposition(user, c, other_head, at(yesterday, 10), deadline=yesterday)
    cancelled = _disposition(user, b, org.division_head, at(day, 8))
    Disposition.objects.filter(pk=cancelled.pk).update(
        status=Disposition.Status.CANCELLED, cancelled_at=at(day, 8, 30), cancelled_by=user
    )
    _outgoing(user, org, LetterType.NOTA_DINAS, at(day, 8), signed=at(day, 14))
    _outgoing(user, org, LetterType.SURAT_DINAS, at(day, 10))
    _outgoing(user, org, LetterType.MEMO, at(yesterday, 10))  # drafted the day before: not counted
    paper = letter_number_issue(unit=org.opd, classification_code="400.14", year=day.year, actor="t")
    type(paper).objects.filter(pk=paper.pk).update(issued_at=at(day, 16))
    get_user_model().objects.update(date_joined=at(day - timedelta(days=60), 8))
    get_user_model().objects.filter(username="admin").update(last_login=at(day, 10))
    get_user_model().objects.filter(username="staf").update(last_login=at(day - timedelta(days=20), 10))
    return Activity(day, org, other_opd)


def brebes() -> Region:
    connection.set_schema_to_public()
    return Region.objects.get(slug="brebes")


def licensed_since(slug: str, modules: list[str], days: int = 60):
    licence = licensed(slug, modules)
    pass_time(licence, valid_from=licence.valid_from - timedelta(days=days))
    return licence


def values(region: Region, day: date) -> dict[str, float | None]:
    connection.set_schema_to_public()
    return dict(Snapshot.objects.filter(region=region, day=day).values_list("metric", "value"))


# --- metric values -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_eoffice_and_workspace_metrics_match_the_seeded_activity(seed):
    licensed_since("brebes", ["eoffice"])
    day = region_today(brebes()) - timedelta(days=2)
    with schema_context("brebes"):
        activity = seed_activity(day)
        accounts = get_user_model().objects.filter(is_active=True).count()
    services.region_collect(region=brebes(), day=day)
    got = values(brebes(), day)
    assert got["eoffice.letters_registered"] == 2
    assert got["eoffice.letters_drafted"] == 2
    assert got["eoffice.letters_drafted.nota_dinas"] == 1
    assert got["eoffice.letters_drafted.surat_dinas"] == 1
    assert got["eoffice.letters_drafted.memo"] == 0
    assert got["eoffice.letters_signed"] == 1
    assert got["eoffice.letters_signed.nota_dinas"] == 1
    assert got["eoffice.dispositions_created"] == 3  # A's, B's and the cancelled one
    assert got["eoffice.dispositions_completed"] == 1
    assert got["eoffice.dispositions_overdue"] == 1  # C's, deadline the day before, still open
    assert got["eoffice.hours_to_first_disposition"] == 3.0  # median of 2 h and 4 h
    assert got["eoffice.hours_to_completion"] == 6.0
    assert got["eoffice.signed_electronically_share"] == 50.0
    assert got["workspace.staff_accounts"] == accounts
    assert got["workspace.active_users_7d"] == 1  # admin; staf signed in 20 days before
    assert got["workspace.active_users_30d"] == 2
    assert set(got) == {m.code for m in eoffice_metrics.METRICS} | {m.code for m in workspace_metrics.METRICS}

    # The day before: C registered and disposed, its disposition not yet overdue (deadline that same day).
    services.region_collect(region=brebes(), day=day - timedelta(days=1))
    before = values(brebes(), day - timedelta(days=1))
    assert before["eoffice.letters_registered"] == 1
    assert before["eoffice.dispositions_overdue"] == 0
    assert before["eoffice.hours_to_first_disposition"] == 2.0
    assert before["eoffice.hours_to_completion"] is None  # nothing finished: no figure, not zero
    assert before["eoffice.signed_electronically_share"] is None

    units = {(u.unit_code, u.metric): u.value for u in UnitSnapshot.objects.filter(region=brebes(), day=day)}
    assert units[(activity.org.opd.code, "eoffice.dispositions_created")] == 2  # A's (division) and cancelled
    assert units[(activity.other_opd.code, "eoffice.dispositions_created")] == 1
    assert units[(activity.other_opd.code, "eoffice.dispositions_overdue")] == 1
    assert units[(activity.org.opd.code, "eoffice.letters_registered")] == 2
    assert units[(activity.org.opd.code, "eoffice.letters_signed")] == 1

    # Finishing C's disposition later does not rewrite the past: at the end of `day` it was open and late.
    with schema_context("brebes"):
        late = Disposition.objects.filter(deadline=day - timedelta(days=1))
        assert late.count() == 1
        late.update(status=Disposition.Status.DONE, done_at=at(day + timedelta(days=1), 9))
    services.region_collect(region=brebes(), day=day)
    assert values(brebes(), day)["eoffice.dispositions_overdue"] == 1
    units = {(u.unit_code, u.metric): u.value for u in UnitSnapshot.objects.filter(region=brebes(), day=day)}
    assert units[(activity.other_opd.code, "eoffice.dispositions_overdue")] == 1
    # Returned on the day itself, it was no longer open at its end.
    with schema_context("brebes"):
        late.update(status=Disposition.Status.RETURNED, done_at=None, returned_at=at(day, 16))
    services.region_collect(region=brebes(), day=day)
    assert values(brebes(), day)["eoffice.dispositions_overdue"] == 0


@pytest.mark.django_db
def test_a_module_is_collected_only_on_days_the_licence_covers_it(seed):
    licence = licensed("brebes", ["eoffice"])  # valid from today
    today = region_today(brebes())
    services.region_collect(region=brebes(), day=today - timedelta(days=1))
    assert not any(code.startswith("eoffice.") for code in values(brebes(), today - timedelta(days=1)))
    services.region_collect(region=brebes(), day=today)
    assert "eoffice.letters_registered" in values(brebes(), today)
    # Tegal has no licence at all: the workspace's figures only.
    tegal = Region.objects.get(slug="tegal")
    services.region_collect(region=tegal, day=today)
    assert set(values(tegal, today)) == {m.code for m in workspace_metrics.METRICS}
    assert licence.pk


@pytest.mark.django_db
def test_collecting_a_day_again_replaces_it(seed):
    licence = licensed_since("brebes", ["eoffice"])
    day = region_today(brebes())
    services.region_collect(region=brebes(), day=day)
    services.region_collect(region=brebes(), day=day)
    first = Snapshot.objects.filter(region=brebes(), day=day).count()
    assert first == len(eoffice_metrics.METRICS) + len(workspace_metrics.METRICS)
    assert PeriodFigure.objects.filter(region=brebes(), metric__startswith="eoffice.").exists()
    with schema_context("brebes"):
        get_user_model().objects.create_user("baru", password="x")
    services.region_collect(region=brebes(), day=day)
    assert Snapshot.objects.filter(region=brebes(), day=day).count() == first
    assert values(brebes(), day)["workspace.staff_accounts"] == 3
    # The licence loses e-Office: collecting the day again drops that day's e-Office rows.
    licence.modules = []
    licence.save(update_fields=["modules"])
    services.region_collect(region=brebes(), day=day)
    assert set(values(brebes(), day)) == {m.code for m in workspace_metrics.METRICS}
    # The ready-made periods follow: nothing of e-Office is left from that day.
    periods = set(PeriodFigure.objects.filter(region=brebes()).values_list("metric", flat=True))
    assert periods == {m.code for m in workspace_metrics.METRICS}


# --- runs: suspended regions, a failing region, the command, the nightly task ------------------------------


@pytest.mark.django_db
def test_one_failing_region_does_not_stop_the_others_and_is_reported(seed, monkeypatch):
    real = workspace_metrics.collect

    def broken_in_brebes(*, day):
        if connection.schema_name == "brebes":
            raise RuntimeError("database of brebes on fire")
        return real(day=day)

    monkeypatch.setattr(workspace_metrics, "collect", broken_in_brebes)
    run = services.collection_run_start(trigger=CollectionRun.Trigger.CLI, actor="t", run_async=False)
    outcomes = {o.region.slug: o for o in run.outcomes.select_related("region")}
    assert outcomes["brebes"].status == OS.FAILED
    assert "database of brebes on fire" in outcomes["brebes"].error
    assert outcomes["tegal"].status == OS.OK
    assert Snapshot.objects.filter(region__slug="tegal", day=run.day).exists()
    assert not Snapshot.objects.filter(region__slug="brebes", day=run.day).exists()


@pytest.mark.django_db
def test_a_region_that_is_not_active_is_never_collected(seed, monkeypatch):
    Region.objects.filter(slug="tegal").update(status=Region.Status.SUSPENDED)
    run = services.collection_run_start(trigger=CollectionRun.Trigger.CLI, actor="t", run_async=False)
    assert [o.region.slug for o in run.outcomes.all()] == ["brebes"]
    with pytest.raises(services.CollectionError) as excinfo:
        services.collection_run_start(slugs=["tegal"], trigger=CollectionRun.Trigger.CLI, actor="t")
    assert excinfo.value.code == "region_not_active"

    # Suspended between the start of a run and its turn: skipped, nothing read from its schema.
    Region.objects.filter(slug="tegal").update(status=Region.Status.ACTIVE)
    run = services.collection_run_start(trigger=CollectionRun.Trigger.SCHEDULE, actor="t", run_async=True)
    Region.objects.filter(slug="tegal").update(status=Region.Status.SUSPENDED)
    called = []
    monkeypatch.setattr(services, "region_figures", lambda **kw: called.append(kw) or ({}, {}))
    outcome = services.collection_outcome_run(outcome=run.outcomes.get(region__slug="tegal"))
    assert outcome.status == OS.SKIPPED
    assert called == []
    with pytest.raises(services.CollectionError):
        services.region_collect(region=Region.objects.get(slug="tegal"), day=run.day)


@pytest.mark.django_db
def test_a_module_breaking_the_contract_fails_its_region_with_a_clear_error(seed, monkeypatch):
    monkeypatch.setattr(workspace_metrics, "collect", lambda *, day: {"workspace.staff_accounts": "many"})
    run = services.collection_run_start(slugs=["tegal"], trigger=CollectionRun.Trigger.CLI, actor="t", run_async=False)
    outcome = run.outcomes.get()
    assert outcome.status == OS.FAILED
    assert "not a finite number" in outcome.error
    monkeypatch.setattr(workspace_metrics, "collect", lambda *, day: {"workspace.unknown": 1})
    run = services.collection_run_start(slugs=["tegal"], trigger=CollectionRun.Trigger.CLI, actor="t", run_async=False)
    assert "undeclared" in run.outcomes.get().error


@pytest.mark.django_db
def test_the_command_collects_a_day_for_one_region_and_refuses_bad_input(seed, capsys):
    day = region_today(brebes()) - timedelta(days=1)
    call_command("reports", "collect", "--day", day.isoformat(), "--region", "tegal")
    out = capsys.readouterr().out
    assert "tegal" in out
    assert "berhasil" in out
    assert Snapshot.objects.filter(region__slug="tegal", day=day).exists()
    assert not Snapshot.objects.filter(region__slug="brebes", day=day).exists()
    with pytest.raises(CommandError, match="TTTT-BB-HH"):
        call_command("reports", "collect", "--day", "kemarin")
    with pytest.raises(CommandError, match="region_not_active"):
        call_command("reports", "collect", "--region", "atlantis")
    with pytest.raises(CommandError, match="invalid_day"):
        call_command("reports", "collect", "--day", (day + timedelta(days=30)).isoformat())


@pytest.mark.django_db
def test_the_nightly_task_collects_yesterday_for_every_active_region():
    result = collect_daily()
    run = CollectionRun.objects.get(pk=result["run"])
    assert run.trigger == CollectionRun.Trigger.SCHEDULE
    assert run.day == date.fromisoformat(result["day"])
    assert sorted(run.outcomes.values_list("region__slug", flat=True)) == ["brebes", "tegal"]


def test_a_run_fans_out_to_a_real_worker_one_task_per_region(committed_db):
    queue = f"reports-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue):
        run = services.collection_run_start(trigger=CollectionRun.Trigger.CONSOLE, actor="t")
        deadline = time.monotonic() + 60
        while run.outcomes.filter(status=OS.QUEUED).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    try:
        assert dict(run.outcomes.values_list("region__slug", "status")) == {"brebes": OS.OK, "tegal": OS.OK}
        assert Snapshot.objects.filter(region__slug="brebes", day=run.day, metric="workspace.staff_accounts").exists()
    finally:
        Snapshot.objects.filter(day=run.day).delete()
        UnitSnapshot.objects.filter(day=run.day).delete()
        run.delete()
