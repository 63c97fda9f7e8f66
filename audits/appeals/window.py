"""The appeal window: from the day a school's scorecard is published, for the district's school days.

A district sets how many school days its principals have (``District.appeal_window_days``, 10
unless it changes it; 0 turns appeals off). Counted on the district's calendar (weekends and
closures skipped, ``audits.businesshours``): a scorecard published on a Monday with a window of
10 school days may be queried until the end of the Monday two weeks later, in the district's
timezone. A scorecard published again after being unpublished opens a new window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar, next_school_day
from audits.errors import ValidationError
from audits.models import District, Round, School, Scorecard

DEFAULT_SCHOOL_DAYS = 10
MAX_SCHOOL_DAYS = 60


@dataclass(frozen=True)
class AppealWindow:
    """When a school may query the answers of one published scorecard, seen from ``today``."""

    published_on: date  # the district's date the scorecard was published
    last_day: date  # the last day an answer may be queried (through its end, the district's time)
    school_days: int  # the district's window
    today: date

    @property
    def open(self) -> bool:
        """Whether an answer may be queried today."""
        return self.school_days > 0 and self.published_on <= self.today <= self.last_day

    @property
    def closed(self) -> bool:
        """Whether the window has passed (or appeals are off in the district)."""
        return not self.open


def last_appeal_day(calendar: BusinessCalendar, published_on: date, school_days: int) -> date:
    """The ``school_days``-th school day after ``published_on`` (``published_on`` itself for 0)."""
    day = published_on
    for _ in range(max(school_days, 0)):
        day = next_school_day(calendar, day)
    return day


def window_of(card: Scorecard, district: District, today: date) -> AppealWindow | None:
    """The window of ``card`` (``None`` while it is not published)."""
    if card.published_at is None:
        return None
    calendar = BusinessCalendar.of(district)
    published_on = calendar.local_day(card.published_at)
    days = district.appeal_window_days
    return AppealWindow(published_on, last_appeal_day(calendar, published_on, days), days, today)


def published_scorecard(session: Session, school: School, round_: Round) -> Scorecard | None:
    """The school's published scorecard of ``round_``, if there is one."""
    return session.scalar(
        select(Scorecard).where(
            Scorecard.round_id == round_.id,
            Scorecard.school_id == school.id,
            Scorecard.published_at.is_not(None),
        )
    )


def appeal_window(session: Session, school: School, round_: Round, today: date) -> AppealWindow | None:
    """When ``school`` may query answers of its ``round_`` scorecard, seen from ``today`` (the
    district's date); ``None`` while that scorecard is not published."""
    card = published_scorecard(session, school, round_)
    return window_of(card, round_.district, today) if card is not None else None


def parse_window_days(text: str) -> int:
    """A window typed in a form (``"10"``): whole school days from 0 (appeals off) to ``MAX_SCHOOL_DAYS``."""
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError("appeal_window_days", "enter a number of school days, for example 10")
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise ValidationError("appeal_window_days", "enter a whole number of school days, for example 10")
    days = int(cleaned[:6])
    if days > MAX_SCHOOL_DAYS:
        raise ValidationError(
            "appeal_window_days", f"enter at most {MAX_SCHOOL_DAYS} school days (0 turns appeals off)"
        )
    return days
