"""The API's OpenAPI document holds up: Redocly's linter finds nothing, every operation is named and
described, and real answers of every operation (N/A and unanswered items among them) match it."""

from __future__ import annotations

import json
import subprocess  # nosec B404: our own test tool from node_modules
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.calibration import (
    add_contact_reference,
    create_exercise,
    open_exercise,
    record_sheet,
    set_auditors,
    submit_sheets,
)
from audits.fieldwork.contacts import approve, retry, start_contact, submit
from audits.fieldwork.entry import AnswerEntry
from audits.models import ActionPlan, CalibrationExercise, Contact, PlanEventKind, PlanReason, Scorecard
from audits.plans.actions import ActionEntry, add_action
from audits.plans.weak import weaknesses
from audits.plans.workflow import record
from tests.app.api_helpers import ApiWorld, build_api_world
from tests.audits.fieldwork_helpers import REACHED_CALL, attempt, changed
from tests.conftest import REPO_ROOT, TEST_NOW, TEST_TODAY

REDOCLY = REPO_ROOT / "node_modules" / ".bin" / "redocly"
METHODS = {"get", "post", "put", "patch", "delete"}


def _document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.get_json())


def test_redocly_finds_no_error_and_no_warning(client: FlaskClient, tmp_path: Path) -> None:
    assert REDOCLY.is_file(), f"{REDOCLY} is missing: run 'make install-dev' (npm ci)"
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(_document(client)))
    linted = subprocess.run(  # nosec B603: our own tool on our own file
        [str(REDOCLY), "lint", str(path), "--format=json", "--config", str(REPO_ROOT / "redocly.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(linted.stdout[linted.stdout.index("{") :])
    problems = [(p["ruleId"], p["message"]) for p in report["problems"]]
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}, problems
    assert linted.returncode == 0


def test_every_operation_has_a_unique_id_a_summary_and_a_description(client: FlaskClient) -> None:
    document = _document(client)
    operations = [op for item in document["paths"].values() for m, op in item.items() if m in METHODS]
    assert len(operations) >= 12
    ids = [op["operationId"] for op in operations]
    assert len(set(ids)) == len(ids)
    assert {"listRounds", "getRound", "getAssignment", "submitContact", "reviewContact"} <= set(ids)
    assert {"listSchoolPlans", "getPlan"} <= set(ids)
    for operation in operations:
        assert operation["summary"].strip() and operation["description"].strip(), operation["operationId"]
    assert document["servers"] == [{"url": "http://127.0.0.1:5000", "description": "This Touchpoint"}]


@pytest.fixture
def recorded(session: Session) -> ApiWorld:
    """The API world with answers of every shape: a failed attempt, N/A and unanswered items, an approval."""
    world = build_api_world(session)
    fieldwork = world.fieldwork
    failed = start_contact(session, fieldwork.phone, fieldwork.auditor)
    submit(session, failed, attempt("no_answer", "2027-02-02T09:15"), fieldwork.auditor, fieldwork.calendar,
           now=TEST_NOW)  # fmt: skip
    approve(session, failed, fieldwork.reviewer, now=TEST_NOW)
    reached = retry(session, fieldwork.phone, fieldwork.auditor)
    entry = changed(REACHED_CALL, started_at=REACHED_CALL.started_at.replace(day=3),
                    responses={"courtesy": AnswerEntry(None, na=True)})  # fmt: skip
    submit(session, reached, entry, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    approve(session, reached, fieldwork.reviewer, now=TEST_NOW)
    # A calibration exercise on the approved call, taken by both auditors (one N/A, one answer).
    exercise = create_exercise(session, fieldwork.district, world.leader, "Calibration", reached.rubric)
    reference = add_contact_reference(session, exercise, reached)
    set_auditors(session, exercise, [fieldwork.auditor, fieldwork.other_auditor])
    open_exercise(session, exercise, TEST_NOW)
    for auditor, courtesy in (
        (fieldwork.auditor, AnswerEntry(None, na=True)),
        (fieldwork.other_auditor, AnswerEntry(2)),
    ):
        answers = {**REACHED_CALL.responses, "rings": AnswerEntry(4), "courtesy": courtesy}
        record_sheet(session, exercise, reference, auditor, answers, now=TEST_NOW)
        submit_sheets(session, exercise, auditor, TEST_NOW)
    plan = ActionPlan(
        school_id=fieldwork.school.id,
        round_id=fieldwork.round.id,
        reason=PlanReason.REQUESTED,
        threshold=70.0,
    )
    session.add(plan)
    record(plan, PlanEventKind.OPENED, world.leader)
    weak = weaknesses(session, fieldwork.round, fieldwork.school)
    entry = ActionEntry("Greet every caller with the school's name.", "front_office", TEST_TODAY)
    add_action(session, plan, entry, world.principal, weak, TEST_TODAY)
    # Its scorecard published on the tests' today, so its principal may query its answers.
    session.add(
        Scorecard(
            token="t" * 43, round_id=fieldwork.round.id, school_id=fieldwork.school.id, inputs_hash="0" * 64,
            content_hash="0" * 64, path="scorecards/none.pdf", size=1,
            published_at=datetime.combine(TEST_TODAY, time(15), UTC),
        )
    )  # fmt: skip
    session.commit()
    return world


def test_real_answers_of_every_operation_match_the_document(
    app: Flask, client: FlaskClient, recorded: ApiWorld, session: Session
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    fieldwork = recorded.fieldwork
    phone = fieldwork.phone.scenario
    reached = max(c.id for c in session.scalars(select(Contact)))
    filed = client.post(
        f"/api/v1/contacts/{reached}/appeals",
        json={"item": "courtesy", "reason": "She was patient throughout."},
        headers=recorded.headers("principal"),
    )
    assert filed.status_code == 201, filed.get_json()
    schema["/api/v1/contacts/{contact_id}/appeals"]["post"].validate_response(filed)
    ids = {
        "contact_id": reached,
        "district_id": fieldwork.district.id,
        "round_id": fieldwork.round.id,
        "assignment_id": fieldwork.email.id,
        "key": phone.rubric_key,
        "version": 1,
        "school_id": fieldwork.school.id,
        "plan_id": session.scalars(select(ActionPlan)).one().id,
        "exercise_id": session.scalars(select(CalibrationExercise)).one().id,
    }
    # Each read by someone who may make it: an assignment by its auditor, the state-wide comparison
    # by an administrator, everything else by the district's leader.
    readers = {"/api/v1/districts/compare": "admin"}
    calls = [
        ("get", path, "auditor" if path.startswith("/api/v1/assignments/") else readers.get(path, "leader"))
        for path, item in _document(client)["paths"].items()
        if "get" in item
    ]
    checked = 0
    for method, path, who in calls:
        response = client.get(
            path.format(**ids) + "?district=" + str(ids["district_id"]), headers=recorded.headers(who)
        )
        assert response.status_code == 200, (path, response.get_json())
        schema[path][method].validate_response(response)
        checked += 1
    contacts = client.get(f"/api/v1/rounds/{ids['round_id']}/contacts", headers=recorded.headers("leader"))
    values = [r["value"] for c in contacts.get_json()["items"] for r in c["responses"]]
    assert None in values  # the N/A answer: null, and valid
    body = {
        "outcome": "no_reply",
        "started_at": "2027-02-02T10:00:00-05:00",
        "timings": {"sent_text": "Hello, how do we apply for free meals?"},
        "responses": [],
    }
    submitted = client.post(
        f"/api/v1/assignments/{ids['assignment_id']}/contacts", json=body, headers=recorded.headers("auditor")
    )
    assert submitted.status_code == 201, submitted.get_json()
    schema["/api/v1/assignments/{assignment_id}/contacts"]["post"].validate_response(submitted)
    reviewed = client.post(
        f"/api/v1/contacts/{submitted.get_json()['id']}/review",
        json={"action": "approve"},
        headers=recorded.headers("leader"),
    )
    assert reviewed.status_code == 200, reviewed.get_json()
    schema["/api/v1/contacts/{contact_id}/review"]["post"].validate_response(reviewed)
    decided = client.post(
        f"/api/v1/appeals/{filed.get_json()['id']}",
        json={"outcome": "upheld", "reason": "The recording agrees.", "value": 4},
        headers=recorded.headers("leader"),
    )
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["corrected_answer"] == "4 of 4"
    schema["/api/v1/appeals/{appeal_id}"]["post"].validate_response(decided)
    assert checked >= 11
