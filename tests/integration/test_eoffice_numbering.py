"""Letter numbers: the region's format, one gap-free sequence per (unit, year), cancelled numbers never
reused, and no duplicate or gap when several real processes take numbers at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.models import AuditRecord
from tenant_apps.eoffice.models import IssuedNumber, LetterNumberSequence, SequenceKind
from tenant_apps.eoffice.services import agenda_number_issue, letter_number_cancel, letter_number_issue
from tenant_apps.org.models import Unit
from tenant_apps.workspace.models import RegionSettings
from tenant_apps.workspace.selectors import region_settings_get
from tests.fixtures.processes import REPO_ROOT, process_env

ACTOR = "system:test"


def unit(code: str = "DISKOMINFO") -> Unit:
    return Unit.objects.create(code=code, name=f"Dinas {code}", kind=Unit.Kind.OPD)


@pytest.mark.integration
@pytest.mark.django_db
class TestNumbering:
    def test_a_number_follows_the_region_format_and_is_recorded(self, seed):
        with schema_context("brebes"):
            diskominfo = unit()
            issued = letter_number_issue(unit=diskominfo, classification_code="400.14", year=2026, actor=ACTOR)
            assert issued.number == "400.14/1/DISKOMINFO/2026"
            settings = region_settings_get()
            settings.letter_number_format = "{klasifikasi}/{nomor:03d}/{unit}/{tahun}"
            settings.save()
            second = letter_number_issue(unit=diskominfo, classification_code="000.1.2", year=2026, actor=ACTOR)
            assert second.number == "000.1.2/002/DISKOMINFO/2026"
            assert (second.kind, second.unit, second.year, second.value, second.cancelled) == (
                SequenceKind.LETTER,
                diskominfo,
                2026,
                2,
                False,
            )
            assert AuditRecord.objects.filter(
                action="eoffice.number.issue", target_id=str(second.pk), region="brebes"
            ).exists()

    def test_each_unit_and_each_year_has_its_own_sequence(self, seed):
        with schema_context("brebes"):
            a, b = unit("DISKOMINFO"), unit("BAPPEDA")
            values = [
                letter_number_issue(unit=a, classification_code="400", year=2026, actor=ACTOR).value,
                letter_number_issue(unit=a, classification_code="400", year=2026, actor=ACTOR).value,
                letter_number_issue(unit=b, classification_code="400", year=2026, actor=ACTOR).value,
                letter_number_issue(unit=a, classification_code="400", year=2027, actor=ACTOR).value,
                letter_number_issue(unit=a, classification_code="400", year=2026, actor=ACTOR).value,
            ]
            assert values == [1, 2, 1, 1, 3]
            # The agenda of incoming letters is a sequence of its own, not a unit's.
            assert agenda_number_issue(year=2026, actor=ACTOR).number == "1/2026"
            assert LetterNumberSequence.objects.count() == 4

    def test_a_cancelled_number_is_never_issued_again(self, seed):
        with schema_context("brebes"):
            diskominfo = unit()
            first = letter_number_issue(unit=diskominfo, classification_code="400", year=2026, actor=ACTOR)
            second = letter_number_issue(unit=diskominfo, classification_code="400", year=2026, actor=ACTOR)
            cancelled = letter_number_cancel(issued=second, reason="Salah ketik perihal", actor=ACTOR)
            assert cancelled.cancelled
            assert cancelled.cancelled_reason == "Salah ketik perihal"
            third = letter_number_issue(unit=diskominfo, classification_code="400", year=2026, actor=ACTOR)
            assert [first.value, second.value, third.value] == [1, 2, 3]
            assert IssuedNumber.objects.filter(unit=diskominfo).count() == 3  # the cancelled one stays
            with pytest.raises(ConflictError) as again:
                letter_number_cancel(issued=second, reason="lagi", actor=ACTOR)
            assert again.value.code == "number_already_cancelled"
            with pytest.raises(DomainError) as no_reason:
                letter_number_cancel(issued=first, reason="  ", actor=ACTOR)
            assert no_reason.value.code == "reason_required"
            first.refresh_from_db()
            assert not first.cancelled

    def test_a_rolled_back_letter_gives_its_number_back(self, seed):
        with schema_context("brebes"):
            diskominfo = unit()

            def sign_and_fail() -> None:
                with transaction.atomic():
                    letter_number_issue(unit=diskominfo, classification_code="400", year=2026, actor=ACTOR)
                    raise RuntimeError("rendering the PDF failed")

            with pytest.raises(RuntimeError):
                sign_and_fail()
            issued = letter_number_issue(unit=diskominfo, classification_code="400", year=2026, actor=ACTOR)
            assert issued.value == 1

    @pytest.mark.parametrize(
        ("code", "year", "field"),
        [
            ("", 2026, "classification_code"),
            ("40a", 2026, "classification_code"),
            ("400/1", 2026, "classification_code"),
            ("400", 1999, "year"),
            ("400", 10**9, "year"),
        ],
    )
    def test_bad_classification_codes_and_years_are_refused_and_take_no_number(self, seed, code, year, field):
        with schema_context("brebes"):
            diskominfo = unit()
            with pytest.raises(ValidationError):
                letter_number_issue(unit=diskominfo, classification_code=code, year=year, actor=ACTOR)
            assert not IssuedNumber.objects.exists()
            assert letter_number_issue(unit=diskominfo, classification_code="400", year=2026, actor=ACTOR).value == 1


CHILD = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django_tenants.utils import schema_context
    from tenant_apps.eoffice.services import letter_number_issue
    from tenant_apps.org.models import Unit

    start, unit_id = float(sys.argv[1]), int(sys.argv[2])
    with schema_context("brebes"):
        unit = Unit.objects.get(pk=unit_id)
        while time.time() < start:
            time.sleep(0.002)
        values = [
            letter_number_issue(unit=unit, classification_code="400.14", year=2026, actor="system:test").value
            for _ in range(25)
        ]
    print(",".join(map(str, values)))
    """
)


@pytest.mark.integration
def test_four_processes_taking_numbers_at_once_get_1_to_100_without_duplicate_or_gap(committed_db):
    with schema_context("brebes"):
        had_settings = RegionSettings.objects.exists()
        target = unit("KONKUREN")
    try:
        start = time.time() + 3  # every child connected and waiting, so they really collide
        children = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, str(start), str(target.pk)],
                env=process_env(),
                cwd=REPO_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        outputs = [child.communicate(timeout=120) for child in children]
        for child, (_out, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0, err
        taken = [int(v) for out, _err in outputs for v in out.strip().split(",")]
        assert sorted(taken) == list(range(1, 101))
        with schema_context("brebes"):
            rows = list(IssuedNumber.objects.filter(unit=target).order_by("value"))
            assert [row.value for row in rows] == list(range(1, 101))
            assert len({row.number for row in rows}) == 100
            assert LetterNumberSequence.objects.get(unit=target, year=2026).last_value == 100
    finally:
        with schema_context("brebes"):
            IssuedNumber.objects.filter(unit=target).delete()
            LetterNumberSequence.objects.filter(unit=target).delete()
            target.delete()
            if not had_settings:
                RegionSettings.objects.all().delete()
