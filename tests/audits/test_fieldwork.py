"""Contacts: entry checks, the review state machine, attempts, the edit log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.contacts import (
    approve,
    attempts_of,
    can_retry,
    reopen,
    retry,
    return_contact,
    review_queue,
    reviewer_edit,
    start_contact,
    submit,
    suggested_slot,
)
from audits.fieldwork.drafts import form_values, save_draft
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.models import ContactStatus, Outcome, ReviewAction, RoundStatus, Slot
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, attempt, build_fieldwork, changed, local
from tests.conftest import TEST_NOW


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)


def test_a_reached_call_is_stored_with_its_answers_and_measured_timing(
    session: Session, world: Fieldwork
) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    assert (contact.attempt, contact.status, contact.rubric.key) == (1, ContactStatus.DRAFT, "phone-test")
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    session.commit()
    assert contact.status is ContactStatus.SUBMITTED
    assert contact.started_at == datetime(2027, 2, 2, 14, 15, tzinfo=UTC)
    assert (contact.rings, contact.hold_seconds, contact.staff_gave_name) == (4, 30, True)
    answers = {r.item.key: (r.value, r.na, r.fraction, r.comment) for r in contact.responses}
    assert answers["answered_by_person"] == (True, False, 1.0, "")
    assert answers["rings"] == (4.0, False, 0.5, "")  # filled from the measured rings (band ≤5 → 0.5)
    assert answers["courtesy"] == (3, False, 0.75, "")
    assert answers["accuracy"][2] == 0.5
    assert answers["accuracy"][3] == "Did not mention immunisation records."
    assert answers["impression"][0] == "Friendly but rushed."
    assert [event.action for event in contact.events] == [ReviewAction.SUBMITTED]


def test_every_problem_is_reported_at_once(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    entry = ContactEntry(Outcome.REACHED, None, Timings(rings=-2), {"courtesy": AnswerEntry(9)})
    with pytest.raises(ValidationError) as caught:
        submit(session, contact, entry, world.auditor, world.calendar, now=TEST_NOW)
    fields = [field for field, _ in caught.value.problems]
    assert fields == [
        "started_at",
        "timings.rings",
        "responses.answered_by_person",
        "responses.rings",
        "responses.courtesy",
        "responses.accuracy",
    ]
    assert contact.status is ContactStatus.DRAFT


def test_values_of_the_wrong_kind_and_unknown_items_are_refused(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    naive = datetime(2027, 2, 2, 9, 15)  # noqa: DTZ001 - a time without its zone, on purpose
    entry = changed(
        REACHED_CALL,
        rings=True,  # type: ignore[arg-type]
        callback_at=naive,
        responses={"courtesy": AnswerEntry("3"), "loudness": AnswerEntry(2)},
    )
    with pytest.raises(ValidationError) as caught:
        submit(session, contact, entry, world.auditor, world.calendar, now=TEST_NOW)
    assert caught.value.problems == [
        ("timings.rings", "enter a whole number"),
        ("timings.callback_at", "give the time with its time zone"),
        ("responses.loudness", "phone-test v1 has no item 'loudness'"),
        ("responses.rings", "answer this item"),  # nothing measured: the rings were refused
        ("responses.courtesy", "choose a whole number from 0 to 4"),
    ]


def test_na_only_where_allowed(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    entry = changed(
        REACHED_CALL,
        responses={"courtesy": AnswerEntry(na=True), "accuracy": AnswerEntry("Partly correct", na=True)},
    )
    with pytest.raises(ValidationError) as caught:
        submit(session, contact, entry, world.auditor, world.calendar, now=TEST_NOW)
    assert caught.value.problems == [("responses.accuracy", "this item cannot be marked N/A")]


def test_drafts_belong_to_their_auditor(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    save_draft(contact, {"rings": "3", "csrf_token": "x"}, world.auditor)
    assert contact.draft == {"rings": "3"}
    assert form_values(contact, "America/New_York") == {"rings": "3"}
    with pytest.raises(NotAllowedError):
        save_draft(contact, {"rings": "9"}, world.other_auditor)
    with pytest.raises(NotAllowedError, match="another auditor"):
        start_contact(session, world.phone, world.other_auditor)


def test_state_machine_with_illegal_moves_refused(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    with pytest.raises(ConflictError):
        approve(session, contact, world.reviewer)  # a draft cannot be approved
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    with pytest.raises(ValidationError, match="comment"):
        return_contact(session, contact, world.reviewer, " ")
    with pytest.raises(NotAllowedError, match="only reviewers"):
        approve(session, contact, world.auditor)
    return_contact(session, contact, world.reviewer, "Rings look wrong")
    assert contact.status is ContactStatus.RETURNED
    with pytest.raises(ConflictError):
        approve(session, contact, world.reviewer)  # returned: the auditor must resubmit first
    submit(session, contact, changed(REACHED_CALL, rings=2), world.auditor, world.calendar, now=TEST_NOW)
    approve(session, contact, world.reviewer)
    assert contact.status is ContactStatus.APPROVED
    with pytest.raises(ConflictError):
        submit(
            session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW
        )  # approved is locked
    with pytest.raises(ConflictError):
        return_contact(session, contact, world.reviewer, "too late")
    with pytest.raises(ValidationError, match="why"):
        reopen(session, contact, world.reviewer, "")
    reopen(session, contact, world.reviewer, "Principal disputed the hold time")
    assert contact.status is ContactStatus.REOPENED
    assert contact.approved_at is None
    actions = [event.action for event in contact.events]
    assert actions == [
        ReviewAction.SUBMITTED,
        ReviewAction.RETURNED,
        ReviewAction.SUBMITTED,
        ReviewAction.APPROVED,
        ReviewAction.REOPENED,
    ]


def test_changes_after_the_first_submission_are_logged_with_who_and_what(
    session: Session, world: Fieldwork
) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    submit(session, contact, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    assert contact.edits == []
    reviewer_edit(
        session,
        contact,
        changed(REACHED_CALL, hold_seconds=45, responses={"courtesy": AnswerEntry(4)}),
        world.reviewer,
        world.calendar,
        now=TEST_NOW,
    )
    session.commit()
    changes = {(edit.field, edit.old_value, edit.new_value, edit.user_id) for edit in contact.edits}
    assert changes == {
        ("timings.hold_seconds", "30", "45", world.reviewer.id),
        ("responses.courtesy", "3", "4", world.reviewer.id),
    }
    assert contact.status is ContactStatus.SUBMITTED


def test_failed_attempts_retry_then_count_as_unreached(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    no_answer = attempt("no_answer", "2027-02-02T09:15")
    submit(
        session, contact, no_answer, world.auditor, world.calendar, now=TEST_NOW
    )  # no rubric answers needed
    assert contact.failed and not contact.unreached
    assert can_retry(world.phone, attempts_of(session, world.phone))
    assert suggested_slot(world.phone, attempts_of(session, world.phone), "America/New_York") is Slot.MIDDAY
    second = retry(session, world.phone, world.auditor)
    assert second.attempt == 2
    assert start_contact(session, world.phone, world.auditor) is second
    submit(session, second, attempt("busy", "2027-02-03T12:00"), world.auditor, world.calendar, now=TEST_NOW)
    third = retry(session, world.phone, world.auditor)
    submit(
        session, third, attempt("voicemail", "2027-02-04T14:00"), world.auditor, world.calendar, now=TEST_NOW
    )
    assert third.unreached
    assert not can_retry(world.phone, attempts_of(session, world.phone))
    with pytest.raises(ConflictError, match="no further attempt"):
        retry(session, world.phone, world.auditor)


def test_an_email_reply_time_is_counted_in_business_hours(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.email, world.auditor)
    entry = ContactEntry(
        Outcome.REACHED,
        local("2027-02-05T15:30"),  # Friday afternoon
        Timings(
            sent_text="Hello, how do we apply for free meals?",
            reply_at=local("2027-02-08T09:00"),  # Monday morning
            reply_text="Here is the form.",
        ),
        {
            "answered_by_person": AnswerEntry(True),
            "courtesy": AnswerEntry(4),
            "accuracy": AnswerEntry("Complete and correct"),
            "rings": AnswerEntry(1.0),
        },
    )
    submit(session, contact, entry, world.auditor, world.calendar, now=TEST_NOW)
    assert contact.response_business_hours == pytest.approx(2.0)
    no_reply = start_contact(session, world.visit, world.auditor)
    assert no_reply.rubric.channel.value == "visit"


def test_no_reply_email_is_unreached_at_once(session: Session, world: Fieldwork) -> None:
    contact = start_contact(session, world.email, world.auditor)
    submit(
        session,
        contact,
        attempt("no_reply", "2027-02-02T10:00", sent_text="Hi"),
        world.auditor,
        world.calendar,
        now=TEST_NOW,
    )
    assert contact.outcome is Outcome.NO_REPLY
    assert contact.unreached


def test_a_closed_round_accepts_no_new_contacts(session: Session, world: Fieldwork) -> None:
    world.round.status = RoundStatus.CLOSED
    with pytest.raises(ConflictError, match="accepts no new contacts"):
        start_contact(session, world.visit, world.auditor)


def test_review_queue_is_oldest_first_and_filters(session: Session, world: Fieldwork) -> None:
    first = start_contact(session, world.phone, world.auditor)
    submit(
        session, first, REACHED_CALL, world.auditor, world.calendar, now=datetime(2027, 2, 2, 17, tzinfo=UTC)
    )
    second = start_contact(session, world.email, world.auditor)
    email = attempt("no_reply", "2027-02-02T10:00", sent_text="Hi")
    submit(session, second, email, world.auditor, world.calendar, now=datetime(2027, 2, 2, 16, tzinfo=UTC))
    assert review_queue(session, world.district.id) == [second, first]
    assert review_queue(session, world.district.id, channel=world.phone.channel) == [first]
    assert review_queue(session, world.district.id + 1) == []


def test_an_assignment_is_done_once_reached_or_unreached(session: Session, world: Fieldwork) -> None:
    from sqlalchemy import select

    from audits.fieldwork.status import assignment_done
    from audits.models import Assignment

    def done() -> set[int]:
        return set(session.scalars(select(Assignment.id).where(assignment_done())))

    contact = start_contact(session, world.phone, world.auditor)
    assert done() == set()
    busy = attempt("busy", "2027-02-02T09:15")
    submit(session, contact, busy, world.auditor, world.calendar, now=TEST_NOW)
    assert done() == set()  # a retry is still possible
    second = retry(session, world.phone, world.auditor)
    submit(session, second, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    assert done() == {world.phone.id}
    return_contact(session, second, world.reviewer, "Fix the rings")
    assert done() == set()


@pytest.mark.parametrize("text", ["9999-12-31T23:59", "0001-01-01T00:00+14:00", "1850-02-01T09:00"])
def test_extreme_dates_are_refused_not_crashed_on(session: Session, world: Fieldwork, text: str) -> None:
    contact = start_contact(session, world.phone, world.auditor)
    moment = datetime.fromisoformat(text)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        submit(
            session,
            contact,
            changed(REACHED_CALL, started_at=moment),
            world.auditor,
            world.calendar,
            now=TEST_NOW,
        )
    assert [field for field, _ in caught.value.problems] == ["started_at"]
