"""A district's calendar: settings, closures and school days, without a web client."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.calendar import (
    DistrictSettings,
    add_closures,
    closure_ranges,
    is_school_day,
    parse_time,
    remove_closure,
    timezone_choices,
    update_district,
)
from audits.errors import ValidationError
from audits.models import Closure, District

# December 2025: Fri 19, Sat 20, Sun 21, Mon 22 … Fri 26, Sat 27, Sun 28, Mon 29 … Fri Jan 2.
FRI, SAT, SUN, MON = date(2025, 12, 19), date(2025, 12, 20), date(2025, 12, 21), date(2025, 12, 22)


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval County Public Schools")


def _fields(error: ValidationError) -> list[str | None]:
    return [field for field, _ in error.problems]


def test_update_district_applies_valid_settings(session: Session, district: District) -> None:
    update_district(session, district, DistrictSettings(" Duval ", "America/Chicago", "08:15", "15:45"))
    assert district.name == "Duval"
    assert district.timezone == "America/Chicago"
    assert district.school_day_start == time(8, 15)
    assert district.school_day_end == time(15, 45)


def test_update_district_reports_every_problem_at_once(session: Session, district: District) -> None:
    with pytest.raises(ValidationError) as caught:
        update_district(session, district, DistrictSettings("  ", "Mars/Olympus_Mons", "7:30am", "25:00"))
    assert _fields(caught.value) == ["name", "timezone", "school_day_start", "school_day_end"]
    assert district.name == "Duval County Public Schools"  # nothing applied
    assert district.timezone == "America/New_York"


def test_update_district_refuses_a_name_another_district_has(
    session: Session, district: District, make_district: Callable[..., District]
) -> None:
    make_district("Austin ISD")
    with pytest.raises(ValidationError) as caught:
        update_district(
            session, district, DistrictSettings("austin isd", "America/New_York", "07:30", "16:00")
        )
    assert caught.value.problems == [("name", "another district is already called austin isd")]
    # Keeping its own name is fine.
    update_district(session, district, DistrictSettings(district.name, "America/New_York", "07:30", "16:00"))


def test_update_district_refuses_an_overlong_name(session: Session, district: District) -> None:
    with pytest.raises(ValidationError) as caught:
        update_district(session, district, DistrictSettings("x" * 201, "America/New_York", "07:30", "16:00"))
    assert _fields(caught.value) == ["name"]


@pytest.mark.parametrize(("start", "end"), [("16:00", "07:30"), ("08:00", "08:00")])
def test_school_day_must_end_after_it_starts(
    session: Session, district: District, start: str, end: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        update_district(session, district, DistrictSettings("Duval", "America/New_York", start, end))
    assert caught.value.problems == [("school_day_end", "the school day must end after it starts")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("07:30", time(7, 30)), (" 23:59 ", time(23, 59)), ("7:30", None), ("24:00", None), ("", None)],
)
def test_parse_time_accepts_hh_mm_only(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


def test_timezone_choices_put_us_zones_first() -> None:
    us, others = timezone_choices()
    assert us[:3] == ["America/New_York", "America/Chicago", "America/Denver"]
    assert "Europe/Paris" in others and "America/New_York" not in others
    assert others == sorted(others)


def test_add_closures_skips_the_weekend(session: Session, district: District) -> None:
    added = add_closures(session, district, FRI, MON, "Storm days")
    assert [closure.day for closure in added] == [FRI, MON]
    assert all(closure.id is not None for closure in added)


def test_add_one_day_when_there_is_no_last_day(session: Session, district: District) -> None:
    added = add_closures(session, district, MON, None, " Teacher planning day ")
    assert [(closure.day, closure.reason) for closure in added] == [(MON, "Teacher planning day")]


def test_add_closures_skips_days_already_closed(session: Session, district: District) -> None:
    add_closures(session, district, MON, None, "Teacher planning day")
    added = add_closures(session, district, FRI, date(2025, 12, 23), "Winter break")
    assert [closure.day for closure in added] == [FRI, date(2025, 12, 23)]
    assert add_closures(session, district, SAT, SUN, "Weekend") == []
    count = session.scalar(
        select(func.count()).select_from(Closure).where(Closure.district_id == district.id)
    )
    assert count == 3


def test_add_closures_reports_every_problem_at_once(session: Session, district: District) -> None:
    with pytest.raises(ValidationError) as caught:
        add_closures(session, district, MON, FRI, "")
    assert _fields(caught.value) == ["last_day", "reason"]
    with pytest.raises(ValidationError) as caught:
        add_closures(session, district, None, None, "x" * 201)
    assert _fields(caught.value) == ["first_day", "reason"]
    assert session.scalar(select(func.count()).select_from(Closure)) == 0


def test_add_closures_allows_a_year_at_most(session: Session, district: District) -> None:
    with pytest.raises(ValidationError) as caught:
        add_closures(session, district, date(2025, 1, 1), date(2026, 1, 2), "Too long")
    assert caught.value.problems == [("last_day", "add at most 366 days at a time")]
    added = add_closures(session, district, date(2024, 1, 1), date(2024, 12, 31), "Leap year")  # 366 days
    assert len(added) == 262  # its weekdays


def test_is_school_day(session: Session, district: District) -> None:
    add_closures(session, district, MON, None, "Teacher planning day")
    assert is_school_day(district, FRI)
    assert not is_school_day(district, SAT)
    assert not is_school_day(district, SUN)
    assert not is_school_day(district, MON)
    assert is_school_day(district, date(2025, 12, 23))


def test_closure_ranges_join_consecutive_days_across_weekends(session: Session, district: District) -> None:
    add_closures(session, district, date(2025, 12, 22), date(2026, 1, 2), "Winter break")
    add_closures(session, district, date(2026, 1, 5), None, "Teacher planning day")
    add_closures(session, district, date(2026, 1, 19), None, "Martin Luther King Jr. Day")
    add_closures(session, district, date(2026, 1, 21), None, "Storm day")
    add_closures(session, district, date(2026, 1, 22), None, "Storm day")
    add_closures(session, district, date(2026, 1, 26), None, "Storm day")  # a school day (Fri 23) between
    session.commit()
    assert closure_ranges(district) == [
        (date(2025, 12, 22), date(2026, 1, 2), "Winter break"),
        (date(2026, 1, 5), date(2026, 1, 5), "Teacher planning day"),
        (date(2026, 1, 19), date(2026, 1, 19), "Martin Luther King Jr. Day"),
        (date(2026, 1, 21), date(2026, 1, 22), "Storm day"),
        (date(2026, 1, 26), date(2026, 1, 26), "Storm day"),
    ]


def test_closure_ranges_of_a_district_without_closures(district: District) -> None:
    assert closure_ranges(district) == []


def test_remove_one_closure_or_its_whole_range(session: Session, district: District) -> None:
    added = add_closures(session, district, date(2025, 12, 22), date(2026, 1, 2), "Winter break")
    other = add_closures(session, district, date(2026, 1, 5), None, "Teacher planning day")
    session.commit()

    removed = remove_closure(district, added[2].id)
    session.commit()
    assert [closure.day for closure in removed] == [date(2025, 12, 24)]
    assert [span[:2] for span in closure_ranges(district)] == [
        (date(2025, 12, 22), date(2025, 12, 23)),
        (date(2025, 12, 25), date(2026, 1, 2)),
        (date(2026, 1, 5), date(2026, 1, 5)),
    ]

    removed = remove_closure(district, added[5].id, whole_range=True)
    session.commit()
    assert len(removed) == 7  # Dec 25 – Jan 2: seven weekdays
    assert closure_ranges(district) == [
        (date(2025, 12, 22), date(2025, 12, 23), "Winter break"),
        (date(2026, 1, 5), date(2026, 1, 5), "Teacher planning day"),
    ]
    assert remove_closure(district, other[0].id + 1000) == []


def test_remove_closure_ignores_another_districts_closure(
    session: Session, district: District, make_district: Callable[..., District]
) -> None:
    away = make_district("Away")
    [theirs] = add_closures(session, away, MON, None, "Their holiday")
    session.commit()
    assert remove_closure(district, theirs.id) == []
    assert not is_school_day(away, MON)
