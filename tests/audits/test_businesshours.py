"""Business-hours arithmetic: overnight, weekends, closures, daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.businesshours import BusinessCalendar, add_business_hours, business_hours_between, next_school_day

NY = ZoneInfo("America/New_York")
CALENDAR = BusinessCalendar("America/New_York", time(7, 30), time(16, 0), frozenset({date(2027, 2, 3)}))


def ny(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def test_within_one_day() -> None:
    assert business_hours_between(CALENDAR, ny(2027, 2, 1, 9), ny(2027, 2, 1, 11, 30)) == 2.5


def test_outside_hours_counts_only_the_school_day() -> None:
    assert business_hours_between(CALENDAR, ny(2027, 2, 1, 6), ny(2027, 2, 1, 20)) == 8.5


def test_overnight() -> None:
    # 15:00 Monday to 08:30 Tuesday: 1 h Monday + 1 h Tuesday.
    assert business_hours_between(CALENDAR, ny(2027, 2, 1, 15), ny(2027, 2, 2, 8, 30)) == 2.0


def test_weekend_counts_nothing() -> None:
    # Friday 15:30 to Monday 09:00: 0.5 h + 1.5 h.
    assert business_hours_between(CALENDAR, ny(2027, 2, 5, 15, 30), ny(2027, 2, 8, 9)) == 2.0
    assert business_hours_between(CALENDAR, ny(2027, 2, 6, 10), ny(2027, 2, 7, 15)) == 0.0


def test_closure_day_counts_nothing() -> None:
    # Tuesday 15:00 to Thursday 08:30 across Wednesday's closure: 1 h + 1 h.
    assert business_hours_between(CALENDAR, ny(2027, 2, 2, 15), ny(2027, 2, 4, 8, 30)) == 2.0


def test_daylight_saving_change_keeps_a_school_day_at_its_length() -> None:
    # DST starts Sunday 14 March 2027 in New York; Friday 12:00 to Monday 12:00 is 4 + 4.5 h.
    assert business_hours_between(CALENDAR, ny(2027, 3, 12, 12), ny(2027, 3, 15, 12)) == 8.5
    # The same moments given in UTC give the same answer.
    start = ny(2027, 3, 12, 12).astimezone(UTC)
    end = ny(2027, 3, 15, 12).astimezone(UTC)
    assert business_hours_between(CALENDAR, start, end) == 8.5
    # And in autumn (7 November 2027).
    assert business_hours_between(CALENDAR, ny(2027, 11, 5, 12), ny(2027, 11, 8, 12)) == 8.5


def test_another_timezone() -> None:
    honolulu = BusinessCalendar("Pacific/Honolulu", time(8, 0), time(15, 0))
    start = datetime(2027, 2, 1, 18, 0, tzinfo=UTC)  # 08:00 in Honolulu
    assert business_hours_between(honolulu, start, start + timedelta(hours=3)) == 3.0


def test_end_before_start_is_zero_and_naive_is_refused() -> None:
    assert business_hours_between(CALENDAR, ny(2027, 2, 1, 12), ny(2027, 2, 1, 9)) == 0.0
    with pytest.raises(ValueError, match="timezone-aware"):
        business_hours_between(CALENDAR, datetime(2027, 2, 1, 9), ny(2027, 2, 1, 12))  # noqa: DTZ001


def test_add_business_hours_skips_nights_weekends_and_closures() -> None:
    assert add_business_hours(CALENDAR, ny(2027, 2, 1, 15), 2) == ny(2027, 2, 2, 8, 30)
    assert add_business_hours(CALENDAR, ny(2027, 2, 5, 15), 1.5) == ny(2027, 2, 8, 8)
    assert add_business_hours(CALENDAR, ny(2027, 2, 2, 15), 1.5) == ny(2027, 2, 4, 8)


def test_next_school_day() -> None:
    assert next_school_day(CALENDAR, date(2027, 2, 5)) == date(2027, 2, 8)
    assert next_school_day(CALENDAR, date(2027, 2, 2)) == date(2027, 2, 4)


@given(
    start=st.datetimes(datetime(2027, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)),  # noqa: DTZ001
    first=st.floats(0, 60),
    second=st.floats(0, 60),
)
def test_adding_then_measuring_round_trips_and_adds_up(start: datetime, first: float, second: float) -> None:
    middle = add_business_hours(CALENDAR, start, first)
    end = add_business_hours(CALENDAR, middle, second)
    assert business_hours_between(CALENDAR, start, middle) == pytest.approx(first, abs=1e-6)
    assert business_hours_between(CALENDAR, start, end) == pytest.approx(first + second, abs=1e-6)
