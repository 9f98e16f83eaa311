"""Days and periods: a region's day runs from its own midnight (WIB, WITA or WIT), stored times are UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from tenants.models import Region

MAX_PERIOD_DAYS = 366 * 2
# The periods the dashboard offers ready-made (shared_apps.reports.models.PeriodFigure).
PRESET_DAYS = (7, 30, 90, 365)


def region_timezone() -> ZoneInfo:
    """The timezone of the region whose schema is in use (the platform's outside a region)."""
    name = (
        Region.objects.filter(schema_name=connection.schema_name).values_list("timezone", flat=True).first()
        or settings.MITRA_DEFAULT_REGION_TIMEZONE
    )
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(settings.MITRA_DEFAULT_REGION_TIMEZONE)


def day_window(day: date, tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """[start, end) of `day` in the region's timezone, as aware datetimes (compare with UTC columns)."""
    zone = tz or region_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def month_period(day: date) -> Period:
    """The calendar month before the one `day` falls in (what a monthly report covers)."""
    end = day.replace(day=1) - timedelta(days=1)
    return Period(end.replace(day=1), end)
