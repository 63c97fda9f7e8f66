"""Calibration exercises (audits/calibration.py): building, blind scoring, figures, no school effect.

Expected alphas are computed here with the ``krippendorff`` package on the answers the helpers
give; scores by hand from the scoring rubric's points (answered 5, named 2, courtesy 4,
accuracy 6).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sqlalchemy.orm import Session

from audits.agreement import NOT_ENOUGH_VARIATION, Level, Reliability
from audits.calendar import DistrictSettings, update_district
from audits.calibration import (
    add_contact_reference,
    add_material_reference,
    calibrations_since,
    close_exercise,
    create_exercise,
    exercise_agreement,
    exercise_ratings,
    latest_result,
    may_see_answers,
    open_exercise,
    record_sheet,
    set_auditors,
    submit_sheets,
)
from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.models import Channel, ContactStatus, ExerciseStatus, Role, User
from audits.planning.rounds import ChannelPlan, RoundSpec, preview_plan, save_round
from audits.scoring.engine import round_scores
from tests.audits.calibration_helpers import KEY, NOW, build_calibration, entry, finished_exercise

NAN = np.nan


def test_an_exercise_is_built_from_approved_contacts_and_material(session: Session, tmp_path: Path) -> None:
    cal = build_calibration(session)
    exercise = create_exercise(session, cal.world.district, cal.leader, "  Spring   check ", cal.rubric)
    assert exercise.name == "Spring check" and exercise.status is ExerciseStatus.DRAFT
    reference = add_contact_reference(session, exercise, cal.contacts[0])
    assert reference.title == "Reference 1" and reference.contact_id == cal.contacts[0].id
    with pytest.raises(ValidationError, match="already a reference"):
        add_contact_reference(session, exercise, cal.contacts[0])
    draft = cal.world.contact(
        cal.round, cal.world.schools[1], Channel.PHONE, {}, status=ContactStatus.SUBMITTED
    )
    with pytest.raises(ValidationError) as refused:
        add_contact_reference(session, exercise, draft)
    assert refused.value.field == "contact_id"
    eml = (
        b"From: office@school.example.org\r\nTo: parent@example.org\r\nSubject: Re: enrolment\r\n"
        b"Date: Tue, 02 Feb 2027 10:00:00 -0500\r\nContent-Type: text/plain\r\n\r\n"
        b"Welcome! Bring proof of address.\r\n"
    )
    emailed = add_material_reference(
        session, exercise, "Email reply", "", (eml, "reply.eml"), tmp_path, 1_000_000
    )
    assert emailed.file_kind is not None and emailed.file_kind.value == "email"
    assert "proof of address" in emailed.narrative
    assert (tmp_path / str(emailed.storage_name)).read_bytes() == eml
    visit = add_material_reference(session, exercise, "Visit", "The door was locked.", None, tmp_path, 1)
    assert visit.position == 3 and visit.storage_name is None
    with pytest.raises(ValidationError) as empty:
        add_material_reference(session, exercise, "", "", None, tmp_path, 1)
    assert {field for field, _ in empty.value.problems} == {"file", "title"}


def test_opening_needs_references_and_two_auditors(session: Session) -> None:
    cal = build_calibration(session)
    exercise = create_exercise(session, cal.world.district, cal.leader, "Empty", cal.rubric)
    with pytest.raises(ValidationError) as refused:
        open_exercise(session, exercise, NOW)
    assert {field for field, _ in refused.value.problems} == {"references", "auditor_ids"}
    add_contact_reference(session, exercise, cal.contacts[0])
    with pytest.raises(ValidationError):
        set_auditors(session, exercise, [cal.auditors[0], cal.reviewer])
    set_auditors(session, exercise, cal.auditors[:2])
    open_exercise(session, exercise, NOW)
    assert exercise.status is ExerciseStatus.OPEN
    with pytest.raises(ConflictError):
        add_contact_reference(session, exercise, cal.contacts[1])


def test_answers_are_checked_against_the_rubric(session: Session) -> None:
    cal = build_calibration(session)
    exercise = cal.exercise()
    open_exercise(session, exercise, NOW)
    reference = exercise.references[0]
    with pytest.raises(ValidationError) as refused:
        record_sheet(
            session, exercise, reference, cal.auditors[0], entry({"answered": True, "courtesy": 9}), now=NOW
        )
    assert [field for field, _ in refused.value.problems] == [
        "responses.named",
        "responses.courtesy",
        "responses.accuracy",
    ]
    sheet = record_sheet(session, exercise, reference, cal.auditors[0], entry(KEY[2]), now=NOW)
    assert sheet.possible_points == 15  # named is N/A
    assert sheet.score == 0.0
    sheet = record_sheet(session, exercise, reference, cal.auditors[0], entry(KEY[0]), now=NOW)
    assert sheet.score == pytest.approx(100 * 13 / 17)
    assert len(exercise.sheets) == 1  # the same sheet, answered again
    with pytest.raises(NotAllowedError):
        record_sheet(session, exercise, reference, cal.reviewer, entry(KEY[0]), now=NOW)


def test_an_auditor_sees_nothing_of_the_others_before_submitting_all(session: Session) -> None:
    cal = build_calibration(session)
    exercise = cal.exercise()
    open_exercise(session, exercise, NOW)
    ann, bo = cal.auditors[:2]
    record_sheet(session, exercise, exercise.references[0], cal.reviewer, entry(KEY[0]), key=True, now=NOW)
    record_sheet(session, exercise, exercise.references[0], ann, entry(KEY[0]), now=NOW)
    assert not may_see_answers(exercise, ann)
    with pytest.raises(ValidationError, match="2 references to go"):
        submit_sheets(session, exercise, ann, NOW)
    assert not may_see_answers(exercise, ann)
    assert may_see_answers(exercise, cal.leader) and may_see_answers(exercise, cal.reviewer)
    outsider = User(email="x@elsewhere.example.org", role=Role.LEADER, district_id=None, password_hash="x")
    assert not may_see_answers(exercise, outsider)
    for index, reference in enumerate(exercise.references[1:], start=1):
        record_sheet(session, exercise, reference, ann, entry(KEY[index]), now=NOW)
    submit_sheets(session, exercise, ann, NOW)
    assert may_see_answers(exercise, ann) and not may_see_answers(exercise, bo)
    with pytest.raises(ConflictError):
        record_sheet(session, exercise, exercise.references[0], ann, entry(KEY[1]), now=NOW)
    # Only submitted sheets make the figures and the ratings: Bo's unsubmitted sheet is not there.
    record_sheet(session, exercise, exercise.references[0], bo, entry(KEY[1]), now=NOW)
    assert {rating.auditor_id for rating in exercise_ratings(exercise)} == {ann.id}


def test_the_figures_match_the_krippendorff_package(session: Session) -> None:
    cal = build_calibration(session)
    exercise = finished_exercise(cal)
    figures = exercise_agreement(exercise)
    items = {figure.key: figure for figure in figures.items}
    assert list(items) == ["answered", "named", "courtesy", "accuracy"]  # the text item is left out
    assert items["courtesy"].level is Level.ORDINAL and items["accuracy"].level is Level.NOMINAL
    courtesy = [[3, 1, 0], [3, 1, 0], [3, 2, 0], [4, 4, 4]]  # Ann, Bo, Cy, Di on references 1-3
    expected = krippendorff.alpha(
        reliability_data=courtesy, value_domain=[0, 1, 2, 3, 4], level_of_measurement="ordinal"
    )
    assert items["courtesy"].alpha.value == pytest.approx(expected)
    assert items["courtesy"].alpha.n == 12
    named = [[1, 0, NAN], [1, 0, NAN], [1, 0, NAN], [1, 1, 1]]  # N/A is missing
    expected_named = krippendorff.alpha(reliability_data=named, level_of_measurement="nominal")
    assert items["named"].alpha.value == pytest.approx(expected_named)
    assert items["named"].alpha.n == 8  # reference 3 has Di's answer alone
    scores = [[1300 / 17, 600 / 17, 0.0]] * 2 + [[1300 / 17, 700 / 17, 0.0], [100.0, 100.0, 100.0]]
    expected_scores = krippendorff.alpha(reliability_data=scores, level_of_measurement="interval")
    assert figures.score_alpha.value == pytest.approx(expected_scores)
    assert figures.against_key and figures.submitted == 4


def test_the_lenient_auditor_is_flagged_with_what_to_retrain(session: Session) -> None:
    cal = build_calibration(session)
    figures = exercise_agreement(finished_exercise(cal))
    by_name = {figure.name: figure for figure in figures.auditors}
    ann, cy, di = by_name["Ann"], by_name["Cy"], by_name["Di"]
    assert (ann.agreement.agreed, ann.agreement.n) == (11, 11) and not ann.flagged
    assert ann.difference.value == pytest.approx(0.0) and ann.difference.n == 3
    assert (cy.agreement.agreed, cy.agreement.n) == (10, 11) and not cy.flagged
    assert cy.difference.value == pytest.approx(100 / 17 / 3)
    # Di: answered 2 of 3, named 1 of 2 (the key says N/A once), courtesy 0 of 3, accuracy 0 of 3.
    assert (di.agreement.agreed, di.agreement.n) == (3, 11)
    assert di.reading is Reliability.NOT_RELIABLE and di.lean == "lenient" and di.flagged
    key_scores = [1300 / 17, 600 / 17, 0.0]
    assert di.difference.value == pytest.approx(sum(100 - s for s in key_scores) / 3)
    assert [item.key for item in di.retrain] == ["courtesy", "accuracy", "named"]
    courtesy = di.retrain[0]
    assert courtesy.guidance == "" and courtesy.prompt == "Courtesy"
    assert [(d.reference, d.theirs, d.reference_answer) for d in courtesy.differences] == [
        ("Reference 1", "4", "3"),
        ("Reference 2", "4", "1"),
        ("Reference 3", "4", "0"),
    ]
    assert figures.flagged_auditors == [di]


def test_without_a_key_each_auditor_is_held_against_the_others(session: Session) -> None:
    cal = build_calibration(session)
    figures = exercise_agreement(finished_exercise(cal, key=False))
    assert not figures.against_key
    di = next(figure for figure in figures.auditors if figure.name == "Di")
    assert di.lean == "lenient"
    # Against the others' median score per reference (Ann, Bo, Cy): 76.5, 35.3, 0.
    assert di.difference.value == pytest.approx(((100 - 1300 / 17) + (100 - 600 / 17) + 100) / 3)


def test_an_item_everyone_answered_alike_has_no_alpha(session: Session) -> None:
    cal = build_calibration(session)
    exercise = cal.exercise()
    set_auditors(session, exercise, cal.auditors[:2])
    open_exercise(session, exercise, NOW)
    for auditor in cal.auditors[:2]:
        for index, reference in enumerate(exercise.references):
            record_sheet(session, exercise, reference, auditor, entry({**KEY[index], "named": True}), now=NOW)
        submit_sheets(session, exercise, auditor, NOW)
    items = {figure.key: figure for figure in exercise_agreement(exercise).items}
    assert items["named"].alpha.value is None
    assert items["named"].alpha.reason == NOT_ENOUGH_VARIATION
    assert items["named"].reading is Reliability.UNKNOWN and not items["named"].flagged
    assert items["answered"].alpha.value == pytest.approx(1.0)


def test_exercise_scores_never_reach_school_scores(session: Session) -> None:
    cal = build_calibration(session)
    before = [(s.name, s.overall) for s in round_scores(session, cal.round).schools]
    exercise = finished_exercise(cal)
    close_exercise(session, exercise, NOW)
    session.flush()
    after = [(s.name, s.overall) for s in round_scores(session, cal.round).schools]
    assert after == before
    assert all(contact.status is ContactStatus.APPROVED for contact in cal.contacts)
    assert {len(contact.responses) for contact in cal.contacts} == {4}


def test_the_latest_calibration_and_who_is_calibrated(session: Session) -> None:
    cal = build_calibration(session)
    assert latest_result(session, cal.auditors[3]) is None
    finished_exercise(cal)
    session.flush()
    result = latest_result(session, cal.auditors[3])
    assert result is not None and result.figure is not None
    assert result.rubric_key == cal.rubric.key and result.figure.lean == "lenient"
    found = calibrations_since(session, cal.world.district.id, NOW - timedelta(days=30))
    assert found == {auditor.id: {cal.rubric.key} for auditor in cal.auditors}
    assert calibrations_since(session, cal.world.district.id, NOW + timedelta(days=1)) == {}


def test_a_round_can_plan_only_with_recently_calibrated_auditors(session: Session) -> None:
    cal = build_calibration(session)
    finished_exercise(cal)  # every auditor of the exercise submitted on March 1, 2027
    scenario = cal.world.scenarios[Channel.PHONE]
    scenario.rubric_key = cal.rubric.key
    for school in cal.world.schools:
        school.phone = "+19045550100"
    spec = RoundSpec(
        name="Spring",
        first_day=date(2027, 3, 15),
        last_day=date(2027, 3, 26),
        channels={Channel.PHONE: ChannelPlan(2, [scenario.id])},
        calibrated_within_days=30,
    )
    round_ = save_round(session, cal.world.district, spec)
    assert round_.calibrated_within_days == 30
    plan = preview_plan(session, round_)
    # The scoring world's own auditor never calibrated: left out, and told why.
    assert [leaving.auditor_id for leaving in plan.left_out] == [cal.world.auditor.id]
    assert plan.left_out[0].reason == (
        f"no calibration exercise on {cal.rubric.key} submitted since February 13, 2027 "
        "(30 days before the round starts)"
    )
    assert plan.contacts and {c.auditor_id for c in plan.contacts} <= {a.id for a in cal.auditors}
    round_.calibrated_within_days = 10  # from March 5: nobody's calibration counts
    plan = preview_plan(session, round_)
    assert len(plan.left_out) == 5 and not plan.contacts and plan.unplaced
    round_.calibrated_within_days = None
    assert preview_plan(session, round_).left_out == []
    with pytest.raises(ValidationError) as refused:
        save_round(session, cal.world.district, replace(spec, calibrated_within_days=0), round_)
    assert refused.value.field == "calibrated_within_days"


def test_the_district_sets_its_thresholds(session: Session) -> None:
    cal = build_calibration(session)
    district = cal.world.district
    assert (district.alpha_good, district.alpha_tentative) == (0.8, 0.667)
    exercise = finished_exercise(cal)
    named = next(item for item in exercise_agreement(exercise).items if item.key == "named")
    assert named.alpha.value == pytest.approx(0.5333, abs=1e-4)  # not reliable by default
    assert named.reading is Reliability.NOT_RELIABLE and named.flagged
    settings = DistrictSettings.of(district)
    update_district(session, district, replace(settings, alpha_good="0.6", alpha_tentative="0.5"))
    assert (district.alpha_good, district.alpha_tentative) == (0.6, 0.5)
    named = next(item for item in exercise_agreement(exercise).items if item.key == "named")
    assert named.reading is Reliability.TENTATIVE and not named.flagged
    assert named.key_answers == [("Reference 1", "Yes"), ("Reference 2", "No"), ("Reference 3", "N/A")]
    with pytest.raises(ValidationError) as refused:
        update_district(session, district, replace(settings, alpha_good="1.5", alpha_tentative="0.9"))
    assert [field for field, _ in refused.value.problems] == ["alpha_good"]
    with pytest.raises(ValidationError) as refused:
        update_district(session, district, replace(settings, alpha_good="0.7", alpha_tentative="0.8"))
    assert [field for field, _ in refused.value.problems] == ["alpha_tentative"]
    update_district(session, district, replace(settings, alpha_good="", alpha_tentative=" "))
    assert (district.alpha_good, district.alpha_tentative) == (0.8, 0.667)
