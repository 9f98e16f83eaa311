"""Calendar rules: appraisal periods (month, quarter, year) and the monthly cut-off that locks entries."""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING

from tenant_apps.eoffice.pdf import MONTHS

if TYPE_CHECKING:
    from tenant_apps.ekinerja.models import AppraisalPeriod


def period_bounds(*, year: int, kind: str, number: int) -> tuple[date, date]:
    """First and last day of a period; ValueError for a number that does not exist for the kind."""
    if kind == "bulanan" and 1 <= number <= 12:
        return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    if kind == "triwulan" and 1 <= number <= 4:
        last = number * 3
        return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
    if kind == "tahunan" and number == 0:
        return date(year, 1, 1), date(year, 12, 31)
    raise ValueError(f"no period {kind} {number}")


def period_number(*, kind: str, day: date) -> int:
    return {"bulanan": day.month, "triwulan": (day.month - 1) // 3 + 1}.get(kind, 0)


def period_label(period: AppraisalPeriod) -> str:
    if period.kind == "bulanan":
        return f"{MONTHS[period.number - 1]} {period.year}"
    if period.kind == "triwulan":
        return f"Triwulan {period.number} {period.year}"
    return f"Tahunan {period.year}"


def cutoff_date(*, day: date, cutoff_day: int) -> date:
    """The last day entries dated `day` may still change: the cut-off day of the following month."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, cutoff_day)


def is_locked(*, day: date, cutoff_day: int, today: date) -> bool:
    return today > cutoff_date(day=day, cutoff_day=cutoff_day)


def open_from(*, today: date, cutoff_day: int) -> date:
    """The first day whose entries are still open on `today`: last month's until its cut-off, then this
    month's."""
    if today.day <= cutoff_day:
        return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    return today.replace(day=1)
