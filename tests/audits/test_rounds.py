"""Rounds: saving, planning from the database, committing, the status workflow, reassignment."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, ValidationError
from audits.models import (
    Assignment,
    AuditorProfile,
    Channel,
    Closure,
    District,
    Level,
    Role,
    Round,
    RoundStatus,
    School,
    SchoolSelection,
    Slot,
    User,
)
from audits.planning.reassign import reassign
from audits.planning.rounds import (
    ChannelPlan,
    RoundSpec,
    build_request,
    commit_plan,
    move_round,
    preview_plan,
    save_round,
    schools_in_round,
)
from tests.audits.round_helpers import make_scenario

MONDAY = date(2027, 2, 1)


@pytest.fixture
def district(
    make_district: Callable[..., District],
    make_school: Callable[..., School],
    make_user: Callable[..., User],
    session: Session,
) -> District:
    district = make_district("Duval")
    district.closures.append(Closure(day=date(2027, 2, 3), reason="Storm day"))
    for number in range(6):
        make_school(district, name=f"Elementary {number}", level=Level.ELEMENTARY)
    make_school(district, name="High 1", level=Level.HIGH)
    make_school(district, name="Closed school", level=Level.HIGH, active=False)
    for number in range(4):
        auditor = make_user(Role.AUDITOR, district=district, email=f"auditor{number}@example.org")
        session.add(AuditorProfile(user_id=auditor.id, languages=["en", "es"] if number == 0 else ["en"]))
    make_scenario(session, district, Channel.PHONE, "enrol")
    make_scenario(session, district, Channel.PHONE, "bus")
    make_scenario(session, district, Channel.EMAIL, "meals")
    session.commit()
    return district


def scenario_ids(session: Session, district: District, channel: Channel) -> list[int]:
    from audits.models import Scenario

    return list(
        session.scalars(
            select(Scenario.id).where(Scenario.district_id == district.id, Scenario.channel == channel)
        )
    )


def spec(session: Session, district: District, **changes: object) -> RoundSpec:
    values: dict[str, object] = {
        "name": "Spring 2027",
        "first_day": MONDAY,
        "last_day": date(2027, 2, 26),
        "channels": {
            Channel.PHONE: ChannelPlan(2, scenario_ids(session, district, Channel.PHONE)),
            Channel.EMAIL: ChannelPlan(1, scenario_ids(session, district, Channel.EMAIL)),
        },
        "seed": 42,
    }
    values.update(changes)
    return RoundSpec(**values)  # type: ignore[arg-type]


def test_save_round_and_select_schools(session: Session, district: District) -> None:
    round_ = save_round(session, district, spec(session, district))
    assert round_.status is RoundStatus.DRAFT
    assert [s.name for s in schools_in_round(session, round_)][:2] == ["Elementary 0", "Elementary 1"]
    assert len(schools_in_round(session, round_)) == 7  # the inactive school is left out
    save_round(
        session,
        district,
        spec(session, district, school_selection=SchoolSelection.LEVELS, levels=["high"]),
        round_,
    )
    assert [s.name for s in schools_in_round(session, round_)] == ["High 1"]


def test_save_round_reports_every_problem(session: Session, district: District) -> None:
    bad = RoundSpec(
        name=" ",
        first_day=date(2027, 3, 1),
        last_day=date(2027, 2, 1),
        school_selection=SchoolSelection.LEVELS,
        channels={Channel.PHONE: ChannelPlan(2, [])},
        attempt_limit=0,
    )
    with pytest.raises(ValidationError) as caught:
        save_round(session, district, bad)
    fields = {field for field, _ in caught.value.problems}
    assert fields == {"name", "last_day", "attempt_limit", "levels", "phone_scenarios"}


def test_scenarios_of_another_district_are_refused(
    session: Session, district: District, make_district: Callable[..., District]
) -> None:
    other = make_district("Elsewhere")
    foreign = make_scenario(session, other, Channel.PHONE, "foreign")
    with pytest.raises(ValidationError) as caught:
        save_round(
            session, district, spec(session, district, channels={Channel.PHONE: ChannelPlan(1, [foreign.id])})
        )
    assert caught.value.problems == [("phone_scenarios", "choose active phone scenarios of this district")]


def test_request_uses_the_calendar_and_hours(session: Session, district: District) -> None:
    round_ = save_round(session, district, spec(session, district))
    request = build_request(session, round_)
    assert date(2027, 2, 3) not in request.days  # closure
    assert date(2027, 2, 6) not in request.days  # Saturday
    assert len(request.days) == 19
    assert request.slots == (Slot.EARLY_MORNING, Slot.MORNING, Slot.MIDDAY, Slot.AFTERNOON)
    assert len(request.auditors) == 4


def test_commit_stores_the_previewed_plan_and_schedules(session: Session, district: District) -> None:
    round_ = save_round(session, district, spec(session, district))
    preview = preview_plan(session, round_)
    assert preview.unplaced == []
    plan = commit_plan(session, round_)
    session.commit()
    assert plan == preview
    assert round_.status is RoundStatus.SCHEDULED
    stored = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.round_id == round_.id)
    )
    assert stored == 7 * 3
    with pytest.raises(ConflictError, match="scheduled"):
        commit_plan(session, round_)
    with pytest.raises(ConflictError, match="scheduled"):
        save_round(session, district, spec(session, district), round_)


def test_workflow_transitions(session: Session, district: District) -> None:
    round_ = save_round(session, district, spec(session, district))
    with pytest.raises(ConflictError, match="cannot become closed"):
        move_round(session, round_, RoundStatus.CLOSED)
    commit_plan(session, round_)
    move_round(session, round_, RoundStatus.DRAFT)  # back to draft drops the assignments
    assert session.scalar(select(func.count()).select_from(Assignment)) == 0
    commit_plan(session, round_)
    for status in (RoundStatus.IN_FIELD, RoundStatus.CLOSED, RoundStatus.PUBLISHED):
        move_round(session, round_, status)
    assert round_.closed_at is not None
    assert round_.published_at is not None
    with pytest.raises(ConflictError):
        move_round(session, round_, RoundStatus.IN_FIELD)


def _scheduled(session: Session, district: District) -> Round:
    round_ = save_round(session, district, spec(session, district))
    commit_plan(session, round_)
    session.commit()
    return round_


def test_reassign_explains_every_broken_rule(session: Session, district: District) -> None:
    round_ = _scheduled(session, district)
    assignment = round_.assignments[0]
    before = (assignment.auditor_id, assignment.due_day, assignment.slot)
    colleague = session.scalar(
        select(Assignment.auditor_id).where(
            Assignment.round_id == round_.id,
            Assignment.school_id == assignment.school_id,
            Assignment.id != assignment.id,
        )
    )
    with pytest.raises(ValidationError) as caught:
        reassign(session, assignment, colleague, date(2027, 2, 3), Slot.MORNING)  # type: ignore[arg-type]
    reasons = dict(caught.value.problems)
    assert "already contacts" in reasons["auditor_id"]
    assert reasons["due_day"] == "that day is not a school day"
    with pytest.raises(ValidationError) as caught:
        reassign(session, assignment, assignment.auditor_id, date(2027, 3, 10), Slot.MORNING)
    assert caught.value.problems == [("due_day", "the day must be inside the round's window")]
    session.rollback()
    assert (assignment.auditor_id, assignment.due_day, assignment.slot) == before


def test_reassign_checks_language_conflicts_and_daily_limit(session: Session, district: District) -> None:
    spanish = make_scenario(session, district, Channel.PHONE, "enrol-es", language="es")
    round_ = save_round(
        session, district, spec(session, district, channels={Channel.PHONE: ChannelPlan(1, [spanish.id])})
    )
    commit_plan(session, round_)
    assignment = round_.assignments[0]
    english_only = next(p for p in session.scalars(select(AuditorProfile)) if p.languages == ["en"])
    assert english_only is not None
    english_only.conflicts.append(assignment.school)
    english_only.max_per_day = 1
    with pytest.raises(ValidationError) as caught:
        reassign(session, assignment, english_only.user_id, MONDAY, Slot.MORNING)
    reasons = [reason for _, reason in caught.value.problems]
    assert any("does not speak Spanish" in reason for reason in reasons)
    assert any("has a conflict with" in reason for reason in reasons)


def test_a_valid_reassignment_saves(session: Session, district: District) -> None:
    round_ = _scheduled(session, district)
    assignment = round_.assignments[0]
    busy = {a.auditor_id for a in round_.assignments if a.school_id == assignment.school_id}
    free = session.scalar(
        select(User.id).where(User.role == Role.AUDITOR, User.id.not_in(busy)).order_by(User.id)
    )
    assert free is not None
    reassign(session, assignment, free, date(2027, 2, 26), Slot.AFTERNOON)
    session.commit()
    assert (assignment.auditor_id, assignment.due_day, assignment.slot) == (
        free,
        date(2027, 2, 26),
        Slot.AFTERNOON,
    )


def test_recorded_fieldwork_keeps_a_round_out_of_draft_and_its_assignments_in_place(
    session: Session, district: District
) -> None:
    from audits.fieldwork.contacts import start_contact

    round_ = _scheduled(session, district)
    assignment = round_.assignments[0]
    start_contact(session, assignment, assignment.auditor)
    with pytest.raises(ConflictError, match="cannot go back to draft"):
        move_round(session, round_, RoundStatus.DRAFT)
    with pytest.raises(ConflictError, match="already has a recorded contact"):
        reassign(session, assignment, assignment.auditor_id, assignment.due_day, assignment.slot)


def test_a_draft_round_is_scheduled_only_by_committing_its_plan(session: Session, district: District) -> None:
    round_ = save_round(session, district, spec(session, district))
    with pytest.raises(ConflictError, match="commit the plan"):
        move_round(session, round_, RoundStatus.SCHEDULED)


def test_other_rounds_count_towards_the_daily_maximum(session: Session, district: District) -> None:
    first = _scheduled(session, district)
    second = save_round(session, district, spec(session, district, name="Overlapping"))
    request = build_request(session, second)
    assert sum(count for _, _, count in request.booked) == len(first.assignments)
    plan = commit_plan(session, second)
    profiles = {p.user_id: p.max_per_day for p in session.scalars(select(AuditorProfile))}
    daily: dict[tuple[int, date], int] = {}
    for assignment in [*first.assignments, *second.assignments]:
        key = (assignment.auditor_id, assignment.due_day)
        daily[key] = daily.get(key, 0) + 1
    assert all(count <= profiles.get(auditor, 4) for (auditor, _), count in daily.items())
    assert plan.contacts


def test_unused_channels_and_inactive_schools(session: Session, district: District) -> None:
    phone_only = spec(
        session,
        district,
        channels={
            Channel.PHONE: ChannelPlan(1, scenario_ids(session, district, Channel.PHONE)),
            Channel.EMAIL: ChannelPlan(0, [999_999]),  # ignored: the channel is not used
        },
    )
    assert save_round(session, district, phone_only).channels[0].channel is Channel.PHONE
    inactive = session.scalars(select(School).where(School.active.is_(False))).one()
    with pytest.raises(ValidationError, match="inactive schools cannot be audited"):
        save_round(
            session,
            district,
            spec(session, district, school_selection=SchoolSelection.LIST, school_ids=[inactive.id]),
        )


def test_a_round_keeps_the_share_it_scores_twice(session: Session, district: District) -> None:
    round_ = save_round(session, district, spec(session, district))
    assert round_.double_score_percent == 10  # the default
    save_round(session, district, spec(session, district, double_score_percent=25), round_)
    assert round_.double_score_percent == 25
    for wrong in (-1, 101):
        with pytest.raises(ValidationError) as caught:
            save_round(session, district, spec(session, district, double_score_percent=wrong), round_)
        assert caught.value.problems == [("double_score_percent", "must be from 0 to 100")]
