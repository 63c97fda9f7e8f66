"""The calendar feed: one event per assignment, in UTC, stable, and without the script."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import pytest
from icalendar import Calendar
from sqlalchemy.orm import Session

from audits.ics import assignments_calendar, event_uid
from audits.models import Assignment, Channel, District, Role, School, Slot, User
from audits.planning.progress import round_assignments
from tests.audits.round_samples import (
    SECRET_ANSWER,
    SECRET_PERSONA,
    SECRET_SCRIPT,
    make_round,
    make_scenario,
    publish_rubrics,
)

PROD_ID = "-//Touchpoint//Assignments//EN"


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district(
        "Duval", timezone="America/New_York", school_day_start=time(7, 30), school_day_end=time(16, 0)
    )


@pytest.fixture
def auditors(make_user: Callable[..., User], district: District) -> list[User]:
    return [make_user(Role.AUDITOR, district=district) for _ in range(2)]


@pytest.fixture
def assignments(
    session: Session, district: District, auditors: list[User], make_school: Callable[..., School]
) -> list[Assignment]:
    """A phone call and a visit to one school (so by two auditors)."""
    make_school(
        district,
        name="ABESS PARK ELEMENTARY SCHOOL",
        phone="+19042201260",
        email="abess@example.org",
        street="12731 Abess Blvd",
        city="Jacksonville",
        state="FL",
        zip="32225",
    )
    publish_rubrics(session)
    phone = make_scenario(session, district, "enrol-call", title="Enrolling a new student")
    visit = make_scenario(session, district, "front-desk", Channel.VISIT, title="Asking at the desk")
    round_ = make_round(
        session, district, {Channel.PHONE: (1, [phone]), Channel.VISIT: (1, [visit])}, commit=True
    )
    return round_assignments(session, round_)


def _events(data: bytes) -> list:  # type: ignore[type-arg]
    return Calendar.from_ical(data).walk("VEVENT")


def test_one_event_per_assignment_with_a_stable_uid(
    assignments: list[Assignment], district: District
) -> None:
    here = "ab12cd34ef56.touchpoint.duval.example.org"
    data = assignments_calendar(assignments, district, PROD_ID, name="Touchpoint: Duval", uid_domain=here)
    calendar = Calendar.from_ical(data)
    assert str(calendar["PRODID"]) == PROD_ID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Touchpoint: Duval"
    events = _events(data)
    assert len(events) == len(assignments) == 2
    assert {str(event["UID"]) for event in events} == {f"assignment-{a.id}@{here}" for a in assignments}
    assert event_uid(assignments[0], here) == f"assignment-{assignments[0].id}@{here}"
    assert event_uid(assignments[0], "ffff.other.example.org") != event_uid(assignments[0], here)
    again = assignments_calendar(assignments, district, PROD_ID, name="Touchpoint: Duval", uid_domain=here)
    assert again == data  # stable


def test_a_finished_assignment_is_marked_done_and_free_time(
    assignments: list[Assignment], district: District
) -> None:
    finished, still_open = assignments
    data = assignments_calendar(assignments, district, PROD_ID, done={finished.id})
    events = {str(event["UID"]): event for event in _events(data)}
    done_event, open_event = events[event_uid(finished)], events[event_uid(still_open)]
    assert str(done_event["SUMMARY"]).startswith("Done: ") and str(done_event["TRANSP"]) == "TRANSPARENT"
    assert not str(open_event["SUMMARY"]).startswith("Done") and str(open_event["TRANSP"]) == "OPAQUE"


def test_times_are_the_slot_on_the_due_day_in_the_districts_zone_written_in_utc(
    assignments: list[Assignment], district: District
) -> None:
    data = assignments_calendar(assignments, district, PROD_ID)
    by_uid = {str(event["UID"]): event for event in _events(data)}
    for assignment in assignments:
        event = by_uid[event_uid(assignment)]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.tzinfo is not None and start.utcoffset().total_seconds() == 0
        # February in New York is UTC-5.
        expected = {
            Slot.EARLY_MORNING: (time(12, 30), time(14, 0)),  # cut to the school day: 07:30–09:00
            Slot.MORNING: (time(14, 0), time(16, 0)),
            Slot.MIDDAY: (time(16, 0), time(18, 0)),
            Slot.AFTERNOON: (time(18, 0), time(21, 0)),  # 13:00–16:00
        }[assignment.slot]
        assert (start.date(), start.time(), end.time()) == (assignment.due_day, *expected)
        assert event.decoded("DTSTAMP") == assignment.created_at.replace(microsecond=0)
    assert b"DTSTART:" in data and b"Z\r\n" in data  # UTC with Z, no TZID to resolve
    assert b"TZID" not in data


def test_summary_and_description_say_where_and_what_but_never_how(
    assignments: list[Assignment], district: District
) -> None:
    data = assignments_calendar(assignments, district, PROD_ID)
    by_channel = {a.channel: a for a in assignments}
    events = {str(event["UID"]): event for event in _events(data)}
    phone = events[event_uid(by_channel[Channel.PHONE])]
    assert str(phone["SUMMARY"]) == "Phone call: ABESS PARK ELEMENTARY SCHOOL"
    description = str(phone["DESCRIPTION"])
    address = "12731 Abess Blvd, Jacksonville, FL 32225"
    for text in ("Phone call", "+19042201260", "abess@example.org", address, "Enrolling a new student"):
        assert text in description, text
    assert "Round: Spring round" in description
    visit = events[event_uid(by_channel[Channel.VISIT])]
    assert str(visit["SUMMARY"]) == "Front-office visit: ABESS PARK ELEMENTARY SCHOOL"
    assert str(visit["LOCATION"]) == "12731 Abess Blvd, Jacksonville, FL 32225"
    assert "LOCATION" not in phone
    for secret in (SECRET_SCRIPT, SECRET_PERSONA, SECRET_ANSWER, "SECRET"):
        assert secret.encode() not in data
        assert secret not in data.decode()


def test_an_empty_feed_is_still_a_calendar(district: District) -> None:
    data = assignments_calendar([], district, PROD_ID)
    assert _events(data) == []
    assert Calendar.from_ical(data)["X-WR-CALNAME"] == "Touchpoint assignments"


def test_dst_is_taken_from_the_day(
    assignments: list[Assignment], district: District, session: Session
) -> None:
    assignment = assignments[0]
    assignment.due_day = date(2027, 7, 6)  # summer: UTC-4
    assignment.slot = Slot.MORNING
    event = _events(assignments_calendar([assignment], district, PROD_ID))[0]
    assert event.decoded("DTSTART").time() == time(13, 0)
    session.rollback()
