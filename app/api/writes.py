"""Writing: an auditor submits a contact for an assignment; a reviewer approves or returns one.

The contact body is turned into the contact form's fields and goes through the
same domain checks as the web form (``audits.fieldwork``); each problem comes
back under the body field it concerns (``timings.rings``, ``responses.<item>``).
Each request commits once; a domain error rolls everything back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from app.api.auth import api_user, get_or_404, require
from app.api.blueprint import ID, blueprint
from app.api.inputs import ContactIn, ReviewIn
from app.api.openapi import documented_errors
from app.api.present import contact_dict
from app.api.schemas import ContactSchema
from app.extensions import db
from audits.access import Action
from audits.businesshours import BusinessCalendar
from audits.errors import DomainError, ValidationError
from audits.fieldwork.contacts import (
    approve,
    attempts_of,
    can_retry,
    retry,
    return_contact,
    start_contact,
    submit,
)
from audits.models import Assignment, Contact, Response, Round, RubricItem, User

TIMING_FIELDS = {
    "rings",
    "hold_seconds",
    "transfers",
    "call_seconds",
    "staff_gave_name",
    "callback_at",
    "sent_text",
    "reply_at",
    "reply_text",
    "greeted_seconds",
    "wait_seconds",
}


def _as_text(value: Any) -> str:
    """A JSON value as the contact form would have sent it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def contact_form(body: dict[str, Any]) -> dict[str, str]:
    """The contact form's fields for an API body (``item-<key>``, ``na-<key>``, ``comment-<key>`` …)."""
    data = {"outcome": body["outcome"], "started_at": _as_text(body["started_at"])}
    data.update({name: _as_text(value) for name, value in body["timings"].items()})
    for response in body["responses"]:
        key = response["item"]
        data[f"item-{key}"] = _as_text(response["value"])
        data[f"comment-{key}"] = response["comment"]
        if response["na"]:
            data[f"na-{key}"] = "1"
    return data


def body_field(field: str | None) -> str | None:
    """Where a problem the contact form reports sits in the API body."""
    if field is None:
        return None
    for prefix, suffix in (("item-", ""), ("na-", ".na"), ("comment-", ".comment")):
        if field.startswith(prefix):
            return f"responses.{field.removeprefix(prefix)}{suffix}"
    return f"timings.{field}" if field in TIMING_FIELDS else field


def _attempt(assignment: Assignment, user: User) -> Contact:
    """The attempt to record: the open one, the first, or the next after a failed one."""
    attempts = attempts_of(db.session, assignment)
    if can_retry(assignment, attempts):
        return retry(db.session, assignment, user)
    return start_contact(db.session, assignment, user)


@blueprint.route(f"/assignments/<{ID}:assignment_id>/contacts", methods=["POST"])
@blueprint.arguments(ContactIn)
@blueprint.response(201, ContactSchema)
@documented_errors(403, 404, 409, 415)
def submit_contact(body: dict[str, Any], assignment_id: int) -> dict[str, Any]:
    """Submit a contact for one of your assignments (auditors); it goes to review.

    The same checks as the contact form apply; a failed attempt (no answer,
    voicemail …) starts the next attempt when the round allows one.
    """
    assignment = get_or_404(Assignment, assignment_id, "assignment")
    require(Action.RECORD_CONTACTS, assignment)
    user = api_user()
    contact = _attempt(assignment, user)
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
    try:
        submit(db.session, contact, contact_form(body), user, calendar)
    except DomainError as error:
        raise type(error).many([(body_field(field), reason) for field, reason in error.problems]) from error
    db.session.commit()
    return contact_dict(_load(contact.id))


@blueprint.route(f"/contacts/<{ID}:contact_id>/review", methods=["POST"])
@blueprint.arguments(ReviewIn)
@blueprint.response(200, ContactSchema)
@documented_errors(403, 404, 409, 415)
def review_contact(body: dict[str, Any], contact_id: int) -> dict[str, Any]:
    """Approve a submitted contact, or return it to its auditor with a comment (reviewers)."""
    contact = _load(contact_id)
    require(Action.REVIEW_CONTACTS, contact)
    if body["action"] == "approve":
        approve(db.session, contact, api_user())
    else:
        return_contact(db.session, contact, api_user(), body["comment"])
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
