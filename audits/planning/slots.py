"""Time-of-day slots and the school days of a window."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from audits.models import Slot

# Each slot's window; a district only gets the slots that overlap its school-day
# hours by at least MIN_OVERLAP_MINUTES.
SLOT_WINDOWS: dict[Slot, tuple[time, time]] = {
    Slot.EARLY_MORNING: (time(7, 0), time(9, 0)),
    Slot.MORNING: (time(9, 0), time(11, 0)),
    Slot.MIDDAY: (time(11, 0), time(13, 0)),
    Slot.AFTERNOON: (time(13, 0), time(17, 0)),
}
MIN_OVERLAP_MINUTES = 30


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def slot_window(slot: Slot, day_start: time, day_end: time) -> tuple[time, time] | None:
    """The part of ``slot`` inside the school day, or ``None`` when too little of it is."""
    start, end = SLOT_WINDOWS[slot]
    lower = max(_minutes(start), _minutes(day_start))
    upper = min(_minutes(end), _minutes(day_end))
    if upper - lower < MIN_OVERLAP_MINUTES:
        return None
    return time(lower // 60, lower % 60), time(upper // 60, upper % 60)


def usable_slots(day_start: time, day_end: time) -> list[Slot]:
    """The slots that fall inside a district's school-day hours, in order of the day."""
    return [slot for slot in Slot if slot_window(slot, day_start, day_end) is not None]


def school_days(first_day: date, last_day: date, closures: Iterable[date]) -> list[date]:
    """Weekdays from ``first_day`` to ``last_day`` (inclusive) that are not closures."""
    closed = set(closures)
    days = []
    day = first_day
    while day <= last_day:
        if day.weekday() < 5 and day not in closed:
            days.append(day)
        day += timedelta(days=1)
    return days
