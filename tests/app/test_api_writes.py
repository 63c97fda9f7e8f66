"""API writes: an auditor submits a contact, a reviewer approves or returns it; every error is JSON."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import Channel, Contact, ContactStatus, ReviewAction, Role, RoundStatus
from audits.tokens import create_token
from tests.app.api_helpers import REACHED_CALL_BODY, ApiWorld, build_api_world, get, post
from tests.audits.fieldwork_helpers import use_library_rubric


@pytest.fixture
def world(session: Session) -> ApiWorld:
    return build_api_world(session)


def _body(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(REACHED_CALL_BODY)
    body.update(changes)
    return body


def _fields(response: Any) -> list[str | None]:
    return [error["field"] for error in response.get_json()["errors"]]


def _contacts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Contact)) or 0


def test_an_auditor_submits_a_contact(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    response = post(client, world, "auditor", path, REACHED_CALL_BODY)
    assert response.status_code == 201, response.get_json()
    contact = response.get_json()
    assert (contact["status"], contact["outcome"], contact["attempt"], contact["unreached"]) == (
        "submitted",
        "reached",
        1,
        False,
    )
    assert contact["started_at"] == "2027-02-02T14:15:00+00:00"
    assert contact["timings"]["hold_seconds"] == 30
    values = {r["item"]: r["value"] for r in contact["responses"]}
    assert values["answered_by_person"] is True and values["courtesy"] == 3 and values["rings"] == 4.0
    stored = session.get(Contact, contact["id"])
    assert stored is not None and stored.status is ContactStatus.SUBMITTED
    assert [event.action for event in stored.events] == [ReviewAction.SUBMITTED]
    # The same contact appears in the round's list, exactly as the POST answered.
    listed = get(client, world, "reviewer", f"/api/v1/rounds/{world.fieldwork.round.id}/contacts").get_json()
    assert listed["items"] == [contact]


def test_local_times_without_an_offset_are_the_districts(client: FlaskClient, world: ApiWorld) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    response = post(client, world, "auditor", path, _body(started_at="2027-02-02T09:15"))
    assert response.get_json()["started_at"] == "2027-02-02T14:15:00+00:00"


def test_every_problem_comes_back_with_its_body_field(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    body = _body(timings={"hold_seconds": 5})
    body["responses"] = [{"item": "courtesy", "value": 9}, {"item": "accuracy", "value": "Maybe"}]
    response = post(client, world, "auditor", path, body)
    assert response.status_code == 400
    assert set(_fields(response)) == {
        "timings.rings",
        "responses.rings",  # a timing item with nothing measured to fill it
        "responses.answered_by_person",
        "responses.courtesy",
        "responses.accuracy",
    }
    assert _contacts(session) == 0  # nothing kept from a refused request


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"outcome": "maybe"}, ["outcome"]),
        ({"outcome": "no_reply"}, ["outcome"]),  # not an outcome of a phone call
        ({"started_at": "yesterday"}, ["started_at"]),
        ({"started_at": "0001-01-01T00:00:00+14:00"}, ["started_at"]),
        ({"started_at": None}, ["started_at"]),
        ({"timings": {"rings": -1}}, ["timings.rings"]),
        ({"timings": {"rings": "4"}}, ["timings.rings"]),
        ({"timings": {"staff_gave_name": "yes"}}, ["timings.staff_gave_name"]),
        ({"timings": {"callback_at": "2027-02-02T08:00:00-05:00", "rings": 2}}, ["timings.callback_at"]),
        ({"timings": {"loudness": 3}}, ["timings.loudness"]),
        ({"extra": 1}, ["extra"]),
        ({"responses": [{"item": "nope", "value": 1}]}, ["responses.0.item"]),
        ({"responses": [{"item": "courtesy", "value": 1}, {"item": "courtesy", "value": 2}]}, ["responses"]),
        ({"responses": [{"item": "courtesy", "value": [1]}]}, ["responses.0.value"]),
        ({"responses": [{"item": "courtesy", "value": 2, "na": True}]}, ["responses.0.value"]),
        ({"responses": [{"item": "answered_by_person", "na": True}]}, ["responses.answered_by_person"]),
        ({"responses": "all good"}, ["responses"]),
    ],
)
def test_invalid_contacts_are_400(
    client: FlaskClient, world: ApiWorld, changes: dict[str, Any], fields: list[str]
) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    body = _body(**changes)
    if "responses" not in changes:
        body["responses"] = [{"item": "answered_by_person", "value": True}, {"item": "courtesy", "value": 3}]
        body["responses"].append({"item": "accuracy", "value": "Partly correct"})
    response = post(client, world, "auditor", path, body)
    assert response.status_code == 400, response.get_json()
    assert response.is_json
    assert fields[0] in _fields(response)


def test_bodies_must_be_json_objects(client: FlaskClient, world: ApiWorld) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    headers = world.headers("auditor")
    as_form = client.post(path, data={"outcome": "reached"}, headers=headers)
    assert as_form.status_code == 415 and as_form.is_json
    broken = client.post(path, data="{not json", headers=headers | {"Content-Type": "application/json"})
    assert broken.status_code == 400 and _fields(broken) == [None]
    empty = client.post(path, data="", headers=headers | {"Content-Type": "application/json"})
    assert empty.status_code == 400
    listed = post(client, world, "auditor", path, [1, 2])
    assert listed.status_code == 400 and _fields(listed) == [None]
    nan = client.post(path, data='{"outcome": NaN}', headers=headers | {"Content-Type": "application/json"})
    assert nan.status_code == 400


def test_only_the_assignments_auditor_submits(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    for who in ("other_auditor", "leader", "reviewer", "principal"):
        assert post(client, world, who, path, REACHED_CALL_BODY).status_code == 403, who
    assert (
        post(client, world, "auditor", "/api/v1/assignments/999999/contacts", REACHED_CALL_BODY).status_code
        == 404
    )
    assert _contacts(session) == 0


def test_a_submitted_contact_cannot_be_submitted_again(client: FlaskClient, world: ApiWorld) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    assert post(client, world, "auditor", path, REACHED_CALL_BODY).status_code == 201
    again = post(client, world, "auditor", path, REACHED_CALL_BODY)
    assert again.status_code == 409
    assert _fields(again) == ["status"]


def test_a_failed_attempt_is_followed_by_the_next(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    first = post(client, world, "auditor", path, _body(outcome="no_answer", timings={}, responses=[]))
    assert first.status_code == 201
    assert (first.get_json()["attempt"], first.get_json()["unreached"]) == (1, False)
    second = post(client, world, "auditor", path, REACHED_CALL_BODY)
    assert second.status_code == 201
    assert second.get_json()["attempt"] == 2 and second.get_json()["id"] != first.get_json()["id"]


def test_a_closed_round_refuses_contacts_with_409(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    world.fieldwork.round.status = RoundStatus.CLOSED
    session.commit()
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    response = post(client, world, "auditor", path, REACHED_CALL_BODY)
    assert response.status_code == 409 and _fields(response) == ["round"]


def _submitted(client: FlaskClient, world: ApiWorld) -> int:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    contact_id: int = post(client, world, "auditor", path, REACHED_CALL_BODY).get_json()["id"]
    return contact_id


def test_a_reviewer_approves_once(client: FlaskClient, world: ApiWorld) -> None:
    contact_id = _submitted(client, world)
    path = f"/api/v1/contacts/{contact_id}/review"
    approved = post(client, world, "reviewer", path, {"action": "approve"})
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved" and approved.get_json()["approved_at"]
    again = post(client, world, "reviewer", path, {"action": "approve"})
    assert again.status_code == 409 and again.get_json()["code"] == "conflict"
    assert _fields(again) == ["status"] and "approved" in again.get_json()["errors"][0]["message"]


def test_a_reviewer_returns_with_a_comment(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    contact_id = _submitted(client, world)
    path = f"/api/v1/contacts/{contact_id}/review"
    silent = post(client, world, "leader", path, {"action": "return"})
    assert silent.status_code == 400 and _fields(silent) == ["comment"]
    returned = post(client, world, "leader", path, {"action": "return", "comment": "Count the rings again."})
    assert returned.status_code == 200 and returned.get_json()["status"] == "returned"
    contact = session.get(Contact, contact_id)
    assert contact is not None and contact.events[-1].comment == "Count the rings again."
    # Back with its auditor: the auditor can submit it again.
    resubmit = post(
        client,
        world,
        "auditor",
        f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts",
        REACHED_CALL_BODY,
    )
    assert resubmit.status_code == 201 and resubmit.get_json()["id"] == contact_id


def test_review_needs_a_reviewer_of_the_district(client: FlaskClient, world: ApiWorld) -> None:
    contact_id = _submitted(client, world)
    path = f"/api/v1/contacts/{contact_id}/review"
    for who in ("auditor", "other_auditor", "principal"):
        assert post(client, world, who, path, {"action": "approve"}).status_code == 403, who
    assert (
        post(client, world, "reviewer", "/api/v1/contacts/999999/review", {"action": "approve"}).status_code
        == 404
    )
    bad = post(client, world, "reviewer", path, {"action": "archive"})
    assert bad.status_code == 400 and _fields(bad) == ["action"]


def test_another_districts_reviewer_is_refused(
    client: FlaskClient, world: ApiWorld, session: Session, make_user: Any
) -> None:
    contact_id = _submitted(client, world)
    stranger = make_user(Role.REVIEWER, world.other_district)
    _, token = create_token(session, stranger, "elsewhere")
    session.commit()
    response = client.post(
        f"/api/v1/contacts/{contact_id}/review",
        json={"action": "approve"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403


def test_a_real_bug_is_a_json_500_and_logged(
    app: Flask, client: FlaskClient, world: ApiWorld, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("app.api.reads.round_scores", broken)
    app.testing = False
    response = get(client, world, "leader", f"/api/v1/rounds/{world.fieldwork.round.id}/scores")
    assert response.status_code == 500 and response.is_json
    assert response.get_json()["errors"][0]["message"].startswith("something went wrong")
    assert "boom" not in response.get_data(as_text=True)
    assert "unhandled API error" in caplog.text


def test_the_openapi_document_describes_the_api(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (tp_…).",
    }
    assert spec["security"] == [{"bearerAuth": []}]
    paths = spec["paths"]
    for path in (
        "/api/v1/districts",
        "/api/v1/districts/{district_id}/schools",
        "/api/v1/rounds",
        "/api/v1/rounds/{round_id}",
        "/api/v1/rounds/{round_id}/assignments",
        "/api/v1/rounds/{round_id}/contacts",
        "/api/v1/rounds/{round_id}/scores",
        "/api/v1/rubrics/{key}/versions/{version}",
        "/api/v1/assignments/{assignment_id}/contacts",
        "/api/v1/contacts/{contact_id}/review",
    ):
        assert path in paths, path
    post_contact = paths["/api/v1/assignments/{assignment_id}/contacts"]["post"]
    body = post_contact["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/ContactIn"
    contact_in = spec["components"]["schemas"]["ContactIn"]
    assert set(contact_in["required"]) == {"outcome", "started_at"}
    assert {"400", "401", "403", "404", "409"} <= set(post_contact["responses"])
    error = spec["components"]["schemas"]["Errors"]
    assert error["properties"]["errors"]["items"]["$ref"] == "#/components/schemas/Problem"


def test_times_in_the_future_or_before_the_round_are_refused(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    future = post(client, world, "auditor", path, _body(started_at="2027-07-02T09:15"))  # "now": June 30
    assert future.status_code == 400 and _fields(future) == ["started_at"]
    early = post(client, world, "auditor", path, _body(started_at="2027-01-29T09:15"))  # opens Feb 1
    assert early.status_code == 400 and _fields(early) == ["started_at"]
    assert "before the round opened" in early.get_json()["errors"][0]["message"]
    assert _contacts(session) == 0


# A reached call on the library's phone rubric: the items scored from the call's facts are left out.
LIBRARY_CALL_BODY: dict[str, Any] = {
    "outcome": "reached",
    "started_at": "2027-02-02T09:15:00-05:00",
    "timings": {"rings": 4, "hold_seconds": 0, "transfers": 1, "call_seconds": 240, "staff_gave_name": False},
    "responses": [
        {"item": "school_named", "value": True},
        {"item": "offer_of_help", "value": True},
        {"item": "voicemail_returned", "na": True},
        {"item": "callback_time", "na": True},
        {"item": "question_answered", "value": True},
        {"item": "answer_accuracy", "value": "Accurate but missing one or two points"},
        {"item": "courtesy", "value": 4},
        {"item": "respectful_treatment", "value": True},
        {"item": "language_help_offered", "na": True},
        {"item": "language_help_wait", "na": True},
    ],
}


def test_items_scored_from_a_fact_take_their_answer_from_it(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    """Left out, or sent with the same answer, they record what the call's facts say."""
    use_library_rubric(session, Channel.PHONE)
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    body = copy.deepcopy(LIBRARY_CALL_BODY)
    body["responses"] += [{"item": "rings", "value": 4}, {"item": "answered_by_person", "value": True}]
    response = post(client, world, "auditor", path, body)
    assert response.status_code == 201, response.get_json()
    answers = {r["item"]: (r["value"], r["na"]) for r in response.get_json()["responses"]}
    assert answers["rings"] == (4.0, False) and answers["answered_by_person"] == (True, False)
    assert answers["own_name_given"] == (False, False) and answers["hold_check_back"] == (None, True)
    assert answers["transfers"] == ("One transfer", False)


def test_an_answer_that_contradicts_its_fact_is_refused_naming_the_item(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    use_library_rubric(session, Channel.PHONE)
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    body = copy.deepcopy(LIBRARY_CALL_BODY)
    body["responses"] += [{"item": "rings", "value": 2}, {"item": "answered_by_person", "value": False}]
    del body["timings"]["transfers"]
    response = post(client, world, "auditor", path, body)
    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in response.get_json()["errors"]}
    assert errors == {
        "timings.transfers": "enter how many times the call was transferred; 0 if it was not",
        "responses.answered_by_person": "this follows from the outcome (yes): leave it out or change that",
        "responses.rings": "this follows from the rings (4): leave it out or change that",
    }
    assert _contacts(session) == 0


def test_an_unanswered_call_with_greeting_answers_is_refused(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    """Nobody answered: greeting answers, a staff name or a hold contradict the outcome; the rings do not."""
    use_library_rubric(session, Channel.PHONE)
    path = f"/api/v1/assignments/{world.fieldwork.phone.id}/contacts"
    body = {
        "outcome": "no_answer",
        "started_at": "2027-02-02T09:15:00-05:00",
        "timings": {"rings": 12, "staff_gave_name": True, "hold_seconds": 20},
        "responses": [
            {"item": "school_named", "value": True},
            {"item": "answered_by_person", "value": False},
        ],
    }
    response = post(client, world, "auditor", path, body)
    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in response.get_json()["errors"]}
    ended = "the call ended “No answer”"
    refused = f"does not apply when {ended}: leave it blank, or change how it ended"
    assert errors == {
        "timings.hold_seconds": f"{ended}: leave this blank, or change how it ended",
        "timings.staff_gave_name": f"{ended}: leave this blank, or change how it ended",
        "responses.school_named": refused,
        "responses.answered_by_person": refused,
    }
    assert _contacts(session) == 0
    body = {**body, "timings": {"rings": 12}, "responses": []}
    accepted = post(client, world, "auditor", path, body)
    assert accepted.status_code == 201, accepted.get_json()
    assert accepted.get_json()["timings"]["rings"] == 12
    assert [r for r in accepted.get_json()["responses"] if r["value"] is not None or r["na"]] == []
