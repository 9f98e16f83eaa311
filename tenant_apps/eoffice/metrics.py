"""e-Office adoption figures for one day of the region (contract: tenant_apps.base.Metric; collected by
shared_apps.reports). Definitions, all on the region's calendar day D:

- letters registered: incoming letters registered on D; drafted / signed: outgoing letters created / signed
  on D, in total and per letter type;
- dispositions created / completed: sent / finished (done) on D; overdue: open at the end of D with a deadline
  before D (read from the timestamps, so a past day is measured as it was, not as it is now);
- hours to first disposition: median over the letters whose first (not cancelled) disposition was sent on D,
  from registration to that disposition; hours to completion: median over the letters completed on D — every
  disposition finished or withdrawn, at least one done, the last done on D — from registration;
- signed electronically: outgoing letters signed in Mitra on D as a share of all letter numbers issued on D
  and not cancelled (numbers taken for paper letters count in the denominator).

Dispositions, overdue ones, incoming letters and signed letters are also split per OPD (the root unit of
the position or unit concerned), for the region's own report.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shared_apps.reports.periods import day_window
from tenant_apps.base import Metric
from tenant_apps.eoffice.models import (
    Disposition,
    IncomingLetter,
    IssuedNumber,
    LetterType,
    OutgoingLetter,
    SequenceKind,
)
from tenant_apps.org.models import Position, Unit

REGISTERED = "eoffice.letters_registered"
DRAFTED = "eoffice.letters_drafted"
SIGNED = "eoffice.letters_signed"
DISPOSITIONS_CREATED = "eoffice.dispositions_created"
DISPOSITIONS_COMPLETED = "eoffice.dispositions_completed"
DISPOSITIONS_OVERDUE = "eoffice.dispositions_overdue"
HOURS_TO_FIRST_DISPOSITION = "eoffice.hours_to_first_disposition"
HOURS_TO_COMPLETION = "eoffice.hours_to_completion"
SIGNED_ELECTRONICALLY = "eoffice.signed_electronically_share"


def drafted_code(letter_type: str) -> str:
    return f"{DRAFTED}.{letter_type}"


def signed_code(letter_type: str) -> str:
    return f"{SIGNED}.{letter_type}"


METRICS = (
    Metric(REGISTERED, _("Surat masuk dicatat")),
    Metric(DRAFTED, _("Naskah keluar dirancang")),
    Metric(SIGNED, _("Naskah keluar ditandatangani")),
    Metric(DISPOSITIONS_CREATED, _("Disposisi dibuat")),
    Metric(DISPOSITIONS_COMPLETED, _("Disposisi selesai")),
    Metric(DISPOSITIONS_OVERDUE, _("Disposisi lewat batas waktu")),
    Metric(HOURS_TO_FIRST_DISPOSITION, _("Median jam dari pencatatan ke disposisi pertama"), unit="hours"),
    Metric(HOURS_TO_COMPLETION, _("Median jam dari pencatatan sampai selesai"), unit="hours"),
    Metric(SIGNED_ELECTRONICALLY, _("Persentase naskah ditandatangani elektronik"), unit="percent"),
    *(Metric(drafted_code(t.value), _("Dirancang: %(type)s") % {"type": t.label}) for t in LetterType),
    *(Metric(signed_code(t.value), _("Ditandatangani: %(type)s") % {"type": t.label}) for t in LetterType),
)
AGGREGATE = {DISPOSITIONS_OVERDUE: "last", SIGNED_ELECTRONICALLY: "mean"}
BY_UNIT = (REGISTERED, SIGNED, DISPOSITIONS_CREATED, DISPOSITIONS_COMPLETED, DISPOSITIONS_OVERDUE)

_CLOSED_AT = Coalesce("done_at", "returned_at", "cancelled_at")


def _in(field: str, start: datetime, end: datetime) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def _median_hours(pairs: Iterable[tuple[datetime, datetime]]) -> float | None:
    hours = [(later - earlier).total_seconds() / 3600 for earlier, later in pairs]
    return round(statistics.median(hours), 2) if hours else None


def _overdue(day: date, end: datetime):
    """Dispositions still open at the end of `day` whose deadline had passed by then, as two disjoint parts:
    the ones open now and the ones closed after `day`. Each part is read from its own index
    (eoffice_disposition_overdue, eoffice_disposition_closed); one OR over both would read the region's history.
    """
    late = Q(sent_at__lt=end, deadline__lt=day)
    still_open = Disposition.objects.filter(
        late, done_at__isnull=True, returned_at__isnull=True, cancelled_at__isnull=True
    )
    closed_later = Disposition.objects.alias(closed_at=_CLOSED_AT).filter(late, closed_at__gte=end)
    return still_open, closed_later


def _grouped(queryset, *fields: str) -> list[tuple]:
    """(field values..., count) rows of the queryset grouped by `fields`."""
    return list(queryset.values_list(*fields).annotate(n=Count("pk")).values_list(*fields, "n"))


def collect_with_units(*, day: date) -> tuple[dict[str, float | None], dict[str, tuple[str, dict[str, float | None]]]]:
    """The day's figures and the BY_UNIT ones per OPD ({opd code: (opd name, {metric: value})}, OPDs with
    nothing left out), from the same queries: each counted figure is read once, grouped by the position or
    unit it concerns, and the region's total is the sum of its groups. Every query reads the day (or the
    open dispositions) from an index, never the region's whole history (tests/perf/test_reports_benchmark)."""
    start, end = day_window(day)
    registered = _grouped(IncomingLetter.objects.filter(_in("registered_at", start, end)), "addressed_to_id")
    drafted = _grouped(OutgoingLetter.objects.filter(_in("created_at", start, end)), "letter_type")
    signed = _grouped(
        OutgoingLetter.objects.filter(_in("signed_at", start, end), status=OutgoingLetter.Status.SIGNED),
        "letter_type",
        "unit_id",
    )
    created = _grouped(Disposition.objects.filter(_in("sent_at", start, end)), "to_position_id")
    completed = _grouped(
        Disposition.objects.filter(_in("done_at", start, end), status=Disposition.Status.DONE), "to_position_id"
    )
    overdue = [row for part in _overdue(day, end) for row in _grouped(part, "to_position_id")]

    values: dict[str, float | None] = {REGISTERED: sum(n for _p, n in registered)}
    drafted_by_type = Counter(dict(drafted))
    signed_by_type: Counter[str] = Counter()
    for letter_type, _unit, n in signed:
        signed_by_type[letter_type] += n
    values[DRAFTED] = sum(drafted_by_type.values())
    values[SIGNED] = sum(signed_by_type.values())
    for letter_type in LetterType.values:
        values[drafted_code(letter_type)] = drafted_by_type[letter_type]
        values[signed_code(letter_type)] = signed_by_type[letter_type]
    values[DISPOSITIONS_CREATED] = sum(n for _p, n in created)
    values[DISPOSITIONS_COMPLETED] = sum(n for _p, n in completed)
    values[DISPOSITIONS_OVERDUE] = sum(n for _p, n in overdue)

    first = (
        IncomingLetter.objects.annotate(
            first_at=Min("dispositions__sent_at", filter=~Q(dispositions__status=Disposition.Status.CANCELLED))
        )
        # Only letters with a disposition sent that day can have their first one that day.
        .filter(pk__in=Disposition.objects.filter(_in("sent_at", start, end)).values("letter_id"))
        .filter(first_at__gte=start, first_at__lt=end)
        .values_list("registered_at", "first_at")
    )
    values[HOURS_TO_FIRST_DISPOSITION] = _median_hours(first)
    finished = (
        IncomingLetter.objects.annotate(
            open_count=Count("dispositions", filter=Q(dispositions__status__in=Disposition.OPEN)),
            last_done=Max("dispositions__done_at", filter=Q(dispositions__status=Disposition.Status.DONE)),
        )
        .filter(pk__in=Disposition.objects.filter(_in("done_at", start, end)).values("letter_id"))
        .filter(open_count=0, last_done__gte=start, last_done__lt=end)
        .values_list("registered_at", "last_done")
    )
    values[HOURS_TO_COMPLETION] = _median_hours(finished)

    numbers = IssuedNumber.objects.filter(
        _in("issued_at", start, end), kind=SequenceKind.LETTER, cancelled=False
    ).count()
    values[SIGNED_ELECTRONICALLY] = round(100 * min(values[SIGNED] or 0, numbers) / numbers, 2) if numbers else None

    # Per OPD: positions resolved to their unit (only the positions that appear), units to their OPD.
    positions = {pk for rows in (registered, created, completed, overdue) for pk, _n in rows if pk is not None}
    unit_of = dict(Position.objects.filter(pk__in=positions).values_list("pk", "unit_id")) if positions else {}
    opd = _opd_of()
    by_unit: dict[str, tuple[str, dict[str, float | None]]] = {}

    def add(metric: str, unit_id: int | None, count: int) -> None:
        if unit_id is None or unit_id not in opd:
            return
        code, name = opd[unit_id]
        figures = by_unit.setdefault(code, (name, dict.fromkeys(BY_UNIT, 0)))[1]
        figures[metric] = (figures[metric] or 0) + count

    for metric, rows in (
        (REGISTERED, registered),
        (DISPOSITIONS_CREATED, created),
        (DISPOSITIONS_COMPLETED, completed),
        (DISPOSITIONS_OVERDUE, overdue),
    ):
        for position_id, n in rows:
            add(metric, unit_of.get(position_id), n)
    for _letter_type, unit_id, n in signed:
        add(SIGNED, unit_id, n)
    return values, by_unit


def collect(*, day: date) -> dict[str, float | None]:
    """The contract's entry point; collection itself calls collect_with_units, which gives the per-OPD
    figures from the same queries (a separate collect_by_unit would run them all a second time)."""
    return collect_with_units(day=day)[0]


def _opd_of() -> dict[int, tuple[str, str]]:
    """unit id → (code, name) of its OPD (the root of its tree); units are few, so one query and a walk."""
    units = {row[0]: row for row in Unit.objects.values_list("pk", "parent_id", "code", "name")}

    def root(pk: int) -> tuple[str, str]:
        seen = 0
        while units[pk][1] is not None and seen < 10:  # the model keeps trees three levels deep
            pk, seen = units[pk][1], seen + 1
        return units[pk][2], units[pk][3]

    return {pk: root(pk) for pk in units}
