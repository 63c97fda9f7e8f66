"""Putting what Twilio measured on the contact, beside what the auditor typed.

``Contact.measured`` always holds the latest measurements of the contact's most
recent dialled school leg. The contact form is prefilled from them only where
the auditor has typed nothing (or still shows an earlier measurement): a value
the auditor corrected is theirs and is never overwritten, while the measured
one stays beside it for reviewers to compare.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.fieldwork.drafts import format_local, stored_values
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.models import Call, CallEvent, Contact
from audits.telephony.timings import LegState, StatusEvent, leg_state, measurements

# The contact form's inputs a measurement can fill.
FORM_FIELDS = ("started_at", "outcome", "rings", "call_seconds")


def status_events(session: Session, call: Call) -> list[StatusEvent]:
    """Every status callback stored for ``call``."""
    rows = session.scalars(select(CallEvent).where(CallEvent.call_id == call.id, CallEvent.kind == "status"))
    return [StatusEvent(row.sequence, row.status, row.at, row.params) for row in rows]


def refresh_leg(session: Session, call: Call) -> LegState:
    """Recompute ``call``'s columns from all its stored status events; return the state."""
    state = leg_state(status_events(session, call))
    call.status = state.status
    call.last_sequence = state.last_sequence
    call.ringing_at = state.ringing_at
    call.answered_at = state.answered_at
    call.ended_at = state.ended_at
    call.duration_seconds = state.duration_seconds
    call.answered_by = state.answered_by
    call.machine = state.machine
    return state


def latest_school_leg(session: Session, contact: Contact) -> Call | None:
    """The contact's most recent school leg that Twilio has reported on."""
    return session.scalars(
        select(Call)
        .where(Call.contact_id == contact.id, Call.leg == "school", Call.last_sequence >= 0)
        .order_by(Call.id.desc())
        .limit(1)
    ).first()


def _form_text(name: str, value: Any, timezone: str) -> str:
    if value is None:
        return ""
    if name == "started_at":
        return format_local(datetime.fromisoformat(value), timezone)
    return str(value)


def refresh_contact(session: Session, contact: Contact) -> dict[str, Any]:
    """Recompute ``contact.measured`` and prefill the auditor's draft where they typed nothing.

    ``measured["prefilled"]`` remembers what was put in the draft, so a later
    measurement replaces it while anything the auditor typed stays theirs.
    """
    session.flush()
    leg = latest_school_leg(session, contact)
    if leg is None:
        return dict(contact.measured or {})
    old = dict(contact.measured or {})
    new = measurements(leg_state(status_events(session, leg)))
    new["call_sid"] = leg.call_sid
    prefilled = dict(old.get("prefilled") or {})
    if contact.status in EDITABLE_BY_AUDITOR:
        prefilled = _prefill(contact, new, prefilled)
    new["prefilled"] = prefilled
    if new != old:
        contact.measured = new
    return new


def _prefill(contact: Contact, new: dict[str, Any], prefilled: dict[str, str]) -> dict[str, str]:
    """Fill the draft's fields the auditor has not typed in with ``new``; return what is now prefilled."""
    timezone = contact.assignment.round.district.timezone
    draft = dict(contact.draft) if contact.draft else stored_values(contact, timezone)
    prefilled = dict(prefilled)
    changed = False
    for name in FORM_FIELDS:
        value = _form_text(name, new.get(name), timezone)
        current = str(draft.get(name, "")).strip()
        ours = prefilled.get(name, "")
        if current and current != ours:
            continue  # typed or corrected by the auditor: theirs
        if value:
            prefilled[name] = value
        elif ours:
            del prefilled[name]  # the latest call has not measured it (yet): an older call's value goes
        if current != value:
            draft[name] = value
            changed = True
    if changed:
        contact.draft = draft
    return prefilled
