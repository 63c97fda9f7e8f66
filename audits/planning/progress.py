"""Following a round's assignments: the round list, filtered assignment lists and an auditor's own list.

The progress board, one row per school with each assignment's status, is ``audits.planning.board``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from audits.models import (
    Assignment,
    Channel,
    District,
    Round,
    RoundStatus,
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


@dataclass(frozen=True)
class DueGroup:
    """Assignments under one heading of an auditor's list: ``key`` says which (``later`` groups are weeks)."""

    title: str
    assignments: list[Assignment]
    key: str = ""


def _week_words(monday: date) -> str:
    return f"Week of {monday:%A, %B} {monday.day}"


def due_groups(
    assignments: Sequence[Assignment],
    today: date,
    done: Collection[int] = frozenset(),
    returned: Collection[int] = frozenset(),
    next_day: date | None = None,
) -> list[DueGroup]:
    """An auditor's assignments in the order to do them; empty groups left out.

    Returned to you (a reviewer sent it back or reopened it: ``returned``), Overdue, Due today, Next
    school day (``next_day``; the next weekday when not given), then Later, one group per week
    (``key`` "later"), and Done last (``done``: nothing left to do, whatever the due day).
    """
    if next_day is None:
        next_day = today + timedelta(days=1)
        while next_day.weekday() >= 5:
            next_day += timedelta(days=1)
    fixed: dict[str, list[Assignment]] = {"returned": [], "overdue": [], "today": [], "next": []}
    weeks: dict[date, list[Assignment]] = {}
    finished: list[Assignment] = []
    for assignment in assignments:
        if assignment.id in done:
            finished.append(assignment)
        elif assignment.id in returned:
            fixed["returned"].append(assignment)
        elif assignment.due_day < today:
            fixed["overdue"].append(assignment)
        elif assignment.due_day == today:
            fixed["today"].append(assignment)
        elif assignment.due_day <= next_day:
            fixed["next"].append(assignment)
        else:
            monday = assignment.due_day - timedelta(days=assignment.due_day.weekday())
            weeks.setdefault(monday, []).append(assignment)
    titles = {
        "returned": "Returned to you",
        "overdue": "Overdue",
        "today": "Due today",
        "next": f"Next school day: {next_day:%A, %B} {next_day.day}",
    }
    groups = [DueGroup(titles[key], items, key) for key, items in fixed.items() if items]
    groups += [DueGroup(_week_words(monday), weeks[monday], "later") for monday in sorted(weeks)]
    if finished:
        groups.append(DueGroup("Done", finished, "done"))
    return groups


def next_up(groups: Sequence[DueGroup], limit: int = 5) -> list[Assignment]:
    """The first ``limit`` assignments still to do, in the order of ``due_groups`` (done work left out)."""
    return [assignment for group in groups if group.key != "done" for assignment in group.assignments][:limit]
