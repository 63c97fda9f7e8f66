"""The sign-in section of a district's settings page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.models import District, Role, User
from tests.conftest import AuthActions


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval County Public Schools")


@pytest.fixture
def leader(district: District, make_user: Callable[..., User], auth: AuthActions) -> User:
    user = make_user(Role.LEADER, district=district)
    auth.sign_in(user.email)
    return user


def test_the_section_says_when_single_sign_on_is_not_set_up(
    client: FlaskClient, leader: User, district: District
) -> None:
    html = client.get(f"/districts/{district.id}/settings").get_data(as_text=True)
    assert "Sign-in with district accounts (Google or Microsoft) is not set up on this server" in html
    assert 'name="domains"' in html
    assert re.search(r'<input[^>]*\bchecked\b[^>]*id="password_sign_in"', html)  # passwords on by default
    assert not re.search(r'<input[^>]*\bchecked\b[^>]*id="two_step_required"', html)


def test_a_leader_saves_domains_and_requires_two_step_sign_in(
    client: FlaskClient, leader: User, district: District, session: Session
) -> None:
    response = client.post(
        f"/districts/{district.id}/sign-in",
        data={
            "domains": "DuvalSchools.org\n@staff.duval.org",
            "password_sign_in": "y",
            "two_step_required": "y",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#sign-in")
    session.refresh(district)
    assert district.sign_in_domains == ["duvalschools.org", "staff.duval.org"]
    assert district.two_step_required and district.password_sign_in
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved how people sign in." in page and "duvalschools.org\nstaff.duval.org" in page


def test_bad_domains_are_shown_next_to_the_field_and_nothing_is_saved(
    client: FlaskClient, leader: User, district: District, session: Session
) -> None:
    response = client.post(
        f"/districts/{district.id}/sign-in", data={"domains": "duval.org\nhttp://x", "two_step_required": "y"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="domains-error"' in html and "not an email domain: http://x" in html
    assert "duval.org\nhttp://x" in html  # what was typed is kept
    session.refresh(district)
    assert district.sign_in_domains == [] and not district.two_step_required


def test_passwords_cannot_be_switched_off_without_single_sign_on(
    client: FlaskClient,
    leader: User,
    district: District,
    session: Session,
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    response = client.post(f"/districts/{district.id}/sign-in", data={"domains": "duval.org"})
    assert response.status_code == 400
    assert 'id="password_sign_in-error"' in response.get_data(as_text=True)
    session.refresh(district)
    assert district.password_sign_in
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "https://accounts.google.com")
    response = client.post(f"/districts/{district.id}/sign-in", data={"domains": "duval.org"})
    assert response.status_code == 302
    session.refresh(district)
    assert not district.password_sign_in and district.sign_in_domains == ["duval.org"]


def test_another_districts_leader_is_refused(
    client: FlaskClient,
    district: District,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
    auth: AuthActions,
    session: Session,
) -> None:
    auth.sign_in(make_user(Role.LEADER, district=make_district("Austin ISD")).email)
    response = client.post(
        f"/districts/{district.id}/sign-in", data={"domains": "evil.org", "password_sign_in": "y"}
    )
    assert response.status_code == 403
    session.refresh(district)
    assert district.sign_in_domains == []
