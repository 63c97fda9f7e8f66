"""Reminders to auditors: open assignments due on the next school day, and overdue ones.

Each district has its own "today": the moment converted to the district's
timezone. Reminders go out on the district's school days only (weekdays that are
not closures), so on a Friday the auditor hears about Monday's contacts, and
nobody is reminded over a weekend or a break. ``ReminderLog`` records what was
sent, so each reminder goes out at most once a day, however often this runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from audits.fieldwork.status import assignment_done
from audits.models import (
    Assignment,
    Channel,
    District,
    ReminderKind,
    ReminderLog,
    Role,
    Round,
    RoundStatus,
    School,
    Slot,
    User,
)

# Rounds whose assignments are worth a reminder: planned, or in the field.
REMINDABLE_STATUSES = (RoundStatus.SCHEDULED, RoundStatus.IN_FIELD)
# How far ahead the next school day is looked for (a long break is shorter than this).
MAX_DAYS_AHEAD = 366
SLOT_ORDER = {slot: position for position, slot in enumerate(Slot)}


@dataclass(frozen=True)
class Reminder:
    """One assignment an auditor is reminded of, with what the email shows about it."""

    assignment_id: int
    kind: ReminderKind
    auditor_id: int
    auditor_email: str
    auditor_name: str
    school_name: str
    channel: Channel
    due_day: date
    slot: Slot
    district_id: int
    today: date  # the district's local day the reminder is for (``ReminderLog.sent_on``)


@dataclass
class AuditorReminders:
    """Everything one auditor is reminded of at once: the contents of one email."""

    auditor_id: int
    email: str
    name: str
    due_soon: list[Reminder] = field(default_factory=list)
    overdue: list[Reminder] = field(default_factory=list)

    @property
    def reminders(self) -> list[Reminder]:
        """Every reminder of this auditor, due-soon first."""
        return self.due_soon + self.overdue


@dataclass(frozen=True)
class DistrictDay:
    """A district's local today and the school day after it."""

    today: date
    next_school_day: date


def open_assignments_clause() -> ColumnElement[bool]:
    """The SQL condition that an assignment is still open (see ``audits.fieldwork.status``)."""
    return ~assignment_done()


def local_today(timezone: str, now: datetime) -> date:
    """The calendar day it is at ``now`` (timezone-aware) in ``timezone``."""
    return local_time(timezone, now).date()


def local_time(timezone: str, now: datetime) -> datetime:
    """``now`` (timezone-aware) as a wall-clock time in ``timezone``."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: reminders need a timezone-aware moment")
    return now.astimezone(ZoneInfo(timezone))


def next_school_day(day: date, closed: Iterable[date]) -> date:
    """The first weekday after ``day`` that is not in ``closed``."""
    closed = set(closed)
    for offset in range(1, MAX_DAYS_AHEAD + 1):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() < 5 and candidate not in closed:
            return candidate
    raise ValueError(f"no school day within {MAX_DAYS_AHEAD} days after {day}")


def district_days(
    session: Session, now: datetime, not_before_hour: int | None = None
) -> dict[int, DistrictDay]:
    """Today and the next school day of each district to remind now, by district id.

    Only districts with a scheduled or in-field round count, and only on their
    school days; with ``not_before_hour``, only once that local hour has come.
    Two queries: the districts, then all their closures.
    """
    districts = session.scalars(
        select(District)
        .where(District.id.in_(select(Round.district_id).where(Round.status.in_(REMINDABLE_STATUSES))))
        .options(selectinload(District.closures))
    )
    days = {}
    for district in districts:
        moment = local_time(district.timezone, now)
        closed = {closure.day for closure in district.closures}
        today = moment.date()
        if today.weekday() >= 5 or today in closed:
            continue
        if not_before_hour is not None and moment.hour < not_before_hour:
            continue
        days[district.id] = DistrictDay(today, next_school_day(today, closed))
    return days


def due_reminders(session: Session, now: datetime, not_before_hour: int | None = None) -> list[Reminder]:
    """Every reminder to send at ``now`` (timezone-aware) that has not been sent today.

    An open assignment of a scheduled or in-field round, held by an active
    auditor, is due soon when its due day is its district's next school day and
    overdue when its due day is before the district's today. Reminders are ordered
    by due day, slot and school. Four queries, however many assignments.
    """
    days = district_days(session, now, not_before_hour)
    if not days:
        return []
    rows = session.execute(
        select(
            Assignment.id,
            Assignment.auditor_id,
            User.email,
            User.name,
            School.name,
            Assignment.channel,
            Assignment.due_day,
            Assignment.slot,
            Round.district_id,
        )
        .join(Round, Assignment.round_id == Round.id)
        .join(School, Assignment.school_id == School.id)
        .join(User, Assignment.auditor_id == User.id)
        .where(
            Round.status.in_(REMINDABLE_STATUSES),
            Round.district_id.in_(list(days)),
            User.active.is_(True),
            User.role == Role.AUDITOR,
            Assignment.due_day <= max(day.next_school_day for day in days.values()),
            open_assignments_clause(),
        )
    )
    sent = set(
        session.execute(
            select(ReminderLog.assignment_id, ReminderLog.kind, ReminderLog.sent_on).where(
                ReminderLog.sent_on.in_({day.today for day in days.values()})
            )
        ).tuples()
    )
    reminders = []
    for assignment_id, auditor_id, email, name, school, channel, due_day, slot, district_id in rows:
        day = days[district_id]
        if due_day == day.next_school_day:
            kind = ReminderKind.DUE_TOMORROW
        elif due_day < day.today:
            kind = ReminderKind.OVERDUE
        else:
            continue
        if (assignment_id, kind, day.today) in sent:
            continue
        reminders.append(
            Reminder(
                assignment_id=assignment_id,
                kind=kind,
                auditor_id=auditor_id,
                auditor_email=email,
                auditor_name=name,
                school_name=school,
                channel=channel,
                due_day=due_day,
                slot=slot,
                district_id=district_id,
                today=day.today,
            )
        )
    reminders.sort(key=lambda r: (r.due_day, SLOT_ORDER[r.slot], r.school_name, r.assignment_id))
    return reminders


def group_by_auditor(reminders: Iterable[Reminder]) -> dict[int, AuditorReminders]:
    """The reminders of each auditor, by auditor id, so that each auditor gets one email."""
    groups: dict[int, AuditorReminders] = {}
    for reminder in reminders:
        group = groups.get(reminder.auditor_id)
        if group is None:
            group = groups[reminder.auditor_id] = AuditorReminders(
                reminder.auditor_id, reminder.auditor_email, reminder.auditor_name or reminder.auditor_email
            )
        (group.due_soon if reminder.kind is ReminderKind.DUE_TOMORROW else group.overdue).append(reminder)
    return groups


def record_sent(session: Session, reminders: Iterable[Reminder]) -> None:
    """Log ``reminders`` as sent on their district's today, so they are not sent again. The caller commits."""
    session.add_all(
        ReminderLog(assignment_id=reminder.assignment_id, kind=reminder.kind, sent_on=reminder.today)
        for reminder in reminders
    )
