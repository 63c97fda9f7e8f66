"""The demo district's closures: a typical Florida school calendar, for whichever years the demo spans.

The demo plans its rounds around the day it is loaded, so its calendar cannot be a
fixed list of dates: each school year (August to July) gets the usual breaks by
rule (Thanksgiving week, two weeks over the new year, the Monday holidays and a
spring-break week), and the demo asks for every school year its rounds touch.
"""

from __future__ import annotations

from datetime import date, timedelta

from audits.calendar import school_year_of

THANKSGIVING = "Thanksgiving break"
WINTER = "Winter break"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday = 0) of a month; ``n = -1`` for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _week(monday: date, weekdays: int = 5) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(weekdays)]


def school_year_closures(first_year: int) -> list[tuple[date, str]]:
    """The closed weekdays of the school year that starts in August of ``first_year``, by date."""
    thanksgiving = _nth_weekday(first_year, 11, 3, 4)
    winter_start = date(first_year, 12, 22) - timedelta(days=date(first_year, 12, 22).weekday())
    spring_break = _nth_weekday(first_year + 1, 3, 0, 3)
    closed = [
        (_nth_weekday(first_year, 9, 0, 1), "Labor Day"),
        *((day, THANKSGIVING) for day in _week(thanksgiving - timedelta(days=3))),
        *((day, WINTER) for day in _week(winter_start) + _week(winter_start + timedelta(days=7))),
        (_nth_weekday(first_year + 1, 1, 0, 3), "Martin Luther King Jr. Day"),
        (_nth_weekday(first_year + 1, 2, 0, 3), "Presidents' Day"),
        *((day, "Spring break") for day in _week(spring_break)),
        (_nth_weekday(first_year + 1, 5, 0, -1), "Memorial Day"),
    ]
    return sorted(closed)


def demo_closures(first: date, last: date) -> list[tuple[date, str]]:
    """Every closed weekday of the school years from ``first``'s to ``last``'s, by date."""
    return [
        closure
        for year in range(school_year_of(first), school_year_of(last) + 1)
        for closure in school_year_closures(year)
    ]


def season_name(day: date) -> str:
    """``Fall 2026``, ``Spring 2027`` or ``Summer 2027``: what a round starting on ``day`` is called."""
    season = "Spring" if day.month <= 5 else "Summer" if day.month <= 7 else "Fall"
    return f"{season} {day.year}"
