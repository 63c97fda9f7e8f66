"""Closing a round, and reopening one closed by mistake.

Closing ends fieldwork: no assignment can be started or retried any more. ``closing_preview``
says beforehand exactly what closing stops (the assignments nobody has started, each with its
school, channel, day and auditor) and what stays (contacts recorded, contacts waiting for
review). ``close_round`` closes the round and keeps, in its history, the assignments it closed
unstarted as they were. An administrator may reopen a round closed by mistake
(``reopen_round``), saying why: the round is in the field again, and the assignments it closed
unstarted are open again with the auditor, day and slot they had. Both steps are also written
to the audit log. Functions flush; the caller commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from audits import audit_log
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.locking import lock
from audits.models import (
    Assignment,
    Channel,
    ClosedAssignment,
    Contact,
    ContactStatus,
    Role,
    Round,
    RoundEvent,
    RoundStatus,
    Scenario,
    School,
    Slot,
    User,
)
from audits.planning.progress import SLOT_ORDER
from audits.planning.rounds import ensure_seen_round, ensure_status, move_round, record_move

MAX_REASON_LENGTH = 1000
# Contacts an auditor still has in hand: not submitted yet, or sent back to them.
IN_HAND = (ContactStatus.DRAFT, ContactStatus.RETURNED, ContactStatus.REOPENED)


def unstarted_assignments(session: Session, round_: Round) -> list[Assignment]:
    """The round's assignments nobody has started (no contact at all), by day, slot and school."""
    started = select(Contact.id).where(Contact.assignment_id == Assignment.id).exists()
    return list(
        session.scalars(
            select(Assignment)
            .join(School, School.id == Assignment.school_id)
            .where(Assignment.round_id == round_.id, ~started)
            .options(
                joinedload(Assignment.school),
                joinedload(Assignment.scenario),
                joinedload(Assignment.auditor),
            )
            .order_by(Assignment.due_day, SLOT_ORDER, School.name, Assignment.channel, Assignment.id)
        )
    )


def closed_assignment(assignment: Assignment) -> ClosedAssignment:
    """An unstarted assignment as a close keeps it: who does it, on which day, in which slot."""
    return {
        "id": assignment.id,
        "auditor_id": assignment.auditor_id,
        "due_day": assignment.due_day.isoformat(),
        "slot": assignment.slot.value,
    }


def _split(assignments: list[Assignment], today: date) -> tuple[list[Assignment], list[Assignment]]:
    """Assignments whose day has passed, and those due today or later."""
    return (
        [assignment for assignment in assignments if assignment.due_day < today],
        [assignment for assignment in assignments if assignment.due_day >= today],
    )


@dataclass(frozen=True)
class ClosingPreview:
    """What closing a round would do, for the leader to read before confirming.

    ``unstarted``: the assignments nobody has started, which closing ends; ``in_hand``: contacts
    not yet submitted (drafts, returned or reopened ones); ``waiting_review``: submitted contacts,
    which stay in the review queue; ``approved``: contacts that count.
    """

    round: Round
    today: date
    unstarted: list[Assignment]
    in_hand: int
    waiting_review: int
    approved: int

    @property
    def overdue(self) -> list[Assignment]:
        """Unstarted assignments whose day has already passed."""
        return _split(self.unstarted, self.today)[0]

    @property
    def upcoming(self) -> list[Assignment]:
        """Unstarted assignments due today or later: the work closing cuts short."""
        return _split(self.unstarted, self.today)[1]

    @property
    def auditors(self) -> int:
        """How many auditors lose at least one assignment."""
        return len({assignment.auditor_id for assignment in self.unstarted})


def closing_preview(session: Session, round_: Round, today: date) -> ClosingPreview:
    """What closing ``round_`` on ``today`` (the district's date) would end and what it would keep."""
    counts: Counter[ContactStatus] = Counter(
        dict(
            session.execute(
                select(Contact.status, func.count(Contact.id))
                .join(Assignment, Assignment.id == Contact.assignment_id)
                .where(Assignment.round_id == round_.id)
                .group_by(Contact.status)
            )
            .tuples()
            .all()
        )
    )
    return ClosingPreview(
        round=round_,
        today=today,
        unstarted=unstarted_assignments(session, round_),
        in_hand=sum(counts[status] for status in IN_HAND),
        waiting_review=counts[ContactStatus.SUBMITTED],
        approved=counts[ContactStatus.APPROVED],
    )


def close_round(session: Session, round_: Round, actor: User | None, seen: int | None = None) -> RoundEvent:
    """Close a round in the field: fieldwork ends; the unstarted assignments are kept in its history.

    ``seen``: the revision the leader's confirmation page showed (a round changed since is not
    closed); ``actor``: who closes it (``None``: the command line).
    """
    lock(session, round_)
    ensure_seen_round(round_, seen)
    ensure_status(round_, RoundStatus.IN_FIELD)
    unstarted = unstarted_assignments(session, round_)
    event = move_round(session, round_, RoundStatus.CLOSED, seen, actor)
    event.assignments = [closed_assignment(assignment) for assignment in unstarted]
    audit_log.record(
        session,
        actor,
        audit_log.ROUND_CLOSED,
        district=round_.district,
        round=round_.name,
        unstarted_assignments_closed=len(unstarted),
    )
    session.flush()
    return event


def last_close(session: Session, round_: Round) -> RoundEvent | None:
    """The move that closed ``round_`` most recently, if its history has one."""
    return session.scalar(
        select(RoundEvent)
        .where(RoundEvent.round_id == round_.id, RoundEvent.to_status == RoundStatus.CLOSED)
        .order_by(RoundEvent.at.desc(), RoundEvent.id.desc())
        .limit(1)
    )


def _kept(session: Session, round_: Round) -> list[ClosedAssignment]:
    """What the last close kept of the unstarted assignments (a round closed before it kept them: now)."""
    closing = last_close(session, round_)
    if closing is not None and closing.assignments:
        return list(closing.assignments)
    return [closed_assignment(assignment) for assignment in unstarted_assignments(session, round_)]


@dataclass(frozen=True)
class ReopenedAssignment:
    """An assignment reopening puts back, as the close kept it: its auditor, day and slot then."""

    assignment: Assignment
    auditor: User
    due_day: date
    slot: Slot

    @property
    def auditor_id(self) -> int:
        """The id of the auditor it goes back to."""
        return self.auditor.id

    @property
    def school(self) -> School:
        """The school it is for."""
        return self.assignment.school

    @property
    def channel(self) -> Channel:
        """Its channel."""
        return self.assignment.channel

    @property
    def scenario(self) -> Scenario:
        """Its scenario."""
        return self.assignment.scenario


@dataclass(frozen=True)
class ReopeningPreview:
    """What reopening a closed round would put back, for the administrator to read before confirming."""

    round: Round
    today: date
    closed_by: RoundEvent | None
    assignments: list[ReopenedAssignment]

    @property
    def overdue(self) -> list[ReopenedAssignment]:
        """Assignments put back whose day has passed meanwhile: overdue as soon as the round reopens."""
        return [row for row in self.assignments if row.due_day < self.today]


def _assignments_of(session: Session, round_: Round, kept: list[ClosedAssignment]) -> list[Assignment]:
    """The round's assignments listed in ``kept`` that still exist and are still unstarted."""
    wanted = {entry["id"] for entry in kept}
    return [assignment for assignment in unstarted_assignments(session, round_) if assignment.id in wanted]


def reopening_preview(session: Session, round_: Round, today: date) -> ReopeningPreview:
    """The assignments reopening ``round_`` would open again, each as the close kept it, by day."""
    kept = _kept(session, round_)
    as_closed = {entry["id"]: entry for entry in kept}
    auditors = {
        user.id: user
        for user in session.scalars(select(User).where(User.id.in_({e["auditor_id"] for e in kept})))
    }
    rows = [
        ReopenedAssignment(
            assignment,
            auditors.get(as_closed[assignment.id]["auditor_id"], assignment.auditor),
            date.fromisoformat(as_closed[assignment.id]["due_day"]),
            Slot(as_closed[assignment.id]["slot"]),
        )
        for assignment in _assignments_of(session, round_, kept)
    ]
    order = list(Slot)
    return ReopeningPreview(
        round=round_,
        today=today,
        closed_by=last_close(session, round_),
        assignments=sorted(
            rows, key=lambda r: (r.due_day, order.index(r.slot), r.school.name, r.assignment.id)
        ),
    )


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise ValidationError("reason", "say why the round is reopened (what was closed by mistake)")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError("reason", f"keep the reason to {MAX_REASON_LENGTH} characters")
    return reason


def reopen_round(
    session: Session, round_: Round, actor: User, reason: str, seen: int | None = None
) -> RoundEvent:
    """Put a closed round back in the field, as an administrator, for ``reason``.

    The assignments its last close ended unstarted are open again with the auditor, due day
    and slot they had then. The reason is kept in the round's history and the audit log.
    ``seen``: the revision the administrator's confirmation page showed.
    """
    if actor.role is not Role.ADMIN or not actor.active:
        raise NotAllowedError(None, "only an administrator can reopen a closed round")
    text = _reason(reason)
    lock(session, round_)
    ensure_seen_round(round_, seen)
    if round_.status is RoundStatus.PUBLISHED:
        raise ConflictError(
            "status", "its scorecards are published: a published round cannot be reopened for fieldwork"
        )
    ensure_status(round_, RoundStatus.CLOSED)
    kept = _kept(session, round_)
    as_closed = {entry["id"]: entry for entry in kept}
    restored = _assignments_of(session, round_, kept)
    for assignment in restored:
        entry = as_closed[assignment.id]
        assignment.auditor_id = entry["auditor_id"]
        assignment.due_day = date.fromisoformat(entry["due_day"])
        assignment.slot = Slot(entry["slot"])
    event = record_move(session, round_, RoundStatus.IN_FIELD, actor, text)
    event.assignments = [closed_assignment(assignment) for assignment in restored]
    round_.status = RoundStatus.IN_FIELD
    round_.closed_at = None
    round_.revision += 1
    audit_log.record(
        session,
        actor,
        audit_log.ROUND_REOPENED,
        district=round_.district,
        round=round_.name,
        reason=text,
        assignments_reopened=len(restored),
    )
    session.flush()
    return event


def round_history(session: Session, round_: Round) -> list[RoundEvent]:
    """Every move of the round's status, newest first, with who made it."""
    return list(
        session.scalars(
            select(RoundEvent)
            .where(RoundEvent.round_id == round_.id)
            .options(joinedload(RoundEvent.actor))
            .order_by(RoundEvent.at.desc(), RoundEvent.id.desc())
        )
    )
