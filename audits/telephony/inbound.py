"""Call-backs and texts to a persona phone number: matched to the open contact, recorded once.

After a voicemail the school may call the persona back, or text. Twilio posts each incoming
call and text to Touchpoint; the school is found by the calling number (``School.phone``, E.164)
and the contact is the latest open one (not yet approved) of that school whose auditor's persona
has the called number, a phone contact first. A call-back fills the contact's ``callback_at``
(the call-back delay is then measured in business hours like any typed one) and prefills the
auditor's draft; a text is recorded with its words and time. Twilio may post the same request
twice: each SID is kept once (``InboundTouch.sid`` is unique), so a repeat changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.drafts import form_values, format_local, save_draft
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.models import (
    Assignment,
    AuditorProfile,
    Channel,
    Contact,
    ContactStatus,
    InboundTouch,
    School,
    TouchKind,
)
from audits.phones import normalise_phone
from audits.telephony.parameters import clean_params

SIDS = {
    TouchKind.CALL: ("CallSid", re.compile(r"CA[0-9a-fA-F]{32}")),
    TouchKind.TEXT: ("MessageSid", re.compile(r"[SM]M[0-9a-fA-F]{32}")),
}
MAX_BODY = 1600  # Twilio's longest text

Params = Mapping[str, str | list[str]]


def _first(params: Params, name: str) -> str:
    value = params.get(name, "")
    return str(value[0] if isinstance(value, list) and value else value or "")


def _number(text: str, name: str) -> str:
    try:
        number = normalise_phone(text)
    except ValidationError as error:
        raise ValidationError(name, error.reason) from None
    if number is None:
        raise ValidationError(name, "is missing")
    return number


def open_contact(session: Session, school_number: str, persona_number: str) -> Contact | None:
    """The open contact of the school calling from ``school_number`` that ``persona_number`` belongs to.

    Open: not approved. The persona's number narrows it to the auditor who left the message;
    a phone contact comes before another channel's, then the most recent.
    """
    query = (
        select(Contact)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(School, School.id == Assignment.school_id)
        .outerjoin(AuditorProfile, AuditorProfile.user_id == Contact.auditor_id)
        .where(School.phone == school_number, Contact.status != ContactStatus.APPROVED)
        .order_by(
            case((AuditorProfile.persona_phone == persona_number, 0), else_=1),
            case((Assignment.channel == Channel.PHONE, 0), else_=1),
            Contact.created_at.desc(),
            Contact.id.desc(),
        )
        .limit(1)
    )
    return session.scalars(query).first()


def apply_inbound(
    session: Session, kind: TouchKind, params: Params, now: datetime, account_sid: str | None = None
) -> InboundTouch:
    """Record one incoming call or text (once per SID) and match it to its contact; the caller commits.

    Every parameter is checked first (``ValidationError`` lists the bad ones; nothing is stored).
    """
    sid_name, sid_pattern = SIDS[kind]
    problems: list[tuple[str | None, str]] = []
    clean: dict[str, str] = {}
    try:
        clean = clean_params(params, (sid_name, "From", "To"), account_sid)
    except ValidationError as error:
        problems.extend(error.problems)
    if clean and not sid_pattern.fullmatch(clean[sid_name]):
        problems.append((sid_name, "must be a Twilio SID of 34 characters"))
    numbers: dict[str, str] = {}
    for name in ("From", "To"):
        if any(field == name for field, _ in problems):
            continue
        try:
            numbers[name] = _number(_first(params, name), name)
        except ValidationError as error:
            problems.extend(error.problems)
    if problems:
        raise ValidationError.many(problems)
    sid = clean[sid_name]
    existing = session.scalars(select(InboundTouch).where(InboundTouch.sid == sid)).first()
    if existing is not None:
        return existing
    contact = open_contact(session, numbers["From"], numbers["To"])
    touch = InboundTouch(
        sid=sid,
        kind=kind,
        from_number=numbers["From"],
        to_number=numbers["To"],
        body=str(clean.get("Body", ""))[:MAX_BODY] if kind is TouchKind.TEXT else "",
        at=now,
        contact_id=contact.id if contact else None,
    )
    session.add(touch)
    session.flush()
    if contact is not None and contact.callback_at is None:
        _record_callback(contact, now)
    return touch


def _record_callback(contact: Contact, at: datetime) -> None:
    """The school's first call-back or text: the contact's call-back time, prefilled for the auditor."""
    if contact.assignment.channel is not Channel.PHONE:
        return  # a text about an email or a visit is shown on the contact, not timed
    contact.callback_at = at
    if contact.status not in EDITABLE_BY_AUDITOR:
        return
    timezone = contact.assignment.round.district.timezone
    values = form_values(contact, timezone)
    values["callback_at"] = format_local(at, timezone)
    try:
        save_draft(contact, values, contact.auditor, at)
    except (ConflictError, NotAllowedError, ValidationError):
        return


def touches_of(session: Session, contact: Contact) -> list[InboundTouch]:
    """The call-backs and texts matched to ``contact``, in order."""
    return list(
        session.scalars(
            select(InboundTouch).where(InboundTouch.contact_id == contact.id).order_by(InboundTouch.at)
        )
    )
