"""The review side of the contact page: the queue's filters carried from contact to contact, what does
not add up in the contact, and what approving it changes for its school.

A reviewer works down the queue with filters (a round, a school, an auditor, a channel); the
filters travel in the query string of the contact page and its review buttons, so that approving
or returning a contact leads to the next one the same filters give, oldest first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask import request
from flask_login import current_user

from app import clock
from app.extensions import db
from app.forms import id_arg
from audits.businesshours import BusinessCalendar
from audits.double_scoring.flags import double_scoring_state
from audits.fieldwork.contacts import review_queue
from audits.fieldwork.review_flags import review_flags
from audits.fieldwork.review_impact import ContactCount, approval_effect
from audits.fieldwork.time_flags import time_flags
from audits.fieldwork.workflow import APPROVABLE
from audits.models import Channel, Contact, ContactStatus, Role
from audits.vocabulary import channel_noun

# The statuses whose page says what approving changes (or changed).
WITH_EFFECT = APPROVABLE | {ContactStatus.APPROVED}


@dataclass(frozen=True)
class QueueFilter:
    """Narrowing the queue; ``None`` leaves a criterion out."""

    round_id: int | None = None
    school_id: int | None = None
    auditor_id: int | None = None
    channel: Channel | None = None

    def args(self) -> dict[str, Any]:
        """The filters that are set, as query arguments: ``round``, ``school``, ``auditor``, ``channel``."""
        names = {"round_id": "round", "school_id": "school", "auditor_id": "auditor", "channel": "channel"}
        return {names[key]: value for key, value in asdict(self).items() if value is not None}

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set."""
        return bool(self.args())


def queue_filter() -> QueueFilter:
    """The queue's filters in the request's query string (unknown values are left out)."""
    channel = request.args.get("channel", "")
    return QueueFilter(
        round_id=id_arg("round"),
        school_id=id_arg("school"),
        auditor_id=id_arg("auditor"),
        channel=Channel(channel) if channel in Channel._value2member_map_ else None,
    )


def reviewer_district() -> tuple[bool, int | None]:
    """Whether the signed-in reviewer has a queue at all, and whose district's (``None``: every district)."""
    if current_user.role is Role.ADMIN:
        return True, None
    return current_user.district_id is not None, current_user.district_id


def next_in_queue(where: QueueFilter) -> Contact | None:
    """The oldest contact waiting for review with these filters, if any."""
    has_queue, district_id = reviewer_district()
    if not has_queue:
        return None
    found = review_queue(
        db.session, district_id, where.round_id, where.school_id, where.auditor_id, where.channel, limit=1
    )
    return found[0] if found else None


def review_context(contact: Contact, may_review: bool) -> dict[str, Any]:
    """What the contact page shows those who review it: flags, score, the school's figures, the filters."""
    if not may_review:
        return {
            "flags": [],
            "time_flags": [],
            "effect": None,
            "queue_args": {},
            "prompts": {},
            "double": None,
        }
    calendar = BusinessCalendar.of(contact.assignment.round.district)
    reviewed = contact.submitted_at is not None
    return {
        "flags": review_flags(contact, calendar) if reviewed else [],
        "time_flags": time_flags(contact, calendar, clock.now()),
        "effect": approval_effect(db.session, contact) if contact.status in WITH_EFFECT else None,
        "queue_args": queue_filter().args(),
        "prompts": {item.key: item.prompt for item in contact.rubric.items},
        "double": double_scoring_state(db.session, contact),
    }


def contact_words(contact: Contact) -> str:
    """The contact as a message names it: ``the phone call with Abess Park Elementary``."""
    return f"the {channel_noun(contact.assignment.channel)} with {contact.assignment.school.name}"


def approved_words(contact: Contact, counted: ContactCount | None) -> str:
    """What was approved, and how it now counts, in one or two sentences."""
    what = contact_words(contact)
    if counted is None:
        return f"Approved {what}: an attempt that reached nobody is kept as a record and counts in no score."
    if counted.score is None:
        scored = "with no score (nothing scored was answered)"
    elif contact.unreached:
        scored = "unreached, scoring 0"
    else:
        scored = f"scoring {counted.score:.1f}"
    failure = " with a critical failure" if counted.critical_failure else ""
    return f"Approved {what}, {scored}{failure}. It now counts."


def onward_words(where: QueueFilter, following: Contact | None) -> str:
    """Where the reviewer goes next, in words: the next contact, or an empty queue."""
    if following is not None:
        return "Here is the next contact waiting, oldest first."
    return "Nothing else is waiting for review" + (" with these filters." if where.narrowed else ".")
