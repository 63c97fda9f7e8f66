"""The permission rules for rounds, assignments and auditor settings, without a web client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from audits.access import Action, allowed
from audits.models import Assignment, Channel, District, Role, Round, School, Slot, User
from tests.audits.round_samples import make_scenario, publish_rubrics

PEOPLE = (
    "admin",
    "leader",
    "foreign_leader",
    "reviewer",
    "foreign_reviewer",
    "auditor",
    "other_auditor",
    "principal",
)


@dataclass
class World:
    """Two districts, a round in each, one assignment in the home round, and one user per case."""

    home: District
    away: District
    round: Round
    foreign_round: Round
    assignment: Assignment
    users: dict[str, User]


@pytest.fixture
def world(
    session: Session,
    make_district: Callable[..., District],
    make_school: Callable[..., School],
    make_user: Callable[..., User],
) -> World:
    home, away = make_district("Home"), make_district("Away")
    school = make_school(home)
    users = {
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=home),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "reviewer": make_user(Role.REVIEWER, district=home),
        "foreign_reviewer": make_user(Role.REVIEWER, district=away),
        "auditor": make_user(Role.AUDITOR, district=home),
        "other_auditor": make_user(Role.AUDITOR, district=home),
        "principal": make_user(Role.PRINCIPAL, district=home, schools=[school]),
    }
    window = {"first_day": date(2027, 2, 1), "last_day": date(2027, 2, 12)}
    round_ = Round(district_id=home.id, name="Spring", **window)
    foreign_round = Round(district_id=away.id, name="Away", **window)
    publish_rubrics(session)
    scenario = make_scenario(session, home, "enrol")
    assignment = Assignment(
        round=round_,
        school_id=school.id,
        scenario_id=scenario.id,
        auditor_id=users["auditor"].id,
        channel=Channel.PHONE,
        sequence=1,
        due_day=date(2027, 2, 2),
        slot=Slot.MORNING,
    )
    session.add_all([round_, foreign_round, assignment])
    session.commit()
    return World(home, away, round_, foreign_round, assignment, users)


@pytest.mark.parametrize(
    ("action", "who_may"),
    [
        (Action.MANAGE_ROUNDS, {"admin", "leader", "foreign_leader"}),
        (Action.VIEW_ROUNDS, {"admin", "leader", "foreign_leader", "reviewer", "foreign_reviewer"}),
        (Action.VIEW_OWN_ASSIGNMENTS, {"auditor", "other_auditor"}),
        (Action.MANAGE_AUDITORS, {"admin", "leader", "foreign_leader"}),
        (Action.REOPEN_ROUND, {"admin"}),  # a round closed by mistake: administrators, with a reason
    ],
)
def test_each_new_action_belongs_to_its_roles(world: World, action: Action, who_may: set[str]) -> None:
    for who in PEOPLE:
        assert allowed(world.users[who], action) is (who in who_may), who


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        ("admin", Action.MANAGE_ROUNDS, True),
        ("leader", Action.MANAGE_ROUNDS, True),
        ("leader", Action.VIEW_ROUNDS, True),
        ("foreign_leader", Action.MANAGE_ROUNDS, False),
        ("foreign_leader", Action.VIEW_ROUNDS, False),
        ("reviewer", Action.VIEW_ROUNDS, True),
        ("reviewer", Action.MANAGE_ROUNDS, False),
        ("foreign_reviewer", Action.VIEW_ROUNDS, False),
        ("auditor", Action.VIEW_ROUNDS, False),
        ("principal", Action.VIEW_ROUNDS, False),
    ],
)
def test_a_round_is_scoped_like_its_district(world: World, who: str, action: Action, expected: bool) -> None:
    assert allowed(world.users[who], action, world.round) is expected


def test_a_leader_cannot_reach_another_districts_round(world: World) -> None:
    assert allowed(world.users["admin"], Action.MANAGE_ROUNDS, world.foreign_round)
    assert not allowed(world.users["leader"], Action.MANAGE_ROUNDS, world.foreign_round)
    assert allowed(world.users["foreign_leader"], Action.MANAGE_ROUNDS, world.foreign_round)


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        ("auditor", Action.VIEW_OWN_ASSIGNMENTS, True),
        ("other_auditor", Action.VIEW_OWN_ASSIGNMENTS, False),
        ("admin", Action.MANAGE_ROUNDS, True),
        ("leader", Action.MANAGE_ROUNDS, True),
        ("reviewer", Action.VIEW_ROUNDS, True),
        ("foreign_leader", Action.MANAGE_ROUNDS, False),
        ("foreign_reviewer", Action.VIEW_ROUNDS, False),
        ("principal", Action.VIEW_ROUNDS, False),
        ("principal", Action.VIEW_OWN_ASSIGNMENTS, False),
    ],
)
def test_an_assignment_is_its_auditors_and_its_districts(
    world: World, who: str, action: Action, expected: bool
) -> None:
    assert allowed(world.users[who], action, world.assignment) is expected


def test_auditor_settings_are_scoped_to_the_leaders_district(world: World) -> None:
    assert allowed(world.users["leader"], Action.MANAGE_AUDITORS, world.home)
    assert not allowed(world.users["leader"], Action.MANAGE_AUDITORS, world.away)
    assert not allowed(world.users["reviewer"], Action.MANAGE_AUDITORS, world.home)


def test_a_deactivated_auditor_sees_not_even_their_own(world: World) -> None:
    auditor = world.users["auditor"]
    auditor.active = False
    assert not allowed(auditor, Action.VIEW_OWN_ASSIGNMENTS, world.assignment)


def test_the_existing_rules_still_hold(world: World) -> None:
    assert not allowed(world.users["auditor"], Action.LIST_SCHOOLS)
    assert allowed(world.users["leader"], Action.MANAGE_DISTRICT, world.home)
    with pytest.raises(TypeError):
        allowed(world.users["leader"], Action.VIEW_ROUNDS, object())  # type: ignore[arg-type]
