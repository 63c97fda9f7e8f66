"""The API's write endpoints answer hostile bodies with JSON 4xx errors and change nothing.

Malformed JSON, bodies that are not objects, wrong types, huge numbers, NaN and
infinity, deep nesting, megabyte strings and lists of a hundred thousand answers:
each gets ``{"errors": [...]}`` with a 4xx status, quickly, and no row changes.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.app.api_helpers import REACHED_CALL_BODY
from tests.app.hostile_world import Hostile, sign_in

MB = 1024 * 1024


@pytest.fixture
def tokens(hostile: Hostile) -> dict[str, str]:
    """The auditor's and the reviewer's API tokens."""
    return {role: hostile.world.values[f"{role}_api_token"] for role in ("auditor", "reviewer")}


def _nested(depth: int) -> bytes:
    return b'{"outcome": ' + b"[" * depth + b"]" * depth + b"}"


def _body(**changes: Any) -> dict[str, Any]:
    return {**REACHED_CALL_BODY, **changes}


# Raw bodies (bytes) and JSON bodies (anything else) for the contact endpoint.
CONTACT_BODIES: dict[str, Any] = {
    "malformed": b'{"outcome": "reached", ',
    "not json at all": b"<script>alert(1)</script>",
    "not utf-8": b'{"outcome": "\xff\xfe"}',
    "empty": b"",
    "a list": [REACHED_CALL_BODY],
    "a string": "reached",
    "null": None,
    "a number": 99999999999999999999,
    "nested 100,000 deep": _nested(100_000),
    "NaN and Infinity": b'{"outcome": "reached", "started_at": "2027-02-02T09:15:00-05:00",'
    b' "timings": {"rings": NaN, "hold_seconds": Infinity},'
    b' "responses": [{"item": "rings", "value": -Infinity}]}',
    "a timing of 1e400": b'{"outcome": "reached", "started_at": "2027-02-02T09:15:00-05:00",'
    b' "timings": {"rings": 4}, "responses": [{"item": "answered_by_person", "value": true},'
    b' {"item": "rings", "value": 1e400}, {"item": "courtesy", "value": 3},'
    b' {"item": "accuracy", "value": "Partly correct"}]}',
    "wrong types": _body(outcome=5, started_at=[], timings="fast", responses={"item": "x"}),
    "wrong timing types": _body(timings={"rings": "many", "hold_seconds": True, "callback_at": 7}),
    "huge numbers": _body(timings={"rings": 99999999999999999999, "hold_seconds": -1}),
    "negative answer": _body(
        responses=[*REACHED_CALL_BODY["responses"], {"item": "rings", "value": -3.5}],
    ),
    "dates out of range": _body(started_at="0000-00-00T00:00:00"),
    "date in year 9999": _body(started_at="9999-12-31T23:59:59+14:00"),
    "1 MB comment": _body(
        responses=[
            {**REACHED_CALL_BODY["responses"][2], "comment": "x" * MB},
            *REACHED_CALL_BODY["responses"][:2],
        ]
    ),
    "1 MB text answer": _body(
        responses=[*REACHED_CALL_BODY["responses"][:3], {"item": "impression", "value": "x" * MB}]
    ),
    "100,000 answers": _body(responses=[{"item": f"i{n}", "value": 1} for n in range(100_000)]),
    "unknown fields": _body(admin=True, status="approved", auditor_id=1),
    "nul bytes": _body(outcome="reached\x00", responses=[{"item": "impression\x00", "value": "a\x00b"}]),
    "hostile keys": _body(responses=[{"item": "<script>alert(1)</script>", "value": 1}]),
}
REVIEW_BODIES: dict[str, Any] = {
    "malformed": b'{"action": ',
    "a list": ["approve"],
    "wrong action": {"action": "publish"},
    "wrong types": {"action": ["approve"], "comment": {"a": 1}},
    "return without a comment": {"action": "return"},
    "1 MB comment": {"action": "return", "comment": "x" * MB},
    "nested": b'{"action": "return", "comment": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


def _post(client: FlaskClient, url: str, token: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if isinstance(body, bytes):
        return client.post(url, data=body, content_type="application/json", headers=headers)
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def _assert_json_refusal(response: Any, started: float) -> None:
    assert 400 <= response.status_code < 500, response.status_code
    assert response.mimetype == "application/json"
    errors = response.get_json()["errors"]
    assert errors and all(isinstance(error["message"], str) for error in errors)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("case", list(CONTACT_BODIES))
def test_a_hostile_contact_body_gets_a_json_4xx_and_changes_nothing(
    hostile: Hostile, client: FlaskClient, tokens: dict[str, str], case: str
) -> None:
    url = f"/api/v1/assignments/{hostile.world.values['phone_draft_assignment_id']}/contacts"
    started = time.perf_counter()
    response = _post(client, url, tokens["auditor"], CONTACT_BODIES[case])
    _assert_json_refusal(response, started)
    assert hostile.unchanged() == []


@pytest.mark.parametrize("case", list(REVIEW_BODIES))
def test_a_hostile_review_body_gets_a_json_4xx_and_changes_nothing(
    hostile: Hostile, client: FlaskClient, tokens: dict[str, str], case: str
) -> None:
    url = f"/api/v1/contacts/{hostile.world.values['submitted_contact_id']}/review"
    started = time.perf_counter()
    response = _post(client, url, tokens["reviewer"], REVIEW_BODIES[case])
    _assert_json_refusal(response, started)
    assert hostile.unchanged() == []


def test_a_body_that_is_not_json_gets_a_415(
    hostile: Hostile, client: FlaskClient, tokens: dict[str, str]
) -> None:
    url = f"/api/v1/contacts/{hostile.world.values['submitted_contact_id']}/review"
    response = client.post(
        url, data={"action": "approve"}, headers={"Authorization": f"Bearer {tokens['reviewer']}"}
    )
    assert response.status_code in {400, 415} and response.mimetype == "application/json"
    assert hostile.unchanged() == []


def test_ids_beyond_any_row_are_simply_not_found(
    hostile: Hostile, client: FlaskClient, tokens: dict[str, str]
) -> None:
    for url in (
        "/api/v1/assignments/99999999999999999999/contacts",
        "/api/v1/contacts/-1/review",
        "/api/v1/contacts/0/review",
    ):
        response = _post(client, url, tokens["reviewer"], {"action": "approve"})
        assert response.status_code == 404 and response.mimetype == "application/json", url


def test_the_pages_json_endpoints_refuse_deep_nesting_too(hostile: Hostile, client: FlaskClient) -> None:
    sign_in(client, hostile.world.users["auditor"])
    contact = hostile.world.values["draft_contact_id"]
    response = client.post(
        f"/contacts/{contact}/draft", data=_nested(100_000), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["errors"][0]["message"] == "send the draft as a JSON object"
    assert hostile.unchanged() == []
