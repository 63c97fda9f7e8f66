"""Ask once, derive the rest: items scored from a contact's facts, and what the outcome rules out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.fieldwork.contacts import approve, reopen, reviewer_edit, start_contact, submit
from audits.fieldwork.entry import AnswerEntry, CheckedEntry, ContactEntry, Timings, check_entry
from audits.models import Channel, ContactEdit, Outcome, Rubric
from audits.rubrics.versions import create_draft, publish
from audits.rubrics.yamlio import rubric_from_yaml
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork, changed, local
from tests.audits.round_helpers import publish_rubric
from tests.audits.rubric_samples import EXAMPLE_YAML
from tests.conftest import TEST_NOW

LIBRARY = Path(__file__).resolve().parents[2] / "audits" / "library" / "rubrics"
# The items of the library's phone rubric an auditor answers (the rest follow from the call's facts).
PHONE_ANSWERS = {
    "school_named": AnswerEntry(True),
    "offer_of_help": AnswerEntry(True),
    "voicemail_returned": AnswerEntry(na=True),
    "callback_time": AnswerEntry(na=True),
    "question_answered": AnswerEntry(True),
    "answer_accuracy": AnswerEntry("Accurate but missing one or two points"),
    "courtesy": AnswerEntry(4),
    "respectful_treatment": AnswerEntry(True),
    "what_families_heard": AnswerEntry("Friendly and quick."),
    "language_help_offered": AnswerEntry(na=True),
    "language_help_wait": AnswerEntry(na=True),
}
CALL = Timings(rings=4, hold_seconds=0, transfers=1, call_seconds=200, staff_gave_name=False)


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)


def library_rubric(session: Session, channel: Channel) -> Rubric:
    """The library's standard rubric of ``channel``, published."""
    rubric = create_draft(
        session, rubric_from_yaml((LIBRARY / f"{channel.value}-standard.yaml").read_bytes())
    )
    publish(session, rubric)
    return rubric


def checked(world: Fieldwork, rubric: Rubric, entry: ContactEntry) -> CheckedEntry:
    return check_entry(entry, rubric, world.calendar)


def problems(world: Fieldwork, rubric: Rubric, entry: ContactEntry) -> dict[str | None, str]:
    with pytest.raises(ValidationError) as caught:
        check_entry(entry, rubric, world.calendar)
    return dict(caught.value.problems)


def answers(entry: CheckedEntry) -> dict[str, tuple[Any, bool, float | None]]:
    return {key: (answer.value, answer.na, answer.fraction) for key, answer in entry.answers.items()}


def call(
    outcome: Outcome = Outcome.REACHED, timings: Timings = CALL, **responses: AnswerEntry
) -> ContactEntry:
    return ContactEntry(outcome, local("2027-02-02T09:15"), timings, {**PHONE_ANSWERS, **responses})


def test_a_reached_call_scores_its_greeting_hold_and_transfers_from_what_was_recorded_once(
    session: Session, world: Fieldwork
) -> None:
    """Outcome → a person answered; rings → rings; name → own name; hold 0 → N/A; 1 transfer → option 2."""
    rubric = library_rubric(session, Channel.PHONE)
    got = answers(checked(world, rubric, call()))
    assert got["answered_by_person"] == (True, False, 1.0)
    assert got["rings"] == (4.0, False, 0.75)
    assert got["own_name_given"] == (False, False, 0.0)
    assert got["hold_check_back"] == (None, True, None)  # never put on hold: does not apply
    assert got["transfers"] == ("One transfer", False, 0.75)
    assert got["courtesy"] == (4, False, 0.8)  # answered items are checked as before

    longer = changed(call(), hold_seconds=90, transfers=5, staff_gave_name=True, rings=9)
    got = answers(checked(world, rubric, longer))
    assert got["hold_check_back"] == (90.0, False, 0.5)
    assert got["transfers"] == ("Three or more transfers", False, 0.0)  # the last option: 3 or more
    assert got["own_name_given"] == (True, False, 1.0)
    assert got["rings"] == (9.0, False, 0.0)


def test_a_visit_scores_the_minutes_until_greeted_from_the_seconds_recorded(
    session: Session, world: Fieldwork
) -> None:
    rubric = library_rubric(session, Channel.VISIT)
    entry = ContactEntry(
        Outcome.REACHED,
        local("2027-02-02T13:05"),
        Timings(greeted_seconds=150, wait_seconds=400),
        {item.key: AnswerEntry(True) for item in rubric.items if item.kind.value == "yes_no"}
        | {"courtesy": AnswerEntry(5), "answer_accuracy": AnswerEntry("Accurate and complete (covers every "
           "point of the answer key)"), "language_help_offered": AnswerEntry(na=True),
           "language_help_wait": AnswerEntry(na=True)},
    )  # fmt: skip
    assert answers(checked(world, rubric, entry))["wait_until_greeted"] == (2.5, False, 0.5)


def test_an_email_scores_the_reply_and_its_business_hours_from_when_it_arrived(
    session: Session, world: Fieldwork
) -> None:
    """Sent Tuesday 10:00, replied 15:00 the same day: 5 business hours; "reached" → a person replied."""
    rubric = library_rubric(session, Channel.EMAIL)
    given = {item.key: AnswerEntry(na=True) for item in rubric.items if item.allow_na}
    given |= {"acknowledged": AnswerEntry(True), "question_answered": AnswerEntry(True),
              "answer_accuracy": AnswerEntry("Wrong, misleading, or no answer")}  # fmt: skip
    timings = Timings(sent_text="Hello?", reply_at=local("2027-02-02T15:00"), reply_text="Hi.")
    got = answers(
        checked(world, rubric, ContactEntry(Outcome.REACHED, local("2027-02-02T10:00"), timings, given))
    )
    assert got["reply_received"] == (True, False, 1.0)
    assert got["response_time"] == (5.0, False, 1.0)


def test_each_fact_a_reached_contact_is_scored_from_is_required_on_its_own_field(
    session: Session, world: Fieldwork
) -> None:
    rubric = library_rubric(session, Channel.PHONE)
    found = problems(world, rubric, call(timings=Timings()))
    assert found == {
        "timings.rings": "count the rings before a person answered",
        "timings.hold_seconds": "enter the longest hold in seconds; 0 if you were not put on hold",
        "timings.transfers": "enter how many times the call was transferred; 0 if it was not",
        "timings.staff_gave_name": "answer yes or no",
    }


def test_an_answer_given_for_a_derived_item_must_agree_with_its_fact(
    session: Session, world: Fieldwork
) -> None:
    """As the API may send every item: the same answer is accepted, another is refused on the item."""
    rubric = library_rubric(session, Channel.PHONE)
    agreeing = call(
        rings=AnswerEntry(4), answered_by_person=AnswerEntry(True), hold_check_back=AnswerEntry(na=True),
        transfers=AnswerEntry("One transfer"),
    )  # fmt: skip
    assert answers(checked(world, rubric, agreeing))["rings"] == (4.0, False, 0.75)
    found = problems(
        world,
        rubric,
        call(
            rings=AnswerEntry(2), answered_by_person=AnswerEntry(False), own_name_given=AnswerEntry(True),
            hold_check_back=AnswerEntry(30), transfers=AnswerEntry("Two transfers"),
        ),
    )  # fmt: skip
    assert found == {
        "responses.rings": "this follows from the rings (4): leave it out or change that",
        "responses.answered_by_person": "this follows from the outcome (yes): leave it out or change that",
        "responses.own_name_given": (
            "this follows from whether a name was given (no): leave it out or change that"
        ),
        "responses.hold_check_back": "this follows from the longest hold (N/A): leave it out or change that",
        "responses.transfers": (
            "this follows from the number of transfers (One transfer): leave it out or change that"
        ),
    }


def test_an_unanswered_call_with_greeting_answers_is_refused(session: Session, world: Fieldwork) -> None:
    """Nobody answered: no rubric item applies, and nothing that needs a person can be recorded."""
    rubric = library_rubric(session, Channel.PHONE)
    entry = ContactEntry(
        Outcome.NO_ANSWER,
        local("2027-02-02T09:15"),
        Timings(rings=12, hold_seconds=30, staff_gave_name=True),
        {"school_named": AnswerEntry(True), "offer_of_help": AnswerEntry(False),
         "courtesy": AnswerEntry(na=True), "rings": AnswerEntry(12),
         "what_families_heard": AnswerEntry("Nobody picked up."),
         "question_answered": AnswerEntry(comment="It rang out.")},
    )  # fmt: skip
    ended = "the call ended “No answer”"
    refused = f"does not apply when {ended}: leave it blank, or change how it ended"
    assert problems(world, rubric, entry) == {
        "timings.hold_seconds": f"{ended}: leave this blank, or change how it ended",
        "timings.staff_gave_name": f"{ended}: leave this blank, or change how it ended",
        "responses.school_named": refused,
        "responses.offer_of_help": refused,
        "responses.courtesy": refused,
        "responses.rings": refused,
        "responses.what_families_heard": refused,
    }


@pytest.mark.parametrize(
    "outcome", [Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL, Outcome.AUTO_ATTENDANT]
)
def test_a_call_nobody_answered_records_its_rings_and_no_answers(
    session: Session, world: Fieldwork, outcome: Outcome
) -> None:
    """The rings until a recording answered or the auditor hung up are evidence, not a contradiction."""
    rubric = library_rubric(session, Channel.PHONE)
    entry = ContactEntry(
        outcome, local("2027-02-02T09:15"), Timings(rings=12, hold_seconds=0, call_seconds=40)
    )
    done = checked(world, rubric, changed(entry, hold_seconds=None))
    assert done.timings.rings == 12
    assert [key for key, answer in done.answers.items() if answer.value is not None or answer.na] == []
    assert "timings.hold_seconds" in problems(world, rubric, entry)  # even a hold of 0 needs a person


def test_items_without_a_fact_behave_as_before(session: Session, world: Fieldwork) -> None:
    """A rubric from before facts: rings measured when left blank, a typed answer wins, no fact required."""
    publish_rubric(session, Channel.PHONE)
    contact = start_contact(session, world.phone, world.auditor)
    assert all(item.fact is None for item in contact.rubric.items)
    base = ContactEntry(
        Outcome.REACHED,
        local("2027-02-02T09:15"),
        Timings(rings=4),
        {
            "answered_by_person": AnswerEntry(False),
            "courtesy": AnswerEntry(3),
            "accuracy": AnswerEntry("Partly correct"),
        },
    )
    got = answers(checked(world, contact.rubric, base))
    assert got["rings"] == (4.0, False, 0.5)
    assert got["answered_by_person"] == (False, False, 0.0)  # not derived: what the auditor said
    typed = changed(base, responses={"rings": AnswerEntry(2)})
    assert answers(checked(world, contact.rubric, typed))["rings"] == (2.0, False, 1.0)


def test_derived_answers_are_stored_and_their_changes_logged(session: Session, world: Fieldwork) -> None:
    """Scores and the edit log read derived answers like any other: a reviewer's new rings change the item."""
    text = EXAMPLE_YAML.replace("key: phone-standard", "key: phone-test").replace(
        "unit: rings", "unit: rings\n        fact: rings"
    )
    publish_rubric(session, Channel.PHONE)
    publish(session, create_draft(session, rubric_from_yaml(text)))
    contact = start_contact(session, world.phone, world.auditor)
    assert contact.rubric.version == 2
    entry = ContactEntry(
        Outcome.REACHED,
        local("2027-02-02T09:15"),
        Timings(rings=2),
        {
            "answered_by_person": AnswerEntry(True),
            "courtesy": AnswerEntry(4),
            "accuracy": AnswerEntry("Partly correct"),
        },
    )
    submit(session, contact, entry, world.auditor, world.calendar, now=TEST_NOW)
    stored = {response.item.key: (response.value, response.fraction) for response in contact.responses}
    assert stored["rings"] == (2.0, 1.0)
    assert contact.earned_points == pytest.approx(5 + 3 + 4 + 3)
    approve(session, contact, world.reviewer, now=TEST_NOW)
    reopen(session, contact, world.reviewer, "Rings were miscounted.", now=TEST_NOW)
    reviewer_edit(session, contact, changed(entry, rings=5), world.reviewer, world.calendar, now=TEST_NOW)
    session.flush()
    edits = {(edit.field, edit.old_value, edit.new_value) for edit in session.query(ContactEdit).all()}
    assert ("timings.rings", "2", "5") in edits
    assert ("responses.rings", "2", "5") in edits
    assert contact.earned_points == pytest.approx(5 + 1.5 + 4 + 3)
