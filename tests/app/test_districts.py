"""The district settings page: hours, timezone, closures, and who may open it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.calendar import add_closures
from audits.models import Closure, District, Role, School, User
from tests.conftest import AuthActions, put_in_session

VALID = {
    "name": "Duval County Public Schools",
    "timezone": "America/Chicago",
    "school_day_start": "08:00",
    "school_day_end": "15:30",
    "appeal_window_days": "10",
}


@dataclass
class World:
    """Two districts and one user per case."""

    home: District
    away: District
    users: dict[str, User]


@pytest.fixture
def world(
    make_district: Callable[..., District], make_school: Callable[..., School], make_user: Callable[..., User]
) -> World:
    home, away = make_district("Duval County Public Schools"), make_district("Austin ISD")
    school = make_school(home)
    users = {
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=home),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "reviewer": make_user(Role.REVIEWER, district=home),
        "auditor": make_user(Role.AUDITOR, district=home),
        "principal": make_user(Role.PRINCIPAL, district=home, schools=[school]),
    }
    return World(home, away, users)


@pytest.fixture
def leader(world: World, auth: AuthActions) -> User:
    user = world.users["leader"]
    auth.sign_in(user.email)
    return user


def _closure_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Closure)) or 0


# (who, method, path, expected status). {home} is the leader's district, {away} another one.
MATRIX = [
    ("anonymous", "GET", "/district", 302),
    ("anonymous", "GET", "/districts/", 302),
    ("anonymous", "GET", "/districts/{home}/settings", 302),
    ("anonymous", "POST", "/districts/{home}/closures", 302),
    ("admin", "GET", "/districts/", 200),
    ("admin", "GET", "/districts/{home}/settings", 200),
    ("admin", "GET", "/districts/{away}/settings", 200),
    ("leader", "GET", "/districts/", 200),
    ("leader", "GET", "/districts/{home}/settings", 200),
    ("leader", "GET", "/districts/{away}/settings", 403),
    ("leader", "POST", "/districts/{away}/settings", 403),
    ("leader", "POST", "/districts/{away}/closures", 403),
    ("leader", "POST", "/districts/{away}/closures/1/delete", 403),
    ("foreign_leader", "GET", "/districts/{home}/settings", 403),
    ("leader", "GET", "/districts/999999/settings", 404),
    ("leader", "POST", "/districts/{home}/closures/999999/delete", 404),
    *[
        (who, method, path, 403)
        for who in ("reviewer", "auditor", "principal")
        for method, path in [
            ("GET", "/district"),
            ("GET", "/districts/"),
            ("GET", "/districts/{home}/settings"),
            ("POST", "/districts/{home}/settings"),
            ("POST", "/districts/{home}/closures"),
        ]
    ],
]


@pytest.mark.parametrize(("who", "method", "path", "expected"), MATRIX)
def test_route_answers_each_role_as_expected(
    client: FlaskClient, auth: AuthActions, world: World, who: str, method: str, path: str, expected: int
) -> None:
    if who != "anonymous":
        auth.sign_in(world.users[who].email)
    response = client.open(path.format(home=world.home.id, away=world.away.id), method=method)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if who == "anonymous":
        assert "/login" in response.headers["Location"]


def test_district_link_takes_a_leader_to_their_own_settings(
    client: FlaskClient, leader: User, world: World
) -> None:
    response = client.get("/district")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/districts/{world.home.id}/settings")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/district"' in home
    assert "Set your school-day hours and closure dates" in home


def test_admin_gets_the_list_of_every_district(client: FlaskClient, auth: AuthActions, world: World) -> None:
    auth.sign_in(world.users["admin"].email)
    assert client.get("/district").headers["Location"].endswith("/districts/")
    html = client.get("/districts/").get_data(as_text=True)
    assert f'href="/districts/{world.home.id}/settings"' in html
    assert f'href="/districts/{world.away.id}/settings"' in html
    assert '<th scope="col">District</th>' in html


def test_leaders_list_shows_only_their_district(client: FlaskClient, leader: User, world: World) -> None:
    html = client.get("/districts/").get_data(as_text=True)
    assert "Duval County Public Schools" in html and "Austin ISD" not in html


def test_settings_page_shows_the_current_values(client: FlaskClient, leader: User) -> None:
    html = client.get(f"/districts/{leader.district_id}/settings").get_data(as_text=True)
    assert 'value="Duval County Public Schools"' in html
    assert '<option selected value="America/New_York">' in html
    assert 'type="time"' in html and 'value="07:30"' in html and 'value="16:00"' in html
    assert '<label for="school_day_start">School day starts</label>' in html
    # U.S. zones are offered before the rest of the world.
    assert html.index("America/Chicago") < html.index("Africa/Abidjan")


def test_leader_edits_their_district(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    response = client.post(f"/districts/{world.home.id}/settings", data=VALID)
    assert response.status_code == 302
    session.refresh(world.home)
    assert world.home.timezone == "America/Chicago"
    assert (world.home.school_day_start, world.home.school_day_end) == (time(8), time(15, 30))
    assert "Saved the settings" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_settings_errors_show_next_to_each_field_and_nothing_is_saved(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    response = client.post(
        f"/districts/{world.home.id}/settings",
        data={
            "name": "Austin ISD",
            "timezone": "Nowhere/Land",
            "school_day_start": "9",
            "school_day_end": "",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for field in ("name", "timezone", "school_day_start", "school_day_end"):
        assert f'id="{field}-error"' in html, field
    assert "another district is already called Austin ISD" in html
    assert 'value="Austin ISD"' in html  # what was typed is kept
    session.refresh(world.home)
    assert world.home.name == "Duval County Public Schools"
    assert world.home.timezone == "America/New_York"


def test_end_before_start_is_shown_on_the_end_field(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    data = {**VALID, "school_day_start": "15:00", "school_day_end": "08:00"}
    response = client.post(f"/districts/{world.home.id}/settings", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="school_day_end-error"' in html and "must end after it starts" in html
    session.refresh(world.home)
    assert world.home.school_day_start == time(7, 30)


def test_add_a_closure_range_skipping_the_weekend(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    response = client.post(
        f"/districts/{world.home.id}/closures",
        data={"first_day": "2025-12-19", "last_day": "2025-12-23", "reason": "Winter break"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#closures")
    days = session.scalars(
        select(Closure.day).where(Closure.district_id == world.home.id).order_by(Closure.day)
    )
    assert list(days) == [date(2025, 12, 19), date(2025, 12, 22), date(2025, 12, 23)]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Closed 3 school days: Winter break." in html
    assert '<time datetime="2025-12-19">Fri, Dec 19, 2025</time> – <time datetime="2025-12-23">' in html
    assert "Reopen all 3 days" in html


def test_closure_errors_show_next_to_their_fields_and_nothing_is_saved(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    response = client.post(
        f"/districts/{world.home.id}/closures",
        data={"first_day": "2025-12-23", "last_day": "2025-12-19", "reason": ""},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="last_day-error"' in html and 'id="reason-error"' in html
    assert 'value="2025-12-23"' in html  # what was typed is kept
    assert 'value="Duval County Public Schools"' in html  # the settings form is still filled in
    assert _closure_count(session) == 0


def test_closure_without_a_valid_first_day(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    for first_day, message in [("", "enter the first day"), ("2025-13-40", "Not a valid date value.")]:
        response = client.post(
            f"/districts/{world.home.id}/closures",
            data={"first_day": first_day, "last_day": "not a date", "reason": "Storm"},
        )
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert 'id="first_day-error"' in html and message in html
        assert 'id="last_day-error"' in html
    assert _closure_count(session) == 0


def test_adding_only_weekend_days_adds_nothing(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    response = client.post(
        f"/districts/{world.home.id}/closures",
        data={"first_day": "2025-12-20", "last_day": "2025-12-21", "reason": "Weekend"},
        follow_redirects=True,
    )
    assert "Nothing to add" in response.get_data(as_text=True)
    assert _closure_count(session) == 0


def test_reopen_one_day_or_the_whole_range(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    closures = add_closures(session, world.home, date(2025, 12, 22), date(2025, 12, 26), "Winter break")
    session.commit()
    base = f"/districts/{world.home.id}/closures"

    response = client.post(f"{base}/{closures[1].id}/delete")
    assert response.status_code == 302
    assert _closure_count(session) == 4
    assert "Reopened 1 day: Winter break." in client.get(response.headers["Location"]).get_data(as_text=True)

    response = client.post(f"{base}/{closures[3].id}/delete", data={"range": "1"})
    assert response.status_code == 302
    remaining = session.scalars(select(Closure.day).where(Closure.district_id == world.home.id))
    assert list(remaining) == [date(2025, 12, 22)]  # Dec 24–26 went together; Dec 22 was its own range


def test_cannot_delete_another_districts_closure_through_ones_own_district(
    client: FlaskClient, leader: User, world: World, session: Session
) -> None:
    [theirs] = add_closures(session, world.away, date(2025, 12, 22), None, "Their holiday")
    session.commit()
    response = client.post(f"/districts/{world.home.id}/closures/{theirs.id}/delete")
    assert response.status_code == 404
    assert _closure_count(session) == 1


@pytest.mark.csrf
def test_every_form_carries_a_csrf_token_and_posts_without_one_are_refused(
    client: FlaskClient, world: World, session: Session
) -> None:
    [closure] = add_closures(session, world.home, date(2025, 12, 22), None, "Holiday")
    session.commit()
    put_in_session(client, world.users["leader"])
    url = f"/districts/{world.home.id}"
    response = client.post(f"{url}/closures", data={"first_day": "2025-12-23", "reason": "Storm"})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert client.post(f"{url}/closures/{closure.id}/delete").status_code == 400
    assert _closure_count(session) == 1

    html = client.get(f"{url}/settings").get_data(as_text=True)
    tokens = re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert len(tokens) == 6  # settings, sign-in, action plans, reopen, add closure, sign out
    response = client.post(
        f"{url}/closures/{closure.id}/delete", data={"csrf_token": tokens[3], "range": "1"}
    )
    assert response.status_code == 302
    assert _closure_count(session) == 0
