"""The life of a contact: start or retry an attempt, submit it, review it.

Which step may follow which is the table in ``audits.fieldwork.workflow``. Only
approved contacts count. Every change after the first submission is kept in the edit
log, by where it sits in the entry (``timings.rings``, ``responses.courtesy``). Drafts
are in ``audits.fieldwork.drafts``. Functions add or change objects and flush; the
caller commits once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from audits.businesshours import BusinessCalendar
from audits.double_scoring import selection as double_scoring
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.entry import (
    MAX_TEXT,
    RESPONSE_HOURS,
    AnswerEntry,
    CheckedEntry,
    ContactEntry,
    TimeBounds,
    Timings,
    check_entry,
    response_path,
    timing_names,
    timing_path,
)
from audits.fieldwork.workflow import EDITABLE_IN_REVIEW, ensure_seen_contact, ensure_step, take_step
from audits.locking import lock
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactEdit,
    ContactStatus,
    Outcome,
    Response,
    ReviewAction,
    Role,
    Round,
    RoundStatus,
    Slot,
    User,
)
from audits.planning.slots import SLOT_WINDOWS
from audits.rubrics.versions import latest_published
from audits.scoring.tally import tally
from audits.timeutil import utcnow

REVIEWERS = {Role.REVIEWER, Role.LEADER, Role.ADMIN}
OPEN_ROUNDS = {RoundStatus.SCHEDULED, RoundStatus.IN_FIELD}


def attempts_of(session: Session, assignment: Assignment) -> list[Contact]:
    """Every attempt at ``assignment``, first to last."""
    return list(
        session.scalars(
            select(Contact).where(Contact.assignment_id == assignment.id).order_by(Contact.attempt)
        )
    )


def _check_auditor(assignment: Assignment, user: User) -> None:
    if assignment.auditor_id != user.id:
        raise NotAllowedError("assignment", "this assignment belongs to another auditor")


def _check_round_open(assignment: Assignment) -> None:
    if assignment.round.status not in OPEN_ROUNDS:
        raise ConflictError(
            "round", f"the round is {assignment.round.status.label.lower()}; it accepts no new contacts"
        )


def can_retry(assignment: Assignment, attempts: list[Contact]) -> bool:
    """Whether a new attempt may start: the last one failed, was submitted, and attempts remain."""
    if not attempts:
        return False
    last = attempts[-1]
    return (
        last.failed
        and not last.unreached
        and last.status in {ContactStatus.SUBMITTED, ContactStatus.APPROVED}
        and last.attempt < assignment.round.attempt_limit
        and assignment.round.status in OPEN_ROUNDS
    )


def start_contact(
    session: Session, assignment: Assignment, user: User, attempts: list[Contact] | None = None
) -> Contact:
    """The attempt the auditor should work on: the open one, or a first attempt.

    ``attempts`` are the attempts the caller decided on (read once, so that an attempt
    another request added meanwhile makes the new one collide instead of following it).
    """
    _check_auditor(assignment, user)
    attempts = attempts_of(session, assignment) if attempts is None else attempts
    if attempts:
        return attempts[-1]
    _check_round_open(assignment)
    return _new_attempt(session, assignment, user, 1)


def retry(
    session: Session, assignment: Assignment, user: User, attempts: list[Contact] | None = None
) -> Contact:
    """Start the next attempt after a failed one (no answer, busy, unreturned voicemail …).

    ``attempts`` as for ``start_contact``: the attempts the caller's decision rests on.
    """
    _check_auditor(assignment, user)
    _check_round_open(assignment)
    attempts = attempts_of(session, assignment) if attempts is None else attempts
    if not can_retry(assignment, attempts):
        raise ConflictError("attempt", "no further attempt is possible for this assignment")
    return _new_attempt(session, assignment, user, attempts[-1].attempt + 1)


def _new_attempt(session: Session, assignment: Assignment, user: User, number: int) -> Contact:
    rubric = latest_published(session, assignment.scenario.rubric_key)
    if rubric is None:
        raise ConflictError("rubric", f"the rubric {assignment.scenario.rubric_key} has no published version")
    contact = Contact(
        assignment_id=assignment.id,
        round_id=assignment.round_id,
        attempt=number,
        auditor_id=user.id,
        rubric_id=rubric.id,
        draft={},
    )
    contact.assignment = assignment
    contact.rubric = rubric
    session.add(contact)
    session.flush()
    return contact


def suggested_slot(assignment: Assignment, attempts: list[Contact], timezone: str) -> Slot:
    """A time-of-day slot that earlier attempts did not use (retries try another time)."""
    used = set()
    zone = ZoneInfo(timezone)
    for contact in attempts:
        if contact.started_at is not None:
            local = contact.started_at.astimezone(zone).time()
            used |= {slot for slot, (start, end) in SLOT_WINDOWS.items() if start <= local < end}
    used.add(assignment.slot)
    order = list(Slot)
    start = order.index(assignment.slot)
    for offset in range(1, len(order) + 1):
        slot = order[(start + offset) % len(order)]
        if slot not in used:
            return slot
    return assignment.slot


def snapshot(contact: Contact) -> dict[str, str]:
    """Every recorded value of a contact as text, by where it sits in an entry (for the edit log)."""
    values = {
        "outcome": _as_text(contact.outcome),
        "started_at": _as_text(contact.started_at),
        RESPONSE_HOURS: _as_text(contact.response_business_hours),
        **{timing_path(name): _as_text(getattr(contact, name)) for name in timing_names()},
    }
    for response in contact.responses:
        key = response.item.key
        values[response_path(key)] = "N/A" if response.na else _as_text(response.value)
        values[response_path(key, "comment")] = response.comment
    return values


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _apply(session: Session, contact: Contact, entry: CheckedEntry) -> None:
    contact.outcome = entry.outcome
    contact.started_at = entry.started_at
    for name in timing_names():
        setattr(contact, name, getattr(entry.timings, name))
    contact.response_business_hours = entry.response_business_hours
    items = {item.key: item for item in contact.rubric.items}
    existing = {response.item_id: response for response in contact.responses}
    for key, item in items.items():
        answer = entry.answers.get(key)
        response = existing.get(item.id)
        if answer is None:
            if response is not None:
                contact.responses.remove(response)
            continue
        if response is None:
            response = Response(item_id=item.id, item=item)
            contact.responses.append(response)
        response.value = answer.value
        response.na = answer.na
        response.fraction = answer.fraction
        response.comment = answer.comment
    session.flush()


def _record(
    session: Session, contact: Contact, user: User, entry: CheckedEntry, now: datetime, reason: str = ""
) -> None:
    """Apply ``entry``; after the first submission, log every value that changed (and why, if said)."""
    before = snapshot(contact) if contact.first_submitted_at is not None else None
    _apply(session, contact, entry)
    tally(session, [contact.id])
    if before is None:
        return
    after = snapshot(contact)
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, ""), after.get(name, "")
        if old != new:
            session.add(
                ContactEdit(
                    contact_id=contact.id,
                    user_id=user.id,
                    field=name,
                    old_value=old,
                    new_value=new,
                    reason=reason,
                    at=now,
                )
            )


def _unreached(contact: Contact, outcome: Outcome) -> bool:
    """A failed attempt that is the last one: the round's limit is used up, or an email went unanswered."""
    final = contact.attempt >= contact.assignment.round.attempt_limit or outcome is Outcome.NO_REPLY
    return contact.failed and final


def time_bounds(contact: Contact, calendar: BusinessCalendar, now: datetime) -> TimeBounds:
    """When ``contact``'s recorded moments may lie: from its round's first day (midnight, the
    district's time) to ``now``, its start no later than its first submission."""
    opens = datetime.combine(contact.assignment.round.first_day, time(0), ZoneInfo(calendar.timezone))
    return TimeBounds(opens.astimezone(UTC), now, contact.first_submitted_at)


def submit(
    session: Session,
    contact: Contact,
    entry: ContactEntry,
    user: User,
    calendar: BusinessCalendar,
    now: datetime | None = None,
    seen: int | None = None,
) -> None:
    """Check and store the auditor's entry and send the contact to review.

    ``seen``: the contact's revision on the auditor's form, when the form said (a submission
    from a form that is out of date is refused, as is one racing another change).
    """
    now = now or utcnow()
    if contact.auditor_id != user.id:
        raise NotAllowedError("contact", "only the contact's auditor can submit it")
    lock(session, contact)
    ensure_seen_contact(contact, seen, now)
    ensure_step(contact, ReviewAction.SUBMITTED)
    checked = check_entry(entry, contact.rubric, calendar, bounds=time_bounds(contact, calendar, now))
    _record(session, contact, user, checked, now)
    contact.unreached = _unreached(contact, checked.outcome)
    session.add(take_step(contact, ReviewAction.SUBMITTED, user, now=now))
    contact.submitted_at = now
    contact.first_submitted_at = contact.first_submitted_at or now
    contact.draft = {}
    session.flush()
    # The round may ask for this contact to be scored again, blind, by a second auditor.
    double_scoring.consider(session, contact, now)


def _check_reviewer(user: User, contact: Contact) -> None:
    if user.role not in REVIEWERS:
        raise NotAllowedError("user", "only reviewers review contacts")
    if user.role is not Role.ADMIN and contact.assignment.round.district_id != user.district_id:
        raise NotAllowedError("user", "this contact belongs to another district")


def approve(
    session: Session, contact: Contact, reviewer: User, now: datetime | None = None, seen: int | None = None
) -> None:
    """Approve a submitted (or reopened) contact: it counts from now on and is locked.

    ``seen``: the revision the reviewer's page showed; a contact that changed since is not approved.
    """
    _check_reviewer(reviewer, contact)
    lock(session, contact)
    event = take_step(contact, ReviewAction.APPROVED, reviewer, now=now, seen=seen)
    session.add(event)
    contact.approved_at = event.at
    session.flush()


def _written(text: str, field: str, missing: str) -> str:
    """A reviewer's comment or reason, required and within the limit."""
    if not text.strip():
        raise ValidationError(field, missing)
    if len(text.strip()) > MAX_TEXT:
        raise ValidationError(field, f"keep it under {MAX_TEXT:,} characters")
    return text.strip()


def return_contact(
    session: Session,
    contact: Contact,
    reviewer: User,
    comment: str,
    now: datetime | None = None,
    seen: int | None = None,
) -> None:
    """Send a submitted contact back to its auditor with what to fix (``seen``: as for ``approve``)."""
    _check_reviewer(reviewer, contact)
    note = _written(comment, "comment", "say what the auditor should fix")
    lock(session, contact)
    session.add(take_step(contact, ReviewAction.RETURNED, reviewer, note, now, seen))
    session.flush()


def reopen(
    session: Session,
    contact: Contact,
    reviewer: User,
    reason: str,
    now: datetime | None = None,
    seen: int | None = None,
) -> None:
    """Unlock an approved contact, with a written reason; it stops counting until approved again."""
    _check_reviewer(reviewer, contact)
    note = _written(reason, "reason", "write why the contact is reopened")
    lock(session, contact)
    session.add(take_step(contact, ReviewAction.REOPENED, reviewer, note, now, seen))
    contact.approved_at = None
    session.flush()


def reviewer_edit(
    session: Session,
    contact: Contact,
    entry: ContactEntry,
    reviewer: User,
    calendar: BusinessCalendar,
    now: datetime | None = None,
    seen: int | None = None,
    reason: str = "",
) -> None:
    """A reviewer corrects a submitted or reopened contact; every change goes to the edit log, with
    ``reason`` when the correction has one (an upheld appeal)."""
    _check_reviewer(reviewer, contact)
    lock(session, contact)
    now = now or utcnow()
    ensure_seen_contact(contact, seen, now)
    if contact.status not in EDITABLE_IN_REVIEW:
        raise ConflictError("status", f"the contact is {contact.status.value}; it cannot be edited in review")
    checked = check_entry(entry, contact.rubric, calendar, bounds=time_bounds(contact, calendar, now))
    _record(session, contact, reviewer, checked, now, reason)
    contact.unreached = _unreached(contact, checked.outcome)
    contact.revision += 1
    session.flush()


def recorded_entry(contact: Contact) -> ContactEntry:
    """What a stored contact records, as the entry that would record it again."""
    return ContactEntry(
        outcome=contact.outcome,
        started_at=contact.started_at,
        timings=Timings(**{name: getattr(contact, name) for name in timing_names()}),
        responses={
            r.item.key: AnswerEntry(None if r.na else r.value, r.na, r.comment) for r in contact.responses
        },
    )


def review_queue(
    session: Session,
    district_id: int | None,
    round_id: int | None = None,
    school_id: int | None = None,
    auditor_id: int | None = None,
    channel: Channel | None = None,
    limit: int | None = None,
) -> list[Contact]:
    """Submitted contacts waiting for review, oldest first (``district_id=None``: every district)."""
    stmt = (
        select(Contact)
        .join(Contact.assignment)
        .join(Assignment.round)
        .where(Contact.status == ContactStatus.SUBMITTED)
        .options(
            joinedload(Contact.assignment).joinedload(Assignment.school),
            joinedload(Contact.assignment).joinedload(Assignment.scenario),
            joinedload(Contact.auditor),
        )
        .order_by(Contact.submitted_at, Contact.id)
    )
    if district_id is not None:
        stmt = stmt.where(Round.district_id == district_id)
    if round_id is not None:
        stmt = stmt.where(Assignment.round_id == round_id)
    if school_id is not None:
        stmt = stmt.where(Assignment.school_id == school_id)
    if auditor_id is not None:
        stmt = stmt.where(Contact.auditor_id == auditor_id)
    if channel is not None:
        stmt = stmt.where(Assignment.channel == channel)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt).unique())


def queue_count(session: Session, district_id: int | None) -> int:
    """How many submitted contacts wait for review (``district_id=None``: in every district)."""
    stmt = (
        select(func.count(Contact.id))
        .join(Contact.assignment)
        .join(Assignment.round)
        .where(Contact.status == ContactStatus.SUBMITTED)
    )
    if district_id is not None:
        stmt = stmt.where(Round.district_id == district_id)
    return session.scalar(stmt) or 0
