"""Signing in and out, the lockout, CSRF and safe redirects."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import District, LoginFailure, Role, User
from audits.timeutil import utcnow
from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def leader(make_user: Callable[..., User], make_district: Callable[..., District]) -> User:
    return make_user(Role.LEADER, district=make_district("Duval"), email="leader@example.org", name="Lee")


def test_login_page_renders_with_labelled_fields(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="email">Email</label>' in html
    assert '<label for="password">Password</label>' in html
    assert '<html lang="en">' in html


def test_anonymous_visitor_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/schools/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_then_home_then_logout(client: FlaskClient, auth: AuthActions, leader: User) -> None:
    response = auth.login("leader@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Duval" in home.get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_email_is_matched_case_insensitively(client: FlaskClient, auth: AuthActions, leader: User) -> None:
    assert auth.login("  Leader@Example.org ").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(auth: AuthActions, leader: User) -> None:
    for email in ("leader@example.org", "nobody@example.org"):
        response = auth.login(email, "wrong-password")
        assert response.status_code == 401
        assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_empty_form_shows_an_error_next_to_each_field(auth: AuthActions) -> None:
    response = auth.login("", "")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html
    assert 'id="password-error"' in html


def test_inactive_user_cannot_sign_in(auth: AuthActions, leader: User, session: Session) -> None:
    leader.active = False
    session.commit()
    assert auth.login("leader@example.org").status_code == 401


def test_five_failures_lock_the_account_for_fifteen_minutes(
    auth: AuthActions, leader: User, session: Session
) -> None:
    for _ in range(4):
        assert "incorrect" in auth.login("leader@example.org", "nope-nope-nope").get_data(as_text=True)
    fifth = auth.login("leader@example.org", "nope-nope-nope")
    assert fifth.status_code == 401
    assert "locked for 15 minutes" in fifth.get_data(as_text=True)
    session.refresh(leader)
    assert leader.locked_until is not None
    assert timedelta(minutes=14) < leader.locked_until - utcnow() <= timedelta(minutes=15)
    # Even the right password is refused while locked, with a clear message.
    refused = auth.login("leader@example.org", PASSWORD)
    assert refused.status_code == 401
    assert re.search(r"locked; try again in 1[45] minutes", refused.get_data(as_text=True))


def test_lock_expires_after_fifteen_minutes(auth: AuthActions, leader: User, session: Session) -> None:
    leader.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    assert auth.login("leader@example.org").status_code == 302


def test_failures_older_than_the_window_do_not_count(
    auth: AuthActions, leader: User, session: Session
) -> None:
    old = utcnow() - timedelta(minutes=16)
    session.add_all(LoginFailure(user_id=leader.id, at=old) for _ in range(4))
    session.commit()
    response = auth.login("leader@example.org", "nope-nope-nope")
    assert "incorrect" in response.get_data(as_text=True)
    session.refresh(leader)
    assert leader.locked_until is None


def test_success_clears_earlier_failures(auth: AuthActions, leader: User, session: Session) -> None:
    for _ in range(3):
        auth.login("leader@example.org", "nope-nope-nope")
    assert auth.login("leader@example.org").status_code == 302
    count = session.scalar(select(func.count()).select_from(LoginFailure))
    assert count == 0


def test_next_goes_back_to_the_page_asked_for(client: FlaskClient, leader: User) -> None:
    response = client.post(
        "/login", data={"email": "leader@example.org", "password": PASSWORD, "next": "/schools/?q=park"}
    )
    assert response.headers["Location"] == "/schools/?q=park"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_next_never_leaves_the_site(client: FlaskClient, leader: User, target: str) -> None:
    response = client.post(
        "/login", data={"email": "leader@example.org", "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == "/"


@pytest.mark.csrf
def test_login_without_csrf_token_is_refused(client: FlaskClient, leader: User) -> None:
    response = client.post("/login", data={"email": "leader@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


@pytest.mark.csrf
def test_login_with_csrf_token_works(client: FlaskClient, leader: User) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/login", data={"email": "leader@example.org", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302


@pytest.mark.csrf
def test_logout_needs_a_csrf_token(client: FlaskClient, leader: User) -> None:
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(leader.id)
        flask_session["_fresh"] = True
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, leader: User) -> None:
    response = client.post("/login", data={"email": "leader@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
