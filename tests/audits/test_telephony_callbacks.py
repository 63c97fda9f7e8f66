"""Status and recording callbacks: checked, stored once, and the same state whatever their order."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.fieldwork.contacts import submit
from audits.fieldwork.drafts import save_draft
from audits.models import Call, CallEvent, Contact, ContactStatus
from audits.telephony.callbacks import apply_recording, apply_status
from audits.telephony.calls import call_placed, start_call
from tests.audits.fieldwork_helpers import REACHED_CALL, changed
from tests.audits.telephony_helpers import (
    ACCOUNT_SID,
    AUDITOR_SID,
    RECORDING_SID,
    SCHOOL_SID,
    T0,
    Placed,
    auditor_call,
    place,
    school_call,
    sid,
    status_params,
)

NOW = datetime(2027, 2, 2, 15, 0, tzinfo=UTC)


def _apply_all(session: Session, callbacks: list[dict[str, str]]) -> None:
    for params in callbacks:
        assert apply_status(session, params, NOW, ACCOUNT_SID) is not None
    session.flush()


def _state(session: Session, placed: Placed) -> dict[str, Any]:
    """Everything the callbacks change, without ids or receipt times."""
    calls = session.scalars(select(Call).where(Call.contact_id == placed.contact.id).order_by(Call.id)).all()
    legs = [
        {
            column: getattr(call, column)
            for column in (
                "leg", "call_sid", "status", "last_sequence", "ringing_at", "answered_at", "ended_at",
                "duration_seconds", "answered_by", "machine",
            )
        }
        for call in calls
    ]  # fmt: skip
    events = sorted(
        (event.call_id, event.kind, event.sequence, event.status, event.at)
        for event in session.scalars(select(CallEvent))
    )
    contact = session.get(Contact, placed.contact.id)
    assert contact is not None
    return {"legs": legs, "events": events, "measured": contact.measured, "draft": contact.draft}


def test_a_reached_call_lands_on_the_contact(session: Session) -> None:
    placed = place(session)
    _apply_all(session, auditor_call() + school_call(ring_seconds=13, talk_seconds=180))
    session.commit()
    school = session.get(Call, placed.school_leg.id)
    assert school is not None
    assert school.call_sid == SCHOOL_SID  # adopted through ParentCallSid
    assert school.status == "completed"
    assert school.ringing_at == T0 + timedelta(seconds=1)
    assert school.answered_at == T0 + timedelta(seconds=14)
    assert school.duration_seconds == 180
    assert (school.answered_by, school.machine) == ("human", False)
    assert placed.auditor_leg.status == "completed"
    contact = placed.contact
    assert contact.measured["rings"] == 3
    assert contact.measured["ring_seconds"] == 13
    assert contact.measured["outcome"] == "reached"
    assert contact.measured["call_seconds"] == 180
    assert contact.measured["call_sid"] == SCHOOL_SID
    # The empty draft is prefilled in the form's own format (district time for the start).
    assert contact.draft["rings"] == "3"
    assert contact.draft["outcome"] == "reached"
    assert contact.draft["call_seconds"] == "180"
    assert contact.draft["started_at"] == "2027-02-02T09:15"


def test_every_order_of_the_school_legs_callbacks_ends_the_same(session: Session) -> None:
    placed = place(session)
    callbacks = school_call()
    _apply_all(session, callbacks)
    expected = _state(session, placed)
    session.rollback()
    for order in itertools.permutations(callbacks):
        # Each arrives, then the first two come again (Twilio retries).
        _apply_all(session, [*order, *order[:2]])
        assert _state(session, placed) == expected, [params["CallStatus"] for params in order]
        session.rollback()
    assert len(expected["events"]) == 4


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_both_legs_in_any_order_with_repeats(session: Session, data: st.DataObject) -> None:
    if session.scalar(select(func.count(Contact.id))) == 0:
        place(session)
    placed_contact = session.scalars(select(Contact)).one()
    callbacks = auditor_call() + school_call(ring_seconds=25, answered_by="machine_start")
    order = data.draw(st.permutations(callbacks))
    repeats = data.draw(st.lists(st.sampled_from(callbacks), max_size=4))
    _apply_all(session, [*order, *repeats])
    state = (
        placed_contact.measured,
        session.scalars(select(Call.status).order_by(Call.id)).all(),
        session.scalar(select(func.count(CallEvent.id))),
    )
    session.rollback()
    assert state[0]["outcome"] == "voicemail"  # a machine picked up after 5 rings
    assert state[0]["rings"] == 5
    assert state[1] == ["completed", "completed"]
    assert state[2] == 8


def test_the_auditors_corrections_are_kept_and_the_measurement_beside_them(session: Session) -> None:
    placed = place(session)
    contact, auditor = placed.contact, placed.fieldwork.auditor
    save_draft(contact, {"rings": "5", "outcome": "", "hold_seconds": "30"}, auditor, NOW)
    session.commit()
    _apply_all(session, school_call(ring_seconds=13))
    assert contact.draft["rings"] == "5"  # typed by the auditor: theirs
    assert contact.draft["hold_seconds"] == "30"
    assert contact.draft["outcome"] == "reached"  # blank: filled
    assert contact.measured["rings"] == 3
    # The auditor corrects the measured length, then submits: their values count, the measured stay.
    entry = changed(REACHED_CALL, rings=int(contact.draft["rings"]), call_seconds=200)
    submit(session, contact, entry, auditor, placed.fieldwork.calendar, NOW)
    session.commit()
    assert (contact.rings, contact.call_seconds, contact.status) == (5, 200, ContactStatus.SUBMITTED)
    assert (contact.measured["rings"], contact.measured["call_seconds"]) == (3, 180)


def test_a_second_calls_measurement_replaces_the_first_one_the_auditor_left_alone(session: Session) -> None:
    placed = place(session)
    contact, auditor = placed.contact, placed.fieldwork.auditor
    _apply_all(
        session,
        [
            status_params(SCHOOL_SID, "ringing", 1, T0, AUDITOR_SID),
            status_params(
                SCHOOL_SID, "no-answer", 2, T0 + timedelta(seconds=31), AUDITOR_SID, CallDuration="0"
            ),
        ],
    )
    assert (contact.draft["outcome"], contact.draft["rings"]) == ("no_answer", "6")
    save_draft(contact, {**contact.draft, "hold_seconds": "0"}, auditor, NOW)  # typed, rings untouched
    second = start_call(session, contact, auditor, "+19045550199", "off", NOW)
    call_placed(second, sid("CA", 7))
    later = NOW + timedelta(minutes=1)
    _apply_all(
        session,
        [
            status_params(sid("CA", 8), "ringing", 1, later, sid("CA", 7)),
            status_params(sid("CA", 8), "in-progress", 2, later + timedelta(seconds=4), sid("CA", 7)),
        ],
    )
    assert (contact.draft["outcome"], contact.draft["rings"]) == ("reached", "1")
    assert contact.draft["hold_seconds"] == "0"
    assert contact.measured["call_sid"] == sid("CA", 8)


def test_a_submitted_contacts_draft_is_left_alone(session: Session) -> None:
    placed = place(session)
    placed.contact.status = ContactStatus.SUBMITTED
    session.commit()
    _apply_all(session, school_call())
    assert placed.contact.draft == {}
    assert placed.contact.measured["outcome"] == "reached"


def test_an_unknown_call_changes_nothing(session: Session) -> None:
    place(session)
    params = status_params(sid("CA", 99), "ringing", 1, T0, parent=sid("CA", 98))
    assert apply_status(session, params, NOW, ACCOUNT_SID) is None
    assert session.scalar(select(func.count(CallEvent.id))) == 0


def test_every_bad_parameter_is_reported_at_once_and_nothing_changes(session: Session) -> None:
    place(session)
    params = status_params(AUDITOR_SID, "ringing", 1, T0)
    params.update(
        CallStatus="exploded",
        SequenceNumber="-1",
        Timestamp="yesterday",
        CallDuration="12.5",
        AnsweredBy="robot",
        AccountSid="AC" + "b" * 32,
    )
    params["Bad Name"] = "x"
    params["Note"] = "line\nbreak"
    with pytest.raises(ValidationError) as caught:
        apply_status(session, params, NOW, ACCOUNT_SID)
    fields = {field for field, _ in caught.value.problems}
    assert fields == {
        "CallStatus", "SequenceNumber", "Timestamp", "CallDuration", "AnsweredBy", "AccountSid", "Bad Name",
        "Note",
    }  # fmt: skip
    assert session.scalar(select(func.count(CallEvent.id))) == 0


@pytest.mark.parametrize("missing", ["CallSid", "CallStatus", "SequenceNumber"])
def test_required_parameters(session: Session, missing: str) -> None:
    params = status_params(AUDITOR_SID, "ringing", 1, T0)
    del params[missing]
    with pytest.raises(ValidationError, match=missing):
        apply_status(session, params, NOW)


def test_a_parameter_sent_twice_is_refused(session: Session) -> None:
    params: dict[str, Any] = dict(status_params(AUDITOR_SID, "ringing", 1, T0))
    params["CallStatus"] = ["ringing", "completed"]
    with pytest.raises(ValidationError, match="more than once"):
        apply_status(session, params, NOW)


def test_unknown_but_plain_parameters_are_kept(session: Session) -> None:
    placed = place(session)
    params = status_params(AUDITOR_SID, "ringing", 1, T0, StirVerstat="TN-Validation-Passed-A")
    apply_status(session, params, NOW, ACCOUNT_SID)
    event = session.scalars(select(CallEvent)).one()
    assert event.params["StirVerstat"] == "TN-Validation-Passed-A"
    assert event.params["SequenceNumber"] == 1
    assert event.call_id == placed.auditor_leg.id


def test_a_recording_callback_keeps_the_recording_once(session: Session) -> None:
    placed = place(session, state="TX", policy="one_party_only")
    params = {
        "AccountSid": ACCOUNT_SID,
        "CallSid": AUDITOR_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingStatus": "completed",
        "RecordingDuration": "181",
        "RecordingChannels": "2",
        "RecordingSource": "DialVerb",
        "RecordingStartTime": "Tue, 02 Feb 2027 14:15:14 +0000",
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{RECORDING_SID}",
    }
    for _ in range(2):
        call = apply_recording(session, params, NOW, ACCOUNT_SID)
        assert call is not None
        assert call.id == placed.auditor_leg.id
    assert (call.recording_sid, call.recording_seconds) == (RECORDING_SID, 181)
    assert session.scalar(select(func.count(CallEvent.id)).where(CallEvent.kind == "recording")) == 1
    with pytest.raises(ValidationError, match="RecordingSid"):
        apply_recording(session, {**params, "RecordingSid": "RE-not-a-sid"}, NOW)
