"""What approving a contact changes for its school: its score, and the school's figures before and after.

The scoring engine (``audits.scoring``) counts approved contacts only. To say what a contact
waiting for review would change, the school is scored by the engine twice: as the database
holds it, and with the contact's status changed inside a savepoint that is always rolled back
(approved for a contact waiting for review; reopened for one already approved). Both figures
are therefore the engine's own, by whatever rules it applies; nothing here repeats them, and
nothing is ever written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from audits.models import Contact, ContactStatus
from audits.scoring.engine import round_scores
from audits.scoring.queries import contact_scores


@dataclass(frozen=True)
class SchoolFigures:
    """A school's figures for one round, as the engine scores them (``None``: no score)."""

    overall: float | None = None
    channel_score: float | None = None
    channel_contacts: int = 0
    channel_reached: int = 0
    critical_failures: int = 0


@dataclass(frozen=True)
class ContactCount:
    """How the engine counts one contact: its score (``None``: none) and whether it is a critical failure."""

    score: float | None
    critical_failure: bool


@dataclass(frozen=True)
class ApprovalEffect:
    """A contact's score and its school's figures without and with it counted.

    ``counted`` is ``None`` when the contact does not count even approved (an earlier attempt
    that reached nobody is a record, not a score).
    """

    counted: ContactCount | None
    without: SchoolFigures
    including: SchoolFigures

    @property
    def adds_critical_failure(self) -> bool:
        """Whether counting the contact adds a critical failure to the school's."""
        return self.including.critical_failures > self.without.critical_failures

    @property
    def changes_anything(self) -> bool:
        """Whether counting the contact changes any of the school's figures."""
        return self.including != self.without


def school_figures(session: Session, contact: Contact) -> SchoolFigures:
    """The figures of the contact's school, in its round and on its channel, as the database holds them."""
    assignment = contact.assignment
    school = round_scores(session, assignment.round, sections=False).school(assignment.school_id)
    if school is None:
        return SchoolFigures()
    channel = school.channels.get(assignment.channel.value)
    return SchoolFigures(
        overall=school.overall,
        channel_score=channel.score if channel else None,
        channel_contacts=channel.contacts if channel else 0,
        channel_reached=channel.reached if channel else 0,
        critical_failures=school.critical_failures,
    )


def counted_as(session: Session, contact: Contact) -> ContactCount | None:
    """How the engine counts ``contact`` as the database holds it (``None``: it does not count)."""
    assignment = contact.assignment
    rows = contact_scores([assignment.round_id], assignment.school_id).subquery()
    found = session.execute(
        select(rows.c.score, rows.c.critical_failure).where(rows.c.contact_id == contact.id)
    ).first()
    if found is None:
        return None
    score, critical = found
    return ContactCount(None if score is None else float(score), bool(critical))


def approval_effect(session: Session, contact: Contact) -> ApprovalEffect:
    """The contact's score and its school's figures without it and with it counted.

    For a contact waiting for review (or reopened): what approving it would change. For an
    approved one: what approving it changed. Scores and counts are the engine's.
    """
    approved = contact.status is ContactStatus.APPROVED
    current = school_figures(session, contact)
    savepoint = session.begin_nested()
    try:
        session.execute(
            update(Contact)
            .where(Contact.id == contact.id)
            .values(status=ContactStatus.REOPENED if approved else ContactStatus.APPROVED)
            .execution_options(synchronize_session=False)
        )
        other = school_figures(session, contact)
        counted = None if approved else counted_as(session, contact)
    finally:
        savepoint.rollback()
    if approved:
        return ApprovalEffect(counted_as(session, contact), without=other, including=current)
    return ApprovalEffect(counted, without=current, including=other)
