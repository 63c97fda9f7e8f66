"""Click-to-call: the two call legs of a phone contact and what the bridge dials.

Twilio first rings the auditor (the ``auditor`` leg); when they answer, the
bridge's ``<Dial>`` rings the school from the district's caller ID (the
``school`` leg). Both legs are created when the auditor presses "call"; the
recording decision, taken then from the school's state, is kept on the contact
and on both legs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.models import Call, Channel, Contact, User
from audits.phones import normalise_phone
from audits.telephony.recording import Decision, recording_decision
from audits.telephony.timings import FINAL_STATUSES

# A call that has not ended after this long, or not been heard of at all after NO_NEWS, is taken
# as lost (its callbacks never came) and no longer stops the auditor from calling again.
CALL_UNDER_WAY = timedelta(hours=2)
NO_NEWS = timedelta(minutes=5)
RECORDED_CODES = frozenset({"one_party", "announced"})


@dataclass(frozen=True)
class CallPair:
    """The two legs of one click-to-call."""

    auditor: Call
    school: Call
    decision: Decision


def latest_pair(session: Session, contact: Contact) -> tuple[Call, Call | None] | None:
    """The contact's most recent auditor leg and its school leg (``None`` if never called)."""
    auditor = session.scalars(
        select(Call)
        .where(Call.contact_id == contact.id, Call.leg == "auditor")
        .order_by(Call.id.desc())
        .limit(1)
    ).first()
    if auditor is None:
        return None
    school = session.scalars(
        select(Call)
        .where(Call.contact_id == contact.id, Call.leg == "school", Call.id > auditor.id)
        .order_by(Call.id)
        .limit(1)
    ).first()
    return auditor, school


def _check_can_call(session: Session, contact: Contact, user: User, now: datetime) -> None:
    if contact.auditor_id != user.id:
        raise NotAllowedError("contact", "only the contact's auditor can call the school")
    if contact.assignment.channel is not Channel.PHONE:
        raise ConflictError("contact", "only phone contacts are called")
    if contact.status not in EDITABLE_BY_AUDITOR:
        raise ConflictError("status", f"the contact is {contact.status.value}; it takes no new call")
    if not contact.assignment.school.phone:
        raise ValidationError("school", "the school has no phone number on file")
    pair = latest_pair(session, contact)
    if pair is not None and under_way(*pair, now):
        raise ConflictError("call", "a call for this contact is already under way")


def under_way(auditor: Call, school: Call | None, now: datetime) -> bool:
    """Whether the last call may still be going on (one whose callbacks stopped coming is not)."""
    reported = [leg for leg in (auditor, school) if leg is not None and leg.last_sequence >= 0]
    age = now - auditor.created_at
    if not reported:
        return age < NO_NEWS
    return any(leg.status not in FINAL_STATUSES for leg in reported) and age < CALL_UNDER_WAY


def start_call(
    session: Session, contact: Contact, user: User, phone: str, policy: str, now: datetime
) -> CallPair:
    """Create both legs of a call for ``contact``; ``phone`` (the auditor's) is kept on their profile.

    Raises ``ValidationError`` (on ``phone``, ``contact``, ``status``, ``school`` or
    ``call``) when the call cannot be placed.
    """
    number = normalise_phone(phone)
    if number is None:
        raise ValidationError("phone", "enter the phone number Twilio should ring you on")
    _check_can_call(session, contact, user, now)
    user.phone = number
    decision = recording_decision(policy, contact.assignment.school.state)
    contact.recording_policy = decision.code
    auditor = Call(contact_id=contact.id, leg="auditor", status="queued", recording_policy=decision.code)
    school = Call(contact_id=contact.id, leg="school", status="queued", recording_policy=decision.code)
    auditor.created_at = school.created_at = now
    session.add_all([auditor, school])
    session.flush()
    return CallPair(auditor, school, decision)


def call_placed(pair: CallPair, call_sid: str) -> None:
    """Twilio accepted the call: remember its SID, the parent of the school leg to come."""
    pair.auditor.call_sid = call_sid
    pair.school.parent_call_sid = call_sid


@dataclass(frozen=True)
class Bridge:
    """What the bridge TwiML dials: the school's number, recorded or not, with a notice or not."""

    school_phone: str
    record: bool
    announce: bool


def bridge_for(session: Session, contact: Contact, call_sid: str) -> Bridge | None:
    """What to dial once the auditor leg ``call_sid`` answers (``None``: not a leg of ``contact``)."""
    call = session.scalars(
        select(Call).where(Call.call_sid == call_sid, Call.contact_id == contact.id, Call.leg == "auditor")
    ).first()
    phone = contact.assignment.school.phone
    if call is None or not phone:
        return None
    return Bridge(phone, call.recording_policy in RECORDED_CODES, call.recording_policy == "announced")


def recording_downloaded(call: Call, storage_name: str) -> None:
    """The recording is stored locally under ``storage_name``."""
    call.recording_path = storage_name


def playable_recording(session: Session, contact: Contact) -> Call | None:
    """The contact's most recent call leg with a stored recording that has not been deleted."""
    return session.scalars(
        select(Call)
        .where(
            Call.contact_id == contact.id,
            Call.recording_path.is_not(None),
            Call.recording_deleted_at.is_(None),
        )
        .order_by(Call.id.desc())
        .limit(1)
    ).first()


def pending_downloads(session: Session) -> list[Call]:
    """Recordings Twilio made that were never fetched (a failed download is retried from these)."""
    return list(
        session.scalars(
            select(Call).where(
                Call.recording_sid.is_not(None),
                Call.recording_path.is_(None),
                Call.recording_deleted_at.is_(None),
                Call.recording_policy.in_(RECORDED_CODES),
            )
        )
    )
