"""Who may open which page: every school route against every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from audits.models import District, Role, School, User
from tests.conftest import AuthActions


@dataclass
class World:
    """Two districts, a school in each plus a second one in the first, and one user per case."""

    school: School
    other_school: School
    foreign_school: School
    users: dict[str, User]


@pytest.fixture
def world(
    make_district: Callable[..., District], make_school: Callable[..., School], make_user: Callable[..., User]
) -> World:
    home, away = make_district("Home"), make_district("Away")
    school = make_school(home, name="Abess Park Elementary")
    other_school = make_school(home, name="Other Elementary")
    foreign_school = make_school(away, name="Foreign High")
    users = {
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=home),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "reviewer": make_user(Role.REVIEWER, district=home),
        "auditor": make_user(Role.AUDITOR, district=home),
        "principal": make_user(Role.PRINCIPAL, district=home, schools=[school]),
        "other_principal": make_user(Role.PRINCIPAL, district=home, schools=[other_school]),
    }
    return World(school, other_school, foreign_school, users)


# (who, method, path template, expected status). {school} is the principal's school.
MATRIX = [
    *[(who, "GET", "/", 200) for who in ("admin", "leader", "reviewer", "auditor", "principal")],
    ("anonymous", "GET", "/", 302),
    ("anonymous", "GET", "/schools/", 302),
    ("admin", "GET", "/schools/", 200),
    ("leader", "GET", "/schools/", 200),
    ("reviewer", "GET", "/schools/", 200),
    ("principal", "GET", "/schools/", 200),
    ("auditor", "GET", "/schools/", 403),
    ("anonymous", "GET", "/schools/{school}", 302),
    ("admin", "GET", "/schools/{school}", 200),
    ("leader", "GET", "/schools/{school}", 200),
    ("foreign_leader", "GET", "/schools/{school}", 403),
    ("reviewer", "GET", "/schools/{school}", 200),
    ("auditor", "GET", "/schools/{school}", 403),
    ("principal", "GET", "/schools/{school}", 200),
    ("other_principal", "GET", "/schools/{school}", 403),
    ("principal", "GET", "/schools/{foreign_school}", 403),
    ("anonymous", "GET", "/schools/{school}/edit", 302),
    ("admin", "GET", "/schools/{school}/edit", 200),
    ("leader", "GET", "/schools/{school}/edit", 200),
    ("foreign_leader", "GET", "/schools/{school}/edit", 403),
    ("reviewer", "GET", "/schools/{school}/edit", 403),
    ("auditor", "GET", "/schools/{school}/edit", 403),
    ("principal", "GET", "/schools/{school}/edit", 403),
    ("anonymous", "GET", "/schools/import", 302),
    ("admin", "GET", "/schools/import", 200),
    ("leader", "GET", "/schools/import", 200),
    ("reviewer", "GET", "/schools/import", 403),
    ("auditor", "GET", "/schools/import", 403),
    ("principal", "GET", "/schools/import", 403),
    ("leader", "GET", "/schools/999999", 404),
]


@pytest.mark.parametrize(("who", "method", "path", "expected"), MATRIX)
def test_route_answers_each_role_as_expected(
    client: FlaskClient, auth: AuthActions, world: World, who: str, method: str, path: str, expected: int
) -> None:
    if who != "anonymous":
        auth.sign_in(world.users[who].email)
    url = path.format(
        school=world.school.id, other_school=world.other_school.id, foreign_school=world.foreign_school.id
    )
    response = client.open(url, method=method)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]


def test_principal_list_shows_only_their_school(client: FlaskClient, auth: AuthActions, world: World) -> None:
    auth.sign_in(world.users["principal"].email)
    html = client.get("/schools/").get_data(as_text=True)
    assert "Abess Park Elementary" in html
    assert "Other Elementary" not in html
    assert "Foreign High" not in html


def test_leader_list_shows_only_their_district(client: FlaskClient, auth: AuthActions, world: World) -> None:
    auth.sign_in(world.users["leader"].email)
    html = client.get("/schools/").get_data(as_text=True)
    assert "Abess Park Elementary" in html
    assert "Other Elementary" in html
    assert "Foreign High" not in html


def test_leader_of_another_district_cannot_edit_by_post(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    auth.sign_in(world.users["foreign_leader"].email)
    response = client.post(f"/schools/{world.school.id}/edit", data={"name": "Hijacked", "level": "other"})
    assert response.status_code == 403
