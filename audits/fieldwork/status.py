"""Where assignments stand: when one counts as done, and each one's state as its auditor sees it.

"Done" is one SQL condition every query shares; the states are read from each
assignment's latest attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import can_retry
from audits.models import Assignment, Contact, ContactStatus, Outcome, ReviewAction, ReviewEvent
from audits.vocabulary import count_of

DONE_STATUSES = (ContactStatus.SUBMITTED, ContactStatus.APPROVED)


def assignment_done() -> ColumnElement[bool]:
    """True once an assignment has a submitted or approved contact that reached the school or is unreached.

    A failed attempt that still allows a retry leaves the assignment open; a
    returned or reopened contact is back with its auditor, so open too.
    """
    return exists().where(
        Contact.assignment_id == Assignment.id,
        Contact.status.in_(DONE_STATUSES),
        or_(Contact.outcome == Outcome.REACHED, Contact.unreached.is_(True)),
    )


@dataclass(frozen=True)
class AssignmentState:
    """Where an assignment stands for its auditor: a short key, its words, and a reviewer's note."""

    key: str
    label: str
    attempt: int = 0
    comment: str = ""

    @property
    def done(self) -> bool:
        """Whether the auditor has nothing left to do on the assignment (for now)."""
        return self.key in {"submitted", "approved", "unreached"}


def assignment_states(session: Session, assignments: Sequence[Assignment]) -> dict[int, AssignmentState]:
    """Each assignment's state by its id, from its latest attempt, in at most two queries.

    States: not started, draft, submitted, returned (with the reviewer's comment),
    approved, reopened (with the reason), unreached, and retry possible (the last
    attempt failed and the round allows another).
    """
    ids = [assignment.id for assignment in assignments]
    attempts: dict[int, list[Contact]] = {assignment_id: [] for assignment_id in ids}
    if ids:
        rows = session.scalars(
            select(Contact)
            .where(Contact.assignment_id.in_(ids))
            .order_by(Contact.assignment_id, Contact.attempt)
        )
        for contact in rows:
            attempts[contact.assignment_id].append(contact)
    notes = _review_notes(session, [found[-1] for found in attempts.values() if found])
    return {assignment.id: _state(assignment, attempts[assignment.id], notes) for assignment in assignments}


def _review_notes(session: Session, latest: list[Contact]) -> dict[int, str]:
    """The comment that sent each returned or reopened contact back to its auditor, by contact id."""
    wanted = {ContactStatus.RETURNED: ReviewAction.RETURNED, ContactStatus.REOPENED: ReviewAction.REOPENED}
    back = {contact.id: wanted[contact.status] for contact in latest if contact.status in wanted}
    if not back:
        return {}
    notes: dict[int, str] = {}
    events = session.execute(
        select(ReviewEvent.contact_id, ReviewEvent.action, ReviewEvent.comment)
        .where(ReviewEvent.contact_id.in_(back))
        .order_by(ReviewEvent.id)
    )
    for contact_id, action, comment in events:
        if action == back[contact_id]:
            notes[contact_id] = comment  # the latest one wins
    return notes


def _state(assignment: Assignment, attempts: list[Contact], notes: dict[int, str]) -> AssignmentState:
    if not attempts:
        return AssignmentState("not_started", "Not started")
    last = attempts[-1]
    number = last.attempt
    if can_retry(assignment, attempts):
        outcome = last.outcome.label.lower() if last.outcome else "failed"
        return AssignmentState("retry", f"Attempt {number} failed ({outcome}): try again", number)
    if last.status is ContactStatus.DRAFT:
        if last.draft_saved_at is None:
            label = "Not started" if number == 1 else f"Attempt {number}: not started"
            return AssignmentState("not_started", label, number)
        return AssignmentState(
            "draft", "Draft saved" if number == 1 else f"Attempt {number}: draft saved", number
        )
    if last.status in {ContactStatus.RETURNED, ContactStatus.REOPENED}:
        returned = last.status is ContactStatus.RETURNED
        label = "Returned: fix and resubmit" if returned else "Reopened by a reviewer"
        return AssignmentState(last.status.value, label, number, notes.get(last.id, ""))
    if last.unreached:  # submitted or approved after the last attempt failed
        return AssignmentState("unreached", f"Unreached after {count_of(number, 'attempt')}", number)
    if last.status is ContactStatus.APPROVED:
        return AssignmentState("approved", "Approved", number)
    return AssignmentState("submitted", "Submitted: waiting for review", number)
