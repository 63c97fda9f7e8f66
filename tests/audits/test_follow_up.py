"""Follow-up rounds in the domain: who can be checked again and on what, the planner's rules for
them, and each weak item of a plan beside what the follow-up found."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar
from audits.errors import ConflictError, ValidationError
from audits.models import (
    ActionPlan,
    FollowUpTarget,
    Role,
    Round,
    RoundStatus,
    SchoolSelection,
    User,
)
from audits.planning.rounds import preview_plan
from audits.plans.actions import ActionEntry, add_action, approve_plan, submit_plan
from audits.plans.checks import Verdict, check_plan, follow_up_round
from audits.plans.follow_up import FollowUpSpec, follow_up_schools, plan_follow_up, suggested_window
from audits.plans.weak import weaknesses
from audits.scorecards import publish
from audits.scoring.engine import round_scores
from tests.audits.plan_helpers import EMAIL, PHONE, PlanWorld, build_plan_world
from tests.audits.round_helpers import make_scenario
from tests.reports.scorecard_helpers import GOOD, POOR, at

TODAY = date(2026, 11, 2)  # a Monday, after the round of October 5
NOW = datetime(2026, 11, 2, 15, tzinfo=UTC)
DUE = date(2026, 11, 20)  # the plan's last action is due on a Friday


@pytest.fixture
def world(session: Session) -> PlanWorld:
    world = build_plan_world(session)
    for index, school in enumerate(world.scoring.schools):
        school.phone = f"904555{index:04d}"
        school.email = f"office{index}@example.org"
        school.street = f"{index + 1} Main Street"
    # A second auditor: no auditor contacts one school twice in a round.
    session.add(
        User(
            email="second.auditor@example.org",
            role=Role.AUDITOR,
            district_id=world.scoring.district.id,
            password_hash="x",
        )
    )
    publish(session, world.round, world.leader, now=NOW)
    session.commit()
    return world


def _plan(session: Session, world: PlanWorld, letter: str) -> ActionPlan:
    school = {"B": world.low, "C": world.critical}[letter]
    return session.scalars(select(ActionPlan).where(ActionPlan.school_id == school.id)).one()


def _approve(session: Session, world: PlanWorld, letter: str, due: date = DUE) -> ActionPlan:
    plan = _plan(session, world, letter)
    principal = world.principals[letter]
    weak = weaknesses(session, plan.round, plan.school)
    target = weak.items[0].key if weak.items else ""
    entry = ActionEntry("Answer every call by the third ring.", "office_manager", due, target)
    add_action(session, plan, entry, principal, weak, TODAY, now=NOW)
    submit_plan(session, plan, principal, TODAY, now=NOW)
    approve_plan(session, plan, world.leader, now=NOW)
    session.commit()
    return plan


def _spec(
    world: PlanWorld, *school_ids: int, first: date = date(2026, 11, 23), last: date = date(2026, 12, 11)
) -> FollowUpSpec:
    return FollowUpSpec(
        name="Follow-up: Fall 2026 round", first_day=first, last_day=last, school_ids=list(school_ids), seed=7
    )


def test_only_approved_plans_are_checked_again_on_what_failed_there(
    session: Session, world: PlanWorld
) -> None:
    _approve(session, world, "B")
    entries = {entry.school.name: entry for entry in follow_up_schools(session, world.round)}
    assert set(entries) == {"School B", "School C"}  # the schools with plans; A did well, D was not scored
    low, critical = entries["School B"], entries["School C"]
    assert low.eligible and low.not_before == DUE + timedelta(days=1)
    # School B's call and email both scored below the standard: both are checked again.
    assert {(t.channel, t.scenario.id) for t in low.targets} == {
        (PHONE, world.scoring.scenarios[PHONE].id),
        (EMAIL, world.scoring.scenarios[EMAIL].id),
    }
    assert not critical.eligible
    assert critical.left_out == "its plan is still being written: a plan is checked once approved"


def test_a_retired_scenario_is_replaced_by_an_active_one_on_the_same_channel(
    session: Session, world: PlanWorld
) -> None:
    _approve(session, world, "C")
    world.scoring.scenarios[EMAIL].active = False
    spare = make_scenario(session, world.scoring.district, EMAIL, "spare-email")
    session.commit()
    entry = next(e for e in follow_up_schools(session, world.round) if e.school.id == world.critical.id)
    # School C failed only its email (a critical item): the spare email scenario checks the same items.
    assert [(t.channel, t.scenario.id) for t in entry.targets] == [(EMAIL, spare.id)]


def test_a_follow_up_round_contacts_each_school_only_on_what_failed_after_its_due_dates(
    session: Session, world: PlanWorld
) -> None:
    _approve(session, world, "B")
    _approve(session, world, "C", due=date(2026, 11, 27))
    follow_up = plan_follow_up(session, world.round, _spec(world, world.low.id, world.critical.id), TODAY)
    session.commit()
    assert follow_up.status is RoundStatus.DRAFT and follow_up.follows_round_id == world.round.id
    assert follow_up.school_selection is SchoolSelection.LIST
    assert {school.id for school in follow_up.chosen_schools} == {world.low.id, world.critical.id}
    targets = session.scalars(select(FollowUpTarget).where(FollowUpTarget.round_id == follow_up.id)).all()
    assert {(t.school_id, t.channel) for t in targets} == {
        (world.low.id, PHONE),
        (world.low.id, EMAIL),
        (world.critical.id, EMAIL),
    }
    plan = preview_plan(session, follow_up)
    assert not plan.unplaced
    placed = {(c.school_id, c.channel): c for c in plan.contacts}
    assert set(placed) == {(world.low.id, PHONE), (world.low.id, EMAIL), (world.critical.id, EMAIL)}
    assert all(c.day > DUE for c in plan.contacts if c.school_id == world.low.id)
    assert all(c.day > date(2026, 11, 27) for c in plan.contacts if c.school_id == world.critical.id)


def test_the_planner_says_when_no_school_day_comes_after_the_plan(session: Session, world: PlanWorld) -> None:
    _approve(session, world, "B", due=date(2026, 12, 10))
    follow_up = plan_follow_up(
        session, world.round, _spec(world, world.low.id, last=date(2026, 12, 11)), TODAY
    )
    follow_up.last_day = date(2026, 12, 10)  # shortened after it was saved (the round form allows it)
    plan = preview_plan(session, follow_up)
    assert not plan.contacts
    assert {u.reason for u in plan.unplaced} == {
        "its action plan has actions due until Dec 10, 2026: no school day of the window is later"
    }


@pytest.mark.parametrize(
    ("letters", "spec_changes", "field", "words"),
    [
        ("", {"school_ids": []}, "school_ids", "choose at least one school"),
        ("B", {"school_ids": ["C"]}, "school_ids", "School C: its plan is still being written"),
        ("B", {"school_ids": ["A"]}, "school_ids", "choose schools with a plan answering Fall 2026 round"),
        ("B", {"last_day": date(2026, 11, 20)}, "last_day", "School B (due until Nov 20, 2026)"),
        ("B", {"first_day": date(2026, 10, 5)}, "first_day", "a follow-up starts after the round it checks"),
        ("B", {"name": ""}, "name", "is required"),
    ],
)
def test_a_follow_up_that_cannot_be_planned_is_refused_and_nothing_saved(
    session: Session,
    world: PlanWorld,
    letters: str,
    spec_changes: dict[str, object],
    field: str,
    words: str,
) -> None:
    for letter in letters:
        _approve(session, world, letter)
    letters_ids = {"A": world.good.id, "B": world.low.id, "C": world.critical.id}
    spec = _spec(world, world.low.id)
    for name, value in spec_changes.items():
        if name == "school_ids":
            value = [letters_ids[letter] for letter in value]  # type: ignore[attr-defined]
        setattr(spec, name, value)
    rounds_before = session.scalar(select(func.count(Round.id)))
    with pytest.raises(ValidationError) as refused:
        plan_follow_up(session, world.round, spec, TODAY)
    session.rollback()
    assert any(f == field and words in message for f, message in refused.value.problems), (
        refused.value.problems
    )
    assert session.scalar(select(func.count(Round.id))) == rounds_before
    assert session.scalar(select(func.count(FollowUpTarget.id))) == 0


def test_only_a_published_round_is_followed_up(session: Session, world: PlanWorld) -> None:
    _approve(session, world, "B")
    world.round.status = RoundStatus.CLOSED
    with pytest.raises(ConflictError):
        plan_follow_up(session, world.round, _spec(world, world.low.id), TODAY)


def test_follow_up_results_are_matched_to_the_original_items(session: Session, world: PlanWorld) -> None:
    plan = _approve(session, world, "B")
    follow_up = plan_follow_up(session, world.round, _spec(world, world.low.id), TODAY)
    session.commit()
    assert follow_up_round(session, plan) == follow_up
    waiting = check_plan(session, plan)
    assert waiting is not None and not waiting.checked and not waiting.final
    assert {item.verdict for item in waiting.items} == {Verdict.NOT_CHECKED}
    day = at(date(2026, 11, 24))
    # The call is now perfect; the email is as poor as before.
    world.scoring.contact(follow_up, world.low, PHONE, GOOD, started_at=day)
    world.scoring.contact(follow_up, world.low, EMAIL, POOR, started_at=day)
    session.commit()
    check = check_plan(session, plan)
    assert check is not None and check.checked
    verdicts = {item.key: item.verdict for item in check.items}
    weak_keys = [item.key for item in weaknesses(session, world.round, world.low).items]
    assert list(verdicts) == weak_keys  # every weak item, in the plan's order
    assert verdicts["channel:phone"] is Verdict.FIXED
    assert verdicts["channel:email"] is Verdict.STILL_FAILING
    assert verdicts["item:phone:named"] is Verdict.FIXED
    assert verdicts["item:email:named"] is Verdict.STILL_FAILING
    named = check.for_target("item:phone:named")
    assert (
        named is not None and named.before.startswith("earned 0%") and named.after.startswith("earned 100%")
    )
    assert check.summary().startswith(f"{check.count(Verdict.FIXED)} fixed")


def test_a_follow_up_round_is_not_the_previous_round_of_the_next_one(
    session: Session, world: PlanWorld
) -> None:
    _approve(session, world, "B")
    follow_up = plan_follow_up(session, world.round, _spec(world, world.low.id), TODAY)
    world.scoring.contact(follow_up, world.low, PHONE, GOOD, started_at=at(date(2026, 11, 24)))
    spring = world.scoring.round("Spring 2027 round", date(2027, 3, 1))
    world.scoring.contact(spring, world.low, PHONE, GOOD, started_at=at(date(2027, 3, 1)))
    session.commit()
    fall = round_scores(session, world.round).school(world.low.id)
    assert fall is not None
    # The spring round compares with the fall round, not with the follow-up's one call.
    assert round_scores(session, spring).school(world.low.id).previous == pytest.approx(fall.overall)  # type: ignore[union-attr]
    # The follow-up itself compares with the round it checks.
    assert round_scores(session, follow_up).school(world.low.id).previous == pytest.approx(fall.overall)  # type: ignore[union-attr]


def test_a_follow_up_window_is_suggested_after_the_plans_due_dates(
    session: Session, world: PlanWorld
) -> None:
    _approve(session, world, "B")
    _approve(session, world, "C", due=date(2026, 11, 27))
    calendar = BusinessCalendar.of(world.scoring.district)
    schools = follow_up_schools(session, world.round)
    # From the earliest day a school may be contacted (Sat Nov 21: the next school day, Mon Nov 23)
    # to fifteen school days after the latest (Sat Nov 28).
    assert suggested_window(schools, calendar, TODAY) == (date(2026, 11, 23), date(2026, 12, 18))
    assert suggested_window([], calendar, TODAY) is None


def test_a_plan_already_checked_by_an_unpublished_follow_up_is_not_planned_twice(
    session: Session, world: PlanWorld
) -> None:
    _approve(session, world, "B")
    follow_up = plan_follow_up(session, world.round, _spec(world, world.low.id), TODAY)
    session.commit()
    entry = next(e for e in follow_up_schools(session, world.round) if e.school.id == world.low.id)
    assert entry.left_out == f"{follow_up.name} (draft) checks it already"
