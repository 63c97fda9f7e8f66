"""A school's reply is due a number of school days after the message, on the district's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from audits.businesshours import BusinessCalendar
from audits.errors import ValidationError
from audits.mail.deadline import overdue, parse_deadline_days, reply_due, reply_status, school_day_hours
from audits.models import ReplyStatus

# 07:30-16:00 in New York (UTC-5 in January): 8.5 business hours a day.
CALENDAR = BusinessCalendar("America/New_York", time(7, 30), time(16, 0), frozenset({date(2027, 1, 18)}))


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    """A January 2027 moment in New York, as UTC."""
    return datetime(2027, 1, day, hour + 5, minute, tzinfo=UTC)


def test_two_school_days_after_a_morning_message_is_the_same_time_two_days_on() -> None:
    """Tuesday 09:14 + 2 school days = Thursday 09:14."""
    assert school_day_hours(CALENDAR) == 8.5
    assert reply_due(CALENDAR, _local(12, 9, 14), 2) == _local(14, 9, 14)


def test_weekends_and_closures_do_not_count() -> None:
    """Friday 15:00 + 2 school days skips the weekend and Monday's closure: Wednesday 15:00."""
    assert reply_due(CALENDAR, _local(15, 15), 2) == _local(20, 15)


def test_a_message_sent_after_hours_counts_from_the_next_opening() -> None:
    """Monday 18:00 (after hours) + 2 school days: the close of Wednesday."""
    assert reply_due(CALENDAR, _local(11, 18), 2) == _local(13, 16)
    with pytest.raises(ValueError, match="at least one school day"):
        reply_due(CALENDAR, _local(11, 18), 0)


def test_status_against_the_deadline() -> None:
    """Awaiting until the deadline, then no reply; a reply is received in time, or late."""
    due = _local(14, 9, 14)
    assert reply_status(due, None, _local(14, 9)) is ReplyStatus.AWAITING
    assert reply_status(due, None, _local(14, 10)) is ReplyStatus.NO_REPLY
    assert reply_status(due, _local(13, 11), _local(20, 10)) is ReplyStatus.RECEIVED
    assert reply_status(due, _local(15, 8), _local(20, 10)) is ReplyStatus.LATE
    assert overdue(due, None, _local(14, 10)) and not overdue(due, _local(15, 8), _local(14, 10))
    assert not overdue(None, None, _local(14, 10))


def test_a_district_sets_its_deadline_in_school_days() -> None:
    """Blank is 2; 1 to 20 whole school days; anything else is refused on its field."""
    assert parse_deadline_days("") == 2
    assert parse_deadline_days(" 5 ") == 5
    for bad in ("0", "21", "two", "1.5", "-1", "٣"):
        with pytest.raises(ValidationError) as refused:
            parse_deadline_days(bad)
        assert refused.value.field == "reply_deadline_school_days"
