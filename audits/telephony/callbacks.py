"""Twilio's status and recording callbacks, applied idempotently and in any order.

Twilio may send a callback twice and callbacks may overtake each other. Each
status event is stored once (its ``(call, kind, SequenceNumber, status)`` is
unique) and the call's state is recomputed from all stored events, sorted by
``(SequenceNumber, status rank)``, so every arrival order ends in the same state.
A callback for a call Touchpoint does not know returns ``None``: the web layer
answers 200 and logs it, as Twilio cannot do anything about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import Call, CallEvent
from audits.telephony.measured import refresh_contact, refresh_leg
from audits.telephony.parameters import clean_params

Params = Mapping[str, str | list[str]]


def find_call(session: Session, call_sid: str, parent_call_sid: str | None = None) -> Call | None:
    """The call leg with ``call_sid``; a school leg is first known by its parent's SID.

    ``<Dial>`` creates the school leg, so its first callback carries a new
    ``CallSid`` and the auditor leg's SID as ``ParentCallSid``: the waiting school
    leg of that parent takes the new SID.
    """
    call = session.scalars(select(Call).where(Call.call_sid == call_sid)).first()
    if call is not None or not parent_call_sid:
        return call
    call = session.scalars(
        select(Call)
        .where(Call.leg == "school", Call.parent_call_sid == parent_call_sid, Call.call_sid.is_(None))
        .order_by(Call.id.desc())
        .limit(1)
    ).first()
    if call is not None:
        call.call_sid = call_sid
    return call


def _store_event(
    session: Session, call: Call, kind: str, sequence: int, status: str, at: datetime, params: dict[str, Any]
) -> bool:
    """Store one event unless it is stored already; return whether it was new."""
    existing = session.scalars(
        select(CallEvent.id).where(
            CallEvent.call_id == call.id,
            CallEvent.kind == kind,
            CallEvent.sequence == sequence,
            CallEvent.status == status,
        )
    ).first()
    if existing is not None:
        return False
    session.add(CallEvent(call_id=call.id, kind=kind, sequence=sequence, status=status, at=at, params=params))
    session.flush()
    return True


def apply_status(
    session: Session, params: Params, now: datetime, account_sid: str | None = None
) -> Call | None:
    """Apply one call status callback; return the call leg, or ``None`` when the call is unknown.

    Every parameter is checked first (``ValidationError`` lists the bad ones and
    nothing changes). ``Timestamp`` gives the event's moment (``now`` without one).
    """
    clean = clean_params(params, ("CallSid", "CallStatus", "SequenceNumber"), account_sid)
    call = find_call(session, clean["CallSid"], clean.get("ParentCallSid"))
    if call is None:
        return None
    at = datetime.fromisoformat(clean["Timestamp"]) if "Timestamp" in clean else now
    _store_event(session, call, "status", clean["SequenceNumber"], clean["CallStatus"], at, clean)
    refresh_leg(session, call)
    refresh_contact(session, call.contact)
    return call


def apply_recording(
    session: Session, params: Params, now: datetime, account_sid: str | None = None
) -> Call | None:
    """Apply one recording status callback: keep the recording's SID and length (fetched later).

    Returns the call leg the recording belongs to, or ``None`` when the call is unknown.
    """
    clean = clean_params(params, ("CallSid", "RecordingSid", "RecordingStatus"), account_sid)
    call = find_call(session, clean["CallSid"], clean.get("ParentCallSid"))
    if call is None:
        return None
    at = datetime.fromisoformat(clean["RecordingStartTime"]) if "RecordingStartTime" in clean else now
    _store_event(session, call, "recording", 0, clean["RecordingStatus"], at, clean)
    if clean["RecordingStatus"] == "completed" and call.recording_sid in {None, clean["RecordingSid"]}:
        call.recording_sid = clean["RecordingSid"]
        call.recording_seconds = clean.get("RecordingDuration")
    session.flush()
    return call
