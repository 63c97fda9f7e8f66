"""Signing in and out, the sign-in throttle, sessions that end, CSRF and safe redirects."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.accounts import deactivate, set_password
from audits.models import ApiToken, District, LoginFailure, Role, SignIn, User
from audits.timeutil import utcnow
from tests.conftest import PASSWORD, AuthActions, put_in_session

WAIT = r"Too many sign-in attempts\. Wait \d+ (seconds?|minutes?) and try again"


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


def test_five_failures_from_one_address_slow_it_down_with_a_clear_message(
    auth: AuthActions, client: FlaskClient, leader: User, session: Session
) -> None:
    for _ in range(5):
        assert "incorrect" in auth.login("leader@example.org", "nope-nope-nope").get_data(as_text=True)
    refused = auth.login("leader@example.org", PASSWORD)  # even the right password waits
    assert refused.status_code == 401
    assert re.search(WAIT, refused.get_data(as_text=True))
    # The person, signing in from another address, is not kept out by someone failing on purpose.
    elsewhere = client.post(
        "/login",
        data={"email": "leader@example.org", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert elsewhere.status_code == 302
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 5


def test_a_replayed_cookie_is_refused_after_sign_out_a_password_change_or_deactivation(
    app: Flask, auth: AuthActions, leader: User, session: Session
) -> None:
    for ending in ("sign out", "password", "deactivate"):
        thief, owner = app.test_client(), app.test_client()
        owner.post("/login", data={"email": "leader@example.org", "password": PASSWORD})
        thief.set_cookie("session", owner.get_cookie("session").value)  # type: ignore[union-attr]
        g.pop("_login_user", None)
        assert thief.get("/review/").status_code == 200, ending  # the stolen cookie works …
        if ending == "sign out":
            owner.post("/logout")
        elif ending == "password":
            new = {
                "change-current_password": PASSWORD,
                "change-password": "a-new-long-password",
                "change-confirm": "a-new-long-password",
            }
            assert owner.post("/account/password", data=new).status_code == 302
            set_password(session, leader, PASSWORD)
            session.commit()
        else:
            deactivate(session, leader)
            session.commit()
        g.pop("_login_user", None)
        replayed = thief.get("/review/")
        assert replayed.status_code == 302 and "/login" in replayed.headers["Location"], ending  # … no more
        g.pop("_login_user", None)
        assert thief.post("/account/tokens", data={"name": "x", "password": PASSWORD}).status_code == 302
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_sign_out_everywhere_ends_every_browser(app: Flask, auth: AuthActions, leader: User) -> None:
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        browser.post("/login", data={"email": "leader@example.org", "password": PASSWORD})
    g.pop("_login_user", None)
    page = first.get("/account").get_data(as_text=True)
    assert "Sign out everywhere" in page and page.count("this browser") == 1
    assert first.post("/account/sign-out-everywhere").status_code == 302
    for browser in (first, second):
        g.pop("_login_user", None)
        assert browser.get("/account").status_code == 302


def test_a_sign_in_idle_too_long_ends(app: Flask, auth: AuthActions, leader: User, session: Session) -> None:
    auth.sign_in(leader)
    found = session.scalars(select(SignIn)).one()
    found.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    session.commit()
    g.pop("_login_user", None)
    assert auth._client.get("/").status_code == 302
    session.refresh(found)
    assert found.end_reason == "idle"


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
    put_in_session(client, leader)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, leader: User) -> None:
    response = client.post("/login", data={"email": "leader@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
