"""A phone contact with a placed Twilio call, and Twilio-shaped callback parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from sqlalchemy.orm import Session

from audits.fieldwork.contacts import start_contact
from audits.models import Call, Contact
from audits.telephony.calls import call_placed, start_call
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork

ACCOUNT_SID = "AC" + "a" * 32
AUDITOR_SID = "CA" + "1" * 32
SCHOOL_SID = "CA" + "2" * 32
RECORDING_SID = "RE" + "3" * 32
SCHOOL_PHONE = "+19045551234"
AUDITOR_PHONE = "+19045550199"
T0 = datetime(2027, 2, 2, 14, 15, tzinfo=UTC)  # 09:15 in New York


def sid(prefix: str, number: int) -> str:
    """A well-formed Twilio SID."""
    return f"{prefix}{number:032x}"


@dataclass
class Placed:
    """A phone contact whose call Twilio has accepted."""

    fieldwork: Fieldwork
    contact: Contact
    auditor_leg: Call
    school_leg: Call


def place(session: Session, state: str = "TX", policy: str = "off") -> Placed:
    """Build the fieldwork world, start the phone contact and place its call (committed)."""
    fieldwork = build_fieldwork(session)
    fieldwork.school.phone = SCHOOL_PHONE
    fieldwork.school.state = state
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    pair = start_call(session, contact, fieldwork.auditor, AUDITOR_PHONE, policy, T0 - timedelta(seconds=20))
    call_placed(pair, AUDITOR_SID)
    session.commit()
    return Placed(fieldwork, contact, pair.auditor, pair.school)


def status_params(
    call_sid: str, status: str, sequence: int, at: datetime, parent: str | None = None, **extra: str
) -> dict[str, str]:
    """A status callback as Twilio posts it (``parent``: the school leg's ParentCallSid)."""
    params = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "CallbackSource": "call-progress-events",
        "Called": SCHOOL_PHONE if parent else AUDITOR_PHONE,
        "CalledCity": "JACKSONVILLE",
        "CalledState": "FL",
        "Caller": "+19045550000",
        "Direction": "outbound-dial" if parent else "outbound-api",
        "From": "+19045550000",
        "SequenceNumber": str(sequence),
        "Timestamp": format_datetime(at),
        "To": SCHOOL_PHONE if parent else AUDITOR_PHONE,
    }
    if parent:
        params["ParentCallSid"] = parent
    params.update(extra)
    return params


def school_call(
    ring_seconds: int = 13, talk_seconds: int = 180, answered_by: str = "human"
) -> list[dict[str, str]]:
    """The school leg's four callbacks for a call answered after ``ring_seconds``."""
    answered = T0 + timedelta(seconds=1 + ring_seconds)
    return [
        status_params(SCHOOL_SID, "initiated", 0, T0, AUDITOR_SID),
        status_params(SCHOOL_SID, "ringing", 1, T0 + timedelta(seconds=1), AUDITOR_SID),
        status_params(SCHOOL_SID, "in-progress", 2, answered, AUDITOR_SID, AnsweredBy=answered_by),
        status_params(
            SCHOOL_SID,
            "completed",
            3,
            answered + timedelta(seconds=talk_seconds),
            AUDITOR_SID,
            CallDuration=str(talk_seconds),
            Duration="3",
        ),
    ]


def auditor_call() -> list[dict[str, str]]:
    """The auditor leg's callbacks: answered at once, ended after the school leg."""
    return [
        status_params(AUDITOR_SID, "initiated", 0, T0 - timedelta(seconds=20)),
        status_params(AUDITOR_SID, "ringing", 1, T0 - timedelta(seconds=19)),
        status_params(AUDITOR_SID, "in-progress", 2, T0 - timedelta(seconds=5)),
        status_params(AUDITOR_SID, "completed", 3, T0 + timedelta(seconds=200), CallDuration="205"),
    ]
