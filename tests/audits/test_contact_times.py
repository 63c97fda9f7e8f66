"""A contact's recorded times are refused when they cannot be true: in the future, before its round
opened, or (its start) after the contact was first submitted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.fieldwork.contacts import approve, reopen, reviewer_edit, start_contact, submit
from audits.models import ContactStatus
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, attempt, build_fieldwork, changed, local

FUTURE = "this is in the future: enter the time it really happened"


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)  # a round from Mon Feb 1 to Fri Feb 26, 2027, New York time


def _problems(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str | None, str]:
    return dict(caught.value.problems)


def test_a_call_recorded_as_starting_in_the_future_is_refused_and_nothing_is_saved(
    session: Session, world: Fieldwork
) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    now = local("2027-02-02T09:00")
    with pytest.raises(ValidationError) as caught:
        submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=now)  # started 09:15
    assert _problems(caught) == {"started_at": FUTURE}
    assert contact.status is ContactStatus.DRAFT and contact.started_at is None


def test_a_phone_clock_a_few_minutes_ahead_is_tolerated(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=local("2027-02-02T09:12"))
    assert contact.status is ContactStatus.SUBMITTED


def test_a_time_before_the_round_opened_is_refused_with_the_opening_day(
    session: Session, world: Fieldwork
) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    early = changed(REACHED_CALL, started_at=local("2027-01-29T10:00"))
    with pytest.raises(ValidationError) as caught:
        submit(session, contact, early, world.auditor, world.calendar, now=local("2027-02-02T12:00"))
    assert _problems(caught) == {
        "started_at": "this is before the round opened (Monday, February 1 at 00:00)"
    }
    # Just after midnight on the first day, in the district's time, is inside the window.
    first_minute = changed(REACHED_CALL, started_at=local("2027-02-01T00:01"))
    submit(session, contact, first_minute, world.auditor, world.calendar, now=local("2027-02-02T12:00"))
    assert contact.status is ContactStatus.SUBMITTED


def test_a_reply_still_to_come_is_refused_but_a_late_reply_can_be_added_on_resubmission(
    session: Session, world: Fieldwork
) -> None:
    contact = start_contact(session, world.email, world.auditor)
    sent = attempt("no_reply", "2027-02-02T10:00", sent_text="Hi")
    submitted = local("2027-02-05T16:00")
    future_reply = changed(attempt("reached", "2027-02-02T10:00", sent_text="Hi"), reply_at=submitted)
    with pytest.raises(ValidationError) as caught:
        submit(
            session, contact, future_reply, world.auditor, world.calendar, now=submitted - timedelta(hours=1)
        )
    assert _problems(caught)["timings.reply_at"] == FUTURE

    submit(session, contact, sent, world.auditor, world.calendar, now=submitted)
    approve(session, contact, world.reviewer, now=submitted + timedelta(hours=1))
    reopen(session, contact, world.reviewer, "The reply came on Monday.", now=local("2027-02-08T12:00"))
    # The reply arrived after the first submission: that is fine, it is not in the future.
    late = changed(sent, reply_at=local("2027-02-08T09:30"), reply_text="Here is the form.")
    submit(session, contact, late, world.auditor, world.calendar, now=local("2027-02-08T13:00"))
    assert contact.reply_at == local("2027-02-08T09:30")


def test_a_start_moved_after_the_first_submission_is_refused_in_review(
    session: Session, world: Fieldwork
) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    first_submitted = local("2027-02-02T10:00")
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=first_submitted)
    moved = changed(REACHED_CALL, started_at=local("2027-02-03T09:15"))
    with pytest.raises(ValidationError) as caught:
        reviewer_edit(session, contact, moved, world.reviewer, world.calendar, now=local("2027-02-04T12:00"))
    assert _problems(caught) == {
        "started_at": "this is after the contact was first submitted (Tuesday, February 2 at 10:00)"
    }
    assert contact.started_at == local("2027-02-02T09:15") and contact.edits == []


def test_a_call_back_in_the_future_is_refused(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    voicemail = attempt("voicemail", "2027-02-02T09:15", callback_at=local("2027-02-03T11:00"))
    with pytest.raises(ValidationError) as caught:
        submit(session, contact, voicemail, world.auditor, world.calendar, now=local("2027-02-02T16:00"))
    assert list(_problems(caught)) == ["timings.callback_at"]
