"""The account page and ``flask users token``: tokens are shown once, revoked by their owner only."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.audit_log import entries
from audits.models import ApiToken, District, Role, TokenScope, User
from audits.passwords import verify_password
from audits.tokens import authenticate_token, create_token
from tests.conftest import PASSWORD, AuthActions, put_in_session

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


def test_a_new_token_is_shown_once_with_its_scope_and_expiry(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    auth.sign_in("avery@example.org")
    form = {"name": "Nightly export", "scope": "read", "days": "30", "password": PASSWORD}
    response = client.post("/account/tokens", data=form)
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    found = TOKEN.search(page)
    assert found is not None
    assert "shown only this once" in page
    live = authenticate_token(session, found.group(0))
    assert live is not None and live.user == auditor and live.scope is TokenScope.READ
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == auditor.id))
    assert token is not None and token.name == "Nightly export" and found.group(0) not in token.token_hash
    assert token.expires_at - token.created_at == timedelta(days=30)
    again = client.get("/account").get_data(as_text=True)
    assert found.group(0) not in again and "Nightly export" in again and TokenScope.READ.label in again


def test_a_token_asks_for_the_password_again(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    auth.sign_in("avery@example.org")
    for password, message in (("", "enter your password"), ("not-my-password", "this is not your password")):
        form = {"name": "Stolen laptop", "scope": "read_write", "days": "90", "password": password}
        response = client.post("/account/tokens", data=form)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert 'id="password-error"' in page and message in page
        assert not TOKEN.search(page)
    assert session.scalar(select(ApiToken)) is None


def test_a_token_lifetime_outside_the_choices_is_refused(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    auth.sign_in("avery@example.org")
    for days in ("0", "9999", "soon"):
        form = {"name": "Forever", "scope": "read", "days": days, "password": PASSWORD}
        response = client.post("/account/tokens", data=form)
        assert response.status_code == 400 and 'id="days-error"' in response.get_data(as_text=True)
    assert session.scalar(select(ApiToken)) is None


def test_a_too_long_name_is_refused(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    auth.sign_in("avery@example.org")
    form = {"name": "x" * 101, "scope": "read", "days": "90", "password": PASSWORD}
    response = client.post("/account/tokens", data=form)
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
    assert authenticate_token(session, their_plaintext).user == someone  # type: ignore[union-attr]
    assert "revoked" in client.get("/account").get_data(as_text=True)


@pytest.mark.csrf
def test_token_forms_need_a_csrf_token(client: FlaskClient, auditor: User, session: Session) -> None:
    token, _ = create_token(session, auditor, "mine")
    session.commit()
    put_in_session(client, auditor)
    form = {"name": "x", "scope": "read", "days": "90", "password": PASSWORD}
    assert client.post("/account/tokens", data=form).status_code == 400
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    assert token.active
    assert session.scalar(select(ApiToken).where(ApiToken.name == "x")) is None


def test_users_token_prints_a_working_token(runner: FlaskCliRunner, auditor: User, session: Session) -> None:
    result = runner.invoke(args=["users", "token", "Avery@Example.org", "--name", "laptop"])
    assert result.exit_code == 0, result.output
    found = TOKEN.search(result.output)
    assert found is not None
    assert authenticate_token(session, found.group(0)).user == auditor  # type: ignore[union-attr]
    assert session.scalar(select(ApiToken.name)) == "laptop"


def test_users_token_takes_a_scope_and_a_lifetime(
    runner: FlaskCliRunner, auditor: User, session: Session
) -> None:
    result = runner.invoke(args=["users", "token", auditor.email, "--scope", "read", "--days", "7"])
    assert result.exit_code == 0, result.output
    token = session.scalar(select(ApiToken))
    assert token is not None and token.scope is TokenScope.READ
    assert token.expires_at - token.created_at == timedelta(days=7)
    assert f"read token {token.prefix}" in result.output
    refused = runner.invoke(args=["users", "token", auditor.email, "--days", "400"])
    assert refused.exit_code == 1 and "days" in refused.output


def test_users_token_for_an_unknown_email_fails(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code == 1
    assert "error: email: no user" in result.output
    assert session.scalar(select(ApiToken)) is None


def test_users_deactivate_ends_sign_ins_and_tokens(
    runner: FlaskCliRunner, client: FlaskClient, auditor: User, session: Session
) -> None:
    _, plaintext = create_token(session, auditor, "phone")
    put_in_session(client, auditor)
    assert client.get("/account").status_code == 200
    result = runner.invoke(args=["users", "deactivate", "AVERY@example.org"])
    assert result.exit_code == 0, result.output
    assert "deactivated avery@example.org" in result.output
    session.expire_all()
    assert not auditor.active
    g.pop("_login_user", None)  # the test's requests share one app context, where the user is cached
    assert client.get("/account").status_code == 302  # the cookie is refused at once
    assert authenticate_token(session, plaintext) is None
    entry = entries(session).rows[0]
    assert (entry.action, entry.actor_id, entry.subject_user_id) == ("user.deactivated", None, auditor.id)
    assert entry.details == {"active": [True, False], "sign_ins_ended": 1}
    unknown = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no user" in unknown.output


def test_changing_the_password_shows_each_problem_next_to_its_field(
    client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    auth.sign_in("avery@example.org")
    cases = (
        (
            {"change-current_password": "not-it", "change-password": "quiet harbour lantern 42"},
            "current_password",
        ),
        ({"change-current_password": PASSWORD, "change-password": "short"}, "password"),
        ({"change-current_password": PASSWORD, "change-password": "password1234"}, "password"),
    )
    for form, field in cases:
        data = {**form, "change-confirm": form["change-password"]}
        response = client.post("/account/password", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, form
        assert f'id="change-{field}-error"' in page and 'class="error-summary"' in page, form
    session.refresh(auditor)
    assert verify_password(auditor.password_hash, PASSWORD)
    page = client.get("/account").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "every id on the account page is unique"
