"""A district's calendar: its timezone, school-day hours and the days its schools are closed.

Weekends are never school days, so closures are only ever recorded on weekdays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.appeals.window import parse_window_days
from audits.errors import ValidationError
from audits.mail.deadline import parse_deadline_days
from audits.models import Closure, District

MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 200
MAX_CLOSURE_DAYS = 366

# U.S. zones (states, then territories), the most common first; the order a picker shows them in.
US_TIMEZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Detroit",
    "America/Indiana/Indianapolis",
    "America/Indiana/Knox",
    "America/Indiana/Marengo",
    "America/Indiana/Petersburg",
    "America/Indiana/Tell_City",
    "America/Indiana/Vevay",
    "America/Indiana/Vincennes",
    "America/Indiana/Winamac",
    "America/Kentucky/Louisville",
    "America/Kentucky/Monticello",
    "America/Menominee",
    "America/North_Dakota/Beulah",
    "America/North_Dakota/Center",
    "America/North_Dakota/New_Salem",
    "America/Boise",
    "America/Juneau",
    "America/Sitka",
    "America/Metlakatla",
    "America/Yakutat",
    "America/Nome",
    "America/Adak",
    "America/Puerto_Rico",
    "America/St_Thomas",
    "Pacific/Guam",
    "Pacific/Saipan",
    "Pacific/Pago_Pago",
)

_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class DistrictSettings:
    """What a district leader may change about their district; times are ``"HH:MM"``."""

    name: str
    timezone: str
    school_day_start: str
    school_day_end: str
    # School days after publication during which a principal may query an answer ("0": no appeals).
    appeal_window_days: str = "10"
    # School days a school has to answer an email audit before it counts as "no reply" (blank: 2).
    reply_deadline_school_days: str = "2"

    @classmethod
    def of(cls, district: District) -> DistrictSettings:
        """Return ``district``'s current settings, as a form would show them."""
        return cls(
            name=district.name,
            timezone=district.timezone,
            school_day_start=district.school_day_start.strftime("%H:%M"),
            school_day_end=district.school_day_end.strftime("%H:%M"),
            appeal_window_days=str(district.appeal_window_days),
            reply_deadline_school_days=str(district.reply_deadline_school_days),
        )


@cache
def timezone_names() -> frozenset[str]:
    """Return every IANA timezone name this system knows."""
    return frozenset(available_timezones())


def timezone_choices() -> tuple[list[str], list[str]]:
    """Return ``(us_zones, other_zones)``: U.S. zones most common first, then every other zone A–Z."""
    known = timezone_names()
    us = [zone for zone in US_TIMEZONES if zone in known]
    others = sorted(known.difference(us))
    return us, others


def parse_time(text: str) -> time | None:
    """Return the time of ``"HH:MM"`` (24-hour clock), or ``None`` when it is not one."""
    match = _HH_MM.fullmatch(text.strip())
    return time(int(match[1]), int(match[2])) if match else None


def update_district(session: Session, district: District, settings: DistrictSettings) -> None:
    """Validate ``settings`` and apply them to ``district``; every problem is reported at once."""
    problems: list[tuple[str | None, str]] = []
    name = settings.name.strip()
    if not name:
        problems.append(("name", "a district needs a name"))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(("name", f"use at most {MAX_NAME_LENGTH} characters"))
    elif session.scalar(
        select(District.id).where(func.lower(District.name) == name.lower(), District.id != district.id)
    ):
        problems.append(("name", f"another district is already called {name}"))
    timezone = settings.timezone.strip()
    if timezone not in timezone_names():
        problems.append(("timezone", "choose a timezone from the list, e.g. America/New_York"))
    start = parse_time(settings.school_day_start)
    if start is None:
        problems.append(("school_day_start", "enter a time as HH:MM, e.g. 07:30"))
    end = parse_time(settings.school_day_end)
    if end is None:
        problems.append(("school_day_end", "enter a time as HH:MM, e.g. 16:00"))
    if start is not None and end is not None and end <= start:
        problems.append(("school_day_end", "the school day must end after it starts"))
    window: int | None = None
    try:
        window = parse_window_days(settings.appeal_window_days)
    except ValidationError as error:
        problems.extend(error.problems)
    deadline: int | None = None
    try:
        deadline = parse_deadline_days(settings.reply_deadline_school_days)
    except ValidationError as error:
        problems.extend(error.problems)
    if problems or start is None or end is None or window is None or deadline is None:
        raise ValidationError.many(problems)
    district.name = name
    district.timezone = timezone
    district.school_day_start = start
    district.school_day_end = end
    district.appeal_window_days = window
    district.reply_deadline_school_days = deadline


def add_closures(
    session: Session, district: District, first_day: date | None, last_day: date | None, reason: str
) -> list[Closure]:
    """Close ``district``'s schools on every weekday from ``first_day`` to ``last_day``, inclusive.

    ``last_day`` ``None`` closes ``first_day`` alone; ``first_day`` ``None`` (the
    person gave none) is reported as a problem on ``first_day``. Weekends and days
    that are already closures are skipped. Returns the closures added, by day
    (empty when every day was skipped). Every problem is reported at once.
    """
    problems: list[tuple[str | None, str]] = []
    last_day = last_day or first_day
    if first_day is None:
        problems.append(("first_day", "enter the first day the schools are closed"))
    elif last_day is not None and last_day < first_day:
        problems.append(("last_day", "the last day cannot be before the first day"))
    elif last_day is not None and (last_day - first_day).days + 1 > MAX_CLOSURE_DAYS:
        problems.append(("last_day", f"add at most {MAX_CLOSURE_DAYS} days at a time"))
    reason = reason.strip()
    if not reason:
        problems.append(("reason", "say why the schools are closed, e.g. Winter break"))
    elif len(reason) > MAX_REASON_LENGTH:
        problems.append(("reason", f"use at most {MAX_REASON_LENGTH} characters"))
    if problems or first_day is None or last_day is None:
        raise ValidationError.many(problems)
    taken = set(
        session.scalars(
            select(Closure.day).where(
                Closure.district_id == district.id, Closure.day.between(first_day, last_day)
            )
        )
    )
    added = []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        if day.weekday() < 5 and day not in taken:
            closure = Closure(district=district, day=day, reason=reason)
            session.add(closure)
            added.append(closure)
    session.flush()
    return added


def remove_closure(district: District, closure_id: int, whole_range: bool = False) -> list[Closure]:
    """Reopen the day of ``district``'s closure ``closure_id``; with ``whole_range``, its whole range.

    The range is the one :func:`closure_ranges` shows the closure in. Returns the
    closures removed, by day; an empty list when ``district`` has no closure
    ``closure_id``. The caller commits.
    """
    closure = next((closure for closure in district.closures if closure.id == closure_id), None)
    if closure is None:
        return []
    removed = [closure]
    if whole_range:
        first, last, _reason = next(
            span for span in closure_ranges(district) if span[0] <= closure.day <= span[1]
        )
        removed = [other for other in district.closures if first <= other.day <= last]
    for other in removed:
        district.closures.remove(other)
    return sorted(removed, key=lambda other: other.day)


def is_school_day(district: District, day: date) -> bool:
    """Return whether ``day`` is a school day in ``district``: a weekday that is not a closure."""
    return day.weekday() < 5 and all(closure.day != day for closure in district.closures)


def closure_ranges(district: District) -> list[tuple[date, date, str]]:
    """Return ``district``'s closures as ``(first_day, last_day, reason)`` ranges, by day.

    Closures with the same reason on consecutive days join one range; a weekend
    between two closures does not break it (Friday and the next Monday are
    consecutive school days).
    """
    ranges: list[tuple[date, date, str]] = []
    for closure in sorted(district.closures, key=lambda closure: closure.day):
        if ranges and ranges[-1][2] == closure.reason and _no_school_day_between(ranges[-1][1], closure.day):
            ranges[-1] = (ranges[-1][0], closure.day, closure.reason)
        else:
            ranges.append((closure.day, closure.day, closure.reason))
    return ranges


def _no_school_day_between(earlier: date, later: date) -> bool:
    """Whether every day strictly between ``earlier`` and ``later`` is a weekend day."""
    return all((earlier + timedelta(days=n)).weekday() >= 5 for n in range(1, (later - earlier).days))


# School years run from August to July.
SCHOOL_YEAR_FIRST_MONTH = 8


def school_year_of(day: date) -> int:
    """The year in which the school year holding ``day`` started (school years start in August)."""
    return day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1


def school_year_start(first_year: int) -> date:
    """The first day of the school year that starts in ``first_year``."""
    return date(first_year, SCHOOL_YEAR_FIRST_MONTH, 1)
