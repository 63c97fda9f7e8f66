"""The life of a contact: start or retry an attempt, keep drafts, submit, review.

Workflow: draft → submitted → returned → submitted → approved → reopened → submitted …
Only approved contacts count. Every change after the first submission is kept in
the edit log. Functions add or change objects and flush; the caller commits once.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from audits.businesshours import BusinessCalendar
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.entry import MAX_TEXT, ContactEntry, format_local, parse_entry
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactEdit,
    ContactStatus,
    Outcome,
    Response,
    ReviewAction,
    ReviewEvent,
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

EDITABLE_BY_AUDITOR = {ContactStatus.DRAFT, ContactStatus.RETURNED, ContactStatus.REOPENED}
# The statuses each review step starts from.
APPROVABLE = {ContactStatus.SUBMITTED, ContactStatus.REOPENED}
RETURNABLE = {ContactStatus.SUBMITTED}
REOPENABLE = {ContactStatus.APPROVED}
EDITABLE_IN_REVIEW = {ContactStatus.SUBMITTED, ContactStatus.REOPENED}
REVIEWERS = {Role.REVIEWER, Role.LEADER, Role.ADMIN}
OPEN_ROUNDS = {RoundStatus.SCHEDULED, RoundStatus.IN_FIELD}
MAX_DRAFT_BYTES = 200_000
CONTACT_FIELDS = [
    "outcome",
    "started_at",
    "rings",
    "hold_seconds",
    "transfers",
    "call_seconds",
    "staff_gave_name",
    "callback_at",
    "sent_text",
    "reply_at",
    "reply_text",
    "response_business_hours",
    "greeted_seconds",
    "wait_seconds",
]


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


def start_contact(session: Session, assignment: Assignment, user: User) -> Contact:
    """The attempt the auditor should work on: the open one, or a first attempt."""
    _check_auditor(assignment, user)
    attempts = attempts_of(session, assignment)
    if attempts:
        return attempts[-1]
    _check_round_open(assignment)
    return _new_attempt(session, assignment, user, 1)


def retry(session: Session, assignment: Assignment, user: User) -> Contact:
    """Start the next attempt after a failed one (no answer, busy, unreturned voicemail …)."""
    _check_auditor(assignment, user)
    _check_round_open(assignment)
    attempts = attempts_of(session, assignment)
    if not can_retry(assignment, attempts):
        raise ConflictError("attempt", "no further attempt is possible for this assignment")
    return _new_attempt(session, assignment, user, attempts[-1].attempt + 1)


def _new_attempt(session: Session, assignment: Assignment, user: User, number: int) -> Contact:
    rubric = latest_published(session, assignment.scenario.rubric_key)
    if rubric is None:
        raise ConflictError("rubric", f"the rubric {assignment.scenario.rubric_key} has no published version")
    contact = Contact(
        assignment_id=assignment.id, attempt=number, auditor_id=user.id, rubric_id=rubric.id, draft={}
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


def save_draft(contact: Contact, data: dict[str, Any], user: User, now: datetime | None = None) -> None:
    """Keep what the auditor has typed so far, server-side and visible only to them."""
    if contact.auditor_id != user.id:
        raise NotAllowedError("contact", "only the contact's auditor keeps drafts of it")
    if contact.status not in EDITABLE_BY_AUDITOR:
        raise ConflictError("status", f"the contact is {contact.status.value}; it cannot change now")
    clean = {str(key)[:100]: str(value) for key, value in data.items() if key != "csrf_token"}
    if len(json.dumps(clean)) > MAX_DRAFT_BYTES:
        raise ValidationError(None, "the draft is too large to keep")
    contact.draft = clean
    contact.draft_saved_at = now or utcnow()


def snapshot(contact: Contact) -> dict[str, str]:
    """Every recorded value of a contact as text, keyed by field name (for the edit log)."""
    values = {name: _as_text(getattr(contact, name)) for name in CONTACT_FIELDS}
    for response in contact.responses:
        key = response.item.key
        values[f"item-{key}"] = "N/A" if response.na else _as_text(response.value)
        values[f"comment-{key}"] = response.comment
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


def _apply(session: Session, contact: Contact, entry: ContactEntry) -> None:
    contact.outcome = entry.outcome
    for name, value in entry.values.items():
        setattr(contact, name, value)
    for name in CONTACT_FIELDS[2:]:
        if name not in entry.values:
            setattr(contact, name, "" if name in {"sent_text", "reply_text"} else None)
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


def _record(session: Session, contact: Contact, user: User, entry: ContactEntry, now: datetime) -> None:
    """Apply ``entry``; after the first submission, log every field that changed."""
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
                    contact_id=contact.id, user_id=user.id, field=name, old_value=old, new_value=new, at=now
                )
            )


def submit(
    session: Session,
    contact: Contact,
    data: dict[str, str],
    user: User,
    calendar: BusinessCalendar,
    now: datetime | None = None,
) -> None:
    """Check and store the auditor's entry and send the contact to review."""
    now = now or utcnow()
    if contact.auditor_id != user.id:
        raise NotAllowedError("contact", "only the contact's auditor can submit it")
    if contact.status not in EDITABLE_BY_AUDITOR:
        raise ConflictError("status", f"the contact is {contact.status.value}; it cannot be submitted now")
    entry = parse_entry(data, contact.rubric, calendar)
    _record(session, contact, user, entry, now)
    round_ = contact.assignment.round
    final_attempt = contact.attempt >= round_.attempt_limit or entry.outcome is Outcome.NO_REPLY
    contact.unreached = contact.failed and final_attempt
    contact.status = ContactStatus.SUBMITTED
    contact.submitted_at = now
    contact.first_submitted_at = contact.first_submitted_at or now
    contact.draft = {}
    session.add(ReviewEvent(contact_id=contact.id, actor_id=user.id, action=ReviewAction.SUBMITTED, at=now))
    session.flush()


def _check_reviewer(user: User, contact: Contact) -> None:
    if user.role not in REVIEWERS:
        raise NotAllowedError("user", "only reviewers review contacts")
    if user.role is not Role.ADMIN and contact.assignment.round.district_id != user.district_id:
        raise NotAllowedError("user", "this contact belongs to another district")


def _review(
    session: Session,
    contact: Contact,
    reviewer: User,
    allowed: set[ContactStatus],
    to: ContactStatus,
    action: ReviewAction,
    comment: str = "",
    now: datetime | None = None,
) -> datetime:
    """Check the reviewer and the move, change the status and record the review event."""
    _check_reviewer(reviewer, contact)
    if contact.status not in allowed:
        raise ConflictError("status", f"a {contact.status.value} contact cannot be {to.value}")
    now = now or utcnow()
    contact.status = to
    session.add(
        ReviewEvent(contact_id=contact.id, actor_id=reviewer.id, action=action, comment=comment, at=now)
    )
    return now


def approve(session: Session, contact: Contact, reviewer: User, now: datetime | None = None) -> None:
    """Approve a submitted (or reopened) contact: it counts from now on and is locked."""
    allowed = APPROVABLE
    contact.approved_at = _review(
        session, contact, reviewer, allowed, ContactStatus.APPROVED, ReviewAction.APPROVED, now=now
    )
    session.flush()


def return_contact(
    session: Session, contact: Contact, reviewer: User, comment: str, now: datetime | None = None
) -> None:
    """Send a submitted contact back to its auditor with what to fix."""
    if not comment.strip():
        _check_reviewer(reviewer, contact)
        raise ValidationError("comment", "say what the auditor should fix")
    if len(comment.strip()) > MAX_TEXT:
        _check_reviewer(reviewer, contact)
        raise ValidationError("comment", f"keep it under {MAX_TEXT:,} characters")
    allowed = RETURNABLE
    _review(
        session,
        contact,
        reviewer,
        allowed,
        ContactStatus.RETURNED,
        ReviewAction.RETURNED,
        comment.strip(),
        now,
    )
    session.flush()


def reopen(
    session: Session, contact: Contact, reviewer: User, reason: str, now: datetime | None = None
) -> None:
    """Unlock an approved contact, with a written reason; it stops counting until approved again."""
    if not reason.strip():
        _check_reviewer(reviewer, contact)
        raise ValidationError("reason", "write why the contact is reopened")
    if len(reason.strip()) > MAX_TEXT:
        _check_reviewer(reviewer, contact)
        raise ValidationError("reason", f"keep it under {MAX_TEXT:,} characters")
    allowed = REOPENABLE
    _review(
        session,
        contact,
        reviewer,
        allowed,
        ContactStatus.REOPENED,
        ReviewAction.REOPENED,
        reason.strip(),
        now,
    )
    contact.approved_at = None
    session.flush()


def reviewer_edit(
    session: Session,
    contact: Contact,
    data: dict[str, str],
    reviewer: User,
    calendar: BusinessCalendar,
    now: datetime | None = None,
) -> None:
    """A reviewer corrects a submitted or reopened contact; every change goes to the edit log."""
    _check_reviewer(reviewer, contact)
    if contact.status not in EDITABLE_IN_REVIEW:
        raise ConflictError("status", f"a {contact.status.value} contact cannot be edited in review")
    entry = parse_entry(data, contact.rubric, calendar)
    _record(session, contact, reviewer, entry, now or utcnow())
    contact.unreached = contact.failed and (
        contact.attempt >= contact.assignment.round.attempt_limit or entry.outcome is Outcome.NO_REPLY
    )
    session.flush()


def form_values(contact: Contact, timezone: str) -> dict[str, str]:
    """What the contact form shows: the auditor's draft if any, else the stored values."""
    if contact.draft:
        return dict(contact.draft)
    return stored_values(contact, timezone)


def stored_values(contact: Contact, timezone: str) -> dict[str, str]:
    """The contact's recorded values as the contact form's inputs hold them (drafts left out)."""
    values: dict[str, str] = {}
    for name in CONTACT_FIELDS:
        value = getattr(contact, name)
        if isinstance(value, datetime):
            values[name] = format_local(value, timezone)
        elif name == "response_business_hours":
            continue
        else:
            values[name] = _as_text(value)
    for response in contact.responses:
        key = response.item.key
        if response.na:
            values[f"na-{key}"] = "1"
        elif response.value is not None:
            values[f"item-{key}"] = _as_text(response.value)
        values[f"comment-{key}"] = response.comment
    return values


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
