"""Following a round's assignments: the progress board, filtered lists and an auditor's own list.

Every figure comes from grouped SQL, never from a loop of queries per school.
An assignment counts as submitted or approved by the status of its latest
attempt; it is overdue when its due day has passed in the district's timezone
and it is not done (``audits.fieldwork.status.assignment_done``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from audits.fieldwork.status import assignment_done
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactStatus,
    District,
    Round,
    RoundStatus,
    School,
    Slot,
    User,
)

# The statuses in which an auditor works on a round's assignments.
OPEN_STATUSES = (RoundStatus.SCHEDULED, RoundStatus.IN_FIELD)
# Slots in the order of the day (their stored names sort alphabetically, not by time).
SLOT_ORDER = case({slot: position for position, slot in enumerate(Slot)}, value=Assignment.slot)


def district_today(district: District) -> date:
    """Today's date in ``district``'s timezone."""
    return datetime.now(ZoneInfo(district.timezone)).date()


@dataclass(frozen=True)
class RoundSummary:
    """A round in the round list, with how many contacts it has planned."""

    round: Round
    assignments: int


def rounds_overview(session: Session, district_id: int | None) -> list[RoundSummary]:
    """A district's rounds (every district's for ``None``), newest window first, in two queries."""
    stmt = select(Round).options(selectinload(Round.channels), joinedload(Round.district))
    counts = select(Assignment.round_id, func.count()).group_by(Assignment.round_id)
    if district_id is not None:
        stmt = stmt.where(Round.district_id == district_id)
        counts = counts.join(Round, Round.id == Assignment.round_id).where(Round.district_id == district_id)
    rounds = session.scalars(stmt.order_by(Round.first_day.desc(), Round.id.desc())).unique()
    planned: dict[int, int] = dict(session.execute(counts).tuples().all())
    return [RoundSummary(round_, planned.get(round_.id, 0)) for round_ in rounds]


@dataclass(frozen=True)
class ProgressRow:
    """One school on one channel of a round."""

    school_id: int
    school_name: str
    channel: Channel
    assigned: int
    overdue: int
    submitted: int = 0
    approved: int = 0


@dataclass(frozen=True)
class ProgressTotals:
    """The board's bottom line."""

    assigned: int = 0
    overdue: int = 0
    submitted: int = 0
    approved: int = 0
    schools: int = 0


def round_progress(session: Session, round_: Round, today: date | None = None) -> list[ProgressRow]:
    """Assigned, overdue, submitted and approved contacts per school and channel, by name, in one query.

    Each assignment counts once, by its latest attempt: submitted while that
    attempt waits for review, approved once a reviewer approved it.
    """
    today = today or district_today(round_.district)
    latest, later = aliased(Contact), aliased(Contact)
    newest = select(func.max(later.attempt)).where(later.assignment_id == Assignment.id).scalar_subquery()

    def tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(
        select(
            School.id,
            School.name,
            Assignment.channel,
            func.count(Assignment.id),
            tally(and_(Assignment.due_day < today, ~assignment_done())),
            tally(latest.status == ContactStatus.SUBMITTED),
            tally(latest.status == ContactStatus.APPROVED),
        )
        .join(School, School.id == Assignment.school_id)
        .outerjoin(latest, and_(latest.assignment_id == Assignment.id, latest.attempt == newest))
        .where(Assignment.round_id == round_.id)
        .group_by(School.id, School.name, Assignment.channel)
        .order_by(School.name, School.id, Assignment.channel)
    )
    return [
        ProgressRow(school_id, name, Channel(channel), assigned, late, submitted, approved)
        for school_id, name, channel, assigned, late, submitted, approved in rows
    ]


def progress_totals(rows: Sequence[ProgressRow]) -> ProgressTotals:
    """Add up the board's rows."""
    return ProgressTotals(
        assigned=sum(row.assigned for row in rows),
        overdue=sum(row.overdue for row in rows),
        submitted=sum(row.submitted for row in rows),
        approved=sum(row.approved for row in rows),
        schools=len({row.school_id for row in rows}),
    )


@dataclass(frozen=True)
class AssignmentFilter:
    """Narrowing a round's assignment list; ``None`` leaves a criterion out."""

    auditor_id: int | None = None
    school_id: int | None = None
    channel: Channel | None = None
    day: date | None = None


def _with_details(stmt: Select[tuple[Assignment]]) -> Select[tuple[Assignment]]:
    return stmt.options(
        joinedload(Assignment.school),
        joinedload(Assignment.scenario),
        joinedload(Assignment.auditor),
        joinedload(Assignment.round),
    ).order_by(Assignment.due_day, SLOT_ORDER, Assignment.id)


def round_assignments(
    session: Session, round_: Round, where: AssignmentFilter | None = None
) -> list[Assignment]:
    """A round's assignments by due day and slot, with school, scenario and auditor loaded."""
    where = where or AssignmentFilter()
    stmt = select(Assignment).where(Assignment.round_id == round_.id)
    if where.auditor_id is not None:
        stmt = stmt.where(Assignment.auditor_id == where.auditor_id)
    if where.school_id is not None:
        stmt = stmt.where(Assignment.school_id == where.school_id)
    if where.channel is not None:
        stmt = stmt.where(Assignment.channel == where.channel)
    if where.day is not None:
        stmt = stmt.where(Assignment.due_day == where.day)
    return list(session.scalars(_with_details(stmt)))


def open_assignments(session: Session, user: User, limit: int | None = None) -> list[Assignment]:
    """``user``'s assignments in scheduled or in-field rounds, by due day and slot."""
    stmt = (
        select(Assignment)
        .join(Round, Round.id == Assignment.round_id)
        .where(Assignment.auditor_id == user.id, Round.status.in_(OPEN_STATUSES))
    )
    stmt = _with_details(stmt)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def upcoming_assignments(session: Session, user: User, limit: int = 5) -> list[Assignment]:
    """The next ``limit`` assignments ``user`` has to do, overdue ones first."""
    return open_assignments(session, user, limit)


@dataclass(frozen=True)
class DueGroup:
    """Assignments under one heading of an auditor's list."""

    title: str
    assignments: list[Assignment]


def due_groups(
    assignments: Sequence[Assignment], today: date, done: Collection[int] = frozenset()
) -> list[DueGroup]:
    """Sort an auditor's assignments under Overdue, Today, This week, Later and Done (empty groups left out).

    ``done`` holds the ids of assignments with nothing left to do; they go under
    Done whatever their due day. On a weekend, "This week" is the school week ahead.
    """
    next_monday = today + timedelta(days=7 - today.weekday())
    if today.weekday() >= 5:
        next_monday += timedelta(days=7)
    groups: dict[str, list[Assignment]] = {
        "Overdue": [],
        "Today": [],
        "This week": [],
        "Later": [],
        "Done": [],
    }
    for assignment in assignments:
        if assignment.id in done:
            groups["Done"].append(assignment)
        elif assignment.due_day < today:
            groups["Overdue"].append(assignment)
        elif assignment.due_day == today:
            groups["Today"].append(assignment)
        elif assignment.due_day < next_monday:
            groups["This week"].append(assignment)
        else:
            groups["Later"].append(assignment)
    return [DueGroup(title, items) for title, items in groups.items() if items]
