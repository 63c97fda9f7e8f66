"""The window a new round is offered: the district's next school days, from its calendar.

A new round's form starts with a window a leader can keep or change: it opens on the first
school day at least ``LEAD_DAYS`` after today (time to check the plan, commit it and brief the
auditors) and closes on its ``SCHOOL_DAYS``-th school day, so weekends and single closed days
(a holiday, a planning day) lengthen it rather than eat into it. A break of ``LONG_BREAK`` or
more weekdays is not straddled: the window opens after it instead, so the round's contacts are
not split by weeks of closed offices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from audits.calendar import closure_ranges
from audits.models import District
from audits.planning.rounds import MAX_WINDOW_DAYS

LEAD_DAYS = 7
SCHOOL_DAYS = 15  # three school weeks: every auditor can fit their contacts in
LONG_BREAK = 5  # weekdays closed in a row: a break the window does not straddle


@dataclass(frozen=True)
class SuggestedWindow:
    """A round's suggested first and last day, and the closures it steps over (reasons, in order)."""

    first_day: date
    last_day: date
    school_days: int
    closures: list[str]


def suggest_window(
    district: District, today: date, school_days: int = SCHOOL_DAYS, lead_days: int = LEAD_DAYS
) -> SuggestedWindow | None:
    """The next window of ``school_days`` school days in ``district`` from ``lead_days`` after ``today``.

    ``None`` when the district's calendar has no such window within a year.
    """
    closed = {closure.day for closure in district.closures}
    ranges = closure_ranges(district)
    start, horizon = today + timedelta(days=lead_days), today + timedelta(days=366)
    while start <= horizon:
        found = _school_days_from(start, closed, school_days, horizon)
        if not found:
            return None
        first, last = found[0], found[-1]
        inside = [(begin, end, reason) for begin, end, reason in ranges if begin <= last and end >= first]
        long_break = next(
            (end for begin, end, _ in inside if begin > first and _weekdays(begin, end) >= LONG_BREAK), None
        )
        if long_break is None:
            reasons = list(dict.fromkeys(reason for _, _, reason in inside))
            return SuggestedWindow(first, last, len(found), reasons)
        start = long_break + timedelta(days=1)
    return None


def _school_days_from(start: date, closed: set[date], wanted: int, horizon: date) -> list[date]:
    """Up to ``wanted`` school days from ``start`` to ``horizon``, within a round's longest window."""
    found: list[date] = []
    day = start
    while day <= horizon and len(found) < wanted:
        if found and (day - found[0]).days > MAX_WINDOW_DAYS:
            break  # the longest window a round may have: keep what fits
        if day.weekday() < 5 and day not in closed:
            found.append(day)
        day += timedelta(days=1)
    return found


def _weekdays(first: date, last: date) -> int:
    """How many weekdays there are from ``first`` to ``last``, inclusive."""
    return sum((first + timedelta(days=n)).weekday() < 5 for n in range((last - first).days + 1))
