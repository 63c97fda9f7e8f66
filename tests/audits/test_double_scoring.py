"""Blind double-scoring in live rounds: which contacts, who scores them again, and that it never counts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import krippendorff
import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.double_scoring.agreement import auditors_line, calibration_words, round_agreement
from audits.double_scoring.flags import critical_differences
from audits.double_scoring.second import judged_items, may_open, scorings_of, submit_second_scoring
from audits.double_scoring.selection import consider, draw_for, judgeable
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.models import (
    Assignment,
    CalibrationExercise,
    CalibrationParticipant,
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
from audits.retention import blank_texts, contacts_with_texts
from audits.scoring.engine import round_scores
from reports.figures import gather_round
from reports.summary import gather_summary
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


# (first auditor's answers, second auditor's) for six double-scored emails.
PAIRS = [
    ((True, 4, "Complete and correct", 1.0), (True, 4, "Complete and correct", 2.0)),
    ((True, 3, "Partly correct", 2.0), (True, 2, "Partly correct", 9.0)),
    ((False, 1, "Wrong or none", 12.0), (False, 1, "Partly correct", 11.0)),
    ((True, 4, "Complete and correct", 1.0), (False, 3, "Complete and correct", 1.0)),
    ((True, None, "Partly correct", 4.0), (True, 2, "Partly correct", 4.0)),  # N/A: a missing value
    ((True, 2, "Wrong or none", 6.0), (True, 2, "Wrong or none", 3.0)),
]
ITEMS = ("answered_by_person", "courtesy", "accuracy", "rings")


def _answers(values: tuple[object, ...]) -> dict[str, AnswerEntry]:
    return {
        key: AnswerEntry(na=True) if value is None else AnswerEntry(value)
        for key, value in zip(ITEMS, values, strict=True)
    }


def _six_scored_twice(session: Session, world: Fieldwork) -> None:
    """Six emails of ``PAIRS`` scored twice (approved), and a seventh chosen and not yet scored again."""
    world.round.double_score_percent = 100
    for sequence, (first, second) in enumerate(PAIRS, start=2):
        assignment = Assignment(
            round_id=world.round.id, school_id=world.school.id, scenario_id=world.email.scenario_id,
            auditor_id=world.auditor.id, channel=world.email.channel, sequence=sequence,
            due_day=world.email.due_day, slot=world.email.slot,
        )  # fmt: skip
        session.add(assignment)
        session.flush()
        contact = start_contact(session, assignment, world.auditor)
        entry = ContactEntry(EMAIL.outcome, EMAIL.started_at, EMAIL.timings, _answers(first))
        submit(session, contact, entry, world.auditor, world.calendar, now=TEST_NOW)
        scoring = _scoring(session, contact)
        assert scoring is not None
        submit_second_scoring(session, scoring, world.other_auditor, _answers(second), TEST_NOW)
        approve(session, contact, world.reviewer, now=TEST_NOW)
    # One more chosen and not yet scored again: it counts as chosen, not in the figures.
    waiting = start_contact(session, world.email, world.auditor)
    submit(session, waiting, EMAIL, world.auditor, world.calendar, now=TEST_NOW)
    session.commit()


def test_the_round_agreement_is_krippendorffs_alpha_per_item_with_its_level(
    session: Session, world: Fieldwork
) -> None:
    _six_scored_twice(session, world)

    agreement = round_agreement(session, world.round)
    assert (agreement.chosen, agreement.scored) == (7, 6)
    by_key = {item.key: item for item in agreement.items}
    assert set(by_key) == set(ITEMS)
    levels = {
        "answered_by_person": "nominal",
        "courtesy": "ordinal",
        "accuracy": "nominal",
        "rings": "interval",
    }
    for column, key in enumerate(ITEMS):
        firsts = [first[column] for first, _ in PAIRS]
        seconds = [second[column] for _, second in PAIRS]
        if key == "accuracy":
            labels = sorted({*firsts, *seconds})
            firsts, seconds = [labels.index(v) for v in firsts], [labels.index(v) for v in seconds]
        data = np.array([[np.nan if v is None else float(v) for v in row] for row in (firsts, seconds)])
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement=levels[key])
        assert by_key[key].level.value == levels[key]
        assert by_key[key].alpha.value == pytest.approx(expected)
    assert by_key["courtesy"].alpha.n == 10  # the N/A leaves one contact unpaired
    assert (by_key["answered_by_person"].agreement.agreed, by_key["answered_by_person"].agreement.n) == (5, 6)
    # rings bands: ≤3 → 1.0, ≤5 → 0.5, else 0: same band on 1/2, 12/11, 1/1, 4/4 (not 2/9, 6/3).
    assert (by_key["rings"].agreement.agreed, by_key["rings"].agreement.n) == (4, 6)
    assert (agreement.answers.agreed, agreement.answers.n) == (5 + 3 + 5 + 4, 6 + 5 + 6 + 6)
    line = agreement.line()
    assert line is not None
    assert line.startswith("auditors agreed on 74 % of answers; \N{GREEK SMALL LETTER ALPHA} = ")
    assert line.endswith(" on contact scores over 6 double-scored contacts")
    assert "Avery" not in line and world.other_auditor.email not in line


def test_a_round_without_second_scorings_has_no_line(session: Session, world: Fieldwork) -> None:
    agreement = round_agreement(session, world.round)
    assert (agreement.chosen, agreement.scored, agreement.items, agreement.line()) == (0, 0, [], None)
    assert agreement.score_alpha.value is None


def test_the_scorecards_and_the_district_summary_print_the_line_and_their_figures_ignore_it(
    session: Session, world: Fieldwork
) -> None:
    _six_scored_twice(session, world)
    card = gather_round(session, world.round).scorecards[world.school.id]
    summary = gather_summary(session, world.round)
    assert card.auditors == summary.auditors
    assert card.auditors.startswith("Auditors agreed on 74 % of answers; \N{GREEK SMALL LETTER ALPHA} = ")
    assert card.auditors.endswith(" over 6 double-scored contacts.")
    before = (card.overall, card.channels, summary.median)
    session.execute(SecondAnswer.__table__.delete())
    session.execute(DoubleScoring.__table__.delete())
    session.commit()
    card = gather_round(session, world.round).scorecards[world.school.id]
    summary = gather_summary(session, world.round)
    assert (card.auditors, summary.auditors) == ("", "")
    assert (card.overall, card.channels, summary.median) == before


def test_the_line_says_how_the_rounds_auditors_were_calibrated_when_they_were(
    session: Session, world: Fieldwork
) -> None:
    assert calibration_words(session, world.round) == ""  # no exercise: that half is left out
    world.visit.auditor_id = world.other_auditor.id  # two auditors in the round
    email_rubric = start_contact(session, world.email, world.auditor).rubric
    exercise = CalibrationExercise(
        district_id=world.district.id, name="Winter calibration", rubric_id=email_rubric.id,
        created_by_id=world.reviewer.id,
    )  # fmt: skip
    session.add(exercise)
    session.flush()
    session.add_all([
        CalibrationParticipant(
            exercise_id=exercise.id, auditor_id=world.auditor.id,
            submitted_at=datetime(2027, 1, 20, 15, tzinfo=UTC),
        ),
        # Submitted after the round ended: it says nothing of how the round's auditors were calibrated.
        CalibrationParticipant(
            exercise_id=exercise.id, auditor_id=world.other_auditor.id,
            submitted_at=datetime(2027, 3, 20, 15, tzinfo=UTC),
        ),
    ])  # fmt: skip
    session.commit()
    words = (
        "1 of 2 auditors took a calibration exercise on a rubric of this round (the latest on Jan 20, 2027)"
    )
    assert calibration_words(session, world.round) == words
    assert auditors_line(session, world.round) == words[0].upper() + words[1:] + "."
    _six_scored_twice(session, world)
    line = auditors_line(session, world.round)
    assert line.startswith(words[0].upper() + words[1:] + "; auditors agreed on 74 % of answers; ")
    assert world.auditor.display_name not in line and world.other_auditor.display_name not in line


def test_items_the_two_always_answered_alike_have_no_alpha_but_words(
    session: Session, world: Fieldwork
) -> None:
    world.round.double_score_percent = 100
    same = (True, 3, "Partly correct", 2.0)
    for sequence in (2, 3):
        assignment = Assignment(
            round_id=world.round.id, school_id=world.school.id, scenario_id=world.email.scenario_id,
            auditor_id=world.auditor.id, channel=world.email.channel, sequence=sequence,
            due_day=world.email.due_day, slot=world.email.slot,
        )  # fmt: skip
        session.add(assignment)
        session.flush()
        contact = start_contact(session, assignment, world.auditor)
        entry = ContactEntry(EMAIL.outcome, EMAIL.started_at, EMAIL.timings, _answers(same))
        submit(session, contact, entry, world.auditor, world.calendar, now=TEST_NOW)
        scoring = _scoring(session, contact)
        assert scoring is not None
        submit_second_scoring(session, scoring, world.other_auditor, _answers(same), TEST_NOW)
    agreement = round_agreement(session, world.round)
    assert {(item.alpha.value, item.alpha.reason) for item in agreement.items} == {
        (None, "not enough variation")
    }
    assert agreement.score_alpha.value is None and agreement.score_alpha.reason == "not enough variation"
    assert agreement.line() == (
        "auditors agreed on 100 % of answers over 2 double-scored contacts "
        "(not enough variation for \N{GREEK SMALL LETTER ALPHA})"
    )


def test_the_retention_purge_blanks_the_second_auditors_comments(session: Session, world: Fieldwork) -> None:
    contact = _submitted_email(session, world)
    scoring = _scoring(session, contact)
    assert scoring is not None
    said = {**HARSH, "courtesy": AnswerEntry(1, comment="Curt, as the thread shows.")}
    submit_second_scoring(session, scoring, world.other_auditor, said, TEST_NOW)
    session.commit()
    assert contact.id in contacts_with_texts(session, [world.round.id])
    blank_texts(session, [world.round], TEST_NOW)
    session.commit()
    assert set(session.scalars(select(SecondAnswer.comment))) == {""}
    assert {answer.item.key: answer.value for answer in scoring.answers}["courtesy"] == 1  # answers stay
