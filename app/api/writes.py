"""Writing: an auditor submits a contact for an assignment; a reviewer approves or returns one.

The contact body becomes the domain's typed ``ContactEntry`` and goes through the same
checks as the web form (``audits.fieldwork``). The domain names each problem by its place
in the entry (``timings.rings``, ``responses.courtesy``), which is its place in the body.
Each request commits once; a domain error rolls everything back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from app import clock
from app.api.auth import api_user, get_or_404, require
from app.api.blueprint import ID, blueprint
from app.api.inputs import ContactIn, ReviewIn
from app.api.openapi import documented_errors
from app.api.present import contact_dict
from app.api.schemas import ContactSchema
from app.extensions import db
from audits.access import Action
from audits.businesshours import BusinessCalendar
from audits.errors import ValidationError
from audits.fieldwork.contacts import (
    approve,
    attempts_of,
    can_retry,
    recorded_entry,
    retry,
    return_contact,
    start_contact,
    submit,
)
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.locking import lock
from audits.models import Assignment, Contact, ContactStatus, Outcome, Response, Round, RubricItem, User

# Documented on every write; ``app.api.idempotency`` honours it.
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": "Any unique string of yours: a retry with the same key and body gets the first answer "
    "(with Idempotent-Replayed: true) and changes nothing; the same key with another body is a 422.",
}


def _moment(value: datetime | None, timezone: str) -> datetime | None:
    """A body's date and time as aware UTC; without an offset it is the district's local time."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))).astimezone(UTC)


def contact_entry(body: dict[str, Any], timezone: str) -> ContactEntry:
    """The typed entry of a contact body (its shape already checked by ``ContactIn``)."""
    timings = {
        name: _moment(value, timezone) if isinstance(value, datetime) else value
        for name, value in body["timings"].items()
    }
    for name in ("sent_text", "reply_text"):
        if timings.get(name, "") is None:
            timings[name] = ""
    return ContactEntry(
        outcome=Outcome(body["outcome"]),
        started_at=_moment(body["started_at"], timezone),
        timings=Timings(**timings),
        responses={r["item"]: AnswerEntry(r["value"], r["na"], r["comment"]) for r in body["responses"]},
    )


def _same_attempt(last: Contact, entry: ContactEntry) -> bool:
    """Whether ``entry`` is the latest failed attempt sent again: same outcome, start and timings.

    A failed attempt is followed by the next one, so without this a repeated "no answer"
    would be recorded as a second call. (A reached contact sent again is refused instead:
    it is no longer the auditor's to change.)
    """
    return (
        last.failed
        and last.status in (ContactStatus.SUBMITTED, ContactStatus.APPROVED)
        and last.outcome is entry.outcome
        and last.started_at == entry.started_at
        and recorded_entry(last).timings == entry.timings
    )


def _attempt(assignment: Assignment, user: User, attempts: list[Contact]) -> Contact:
    """The attempt to record after ``attempts``: the open one, the first, or the next after a failed one.

    The decision rests on one reading of the attempts: were another request to add one
    meanwhile, the new attempt's number collides (a unique key) and the request is run
    again (``app.retries``), now seeing it.
    """
    if can_retry(assignment, attempts):
        return retry(db.session, assignment, user, attempts)
    return start_contact(db.session, assignment, user, attempts)


@blueprint.route(f"/assignments/<{ID}:assignment_id>/contacts", methods=["POST"])
@blueprint.arguments(ContactIn)
@blueprint.response(201, ContactSchema)
@blueprint.alt_response(200, schema=ContactSchema, description="A failed attempt sent again: nothing new.")
@blueprint.doc(parameters=[IDEMPOTENCY_KEY])
@documented_errors(403, 404, 409, 415, 422)
def submit_contact(body: dict[str, Any], assignment_id: int) -> dict[str, Any] | tuple[dict[str, Any], int]:
    """Submit a contact for one of your assignments (auditors); it goes to review.

    The same checks as the contact form apply; a failed attempt (no answer,
    voicemail …) starts the next attempt when the round allows one. The latest failed
    attempt sent again (same outcome, start and timings) records nothing new: the answer is
    that attempt, with 200. Send an ``Idempotency-Key`` to have any retry answered as the
    first request was.
    """
    assignment = get_or_404(Assignment, assignment_id, "assignment")
    require(Action.RECORD_CONTACTS, assignment)
    user = api_user()
    timezone = assignment.round.district.timezone
    entry = contact_entry(body, timezone)
    lock(db.session, assignment)  # one submission per assignment at a time (PostgreSQL)
    attempts = attempts_of(db.session, assignment)
    if attempts and _same_attempt(attempts[-1], entry):
        return contact_dict(_load(attempts[-1].id)), 200
    contact = _attempt(assignment, user, attempts)
    known = {item.key for item in contact.rubric.items}
    unknown = [
        (
            f"responses.{index}.item",
            f"{contact.rubric.key} v{contact.rubric.version} has no item {r['item']!r}",
        )
        for index, r in enumerate(body["responses"])
        if r["item"] not in known
    ]
    if unknown:
        raise ValidationError.many(unknown)
    calendar = BusinessCalendar.of(assignment.round.district)
    submit(db.session, contact, entry, user, calendar, now=clock.now())
    db.session.commit()
    return contact_dict(_load(contact.id))


@blueprint.route(f"/contacts/<{ID}:contact_id>/review", methods=["POST"])
@blueprint.arguments(ReviewIn)
@blueprint.response(200, ContactSchema)
@blueprint.doc(parameters=[IDEMPOTENCY_KEY])
@documented_errors(403, 404, 409, 415, 422)
def review_contact(body: dict[str, Any], contact_id: int) -> dict[str, Any]:
    """Approve a submitted contact, or return it to its auditor with a comment (reviewers).

    ``revision`` (optional) is the contact's revision you looked at: a contact changed since is refused (409).
    """
    contact = _load(contact_id)
    require(Action.REVIEW_CONTACTS, contact)
    seen = body.get("revision")
    if body["action"] == "approve":
        approve(db.session, contact, api_user(), now=clock.now(), seen=seen)
    else:
        return_contact(db.session, contact, api_user(), body["comment"], now=clock.now(), seen=seen)
    db.session.commit()
    return contact_dict(_load(contact.id))


def _load(contact_id: int) -> Contact:
    """A contact with everything its answer shows, in a fixed number of queries (404 when missing)."""
    contact = db.session.scalar(
        select(Contact)
        .where(Contact.id == contact_id)
        .options(
            joinedload(Contact.assignment).joinedload(Assignment.round).joinedload(Round.district),
            joinedload(Contact.rubric),
            joinedload(Contact.auditor),
            selectinload(Contact.responses).joinedload(Response.item).joinedload(RubricItem.section),
        )
    )
    if contact is None:
        raise NotFound(f"no contact with id {contact_id}")
    return contact
