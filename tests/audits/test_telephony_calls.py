"""Starting a click-to-call, what the bridge dials, and which recordings the retention period removes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.contacts import start_contact
from audits.holds import lift_hold, place_hold
from audits.models import Call, ContactStatus
from audits.telephony.calls import bridge_for, call_placed, playable_recording, start_call
from audits.telephony.retention import recording_deleted, recordings_to_delete
from tests.audits.fieldwork_helpers import build_fieldwork
from tests.audits.telephony_helpers import AUDITOR_SID, SCHOOL_PHONE, T0, place, sid

NOW = datetime(2027, 2, 2, 15, 0, tzinfo=UTC)


def test_starting_a_call_keeps_the_auditors_phone_and_the_recording_decision(session: Session) -> None:
    fieldwork = build_fieldwork(session)
    fieldwork.school.phone, fieldwork.school.state = SCHOOL_PHONE, "FL"
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    pair = start_call(session, contact, fieldwork.auditor, "(904) 555-0199", "one_party_only", NOW)
    call_placed(pair, AUDITOR_SID)
    assert fieldwork.auditor.phone == "+19045550199"
    assert contact.recording_policy == "withheld"  # Florida: every party must consent
    assert (pair.auditor.leg, pair.school.leg) == ("auditor", "school")
    assert pair.auditor.recording_policy == pair.school.recording_policy == "withheld"
    assert pair.school.parent_call_sid == AUDITOR_SID
    assert not pair.decision.record


@pytest.mark.parametrize(
    ("phone", "reason"), [("", "enter the phone"), ("555", "too few"), ("call me", "not a phone")]
)
def test_the_auditors_phone_must_be_a_phone_number(session: Session, phone: str, reason: str) -> None:
    fieldwork = build_fieldwork(session)
    fieldwork.school.phone = SCHOOL_PHONE
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    with pytest.raises(ValidationError, match=reason) as caught:
        start_call(session, contact, fieldwork.auditor, phone, "off", NOW)
    assert caught.value.field == "phone"


def test_who_and_what_can_be_called(session: Session) -> None:
    fieldwork = build_fieldwork(session)
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    with pytest.raises(ValidationError, match="no phone number"):
        start_call(session, contact, fieldwork.auditor, "+19045550199", "off", NOW)
    fieldwork.school.phone = SCHOOL_PHONE
    with pytest.raises(NotAllowedError, match="contact's auditor"):
        start_call(session, contact, fieldwork.other_auditor, "+19045550199", "off", NOW)
    email = start_contact(session, fieldwork.email, fieldwork.auditor)
    with pytest.raises(ConflictError, match="only phone"):
        start_call(session, email, fieldwork.auditor, "+19045550199", "off", NOW)
    contact.status = ContactStatus.SUBMITTED
    with pytest.raises(ConflictError, match="submitted"):
        start_call(session, contact, fieldwork.auditor, "+19045550199", "off", NOW)


def test_one_call_at_a_time_unless_the_last_one_went_silent(session: Session) -> None:
    placed = place(session)
    auditor = placed.fieldwork.auditor
    soon = T0 + timedelta(minutes=1)
    with pytest.raises(ConflictError, match="under way") as caught:
        start_call(session, placed.contact, auditor, "+19045550199", "off", soon)
    assert caught.value.field == "call"
    # No callback ever came: after a few minutes the call counts as lost.
    start_call(session, placed.contact, auditor, "+19045550199", "off", T0 + timedelta(minutes=10))


def test_the_bridge_dials_the_school_as_decided(session: Session) -> None:
    placed = place(session, state="TX", policy="announce")
    plan = bridge_for(session, placed.contact, AUDITOR_SID)
    assert plan is not None
    assert (plan.school_phone, plan.record, plan.announce) == (SCHOOL_PHONE, True, True)
    assert bridge_for(session, placed.contact, sid("CA", 5)) is None  # not this contact's call


def test_retention_deletes_old_recordings_and_any_that_should_not_exist(session: Session) -> None:
    placed = place(session, state="TX", policy="one_party_only")
    leg = placed.auditor_leg
    leg.recording_sid, leg.recording_path = "RE" + "4" * 32, "abc.mp3"
    school = placed.school_leg
    school.recording_policy = "withheld"  # a recording Twilio made though it was not asked to
    school.recording_sid = "RE" + "5" * 32
    session.commit()
    assert recordings_to_delete(session, T0 + timedelta(days=89), 90) == ["RE" + "5" * 32]
    assert recordings_to_delete(session, T0 + timedelta(days=91), 90) == ["RE" + "4" * 32, "RE" + "5" * 32]
    assert playable_recording(session, placed.contact) is leg
    assert recording_deleted(session, "RE" + "4" * 32, NOW) == ["abc.mp3"]
    assert (leg.recording_path, leg.recording_deleted_at) == (None, NOW)
    assert playable_recording(session, placed.contact) is None
    assert recordings_to_delete(session, T0 + timedelta(days=91), 90) == ["RE" + "5" * 32]
    assert session.scalars(
        select(Call.recording_sid).where(Call.recording_deleted_at.is_not(None))
    ).all() == ["RE" + "4" * 32]


def test_a_legal_hold_keeps_old_recordings_but_not_one_that_should_not_exist(session: Session) -> None:
    placed = place(session, state="TX", policy="one_party_only")
    placed.auditor_leg.recording_sid = "RE" + "4" * 32
    placed.school_leg.recording_policy = "withheld"
    placed.school_leg.recording_sid = "RE" + "5" * 32
    round_ = placed.contact.assignment.round
    place_hold(session, round_, placed.contact.auditor, "Complaint about this call")
    session.commit()
    assert recordings_to_delete(session, T0 + timedelta(days=91), 90) == ["RE" + "5" * 32]
    lift_hold(session, round_, placed.contact.auditor, "Closed")
    assert recordings_to_delete(session, T0 + timedelta(days=91), 90) == ["RE" + "4" * 32, "RE" + "5" * 32]
