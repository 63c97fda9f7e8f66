"""The contact workflow as a table: which step moves a contact from which statuses to which.

- submit: draft, returned or reopened → submitted (the auditor);
- return: submitted → returned, with what to fix (a reviewer);
- approve: submitted or reopened → approved, and from then on it counts (a reviewer);
- reopen: approved → reopened, with a reason; it stops counting (a reviewer).

The auditor changes a contact (drafts, evidence, a submission) only while the table lets
them submit it; a reviewer corrects one only while it waits for review or is reopened.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from audits.errors import ConflictError
from audits.models import Contact, ContactStatus, ReviewAction, ReviewEvent, User
from audits.timeutil import utcnow

# step → (the statuses it starts from, the status it leads to)
TRANSITIONS: dict[ReviewAction, tuple[frozenset[ContactStatus], ContactStatus]] = {
    ReviewAction.SUBMITTED: (
        frozenset({ContactStatus.DRAFT, ContactStatus.RETURNED, ContactStatus.REOPENED}),
        ContactStatus.SUBMITTED,
    ),
    ReviewAction.RETURNED: (frozenset({ContactStatus.SUBMITTED}), ContactStatus.RETURNED),
    ReviewAction.APPROVED: (
        frozenset({ContactStatus.SUBMITTED, ContactStatus.REOPENED}),
        ContactStatus.APPROVED,
    ),
    ReviewAction.REOPENED: (frozenset({ContactStatus.APPROVED}), ContactStatus.REOPENED),
}
EDITABLE_BY_AUDITOR = TRANSITIONS[ReviewAction.SUBMITTED][0]
APPROVABLE = TRANSITIONS[ReviewAction.APPROVED][0]
RETURNABLE = TRANSITIONS[ReviewAction.RETURNED][0]
REOPENABLE = TRANSITIONS[ReviewAction.REOPENED][0]
# A reviewer's correction keeps the status: it is not a step of the table.
EDITABLE_IN_REVIEW = frozenset({ContactStatus.SUBMITTED, ContactStatus.REOPENED})


def refusal(contact: Contact, step: ReviewAction) -> str:
    """Why ``step`` cannot be taken from the contact's status, in words."""
    status = contact.status.value
    if step is ReviewAction.SUBMITTED:
        return f"the contact is {status}; it cannot be submitted now"
    article = "an" if status[0] in "aeiou" else "a"
    return f"{article} {status} contact cannot be {TRANSITIONS[step][1].value}"


def ensure_step(contact: Contact, step: ReviewAction) -> None:
    """Raise a conflict unless the table allows ``step`` from the contact's status."""
    if contact.status not in TRANSITIONS[step][0]:
        raise ConflictError("status", refusal(contact, step))


STEP_WORDS = {
    ReviewAction.SUBMITTED: "submitted",
    ReviewAction.RETURNED: "returned to its auditor",
    ReviewAction.APPROVED: "approved",
    ReviewAction.REOPENED: "reopened",
}
RECENT = timedelta(minutes=10)


def what_changed(contact: Contact, now: datetime | None = None) -> str:
    """Why a page showing an older revision of ``contact`` is out of date, in words for its reader.

    Says who by role (its auditor, a reviewer), never by name: the reader may be either.
    """
    now = now or utcnow()
    # Edits first: an edit at the moment of a step (a resubmission's changes) is told as the step.
    changes: list[tuple[datetime, str, int]] = [
        (edit.at, "corrected in review", edit.user_id) for edit in contact.edits
    ]
    changes += [(event.at, STEP_WORDS[event.action], event.actor_id) for event in contact.events]
    if not changes:
        return "this contact changed since you opened it; reload to see it"
    changes.sort(key=lambda change: change[0])  # stable: of changes at the same moment, the last made
    at, words, actor_id = changes[-1]
    who = "its auditor" if actor_id == contact.auditor_id else "a reviewer"
    when = "a moment ago" if now - at < RECENT else "since you opened it"
    return f"this contact was {words} by {who} {when}; reload to see it"


def ensure_seen_contact(contact: Contact, seen: int | None, now: datetime | None = None) -> None:
    """Refuse a change made from a page that showed an older revision of ``contact``."""
    if seen is not None and seen != contact.revision:
        raise ConflictError("revision", what_changed(contact, now))


def take_step(
    contact: Contact,
    step: ReviewAction,
    actor: User,
    comment: str = "",
    now: datetime | None = None,
    seen: int | None = None,
) -> ReviewEvent:
    """Move the contact by ``step`` (checked against the table and the revision its user saw).

    Returns the event that records it; the contact's revision moves on by one.
    """
    ensure_seen_contact(contact, seen, now)
    ensure_step(contact, step)
    event = ReviewEvent(
        contact_id=contact.id, actor_id=actor.id, action=step, comment=comment, at=now or utcnow()
    )
    contact.status = TRANSITIONS[step][1]
    contact.revision += 1
    return event
