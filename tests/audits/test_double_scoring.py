"""Blind double-scoring in live rounds: which contacts, who scores them again, and that it never counts."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.double_scoring.flags import critical_differences
from audits.double_scoring.second import judged_items, may_open, scorings_of, submit_second_scoring
from audits.double_scoring.selection import draw_for, judgeable
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.models import (
    Contact,
    DoubleScoring,
    Evidence,
    EvidenceKind,
    Outcome,
    Response,
    Role,
    SecondAnswer,
    User,
)
from audits.scoring.engine import round_scores
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, build_fieldwork, local
from tests.conftest import TEST_NOW

EMAIL = ContactEntry(
    Outcome.REACHED,
    local("2027-02-05T15:30"),
    Timings(
        sent_text="Hello, how do we apply for free meals?",
        reply_at=local("2027-02-08T09:00"),
        reply_text="Here is the form.",
    ),
    {
        "answered_by_person": AnswerEntry(True),
        "courtesy": AnswerEntry(4),
        "accuracy": AnswerEntry("Complete and correct"),
        "rings": AnswerEntry(1.0),
    },
)
# What a harsh second auditor makes of the same thread: every judged item answered otherwise.
HARSH = {
    "answered_by_person": AnswerEntry(False),
    "courtesy": AnswerEntry(1),
    "accuracy": AnswerEntry("Wrong or none"),
    "rings": AnswerEntry(9.0),
}


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)


def _submitted_email(session: Session, world: Fieldwork, percent: int = 100) -> Contact:
    world.round.double_score_percent = percent
    contact = start_contact(session, world.email, world.auditor)
    submit(session, contact, EMAIL, world.auditor, world.calendar, now=TEST_NOW)
    session.commit()
    return contact


def _scoring(session: Session, contact: Contact) -> DoubleScoring | None:
    return session.scalar(select(DoubleScoring).where(DoubleScoring.contact_id == contact.id))


def test_an_email_thread_is_chosen_and_given_to_another_auditor_with_its_seeded_draw(
    session: Session, world: Fieldwork
) -> None:
    contact = _submitted_email(session, world)
    scoring = _scoring(session, contact)
    assert scoring is not None
    assert scoring.second_auditor_id == world.other_auditor.id != contact.auditor_id
    assert scoring.draw == draw_for(world.round, contact.id) < 1.0
    assert (scoring.percent, scoring.chosen_at, scoring.submitted_at) == (100.0, TEST_NOW, None)
    assert scorings_of(session, world.other_auditor) == [scoring]
    assert scorings_of(session, world.auditor) == []


def test_the_draw_is_the_same_on_every_run_and_differs_between_seeds(world: Fieldwork) -> None:
    first = [draw_for(world.round, contact_id) for contact_id in range(1, 200)]
    assert first == [draw_for(world.round, contact_id) for contact_id in range(1, 200)]
    world.round.seed = 2
    assert first != [draw_for(world.round, contact_id) for contact_id in range(1, 200)]
    share = sum(draw < 0.1 for draw in first) / len(first)
    assert 0.03 < share < 0.2  # about the round's 10 %


def test_a_contact_above_the_share_is_not_chosen_and_no_share_chooses_none(
    session: Session, world: Fieldwork
) -> None:
    contact = _submitted_email(session, world, percent=0)
    assert _scoring(session, contact) is None
    world.round.double_score_percent = 10
    chosen = draw_for(world.round, contact.id) < 0.1
    from audits.double_scoring.selection import consider

    assert (consider(session, contact, TEST_NOW) is not None) is chosen


def test_only_evidence_someone_else_can_judge_qualifies(session: Session, world: Fieldwork) -> None:
    world.round.double_score_percent = 100
    call = start_contact(session, world.phone, world.auditor)
    submit(session, call, REACHED_CALL, world.auditor, world.calendar, now=TEST_NOW)
    assert not judgeable(session, call)  # no recording
    assert _scoring(session, call) is None
    session.add(
        Evidence(
            token="t" * 40, contact_id=call.id, kind=EvidenceKind.AUDIO, content_type="audio/mpeg",
            size=10, storage_name="s" * 40, uploaded_by_id=world.auditor.id,
        )
    )  # fmt: skip
    session.flush()
    session.refresh(call)
    assert judgeable(session, call)


def test_without_another_auditor_nothing_is_chosen(session: Session, world: Fieldwork) -> None:
    world.other_auditor.active = False
    contact = _submitted_email(session, world)
    assert _scoring(session, contact) is None


def test_the_second_auditor_is_the_least_loaded_other_auditor(session: Session, world: Fieldwork) -> None:
    third = User(email="third@example.org", role=Role.AUDITOR, district=world.district, password_hash="x")
    session.add(third)
    session.flush()
    contact = _submitted_email(session, world)
    scoring = _scoring(session, contact)
    assert scoring is not None and scoring.second_auditor_id in {world.other_auditor.id, third.id}


def test_second_answers_are_checked_stored_apart_and_only_once(session: Session, world: Fieldwork) -> None:
    contact = _submitted_email(session, world)
    scoring = _scoring(session, contact)
    assert scoring is not None
    assert [item.key for item in judged_items(contact.rubric)] == [
        "answered_by_person", "rings", "courtesy", "accuracy",
    ]  # fmt: skip
    with pytest.raises(NotAllowedError):
        submit_second_scoring(session, scoring, world.auditor, HARSH, TEST_NOW)
    with pytest.raises(ValidationError) as caught:
        submit_second_scoring(
            session, scoring, world.other_auditor,
            {"courtesy": AnswerEntry(9), "impression": AnswerEntry("nice")}, TEST_NOW,
        )  # fmt: skip
    paths = {path for path, _ in caught.value.problems}
    assert paths == {
        "responses.impression", "responses.answered_by_person", "responses.rings",
        "responses.courtesy", "responses.accuracy",
    }  # fmt: skip
    assert session.scalar(select(func.count()).select_from(SecondAnswer)) == 0
    submit_second_scoring(session, scoring, world.other_auditor, HARSH, TEST_NOW)
    session.commit()
    assert {answer.item.key: answer.value for answer in scoring.answers} == {
        "answered_by_person": False, "courtesy": 1, "accuracy": "Wrong or none", "rings": 9.0,
    }  # fmt: skip
    with pytest.raises(ConflictError):
        submit_second_scoring(session, scoring, world.other_auditor, HARSH, TEST_NOW)


def test_double_scored_contacts_do_not_change_school_figures(session: Session, world: Fieldwork) -> None:
    contact = _submitted_email(session, world)
    approve(session, contact, world.reviewer, now=TEST_NOW)
    session.commit()
    before = asdict(round_scores(session, world.round))
    responses_before = session.scalars(select(Response.value).order_by(Response.id)).all()
    points_before = (contact.earned_points, contact.possible_points, contact.critical_failure)
    scoring = _scoring(session, contact)
    assert scoring is not None
    submit_second_scoring(session, scoring, world.other_auditor, HARSH, TEST_NOW)
    session.commit()
    session.expire_all()
    assert asdict(round_scores(session, world.round)) == before
    assert session.scalars(select(Response.value).order_by(Response.id)).all() == responses_before
    assert (contact.earned_points, contact.possible_points, contact.critical_failure) == points_before


def test_a_different_answer_on_a_critical_item_is_flagged_to_the_reviewer(
    session: Session, world: Fieldwork
) -> None:
    contact = _submitted_email(session, world)
    scoring = _scoring(session, contact)
    assert scoring is not None
    assert critical_differences(session, contact) == []  # not scored again yet
    agreeing = {**HARSH, "answered_by_person": AnswerEntry(True)}
    submit_second_scoring(session, scoring, world.other_auditor, agreeing, TEST_NOW)
    assert critical_differences(session, contact) == []  # only non-critical items differ
    answer = next(a for a in scoring.answers if a.item.key == "answered_by_person")
    answer.value = False
    session.flush()
    differences = critical_differences(session, contact)
    assert [(d.item.key, d.first, d.second) for d in differences] == [("answered_by_person", "Yes", "No")]


def test_the_second_auditor_opens_only_recordings_and_threads_of_their_contacts(
    session: Session, world: Fieldwork
) -> None:
    contact = _submitted_email(session, world)
    scorings = scorings_of(session, world.other_auditor)
    files = {
        kind: Evidence(
            token=kind.value * 8, contact_id=contact.id, kind=kind, content_type="x", size=1,
            storage_name=kind.value * 9, uploaded_by_id=world.auditor.id,
        )
        for kind in EvidenceKind
    }  # fmt: skip
    session.add_all(files.values())
    session.flush()
    opened = {kind for kind, file in files.items() if may_open(world.other_auditor, file, scorings)}
    assert opened == {EvidenceKind.AUDIO, EvidenceKind.EMAIL}
    assert not any(
        may_open(world.auditor, file, scorings_of(session, world.auditor)) for file in files.values()
    )
