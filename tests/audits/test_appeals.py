"""Appeals in the domain: the window in school days, who may query and decide, and an upheld
correction going through the edit log (the tally and the engine's figures follow)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.appeals.answers import scorecard_contacts
from audits.appeals.decisions import Correction, Decision, decide_appeal
from audits.appeals.filing import AppealRequest, file_appeal
from audits.appeals.queries import round_appeal_counts, school_appeals, upheld_contacts
from audits.appeals.window import appeal_window, last_appeal_day, parse_window_days
from audits.businesshours import BusinessCalendar
from audits.calendar import add_closures
from audits.errors import ConflictError, NotAllowedError, NotFoundError, ValidationError
from audits.models import (
    Appeal,
    AppealOutcome,
    ContactEdit,
    ContactStatus,
    ReviewAction,
    ReviewEvent,
    Scorecard,
)
from audits.portal import OpenKind, appeal_items
from audits.scoring.engine import round_scores
from tests.audits.appeal_helpers import LAST_DAY, AppealWorld, build_appeal_world
from tests.conftest import TEST_NOW

FILED_ON = date(2027, 3, 8)
WRONG_RINGS = AppealRequest("rings", "Our phone log shows the call was picked up on the second ring.")


@pytest.fixture
def world(session: Session) -> AppealWorld:
    return build_appeal_world(session)


def _file(session: Session, world: AppealWorld, request: AppealRequest = WRONG_RINGS) -> Appeal:
    appeal = file_appeal(session, world.call, request, world.principal, FILED_ON, now=TEST_NOW)
    session.commit()
    return appeal


def _nothing_saved(session: Session) -> None:
    session.rollback()
    assert session.scalars(select(Appeal)).all() == []


# -- the window -------------------------------------------------------------------------------------


def test_the_window_counts_the_districts_school_days_from_publication(
    session: Session, world: AppealWorld
) -> None:
    school, round_ = world.fieldwork.school, world.fieldwork.round
    window = appeal_window(session, school, round_, FILED_ON)
    assert window is not None and window.published_on == date(2027, 3, 5) and window.last_day == LAST_DAY
    assert window.open and appeal_window(session, school, round_, LAST_DAY).open  # type: ignore[union-attr]
    assert not appeal_window(session, school, round_, LAST_DAY + timedelta(days=1)).open  # type: ignore[union-attr]
    # A closure inside the window lengthens it by a school day; a weekend never counts.
    add_closures(session, world.fieldwork.district, date(2027, 3, 10), None, "Teacher planning day")
    calendar = BusinessCalendar.of(world.fieldwork.district)
    assert last_appeal_day(calendar, date(2027, 3, 5), 10) == date(2027, 3, 22)
    assert last_appeal_day(calendar, date(2027, 3, 5), 1) == date(2027, 3, 8)
    # Not published yet: no window at all.
    card = session.scalars(select(Scorecard)).one()
    card.published_at = None
    assert appeal_window(session, school, round_, FILED_ON) is None


def test_the_window_setting_is_school_days_from_0_to_60(world: AppealWorld) -> None:
    assert parse_window_days(" 15 ") == 15 and parse_window_days("0") == 0
    for typed, words in (
        ("", "enter a number"),
        ("ten", "whole number"),
        ("61", "at most 60"),
        ("²", "whole"),
    ):
        with pytest.raises(ValidationError) as refused:
            parse_window_days(typed)
        assert refused.value.field == "appeal_window_days" and words in refused.value.reason


# -- filing -----------------------------------------------------------------------------------------


def test_a_principal_queries_one_answer_with_a_reason_and_evidence(
    session: Session, world: AppealWorld
) -> None:
    request = AppealRequest(
        "courtesy", "  The secretary was polite throughout.  ", "Two parents wrote to thank her."
    )
    appeal = _file(session, world, request)
    assert (appeal.item_key, appeal.reason, appeal.evidence) == (
        "courtesy", "The secretary was polite throughout.", "Two parents wrote to thank her.",
    )  # fmt: skip
    assert appeal.outcome is AppealOutcome.PENDING and appeal.queried_answer == "3 of 4"
    assert appeal.approver_id == world.reviewer.id and appeal.filed_by_id == world.principal.id
    assert school_appeals(session, world.fieldwork.school) == [appeal]
    rows = scorecard_contacts(session, session.scalars(select(Scorecard)).one())
    assert [row.ref for row in rows] == [1]
    answers = {answer.item_key: answer for answer in rows[0].answers}
    assert set(answers) == {
        "answered_by_person",
        "rings",
        "courtesy",
        "accuracy",
    }  # the text item is not scored
    assert answers["courtesy"].appeal == appeal and answers["rings"].answer == "4 rings"


def test_after_the_window_the_query_is_refused_and_nothing_saved(
    session: Session, world: AppealWorld
) -> None:
    with pytest.raises(ConflictError) as refused:
        file_appeal(session, world.call, WRONG_RINGS, world.principal, LAST_DAY + timedelta(days=3))
    assert "ended on Friday, March 19, 2027" in refused.value.reason
    _nothing_saved(session)


def test_another_schools_principal_cannot_query(session: Session, world: AppealWorld) -> None:
    with pytest.raises(NotAllowedError) as refused:
        file_appeal(session, world.call, WRONG_RINGS, world.other_principal, FILED_ON)
    assert "another school's scorecard" in refused.value.reason
    with pytest.raises(NotAllowedError):
        file_appeal(session, world.call, WRONG_RINGS, world.leader, FILED_ON)
    _nothing_saved(session)


def test_the_same_answer_cannot_be_queried_twice(session: Session, world: AppealWorld) -> None:
    first = _file(session, world)
    with pytest.raises(ConflictError) as refused:
        file_appeal(session, world.call, WRONG_RINGS, world.principal, FILED_ON)
    assert "already queried on Wednesday, June 30, 2027" in refused.value.reason
    session.rollback()
    assert session.scalars(select(Appeal)).all() == [first]


def test_unknown_unscored_or_unwritten_queries_are_refused(session: Session, world: AppealWorld) -> None:
    for request, field, words in (
        (AppealRequest("no-such-item", "Wrong."), "item", "choose an answer"),
        (AppealRequest("impression", "Unfair."), "item", "no scored answer"),
        (AppealRequest("rings", "   "), "reason", "say why"),
        (AppealRequest("rings", "x" * 2001), "reason", "under 2,000"),
        (AppealRequest("rings", "Wrong.", "y" * 5001), "evidence", "under 5,000"),
    ):
        with pytest.raises(ValidationError) as refused:
            file_appeal(session, world.call, request, world.principal, FILED_ON)
        assert (refused.value.field, words in refused.value.reason) == (field, True), refused.value.problems
        _nothing_saved(session)


def test_an_unpublished_scorecard_or_an_uncounted_contact_cannot_be_queried(session: Session) -> None:
    world = build_appeal_world(session, scorecard=False)
    with pytest.raises(NotFoundError):
        file_appeal(session, world.call, WRONG_RINGS, world.principal, FILED_ON)
    _nothing_saved(session)


# -- deciding ---------------------------------------------------------------------------------------


def test_the_approving_reviewer_cannot_decide(session: Session, world: AppealWorld) -> None:
    appeal = _file(session, world)
    calendar = world.fieldwork.calendar
    decision = Decision(AppealOutcome.NOT_UPHELD, "The recording shows six rings.")
    with pytest.raises(NotAllowedError) as refused:
        decide_appeal(session, appeal, world.reviewer, decision, calendar, now=TEST_NOW)
    assert "you approved this contact" in refused.value.reason
    session.rollback()
    assert session.get(Appeal, appeal.id).pending  # type: ignore[union-attr]
    with pytest.raises(NotAllowedError):
        decide_appeal(session, appeal, world.principal, decision, calendar, now=TEST_NOW)


def test_not_upheld_keeps_the_answer_and_says_why(session: Session, world: AppealWorld) -> None:
    appeal = _file(session, world)
    decision = Decision(AppealOutcome.NOT_UPHELD, "The call recording has four rings before the answer.")
    decide_appeal(session, appeal, world.second_reviewer, decision, world.fieldwork.calendar, now=TEST_NOW)
    session.commit()
    assert appeal.outcome is AppealOutcome.NOT_UPHELD and appeal.decided_by_id == world.second_reviewer.id
    assert appeal.decision_reason.startswith("The call recording")
    assert world.call.rings == 4 and world.call.edits == [] and world.call.status is ContactStatus.APPROVED
    with pytest.raises(ConflictError) as refused:
        decide_appeal(session, appeal, world.leader, decision, world.fieldwork.calendar, now=TEST_NOW)
    assert "already decided: not upheld" in refused.value.reason


def test_upheld_corrects_the_fact_through_the_edit_log_and_the_figures_follow(session: Session) -> None:
    world = build_appeal_world(session, library=True)
    round_ = world.fieldwork.round
    before = round_scores(session, round_).school(world.fieldwork.school.id)
    assert before is not None
    appeal = _file(session, world)
    reason = "The phone log shows two rings; the auditor counted the menu."
    decision = Decision(AppealOutcome.UPHELD, reason, Correction(2))
    decide_appeal(session, appeal, world.second_reviewer, decision, world.fieldwork.calendar, now=TEST_NOW)
    session.commit()
    call = world.call
    assert call.rings == 2 and call.status is ContactStatus.APPROVED
    assert (appeal.outcome, appeal.corrected_value, appeal.corrected_answer) == (
        AppealOutcome.UPHELD,
        2,
        "2 rings",
    )
    edits = session.scalars(select(ContactEdit).where(ContactEdit.contact_id == call.id)).all()
    assert {(e.field, e.old_value, e.new_value) for e in edits} == {
        ("timings.rings", "4", "2"), ("responses.rings", "4", "2"),
    }  # fmt: skip
    assert all(e.user_id == world.second_reviewer.id and reason in e.reason for e in edits)
    steps = session.scalars(
        select(ReviewEvent).where(ReviewEvent.contact_id == call.id).order_by(ReviewEvent.id)
    )
    assert [e.action for e in steps][-2:] == [ReviewAction.REOPENED, ReviewAction.APPROVED]
    rings = next(r for r in call.responses if r.item.key == "rings")
    assert rings.comment.startswith("A menu answered first")  # the auditor's comment stays
    after = round_scores(session, round_).school(world.fieldwork.school.id)
    assert after is not None and after.overall is not None and before.overall is not None
    assert after.overall > before.overall  # 4 rings lost points that 2 rings earn
    assert upheld_contacts(session, round_.id) == {call.id: 1}
    assert round_appeal_counts(session, round_.id) == round_appeal_counts(
        session, round_.id, world.fieldwork.school.id
    )
    counts = round_appeal_counts(session, round_.id)
    assert (counts.queried, counts.upheld, counts.not_upheld, counts.pending) == (1, 1, 0, 0)


def test_upheld_on_a_measured_timing_corrects_the_answer(session: Session, world: AppealWorld) -> None:
    """An item measured from the call without naming a fact (an older rubric) takes the typed answer."""
    appeal = _file(session, world)
    decision = Decision(AppealOutcome.UPHELD, "Two rings on the log.", Correction(2))
    decide_appeal(session, appeal, world.second_reviewer, decision, world.fieldwork.calendar, now=TEST_NOW)
    session.commit()
    rings = next(r for r in world.call.responses if r.item.key == "rings")
    assert (rings.value, rings.fraction, appeal.corrected_answer) == (2, 1.0, "2 rings")
    assert [(e.field, e.old_value, e.new_value) for e in world.call.edits] == [("responses.rings", "4", "2")]


def test_upheld_with_an_answer_given_directly(session: Session, world: AppealWorld) -> None:
    appeal = _file(session, world, AppealRequest("accuracy", "She gave every document on the list."))
    decision = Decision(AppealOutcome.UPHELD, "The email she sent after the call lists them all.",
                        Correction("Complete and correct"))  # fmt: skip
    decide_appeal(session, appeal, world.leader, decision, world.fieldwork.calendar, now=TEST_NOW)
    session.commit()
    response = next(r for r in world.call.responses if r.item.key == "accuracy")
    assert (response.value, response.fraction) == ("Complete and correct", 1.0)
    assert response.comment == "Did not mention immunisation records."  # the auditor's comment stays


@pytest.mark.parametrize(
    ("item", "correction", "words"),
    [
        ("rings", Correction(4), "already records"),
        ("rings", Correction("two"), "whole number"),
        ("rings", Correction(na=True), "give the corrected value of the rings"),
        ("own_name_given", Correction(1), "answer yes or no"),
        ("answer_accuracy", Correction("Perfect"), "choose one of the options"),
        ("answer_accuracy", Correction(na=True), "cannot be answered N/A"),
        ("courtesy", Correction(9), "from 0 to 5"),
        ("courtesy", Correction(4), "already records"),
    ],
)
def test_a_correction_that_does_not_fit_is_refused_on_the_value_and_nothing_saved(
    session: Session, item: str, correction: Correction, words: str
) -> None:
    world = build_appeal_world(session, library=True)
    appeal = _file(session, world, AppealRequest(item, "Wrong."))
    decision = Decision(AppealOutcome.UPHELD, "Agreed.", correction)
    with pytest.raises(ValidationError) as refused:
        decide_appeal(
            session, appeal, world.second_reviewer, decision, world.fieldwork.calendar, now=TEST_NOW
        )
    assert refused.value.field == "value" and words in refused.value.reason, refused.value.problems
    session.rollback()
    assert session.get(Appeal, appeal.id).pending  # type: ignore[union-attr]
    assert world.call.status is ContactStatus.APPROVED and world.call.edits == []


def test_an_answer_worked_out_from_how_the_contact_ended_cannot_be_queried(session: Session) -> None:
    """A reached contact's "did a person answer" is yes by its outcome; a contact that reached nobody has
    no answers: there is nothing for a principal to query."""
    world = build_appeal_world(session, library=True)
    with pytest.raises(ValidationError) as refused:
        file_appeal(
            session, world.call, AppealRequest("answered_by_person", "Wrong."), world.principal, FILED_ON
        )
    assert refused.value.field == "item" and "no scored answer" in refused.value.reason
    _nothing_saved(session)


def test_a_transfer_count_corrects_the_chosen_option(session: Session) -> None:
    world = build_appeal_world(session, library=True)
    appeal = _file(session, world, AppealRequest("transfers", "She answered the question herself."))
    decision = Decision(AppealOutcome.UPHELD, "The recording shows no transfer.", Correction(0))
    decide_appeal(session, appeal, world.second_reviewer, decision, world.fieldwork.calendar, now=TEST_NOW)
    assert world.call.transfers == 0
    assert appeal.corrected_answer == "No transfer, the person who answered could help"


def test_a_decision_needs_an_outcome_a_reason_and_upheld_a_value(
    session: Session, world: AppealWorld
) -> None:
    appeal = _file(session, world)
    with pytest.raises(ValidationError) as refused:
        decide_appeal(
            session, appeal, world.leader, Decision(AppealOutcome.PENDING, " "), world.fieldwork.calendar
        )
    assert {field for field, _ in refused.value.problems} == {"outcome", "reason"}
    with pytest.raises(ValidationError) as refused:
        decide_appeal(
            session, appeal, world.leader, Decision(AppealOutcome.UPHELD, "Yes."), world.fieldwork.calendar
        )
    assert refused.value.problems == [("value", "give the corrected answer")]


def test_a_fact_takes_a_value_of_its_own_kind(session: Session) -> None:
    """The rings are a whole number: a moment, a flag or a negative count is refused on the value."""
    world = build_appeal_world(session, library=True)
    appeal = _file(session, world)
    for wrong, words in (
        (datetime(2027, 2, 2, 9, 0, tzinfo=UTC), "whole number"),
        (True, "whole number"),
        (-1, "at least 0"),
    ):
        decision = Decision(AppealOutcome.UPHELD, "Agreed.", Correction(wrong))
        with pytest.raises(ValidationError) as refused:
            decide_appeal(session, appeal, world.leader, decision, world.fieldwork.calendar)
        assert refused.value.field == "value" and words in refused.value.reason
        session.rollback()


def test_the_portal_lists_the_open_window_until_its_last_day(session: Session, world: AppealWorld) -> None:
    card = session.scalars(select(Scorecard)).one()
    school = world.fieldwork.school
    (item,) = appeal_items(session, school, card, FILED_ON)
    assert (item.kind, item.due, item.ref) == (OpenKind.APPEAL, LAST_DAY, card.id)
    assert item.title == "Query an answer you think is wrong" and "10 school days" in item.detail
    assert appeal_items(session, school, card, LAST_DAY + timedelta(days=1)) == []
