"""The account page and ``flask users token``: tokens are shown once, revoked by their owner only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import ApiToken, District, Role, User
from audits.tokens import authenticate_token, create_token
from tests.conftest import AuthActions

TOKEN = re.compile(r"tp_[A-Za-z0-9_-]{43}")


@pytest.fixture
def auditor(make_user: Callable[..., User], make_district: Callable[..., District]) -> User:
    return make_user(Role.AUDITOR, make_district(), email="avery@example.org", name="Avery Auditor")


def test_the_account_page_needs_a_sign_in(client: FlaskClient) -> None:
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_account_page_shows_who_and_the_tokens(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    create_token(session, auditor, "Phone app")
    session.commit()
    auth.sign_in("avery@example.org")
    response = client.get("/account")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    for text in ("Avery Auditor", "avery@example.org", "Auditor", "Phone app", "never", "Revoke"):
        assert text in page
    assert not TOKEN.search(page)
    assert 'href="/account"' in page  # in the navigation


def test_a_new_token_is_shown_once(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    auth.sign_in("avery@example.org")
    response = client.post("/account/tokens", data={"name": "Nightly export"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    found = TOKEN.search(page)
    assert found is not None
    assert "shown only this once" in page
    assert authenticate_token(session, found.group(0)) == auditor
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == auditor.id))
    assert token is not None and token.name == "Nightly export" and found.group(0) not in token.token_hash
    again = client.get("/account").get_data(as_text=True)
    assert found.group(0) not in again and "Nightly export" in again


def test_a_too_long_name_is_refused(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    auth.sign_in("avery@example.org")
    response = client.post("/account/tokens", data={"name": "x" * 101})
    assert response.status_code == 400
    assert session.scalar(select(ApiToken)) is None


def test_revoking_own_tokens_only(
    client: FlaskClient,
    auth: AuthActions,
    auditor: User,
    session: Session,
    make_user: Callable[..., User],
) -> None:
    mine, plaintext = create_token(session, auditor, "mine")
    someone = make_user(Role.LEADER, auditor.district)
    theirs, their_plaintext = create_token(session, someone, "theirs")
    session.commit()
    auth.sign_in("avery@example.org")
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    response = client.post(f"/account/tokens/{mine.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert authenticate_token(session, plaintext) is None
    assert authenticate_token(session, their_plaintext) == someone
    assert "revoked" in client.get("/account").get_data(as_text=True)


@pytest.mark.csrf
def test_token_forms_need_a_csrf_token(client: FlaskClient, auditor: User, session: Session) -> None:
    token, _ = create_token(session, auditor, "mine")
    session.commit()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(auditor.id)
        flask_session["_fresh"] = True
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert token.active
    assert session.scalar(select(ApiToken).where(ApiToken.name == "x")) is None


def test_users_token_prints_a_working_token(runner: FlaskCliRunner, auditor: User, session: Session) -> None:
    result = runner.invoke(args=["users", "token", "Avery@Example.org", "--name", "laptop"])
    assert result.exit_code == 0, result.output
    found = TOKEN.search(result.output)
    assert found is not None
    assert authenticate_token(session, found.group(0)) == auditor
    assert session.scalar(select(ApiToken.name)) == "laptop"


def test_users_token_for_an_unknown_email_fails(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code == 1
    assert "error: email: no user" in result.output
    assert session.scalar(select(ApiToken)) is None
