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
from tenant_apps.org.models import Unit

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
    """Dispositions still open at the end of `day` whose deadline had passed by then."""
    return Disposition.objects.alias(closed_at=_CLOSED_AT).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=end), sent_at__lt=end, deadline__lt=day
    )


def collect(*, day: date) -> dict[str, float | None]:
    start, end = day_window(day)
    values: dict[str, float | None] = {
        REGISTERED: IncomingLetter.objects.filter(_in("registered_at", start, end)).count()
    }

    drafted = Counter(
        dict(
            OutgoingLetter.objects.filter(_in("created_at", start, end))
            .values_list("letter_type")
            .annotate(n=Count("pk"))
            .values_list("letter_type", "n")
        )
    )
    signed = Counter(
        dict(
            OutgoingLetter.objects.filter(_in("signed_at", start, end), status=OutgoingLetter.Status.SIGNED)
            .values_list("letter_type")
            .annotate(n=Count("pk"))
            .values_list("letter_type", "n")
        )
    )
    values[DRAFTED] = sum(drafted.values())
    values[SIGNED] = sum(signed.values())
    for letter_type in LetterType.values:
        values[drafted_code(letter_type)] = drafted[letter_type]
        values[signed_code(letter_type)] = signed[letter_type]

    counts = Disposition.objects.aggregate(
        created=Count("pk", filter=_in("sent_at", start, end)),
        completed=Count("pk", filter=_in("done_at", start, end) & Q(status=Disposition.Status.DONE)),
    )
    values[DISPOSITIONS_CREATED] = counts["created"]
    values[DISPOSITIONS_COMPLETED] = counts["completed"]
    values[DISPOSITIONS_OVERDUE] = _overdue(day, end).count()

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
    return values


def _opd_of() -> dict[int, tuple[str, str]]:
    """unit id → (code, name) of its OPD (the root of its tree); units are few, so one query and a walk."""
    units = {row[0]: row for row in Unit.objects.values_list("pk", "parent_id", "code", "name")}

    def root(pk: int) -> tuple[str, str]:
        seen = 0
        while units[pk][1] is not None and seen < 10:  # the model keeps trees three levels deep
            pk, seen = units[pk][1], seen + 1
        return units[pk][2], units[pk][3]

    return {pk: root(pk) for pk in units}


def collect_by_unit(*, day: date) -> dict[str, tuple[str, dict[str, float | None]]]:
    """The BY_UNIT figures per OPD: {opd code: (opd name, {metric: value})}; OPDs with nothing are left out."""
    start, end = day_window(day)
    opd = _opd_of()
    grouped: dict[str, tuple[str, dict[str, float | None]]] = {}

    def add(metric: str, rows: Iterable[tuple[int | None, int]]) -> None:
        for unit_id, count in rows:
            if unit_id is None or unit_id not in opd:
                continue
            code, name = opd[unit_id]
            figures = grouped.setdefault(code, (name, dict.fromkeys(BY_UNIT, 0)))[1]
            figures[metric] = (figures[metric] or 0) + count

    def per_unit(queryset, field: str) -> Iterable[tuple[int | None, int]]:
        return queryset.values_list(field).annotate(n=Count("pk")).values_list(field, "n")

    add(REGISTERED, per_unit(IncomingLetter.objects.filter(_in("registered_at", start, end)), "addressed_to__unit"))
    add(
        SIGNED,
        per_unit(
            OutgoingLetter.objects.filter(_in("signed_at", start, end), status=OutgoingLetter.Status.SIGNED), "unit"
        ),
    )
    add(DISPOSITIONS_CREATED, per_unit(Disposition.objects.filter(_in("sent_at", start, end)), "to_position__unit"))
    add(
        DISPOSITIONS_COMPLETED,
        per_unit(
            Disposition.objects.filter(_in("done_at", start, end), status=Disposition.Status.DONE),
            "to_position__unit",
        ),
    )
    add(DISPOSITIONS_OVERDUE, per_unit(_overdue(day, end), "to_position__unit"))
    return grouped
