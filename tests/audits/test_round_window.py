"""The window a new round is offered from its district's calendar (``audits.planning.window``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from audits.calendar import add_closures
from audits.models import District
from audits.planning.slots import school_days
from audits.planning.window import LEAD_DAYS, SCHOOL_DAYS, suggest_window

MONDAY = date(2027, 1, 4)


def test_the_window_opens_a_week_ahead_and_holds_three_school_weeks(
    make_district: Callable[..., District],
) -> None:
    window = suggest_window(make_district(), MONDAY)
    assert window is not None
    assert window.first_day == MONDAY + timedelta(days=LEAD_DAYS) == date(2027, 1, 11)
    assert window.last_day == date(2027, 1, 29)  # Mon 11 … Fri 29: fifteen weekdays
    assert window.school_days == SCHOOL_DAYS and window.closures == []


def test_closures_lengthen_the_window_and_are_named(
    session: Session, make_district: Callable[..., District]
) -> None:
    district = make_district()
    add_closures(session, district, date(2027, 1, 11), date(2027, 1, 11), "Teacher planning day")
    add_closures(session, district, date(2027, 1, 18), None, "Martin Luther King Jr. Day")
    add_closures(session, district, date(2027, 3, 15), date(2027, 3, 19), "Spring break")
    session.commit()
    window = suggest_window(district, MONDAY)
    assert window is not None
    assert window.first_day == date(2027, 1, 12)  # the 11th is closed: the next school day
    assert window.last_day == date(2027, 2, 2)
    closures = [closure.day for closure in district.closures]
    assert len(school_days(window.first_day, window.last_day, closures)) == SCHOOL_DAYS
    assert window.closures == ["Martin Luther King Jr. Day"]


def test_a_break_of_a_week_is_not_straddled(session: Session, make_district: Callable[..., District]) -> None:
    district = make_district()
    add_closures(session, district, date(2027, 1, 25), date(2027, 1, 29), "Semester break")
    add_closures(session, district, date(2027, 2, 15), None, "Presidents' Day")
    session.commit()
    window = suggest_window(district, MONDAY)  # Jan 11 … would run into the break on the 25th
    assert window is not None
    assert (window.first_day, window.last_day) == (date(2027, 2, 1), date(2027, 2, 22))
    assert window.closures == ["Presidents' Day"]


def test_a_long_break_moves_the_window_past_it(
    session: Session, make_district: Callable[..., District]
) -> None:
    district = make_district()
    add_closures(session, district, date(2027, 6, 7), date(2027, 8, 6), "Summer break")
    session.commit()
    window = suggest_window(district, date(2027, 5, 29))  # a Saturday: a week later the break has begun
    assert window is not None
    assert (window.first_day, window.last_day) == (date(2027, 8, 9), date(2027, 8, 27))
    assert window.closures == []


def test_a_calendar_with_no_school_day_suggests_nothing(
    session: Session, make_district: Callable[..., District]
) -> None:
    district = make_district()
    add_closures(session, district, date(2027, 1, 1), date(2027, 12, 31), "Closed")
    add_closures(session, district, date(2028, 1, 1), date(2028, 2, 1), "Closed")
    session.commit()
    assert suggest_window(district, MONDAY) is None
