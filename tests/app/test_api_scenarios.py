"""The API's scenarios (grades, levels, variables) and one assignment with its filled script."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.models import AuditorProfile
from audits.script_values import save_district_values
from tests.app.api_helpers import ApiWorld, build_api_world, get


@pytest.fixture
def world(session: Session) -> ApiWorld:
    world = build_api_world(session)
    scenario = world.fieldwork.phone.scenario
    scenario.grades, scenario.levels = ["KG", "01"], ["elementary"]
    scenario.persona = "A parent of a child in {child_grade}, called {persona_name}."
    scenario.script = "Call {school_name}; leave {callback_number}."
    scenario.answer_key = "Buses: {bus_eligibility_rule}."
    world.fieldwork.phone.child_grade = "01"
    session.add(
        AuditorProfile(user_id=world.fieldwork.auditor.id, persona_name="Maria", persona_phone="+19045550151")
    )
    save_district_values(session, None, world.fieldwork.district, {"bus_eligibility_rule": "2 miles or more"})
    session.commit()
    return world


def test_scenarios_show_the_schools_they_fit_and_their_variables(
    client: FlaskClient, world: ApiWorld
) -> None:
    body = get(client, world, "leader", "/api/v1/scenarios").get_json()
    assert body["total"] == 3
    phone = next(item for item in body["items"] if item["channel"] == "phone")
    assert phone["grades"] == ["KG", "01"] and phone["levels"] == ["elementary"]
    assert phone["variables"] == [
        "child_grade",
        "persona_name",
        "school_name",
        "callback_number",
        "bus_eligibility_rule",
    ]
    email = next(item for item in body["items"] if item["channel"] == "email")
    assert email["grades"] == [] and email["variables"] == []
    assert get(client, world, "auditor", "/api/v1/scenarios").status_code == 403
    other = world.other_district.id
    assert get(client, world, "leader", f"/api/v1/scenarios?district={other}").status_code == 403


def test_an_assignment_comes_with_its_script_filled_for_its_auditor(
    client: FlaskClient, world: ApiWorld
) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}"
    body = get(client, world, "auditor", path).get_json()
    assert body["child_grade"] == "01"
    assert body["script"] == {
        "persona": "A parent of a child in first grade, called Maria.",
        "script": "Call Abess Park Elementary; leave (904) 555-0151.",
        "questions": ["What do I need?"],
        "answer_key": "Buses: 2 miles or more.",
    }
    assert get(client, world, "other_auditor", path).status_code == 403
    assert get(client, world, "principal", path).status_code == 403
    assert get(client, world, "leader", path).status_code == 200
    assert get(client, world, "leader", "/api/v1/assignments/99999").status_code == 404
