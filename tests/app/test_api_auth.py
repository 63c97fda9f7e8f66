"""API authentication and authorisation: bearer tokens only, scoped exactly like the web."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.models import ApiToken, Level, School, TokenScope
from audits.tokens import create_token, revoke_token
from tests.app.api_helpers import PASSWORD, ApiWorld, build_api_world, get
from tests.conftest import AuthActions


@pytest.fixture
def world(session: Session) -> ApiWorld:
    return build_api_world(session)


def _assert_401(response, message: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401
    assert response.is_json
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    errors = response.get_json()["errors"]
    assert errors and errors[0]["field"] is None
    if message:
        assert message in errors[0]["message"]


def test_no_token_is_401_json(client: FlaskClient, world: ApiWorld) -> None:
    _assert_401(client.get("/api/v1/districts"), "Authorization: Bearer")
    _assert_401(client.post("/api/v1/contacts/1/review", json={"action": "approve"}))


@pytest.mark.parametrize(
    "header",
    ["Bearer tp_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "tp_abc", "Bearer" + " x" * 300],
)
def test_a_wrong_token_is_401(client: FlaskClient, world: ApiWorld, header: str) -> None:
    _assert_401(client.get("/api/v1/districts", headers={"Authorization": header}))


def test_a_revoked_token_is_401(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    assert get(client, world, "leader", "/api/v1/districts").status_code == 200
    token = session.query(ApiToken).filter_by(user_id=world.leader.id).one()
    revoke_token(token, world.leader)
    session.commit()
    _assert_401(get(client, world, "leader", "/api/v1/districts"), "not valid")


def test_a_deactivated_account_token_is_401(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    world.leader.active = False
    session.commit()
    _assert_401(get(client, world, "leader", "/api/v1/districts"))


def test_the_session_cookie_alone_is_not_enough(
    client: FlaskClient, world: ApiWorld, auth: AuthActions
) -> None:
    assert auth.login("leader@example.org", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200  # signed in on the web
    _assert_401(client.get("/api/v1/districts"))
    _assert_401(client.post("/api/v1/contacts/1/review", json={"action": "approve"}))


def test_a_good_token_works_and_notes_its_use(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    response = client.get("/api/v1/districts", headers={"Authorization": f"bearer {world.tokens['leader']}"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    token = session.query(ApiToken).filter_by(user_id=world.leader.id).one()
    session.refresh(token)
    assert token.last_used_at is not None


def test_another_districts_round_is_403(client: FlaskClient, world: ApiWorld) -> None:
    other = world.other_round.id
    for path in (
        f"/api/v1/rounds/{other}",
        f"/api/v1/rounds/{other}/assignments",
        f"/api/v1/rounds/{other}/contacts",
        f"/api/v1/rounds/{other}/scores",
        f"/api/v1/districts/{world.other_district.id}/schools",
        f"/api/v1/rounds?district={world.other_district.id}",
    ):
        for who in ("leader", "reviewer", "auditor"):
            response = get(client, world, who, path)
            assert response.status_code == 403, (who, path)
            assert response.get_json()["errors"][0]["message"]
    # The administrator sees every district.
    assert get(client, world, "admin", f"/api/v1/rounds/{other}").status_code == 200


def test_missing_things_are_404(client: FlaskClient, world: ApiWorld) -> None:
    for path in (
        "/api/v1/rounds/999999",
        "/api/v1/rounds/999999/contacts",
        "/api/v1/districts/999999/schools",
        "/api/v1/rubrics/phone-test/versions/99",
        "/api/v1/rubrics/NOT%20A%20KEY/versions/1",
        "/api/v1/rounds/0",
        "/api/v1/rounds/99999999999999999999",
        "/api/v1/no-such-thing",
        "/api/v1",
    ):
        response = get(client, world, "leader", path)
        assert response.status_code == 404, path
        assert response.is_json and response.get_json()["errors"][0]["field"] is None


def test_principals_and_auditors_are_refused_district_wide_lists(
    client: FlaskClient, world: ApiWorld
) -> None:
    round_id = world.fieldwork.round.id
    for who in ("principal", "auditor"):
        for path in (
            "/api/v1/districts",
            "/api/v1/rounds",
            f"/api/v1/rounds/{round_id}",
            f"/api/v1/rounds/{round_id}/contacts",
            f"/api/v1/rounds/{round_id}/scores",
        ):
            assert get(client, world, who, path).status_code == 403, (who, path)
    assert get(client, world, "principal", f"/api/v1/rounds/{round_id}/assignments").status_code == 403


def test_a_principal_lists_only_their_own_schools(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    session.add(
        School(district=world.fieldwork.district, nces_id="990000000002", name="Other", level=Level.HIGH)
    )
    session.commit()
    district_id = world.fieldwork.district.id
    mine = get(client, world, "principal", f"/api/v1/districts/{district_id}/schools").get_json()
    assert [school["name"] for school in mine["items"]] == ["Abess Park Elementary"]
    everyone = get(client, world, "leader", f"/api/v1/districts/{district_id}/schools").get_json()
    assert everyone["total"] == 2


def test_wrong_methods_are_405_json(client: FlaskClient, world: ApiWorld) -> None:
    response = client.delete("/api/v1/districts", headers=world.headers("leader"))
    assert response.status_code == 405
    assert response.is_json and "GET" in response.headers["Allow"]
    # The web pages keep their HTML error pages.
    assert client.get("/no-such-page").content_type.startswith("text/html")


def test_a_read_only_token_reads_but_cannot_write(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    _, plaintext = create_token(session, world.fieldwork.reviewer, "dashboard", scope=TokenScope.READ)
    session.commit()
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/districts", headers=headers).status_code == 200
    refused = client.post("/api/v1/contacts/1/review", json={"action": "approve"}, headers=headers)
    assert refused.status_code == 403 and "may only read" in refused.get_json()["errors"][0]["message"]


def test_an_expired_token_is_401(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    then = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    _, plaintext = create_token(session, world.fieldwork.reviewer, "old", now=then, days=30)
    session.commit()
    _assert_401(client.get("/api/v1/districts", headers={"Authorization": f"Bearer {plaintext}"}), "expired")
