"""A principal queries one answer of one contact of their school's published scorecard.

The rules, each refused with its reason and nothing saved: only a principal of the contact's
school; only a contact the published scorecard counts; only while the district's appeal window
is open; only a scored answer the contact holds; each answer once; a reason, and evidence
within its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.appeals.answers import answer_words, appealable
from audits.appeals.queries import approver_of
from audits.appeals.window import appeal_window
from audits.errors import ConflictError, NotAllowedError, NotFoundError, Problem, ValidationError
from audits.locking import lock
from audits.models import Appeal, Contact, ContactStatus, Outcome, Role, User
from audits.timeutil import utcnow

MAX_REASON = 2_000
MAX_EVIDENCE = 5_000


@dataclass(frozen=True)
class AppealRequest:
    """What a principal writes: which answer (the rubric item's key), why it is wrong, what shows it."""

    item_key: str
    reason: str
    evidence: str = ""


def counts(contact: Contact) -> bool:
    """Whether the contact counts on its school's scorecard (approved; reached, or finally unreached)."""
    return contact.status is ContactStatus.APPROVED and (
        contact.outcome is Outcome.REACHED or contact.unreached
    )


def _day(day: date) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}"


def _local(moment: datetime, contact: Contact) -> date:
    return moment.astimezone(ZoneInfo(contact.assignment.round.district.timezone)).date()


def check_may_query(session: Session, contact: Contact, principal: User, today: date) -> None:
    """Refuse unless ``principal`` may query answers of ``contact`` today (the window is open)."""
    assignment = contact.assignment
    if principal.role is not Role.PRINCIPAL:
        raise NotAllowedError("user", "only a principal of the contact's school queries its answers")
    if all(school.id != assignment.school_id for school in principal.schools):
        raise NotAllowedError("contact", "this contact is on another school's scorecard, not yours")
    window = appeal_window(session, assignment.school, assignment.round, today)
    if window is None or not counts(contact):
        raise NotFoundError("contact", "this contact is not on a published scorecard of your school")
    if window.school_days == 0:
        raise ConflictError("contact", "your district does not take appeals on its scorecards")
    if not window.open:
        raise ConflictError(
            "contact",
            f"the time to query this scorecard ended on {_day(window.last_day)} "
            f"({window.school_days} school days after it was published)",
        )


def _written(text: str, field: str, limit: int, missing: str | None) -> tuple[str, list[Problem]]:
    cleaned = text.strip()
    if not cleaned and missing:
        return cleaned, [(field, missing)]
    if len(cleaned) > limit:
        return cleaned, [(field, f"keep it under {limit:,} characters")]
    return cleaned, []


def file_appeal(
    session: Session,
    contact: Contact,
    request: AppealRequest,
    principal: User,
    today: date,
    now: datetime | None = None,
) -> Appeal:
    """Record ``principal``'s query of one answer of ``contact``; refused (nothing saved) when a rule
    is broken. ``today`` is the district's date, against which the window is checked."""
    lock(session, contact)  # two queries of the same answer at once: the second sees the first
    check_may_query(session, contact, principal, today)
    item = next((item for item in contact.rubric.items if item.key == request.item_key), None)
    response = next((r for r in contact.responses if item is not None and r.item_id == item.id), None)
    if item is None:
        raise ValidationError("item", "choose an answer of this contact to query")
    if not appealable(item, response) or response is None:
        raise ValidationError("item", "this question has no scored answer on this contact to query")
    earlier = session.scalar(
        select(Appeal).where(Appeal.contact_id == contact.id, Appeal.item_key == item.key)
    )
    if earlier is not None:
        raise ConflictError(
            "item",
            f"this answer was already queried on {_day(_local(earlier.filed_at, contact))} "
            f"({earlier.outcome.label.lower()}); each answer can be queried once",
        )
    reason, problems = _written(request.reason, "reason", MAX_REASON, "say why this answer is wrong")
    evidence, more = _written(request.evidence, "evidence", MAX_EVIDENCE, None)
    if problems or more:
        raise ValidationError.many(problems + more)
    approver = approver_of(session, contact)
    appeal = Appeal(
        contact_id=contact.id,
        item_key=item.key,
        reason=reason,
        evidence=evidence,
        queried_answer=answer_words(item, response.value, response.na),
        filed_by_id=principal.id,
        filed_at=now or utcnow(),
        approver_id=approver.id if approver is not None else None,
    )
    session.add(appeal)
    session.flush()
    return appeal
