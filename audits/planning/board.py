"""The progress board of a round: where each assignment stands, one row per school, and the counts.

Every assignment has one status on a given day, read from its latest attempt in SQL
(``status_of``): approved, waiting for review, returned to its auditor, overdue, due
today or due later. A contact the reviewer returned (or reopened) counts as returned
whatever its due day, since its auditor has a note to act on; an assignment is done once
it is approved or waits for review (``audits.fieldwork.status.assignment_done``). The
board reads a whole round in one query; the leader's home counts every open round's
statuses in one grouped query (``status_counts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from audits.fieldwork.status import assignment_done
from audits.models import Assignment, Channel, Contact, ContactStatus, Round, School, User


class BoardStatus(StrEnum):
    """Where an assignment stands on the board, in the order the board lists them."""

    APPROVED = "approved"
    REVIEW = "review"
    RETURNED = "returned"
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    LATER = "later"

    @property
    def label(self) -> str:
        """The status as a leader reads it."""
        return STATUS_LABELS[self]

    @property
    def done(self) -> bool:
        """Whether the auditor's part is done (approved, or waiting for a reviewer)."""
        return self in DONE


STATUS_LABELS = {
    BoardStatus.APPROVED: "Approved",
    BoardStatus.REVIEW: "Waiting for review",
    BoardStatus.RETURNED: "Returned to auditor",
    BoardStatus.OVERDUE: "Overdue",
    BoardStatus.DUE_TODAY: "Due today",
    BoardStatus.LATER: "Due later",
}
DONE = frozenset({BoardStatus.APPROVED, BoardStatus.REVIEW})
# The filter that asks for every done assignment, beside the statuses themselves.
DONE_FILTER = "done"


def _latest_contact() -> tuple[type[Contact], ColumnElement[bool]]:
    """An alias of Contact and the join condition that picks each assignment's latest attempt."""
    latest, later = aliased(Contact), aliased(Contact)
    newest = select(func.max(later.attempt)).where(later.assignment_id == Assignment.id).scalar_subquery()
    return latest, and_(latest.assignment_id == Assignment.id, latest.attempt == newest)


def status_of(latest: type[Contact], today: date) -> ColumnElement[str]:
    """The SQL value of an assignment's ``BoardStatus`` on ``today``, given its latest attempt ``latest``.

    ``latest`` must be outer-joined to ``Assignment`` (its columns are NULL without a contact).
    """
    returned = latest.status.in_((ContactStatus.RETURNED, ContactStatus.REOPENED))
    done = assignment_done()
    return case(
        (returned, BoardStatus.RETURNED.value),
        (and_(done, latest.status == ContactStatus.APPROVED), BoardStatus.APPROVED.value),
        (done, BoardStatus.REVIEW.value),
        (Assignment.due_day < today, BoardStatus.OVERDUE.value),
        (Assignment.due_day == today, BoardStatus.DUE_TODAY.value),
        else_=BoardStatus.LATER.value,
    )


def status_counts(
    session: Session, round_ids: Iterable[int], today: date
) -> dict[int, dict[BoardStatus, int]]:
    """How many assignments of each round stand in each status on ``today``, by round id (one query).

    Every status is present in each round's counts, zero when none stands in it.
    """
    ids = list(round_ids)
    counts = {round_id: dict.fromkeys(BoardStatus, 0) for round_id in ids}
    if not ids:
        return counts
    latest, joined = _latest_contact()
    status = status_of(latest, today).label("status")
    rows = session.execute(
        select(Assignment.round_id, status, func.count())
        .outerjoin(latest, joined)
        .where(Assignment.round_id.in_(ids))
        .group_by(Assignment.round_id, status)
    )
    for round_id, value, count in rows:
        counts[round_id][BoardStatus(value)] = count
    return counts


@dataclass(frozen=True)
class BoardEntry:
    """One assignment on the board: its status and what the leader needs to follow it up.

    ``contact_id`` is the latest attempt an auditor submitted (``None`` before the first
    submission: the assignment is then followed on the round's assignment list).
    """

    assignment_id: int
    school_id: int
    channel: Channel
    sequence: int
    auditor_id: int
    auditor_name: str
    due_day: date
    status: BoardStatus
    attempt: int = 0
    unreached: bool = False
    draft: bool = False
    contact_id: int | None = None


@dataclass(frozen=True)
class BoardRow:
    """One school of the round: its assignments, by channel."""

    school_id: int
    school_name: str
    cells: dict[Channel, list[BoardEntry]]


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows: a status (or ``"done"``), a channel, an auditor, words of a school's name.

    ``None`` (or empty words) leaves a criterion out.
    """

    status: str | None = None
    channel: Channel | None = None
    auditor_id: int | None = None
    school_text: str = ""

    def statuses(self) -> frozenset[BoardStatus] | None:
        """The statuses the status filter lets through (``None``: every one)."""
        if self.status == DONE_FILTER:
            return DONE
        if self.status is not None and self.status in BoardStatus._value2member_map_:
            return frozenset({BoardStatus(self.status)})
        return None

    @property
    def narrowed(self) -> bool:
        """Whether any criterion is set."""
        return bool(self.statuses() or self.channel or self.auditor_id or self.school_text.strip())


@dataclass
class Board:
    """A round's progress board as filtered: the channels shown (``round_channels``: every channel of the
    round), its rows, and counts per status before the status filter.

    ``counts`` and ``total`` take every criterion but the status into account, so that each
    count says how many the board would show with that status chosen.
    """

    channels: list[Channel]
    rows: list[BoardRow]
    round_channels: list[Channel] = field(default_factory=list)
    counts: dict[BoardStatus, int] = field(default_factory=dict)
    total: int = 0
    shown: int = 0
    auditors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        """Assignments approved or waiting for review, among those counted."""
        return sum(self.counts.get(status, 0) for status in DONE)


def _entries(session: Session, round_: Round, today: date) -> list[tuple[str, BoardEntry]]:
    """Every assignment of the round as a board entry with its school's name, in one query."""
    latest, joined = _latest_contact()
    submitted = aliased(Contact)
    last_submitted = (
        select(func.max(submitted.id))
        .where(submitted.assignment_id == Assignment.id, submitted.submitted_at.is_not(None))
        .scalar_subquery()
    )
    draft_saved = and_(latest.status == ContactStatus.DRAFT, latest.draft_saved_at.is_not(None))
    rows = session.execute(
        select(
            Assignment.id,
            Assignment.school_id,
            School.name,
            Assignment.channel,
            Assignment.sequence,
            Assignment.auditor_id,
            func.coalesce(func.nullif(User.name, ""), User.email),
            Assignment.due_day,
            status_of(latest, today),
            func.coalesce(latest.attempt, 0),
            func.coalesce(latest.unreached, False),
            case((draft_saved, True), else_=False),
            last_submitted,
        )
        .join(School, School.id == Assignment.school_id)
        .join(User, User.id == Assignment.auditor_id)
        .outerjoin(latest, joined)
        .where(Assignment.round_id == round_.id)
        .order_by(School.name, School.id, Assignment.channel, Assignment.sequence)
    )
    return [
        (
            name,
            BoardEntry(
                assignment_id=assignment_id,
                school_id=school_id,
                channel=Channel(channel),
                sequence=sequence,
                auditor_id=auditor_id,
                auditor_name=auditor_name,
                due_day=due_day,
                status=BoardStatus(status),
                attempt=attempt,
                unreached=bool(unreached),
                draft=bool(draft),
                contact_id=contact_id,
            ),
        )
        for (assignment_id, school_id, name, channel, sequence, auditor_id, auditor_name, due_day, status,
             attempt, unreached, draft, contact_id) in rows
    ]  # fmt: skip


def progress_board(session: Session, round_: Round, today: date, where: BoardFilter | None = None) -> Board:
    """The round's progress board on ``today``: one row per school with an entry per assignment, filtered.

    A school is listed when one of its assignments passes every criterion; its cells hold
    only the assignments that pass. Schools come by name, channels in the round's order.
    """
    where = where or BoardFilter()
    entries = _entries(session, round_, today)
    channels = _round_channels(round_, entries)
    words = where.school_text.strip().casefold()
    wanted = where.statuses()
    counts = dict.fromkeys(BoardStatus, 0)
    rows: dict[int, BoardRow] = {}
    auditors: dict[int, str] = {}
    shown = 0
    for school_name, entry in entries:
        auditors[entry.auditor_id] = entry.auditor_name
        if where.channel is not None and entry.channel is not where.channel:
            continue
        if where.auditor_id is not None and entry.auditor_id != where.auditor_id:
            continue
        if words and words not in school_name.casefold():
            continue
        counts[entry.status] += 1
        if wanted is not None and entry.status not in wanted:
            continue
        shown += 1
        row = rows.get(entry.school_id)
        if row is None:
            row = rows[entry.school_id] = BoardRow(entry.school_id, school_name, {c: [] for c in channels})
        row.cells.setdefault(entry.channel, []).append(entry)
    return Board(
        channels=channels if where.channel is None else [where.channel],
        rows=list(rows.values()),
        round_channels=channels,
        counts=counts,
        total=sum(counts.values()),
        shown=shown,
        auditors=sorted(auditors.items(), key=lambda pair: (pair[1].casefold(), pair[0])),
    )


def _round_channels(round_: Round, entries: Sequence[tuple[str, BoardEntry]]) -> list[Channel]:
    """The round's channels in the usual order (phone, email, visit), with any an assignment has."""
    present = {row.channel for row in round_.channels} | {entry.channel for _, entry in entries}
    return [channel for channel in Channel if channel in present]
