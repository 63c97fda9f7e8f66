"""Time in a district's business hours: school-day hours on school days, in its timezone.

An email sent at 15:30 on a Friday and answered at 09:00 the next Monday, with
school-day hours of 07:30–16:00, took 0.5 + 1.5 = 2 business hours; weekends
and closure days count nothing; daylight-saving changes are handled by doing the
arithmetic on local wall-clock times of each school day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from audits.models import District


@dataclass(frozen=True)
class BusinessCalendar:
    """A district's working time: timezone, school-day hours and closure days."""

    timezone: str
    day_start: time
    day_end: time
    closures: frozenset[date] = frozenset()

    @classmethod
    def of(cls, district: District) -> BusinessCalendar:
        """The calendar of ``district``: its timezone, school-day hours and closures."""
        return cls(
            timezone=district.timezone,
            day_start=district.school_day_start,
            day_end=district.school_day_end,
            closures=frozenset(closure.day for closure in district.closures),
        )

    def is_school_day(self, day: date) -> bool:
        """A weekday that is not a closure."""
        return day.weekday() < 5 and day not in self.closures

    def window(self, day: date) -> tuple[datetime, datetime]:
        """The school-day hours of ``day`` as aware UTC datetimes."""
        zone = ZoneInfo(self.timezone)
        start = datetime.combine(day, self.day_start, zone).astimezone(UTC)
        end = datetime.combine(day, self.day_end, zone).astimezone(UTC)
        return start, end

    def local_day(self, moment: datetime) -> date:
        """The district's calendar date at ``moment``."""
        return moment.astimezone(ZoneInfo(self.timezone)).date()


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def business_hours_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Business hours from ``start`` to ``end`` (aware datetimes); 0 when ``end`` is not later."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("business hours need timezone-aware datetimes")
    if end <= start:
        return 0.0
    seconds = 0.0
    for day in _days(calendar.local_day(start), calendar.local_day(end)):
        if not calendar.is_school_day(day):
            continue
        open_at, close_at = calendar.window(day)
        overlap = (min(end, close_at) - max(start, open_at)).total_seconds()
        if overlap > 0:
            seconds += overlap
    return seconds / 3600


def add_business_hours(calendar: BusinessCalendar, start: datetime, hours: float) -> datetime:
    """The moment ``hours`` business hours after ``start`` (e.g. a response deadline)."""
    remaining = timedelta(hours=hours)
    day = calendar.local_day(start)
    for _ in range(3660):  # ten years of days is more than any deadline needs
        if calendar.is_school_day(day):
            open_at, close_at = calendar.window(day)
            begin = max(start, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("no school days found to count business hours in")


def next_school_day(calendar: BusinessCalendar, day: date) -> date:
    """The first school day after ``day``."""
    day += timedelta(days=1)
    while not calendar.is_school_day(day):
        day += timedelta(days=1)
    return day
