"""When a school's reply to an email audit is due, and where a contact stands against it.

The deadline is a number of school days (the district's ``reply_deadline_school_days``, 2 unless
set) counted in business hours on the district's calendar (``audits.businesshours``): a message
sent on Tuesday at 09:14 with two school days is due on Thursday at 09:14; one sent after hours
counts from the next school day's opening, so it is due at the close of the second school day.
Weekends and closures count nothing. Flask-free: the sending and the mailbox poll both use it.
"""

from __future__ import annotations

from datetime import date, datetime

from audits.businesshours import BusinessCalendar, add_business_hours
from audits.errors import ValidationError
from audits.models import District, ReplyStatus

DEFAULT_SCHOOL_DAYS = 2
MAX_SCHOOL_DAYS = 20


def parse_deadline_days(text: str) -> int:
    """A deadline typed in a form (``"2"``): whole school days from 1 to ``MAX_SCHOOL_DAYS``; blank: 2."""
    cleaned = text.strip()
    if not cleaned:
        return DEFAULT_SCHOOL_DAYS
    if not (cleaned.isascii() and cleaned.isdigit()) or not 1 <= int(cleaned[:6]) <= MAX_SCHOOL_DAYS:
        raise ValidationError(
            "reply_deadline_school_days", f"enter a whole number of school days from 1 to {MAX_SCHOOL_DAYS}"
        )
    return int(cleaned)


def school_day_hours(calendar: BusinessCalendar) -> float:
    """The business hours of one school day on ``calendar`` (its opening to its close)."""
    start = calendar.day_start.hour * 60 + calendar.day_start.minute
    end = calendar.day_end.hour * 60 + calendar.day_end.minute
    return max(end - start, 0) / 60


def reply_due(calendar: BusinessCalendar, sent_at: datetime, school_days: int) -> datetime:
    """The moment a reply to a message sent at ``sent_at`` is due: ``school_days`` school days later."""
    if school_days < 1:
        raise ValueError("a reply deadline is at least one school day")
    return add_business_hours(calendar, sent_at, school_days * school_day_hours(calendar))


def district_reply_due(district: District, sent_at: datetime) -> datetime:
    """When a reply to a message sent at ``sent_at`` is due under ``district``'s calendar and deadline."""
    days = district.reply_deadline_school_days or DEFAULT_SCHOOL_DAYS
    return reply_due(BusinessCalendar.of(district), sent_at, days)


def reply_status(due_at: datetime, received_at: datetime | None, now: datetime) -> ReplyStatus:
    """Where a sent message stands at ``now``: awaiting, received (in time), late, or no reply."""
    if received_at is not None:
        return ReplyStatus.RECEIVED if received_at <= due_at else ReplyStatus.LATE
    return ReplyStatus.AWAITING if now <= due_at else ReplyStatus.NO_REPLY


def overdue(due_at: datetime | None, received_at: datetime | None, now: datetime) -> bool:
    """Whether a sent message's deadline has passed with no reply."""
    return due_at is not None and received_at is None and now > due_at


def due_day(calendar: BusinessCalendar, due_at: datetime) -> date:
    """The district's calendar date a reply is due on."""
    return calendar.local_day(due_at)
