"""The action plan API: a school's plans with their status, one plan with its actions and history, under
the web's rules (a principal only for their schools, a leader for their district, no reviewer)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import ActionPlan, District, Role, School, User
from audits.plans.actions import ActionEntry, add_action, approve_plan, submit_plan
from audits.plans.weak import weaknesses
from audits.scorecards import publish
from audits.tokens import create_token
from tests.audits.plan_helpers import PlanWorld, build_plan_world
from tests.conftest import PASSWORD_HASH, TEST_TODAY

NOW = datetime(2027, 1, 4, 15, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> tuple[PlanWorld, dict[str, str]]:
    world = build_plan_world(session)
    publish(session, world.round, world.leader, now=NOW)
    away = District(name="Away ISD")
    away_school = School(district=away, nces_id="990000000777", name="Away High", level="high")
    people = {
        "leader": world.leader,
        "principal": world.principals["B"],
        "other_principal": world.principals["A"],
        "reviewer": User(
            email="r@example.org",
            role=Role.REVIEWER,
            password_hash=PASSWORD_HASH,
            district=world.scoring.district,
        ),
        "foreign_leader": User(
            email="f@example.org", role=Role.LEADER, password_hash=PASSWORD_HASH, district=away
        ),
        "admin": User(email="admin@example.org", role=Role.ADMIN, password_hash=PASSWORD_HASH),
    }
    session.add_all([away, away_school, *people.values()])
    plan = next(plan for plan in _plans(session) if plan.school_id == world.low.id)
    weak = weaknesses(session, world.round, world.low)
    entry = ActionEntry(
        "Say the school's name and yours.",
        "front_office",
        TEST_TODAY,
        target="item:phone:named",
        resource_item_id=weak.resources[0].item_id,
    )
    add_action(session, plan, entry, world.principals["B"], weak, TEST_TODAY, now=NOW)
    submit_plan(session, plan, world.principals["B"], TEST_TODAY, now=NOW)
    approve_plan(session, plan, world.leader, now=NOW)
    session.flush()
    tokens = {role: create_token(session, person, role)[1] for role, person in people.items()}
    session.commit()
    return world, tokens


def _plans(session: Session) -> list[ActionPlan]:
    return list(session.scalars(select(ActionPlan)))


def _get(client: FlaskClient, path: str, token: str) -> tuple[int, Any]:
    answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
    return answer.status_code, answer.get_json()


def test_a_schools_plans_each_with_its_status(
    client: FlaskClient, world: tuple[PlanWorld, dict[str, str]]
) -> None:
    plans, tokens = world
    status, body = _get(client, f"/api/v1/schools/{plans.low.id}/plans", tokens["principal"])
    assert status == 200 and body["total"] == 1
    (plan,) = body["items"]
    assert plan["status"] == "approved" and plan["reason"] == "below_threshold"
    assert plan["round_name"] == "Fall 2026 round" and plan["threshold"] == 70
    assert (plan["actions_total"], plan["actions_closed"], plan["actions_overdue"]) == (1, 0, 0)
    status, critical = _get(client, f"/api/v1/schools/{plans.critical.id}/plans", tokens["leader"])
    assert status == 200 and critical["items"][0]["status"] == "draft"
    assert critical["items"][0]["reason"] == "critical_failure"
    assert _get(client, f"/api/v1/schools/{plans.good.id}/plans", tokens["leader"])[1]["items"] == []
    for role in ("other_principal", "reviewer", "foreign_leader"):
        assert _get(client, f"/api/v1/schools/{plans.low.id}/plans", tokens[role])[0] == 403, role
    assert _get(client, "/api/v1/schools/999999/plans", tokens["admin"])[0] == 404


def test_one_plan_with_its_actions_and_history(
    client: FlaskClient, world: tuple[PlanWorld, dict[str, str]], app: object
) -> None:
    plans, tokens = world
    listed = _get(client, f"/api/v1/schools/{plans.low.id}/plans", tokens["leader"])[1]["items"][0]
    status, plan = _get(client, f"/api/v1/plans/{listed['id']}", tokens["principal"])
    assert status == 200
    (action,) = plan["actions"]
    assert action["change"] == "Say the school's name and yours."
    assert action["responsible"] == "front_office" and action["responsible_label"] == "Front-office staff"
    assert action["due_on"] == TEST_TODAY.isoformat() and action["overdue"] is False
    assert action["target_label"] == "Did the staff member give their name? (Phone call)"
    assert action["resource"] and action["closed"] is False and action["evidence_files"] == []
    assert [step["kind"] for step in plan["history"]] == ["opened", "action_added", "submitted", "approved"]
    app.config["TODAY"] = date(2027, 1, 5)  # type: ignore[attr-defined]
    overdue = _get(client, f"/api/v1/plans/{listed['id']}", tokens["admin"])[1]
    assert overdue["actions"][0]["overdue"] is True and overdue["actions_overdue"] == 1
    for role in ("other_principal", "reviewer", "foreign_leader"):
        assert _get(client, f"/api/v1/plans/{listed['id']}", tokens[role])[0] == 403, role
    missing = _get(client, "/api/v1/plans/999999", tokens["leader"])
    assert missing[0] == 404 and missing[1]["code"] == "not_found"
    text = str(plan)
    assert "Principal B" not in text and "Lee Leader" not in text  # the history names no one
