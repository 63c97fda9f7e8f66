"""Finding appeals: by contact, school, principal and district, and a round's counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from audits.models import (
    Appeal,
    AppealOutcome,
    Assignment,
    Contact,
    ReviewAction,
    ReviewEvent,
    Round,
    School,
    User,
)


def _with_contact(stmt: Select[tuple[Appeal]]) -> Select[tuple[Appeal]]:
    """``stmt`` loading each appeal's contact with its school and round."""
    return stmt.options(
        joinedload(Appeal.contact).joinedload(Contact.assignment).joinedload(Assignment.school),
        joinedload(Appeal.contact).joinedload(Contact.assignment).joinedload(Assignment.round),
    )


def contact_appeals(session: Session, contact: Contact) -> list[Appeal]:
    """The appeals on ``contact``'s answers, oldest first."""
    return list(session.scalars(select(Appeal).where(Appeal.contact_id == contact.id).order_by(Appeal.id)))


def school_appeals(session: Session, school: School, round_: Round | None = None) -> list[Appeal]:
    """The appeals on ``school``'s contacts (of ``round_`` only, when given), newest first."""
    stmt = (
        select(Appeal)
        .join(Contact, Contact.id == Appeal.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(Assignment.school_id == school.id)
        .order_by(Appeal.filed_at.desc(), Appeal.id.desc())
    )
    if round_ is not None:
        stmt = stmt.where(Assignment.round_id == round_.id)
    return list(session.scalars(_with_contact(stmt)).unique())


def principal_appeals(session: Session, user: User) -> list[Appeal]:
    """The appeals on the contacts of the principal's schools (whoever filed them), newest first."""
    school_ids = [school.id for school in user.schools]
    if not school_ids:
        return []
    stmt = (
        select(Appeal)
        .join(Contact, Contact.id == Appeal.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(Assignment.school_id.in_(school_ids))
        .order_by(Appeal.filed_at.desc(), Appeal.id.desc())
    )
    return list(session.scalars(_with_contact(stmt)).unique())


def district_appeals(
    session: Session, district_id: int | None, outcome: AppealOutcome | None = None
) -> list[Appeal]:
    """The appeals of a district's rounds (``None``: every district's), oldest pending first, then
    the decided ones, newest decision first; only those with ``outcome`` when given."""
    stmt = (
        select(Appeal)
        .join(Contact, Contact.id == Appeal.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Round, Round.id == Assignment.round_id)
    )
    if district_id is not None:
        stmt = stmt.where(Round.district_id == district_id)
    if outcome is not None:
        stmt = stmt.where(Appeal.outcome == outcome)
    appeals = list(session.scalars(_with_contact(stmt)).unique())
    pending = sorted((a for a in appeals if a.pending), key=lambda a: (a.filed_at, a.id))
    decided = sorted(
        (a for a in appeals if not a.pending), key=lambda a: (a.decided_at or a.filed_at, a.id), reverse=True
    )
    return pending + decided


def pending_count(session: Session, district_id: int | None) -> int:
    """How many appeals of a district's rounds wait for a decision (``None``: in every district)."""
    stmt = (
        select(func.count(Appeal.id))
        .join(Contact, Contact.id == Appeal.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Round, Round.id == Assignment.round_id)
        .where(Appeal.outcome == AppealOutcome.PENDING)
    )
    if district_id is not None:
        stmt = stmt.where(Round.district_id == district_id)
    return session.scalar(stmt) or 0


def approver_of(session: Session, contact: Contact) -> User | None:
    """The reviewer whose approval the contact stands on: the actor of its latest approval."""
    return session.scalar(
        select(User)
        .join(ReviewEvent, ReviewEvent.actor_id == User.id)
        .where(ReviewEvent.contact_id == contact.id, ReviewEvent.action == ReviewAction.APPROVED)
        .order_by(ReviewEvent.at.desc(), ReviewEvent.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class AppealCounts:
    """How many answers of a round were queried, and how the appeals ended so far."""

    queried: int = 0
    upheld: int = 0
    not_upheld: int = 0

    @property
    def pending(self) -> int:
        """Queried answers not decided yet."""
        return self.queried - self.upheld - self.not_upheld


def round_appeal_counts(session: Session, round_id: int, school_id: int | None = None) -> AppealCounts:
    """The round's appeal counts (one school's, when given), in one query."""
    stmt = (
        select(Appeal.outcome, func.count(Appeal.id))
        .join(Contact, Contact.id == Appeal.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(Assignment.round_id == round_id)
        .group_by(Appeal.outcome)
    )
    if school_id is not None:
        stmt = stmt.where(Assignment.school_id == school_id)
    counts = {AppealOutcome(outcome): count for outcome, count in session.execute(stmt).tuples()}
    return AppealCounts(
        queried=sum(counts.values()),
        upheld=counts.get(AppealOutcome.UPHELD, 0),
        not_upheld=counts.get(AppealOutcome.NOT_UPHELD, 0),
    )


def upheld_contacts(session: Session, round_id: int) -> dict[int, int]:
    """The round's contacts with an answer corrected on appeal: how many, by contact id (one query)."""
    stmt = (
        select(Appeal.contact_id, func.count(Appeal.id))
        .join(Contact, Contact.id == Appeal.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(Assignment.round_id == round_id, Appeal.outcome == AppealOutcome.UPHELD)
        .group_by(Appeal.contact_id)
    )
    return dict(session.execute(stmt).tuples().all())
