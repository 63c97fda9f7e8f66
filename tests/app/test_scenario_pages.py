"""Scenario pages: the library and each district's scenarios, adopting, editing, permissions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import District, Role, Scenario, User
from audits.rubrics.versions import create_draft, publish
from audits.rubrics.yamlio import rubric_from_yaml
from audits.scenarios import parse_scenario, save_scenario
from tests.conftest import AuthActions

RUBRIC = """\
key: {key}
name: {name}
channel: {channel}
sections:
  - key: main
    title: Main
    items:
      - {{key: helped, prompt: "Were you helped?", kind: yes_no, points: 1}}
"""


def publish_rubric(session: Session, key: str, channel: str) -> None:
    rubric = create_draft(
        session, rubric_from_yaml(RUBRIC.format(key=key, name=key.title(), channel=channel))
    )
    publish(session, rubric)


def scenario_data(**changes: str) -> dict[str, str]:
    data = {
        "key": "enrol-new-student",
        "title": "Enrol a new student",
        "channel": "phone",
        "language": "en",
        "rubric": "phone-basic",
        "persona": "A parent who just moved to town.",
        "script": "Hi, we just moved here.\nHow do I enrol my daughter?",
        "questions": "What documents do I need?\n\nWhen can she start?\n",
        "answer_key": "",
    }
    data.update(changes)
    return data


def make_scenario(session: Session, district: District | None, **changes: str) -> Scenario:
    scenario = save_scenario(
        session, district.id if district else None, parse_scenario(scenario_data(**changes))
    )
    session.commit()
    return scenario


@dataclass
class World:
    home: District
    away: District
    library: Scenario
    own: Scenario
    foreign: Scenario
    users: dict[str, User]


@pytest.fixture
def world(session: Session, make_district: Callable[..., District], make_user: Callable[..., User]) -> World:
    home, away = make_district("Home"), make_district("Away")
    publish_rubric(session, "phone-basic", "phone")
    publish_rubric(session, "email-basic", "email")
    session.commit()
    library = make_scenario(session, None, key="report-absence", title="Report an absence")
    own = make_scenario(session, home, key="home-own", title="Home's own scenario")
    foreign = make_scenario(session, away, key="away-own", title="Away's own scenario")
    users = {
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=home),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "reviewer": make_user(Role.REVIEWER, district=home),
        "auditor": make_user(Role.AUDITOR, district=home),
        "principal": make_user(Role.PRINCIPAL, district=home),
    }
    return World(home, away, library, own, foreign, users)


def login(auth: AuthActions, world: World, who: str) -> None:
    auth.sign_in(world.users[who].email)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Scenario)) or 0


def test_leader_sees_their_district_and_the_library_they_have_not_adopted(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    login(auth, world, "leader")
    html = client.get("/scenarios/").get_data(as_text=True)
    assert "Home&#39;s own scenario" in html and "Report an absence" in html
    assert "Away&#39;s own scenario" not in html
    assert f'action="/scenarios/{world.library.id}/adopt"' in html
    assert '<caption id="scenarios-own-phone-caption">Home: Phone call</caption>' in html
    assert 'aria-labelledby="scenarios-own-phone-caption"' in html  # its scroll box is named by it


def test_leader_creates_a_scenario_in_their_district(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world, "leader")
    assert client.get("/scenarios/new").status_code == 200
    response = client.post("/scenarios/new", data=scenario_data(key="new-one", title="A new one"))
    assert response.status_code == 302
    scenario = session.scalars(select(Scenario).where(Scenario.key == "new-one")).one()
    assert scenario.district_id == world.home.id
    assert scenario.questions == ["What documents do I need?", "When can she start?"]
    assert response.headers["Location"].endswith(f"/scenarios/{scenario.id}")


def test_form_errors_are_shown_next_to_their_fields_and_nothing_is_saved(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world, "leader")
    before = count(session)
    response = client.post(
        "/scenarios/new", data=scenario_data(key="Bad Key", title="", persona="Typed persona")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="key-error"' in html and 'id="title-error"' in html
    assert 'value="Bad Key"' in html and "Typed persona" in html
    # The rubric must match the channel: an email rubric on a phone scenario is refused.
    response = client.post("/scenarios/new", data=scenario_data(key="mismatch", rubric="email-basic"))
    assert response.status_code == 400
    assert 'id="rubric-error"' in response.get_data(as_text=True)
    assert "this is a phone scenario" in response.get_data(as_text=True)
    response = client.post("/scenarios/new", data=scenario_data(key="home-own"))
    assert "already exists here" in response.get_data(as_text=True)
    assert count(session) == before


def test_rubric_select_offers_published_rubrics_grouped_by_channel(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    login(auth, world, "leader")
    html = client.get("/scenarios/new").get_data(as_text=True)
    assert '<optgroup label="Phone call">' in html and '<optgroup label="Email">' in html
    assert 'value="phone-basic"' in html and 'value="email-basic"' in html


def test_leader_adopts_a_library_scenario_and_edits_its_answer_key(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world, "leader")
    response = client.post(f"/scenarios/{world.library.id}/adopt")
    assert response.status_code == 302
    copy = session.scalars(
        select(Scenario).where(Scenario.district_id == world.home.id, Scenario.key == "report-absence")
    ).one()
    assert response.headers["Location"].endswith(f"/scenarios/{copy.id}/edit#answer_key")
    response = client.post(
        f"/scenarios/{copy.id}/edit", data=scenario_data(key="report-absence", answer_key="Call 555-0100.")
    )
    assert response.status_code == 302
    session.refresh(copy)
    assert copy.answer_key == "Call 555-0100."
    session.refresh(world.library)
    assert world.library.answer_key == ""
    html = client.get("/scenarios/").get_data(as_text=True)
    assert f'action="/scenarios/{world.library.id}/adopt"' not in html  # adopted: no longer offered
    again = client.post(f"/scenarios/{world.library.id}/adopt", follow_redirects=True)
    assert "already exists here" in again.get_data(as_text=True)


def test_leader_cannot_change_another_districts_or_the_librarys_scenarios(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world, "leader")
    for scenario in (world.foreign, world.library):
        assert client.get(f"/scenarios/{scenario.id}/edit").status_code == 403
        assert (
            client.post(f"/scenarios/{scenario.id}/edit", data=scenario_data(title="Hijacked")).status_code
            == 403
        )
        assert client.post(f"/scenarios/{scenario.id}/deactivate").status_code == 403
    assert client.get(f"/scenarios/{world.foreign.id}").status_code == 403
    assert client.post(f"/scenarios/{world.foreign.id}/adopt").status_code == 403
    session.expire_all()
    assert world.foreign.title == "Away's own scenario" and world.library.title == "Report an absence"
    assert world.library.active and world.foreign.active
    html = client.get(f"/scenarios/{world.library.id}").get_data(as_text=True)
    assert f'href="/scenarios/{world.library.id}/edit"' not in html


def test_admin_edits_the_library_and_filters_by_district(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world, "admin")
    html = client.get("/scenarios/").get_data(as_text=True)
    assert "Report an absence" in html and "Home&#39;s own scenario" not in html
    html = client.get(f"/scenarios/?district={world.away.id}").get_data(as_text=True)
    assert "Away&#39;s own scenario" in html and "Report an absence" not in html
    assert client.get("/scenarios/?district=999999").status_code == 404
    response = client.post(
        f"/scenarios/{world.library.id}/edit",
        data=scenario_data(key="report-absence", title="Report an absence (v2)"),
    )
    assert response.status_code == 302
    session.refresh(world.library)
    assert world.library.title == "Report an absence (v2)"
    response = client.post("/scenarios/new", data=scenario_data(key="library-new", title="Library new"))
    assert response.status_code == 302
    assert session.scalars(select(Scenario).where(Scenario.key == "library-new")).one().district_id is None


def test_script_is_shown_escaped_with_its_line_breaks(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    scenario = make_scenario(
        session, world.home, key="xss", script="Hello <script>alert(1)</script>\n**not markdown**"
    )
    login(auth, world, "reviewer")
    html = client.get(f"/scenarios/{scenario.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;\n**not markdown**" in html
    assert '<a href="/rubrics/' in html  # the rubric's latest published version
    assert "Edit" not in html.split("<h1>")[1].split("</div>")[0]  # a reviewer only reads


def test_deactivate_and_activate(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world, "leader")
    response = client.post(f"/scenarios/{world.own.id}/deactivate", follow_redirects=True)
    assert "new rounds leave it out" in response.get_data(as_text=True)
    session.refresh(world.own)
    assert not world.own.active
    assert '<span class="tag">inactive</span>' in client.get("/scenarios/").get_data(as_text=True)
    client.post(f"/scenarios/{world.own.id}/activate")
    session.refresh(world.own)
    assert world.own.active


# (who, method, path, expected). {library}, {own} (Home's) and {foreign} (Away's) are scenario ids.
MATRIX = [
    *[
        ("anonymous", method, path, 302)
        for method, path in [
            ("GET", "/scenarios/"),
            ("GET", "/scenarios/{own}"),
            ("GET", "/scenarios/new"),
            ("POST", "/scenarios/{own}/deactivate"),
        ]
    ],
    *[(who, "GET", "/scenarios/", 200) for who in ("admin", "leader", "reviewer")],
    *[(who, "GET", "/scenarios/", 403) for who in ("auditor", "principal")],
    *[(who, "GET", "/scenarios/{library}", 200) for who in ("admin", "leader", "reviewer")],
    *[(who, "GET", "/scenarios/{own}", 200) for who in ("admin", "leader", "reviewer")],
    *[(who, "GET", "/scenarios/{own}", 403) for who in ("foreign_leader", "auditor", "principal")],
    *[(who, "GET", "/scenarios/new", 200) for who in ("admin", "leader")],
    *[(who, "GET", "/scenarios/new", 403) for who in ("reviewer", "auditor", "principal")],
    *[(who, "GET", "/scenarios/{own}/edit", 200) for who in ("admin", "leader")],
    *[
        (who, "GET", "/scenarios/{own}/edit", 403)
        for who in ("foreign_leader", "reviewer", "auditor", "principal")
    ],
    ("admin", "GET", "/scenarios/{library}/edit", 200),
    ("leader", "GET", "/scenarios/{library}/edit", 403),
    *[
        (who, "POST", "/scenarios/{own}/deactivate", 403)
        for who in ("foreign_leader", "reviewer", "auditor", "principal")
    ],
    *[
        (who, "POST", "/scenarios/{own}/activate", 403)
        for who in ("foreign_leader", "reviewer", "auditor", "principal")
    ],
    *[
        (who, "POST", "/scenarios/{library}/adopt", 403)
        for who in ("admin", "reviewer", "auditor", "principal")
    ],
    ("leader", "POST", "/scenarios/{library}/adopt", 302),
    ("leader", "GET", "/scenarios/999999", 404),
]


@pytest.mark.parametrize(("who", "method", "path", "expected"), MATRIX)
def test_scenario_routes_answer_each_role_as_expected(
    client: FlaskClient, auth: AuthActions, world: World, who: str, method: str, path: str, expected: int
) -> None:
    if who != "anonymous":
        login(auth, world, who)
    url = path.format(library=world.library.id, own=world.own.id, foreign=world.foreign.id)
    response = client.open(url, method=method)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]


def test_scenarios_nav_link(client: FlaskClient, auth: AuthActions, world: World) -> None:
    login(auth, world, "reviewer")
    html = client.get("/scenarios/").get_data(as_text=True)
    assert 'href="/scenarios/" aria-current="page">Scenarios</a>' in html
    assert "New scenario" not in html and "Adopt" not in html.split("<main")[1].split("<table")[0]
