"""The users page and the audit log, through the web: who sees whom, search and filters, deactivating
and reactivating, role changes and their refusals, letting someone sign in again."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth.session import sign_in_throttle
from audits.audit_log import entries
from audits.models import District, Role, School, User
from audits.tokens import create_token
from tests.conftest import AuthActions, put_in_session

YES = {"confirm": "yes"}  # what a confirmation page posts

CONFIRM = "Their sign-ins end now and their API tokens stop working; what they recorded stays."


@pytest.fixture
def people(
    make_district: Callable[..., District], make_school: Callable[..., School], make_user: Callable[..., User]
) -> dict[str, object]:
    home, away = make_district("Home ISD"), make_district("Away ISD")
    school, other = make_school(home, name="Abess Park"), make_school(home, name="Beauclerc")
    return {
        "school": school,
        "other": other,
        "admin": make_user(Role.ADMIN, name="Ada Admin"),
        "leader": make_user(Role.LEADER, district=home, name="Lee Leader"),
        "co_leader": make_user(Role.LEADER, district=home, name="Cora Coleader"),
        "auditor": make_user(Role.AUDITOR, district=home, name="Avery Auditor", email="avery@example.org"),
        "reviewer": make_user(Role.REVIEWER, district=home, name="Rita Reviewer", active=False),
        "principal": make_user(Role.PRINCIPAL, district=home, schools=[school], name="Pat Principal"),
        "stranger": make_user(Role.AUDITOR, district=away, name="Stan Stranger"),
    }


def _text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def test_a_leader_sees_only_their_districts_people_and_filters_them(
    client: FlaskClient, auth: AuthActions, people: dict[str, User]
) -> None:
    auth.sign_in(people["leader"])
    page = _text(client, "/users/")
    for name in ("Avery Auditor", "Rita Reviewer", "Pat Principal"):
        assert name in page
    for name in ("Ada Admin", "Cora Coleader", "Stan Stranger"):
        assert name not in page
    assert "Deactivated" in page and "Abess Park" in page
    assert "avery" in _text(client, "/users/?q=AVERY").lower()
    assert "Rita Reviewer" not in _text(client, "/users/?q=AVERY")
    by_role = _text(client, "/users/?role=principal")
    assert "Pat Principal" in by_role and "Avery Auditor" not in by_role
    by_school = _text(client, f"/users/?school={people['school'].id}")
    assert "Pat Principal" in by_school and "Avery Auditor" not in by_school
    assert "Pat Principal" not in _text(client, f"/users/?school={people['other'].id}")
    status = _text(client, "/users/?status=deactivated")
    assert "Rita Reviewer" in status and "Avery Auditor" not in status
    assert "Nobody matches" in _text(client, "/users/?q=100%25")
    assert client.get(f"/users/{people['co_leader'].id}").status_code == 403
    assert client.get(f"/users/{people['stranger'].id}").status_code == 403
    assert client.get(f"/users/{people['auditor'].id}").status_code == 200


def test_an_admin_sees_everyone_paginated(
    client: FlaskClient, auth: AuthActions, people: dict[str, User], make_user: Callable[..., User]
) -> None:
    for number in range(50):
        make_user(Role.ADMIN, email=f"zz{number:02d}@example.org")
    auth.sign_in(people["admin"])
    first = _text(client, "/users/")
    assert "57 people" in first and "Stan Stranger" in first and "Page 1 of 2" in first
    second = _text(client, "/users/?page=2")
    assert "zz49@example.org" in second and "Ada Admin</a>" not in second
    assert "zz49@example.org" in _text(client, "/users/?page=99999999999999999999&q=zz49")


def test_others_may_not_open_the_users_pages(
    client: FlaskClient, auth: AuthActions, people: dict[str, User]
) -> None:
    for name in ("auditor", "principal"):
        auth.sign_in(people[name])
        assert client.get("/users/").status_code == 403
        assert client.get("/users/audit-log").status_code == 403
        assert client.get(f"/users/{people['auditor'].id}").status_code == 403


def test_deactivate_ends_an_open_session_and_a_token_at_once_then_reactivate(
    app: Flask, session: Session, people: dict[str, User]
) -> None:
    auditor, leader = people["auditor"], people["leader"]
    theirs, mine = app.test_client(), app.test_client()
    put_in_session(theirs, auditor)
    _, token = create_token(session, auditor, "phone")
    session.commit()
    assert theirs.get("/account").status_code == 200
    api = {"Authorization": f"Bearer {token}"}
    assert theirs.get("/api/v1/districts", headers=api).status_code == 403  # known, not allowed
    put_in_session(mine, leader)
    g.pop("_login_user", None)
    confirm = mine.get(f"/users/{auditor.id}/deactivate")
    assert CONFIRM in unescape(confirm.get_data(as_text=True))
    response = mine.post(f"/users/{auditor.id}/deactivate", data=YES)
    assert response.status_code == 302
    g.pop("_login_user", None)
    assert theirs.get("/account").status_code == 302  # signed out at once
    assert theirs.get("/api/v1/districts", headers=api).status_code == 401  # the token is refused
    g.pop("_login_user", None)
    assert "Deactivated" in _text(mine, f"/users/{auditor.id}")
    assert mine.post(f"/users/{auditor.id}/reactivate").status_code == 302
    session.expire_all()
    assert auditor.active
    assert [entry.action for entry in entries(session, subject_id=auditor.id).rows] == [
        "user.reactivated",
        "user.deactivated",
    ]
    assert entries(session).rows[0].actor_id == leader.id
    g.pop("_login_user", None)
    history = _text(mine, f"/users/{auditor.id}")
    assert "Reactivated" in history and "active: no → yes" in history


def test_nobody_deactivates_themselves(
    client: FlaskClient, auth: AuthActions, people: dict[str, User]
) -> None:
    admin = people["admin"]
    auth.sign_in(admin)
    response = client.post(f"/users/{admin.id}/deactivate", data=YES)
    assert response.status_code == 400
    assert "you cannot deactivate yourself" in response.get_data(as_text=True)
    assert admin.active


def test_role_changes_and_their_refusals_next_to_the_field(
    client: FlaskClient, auth: AuthActions, session: Session, people: dict[str, User]
) -> None:
    auditor, school = people["auditor"], people["school"]
    auth.sign_in(people["leader"])
    page = _text(client, f"/users/{auditor.id}")
    assert 'value="leader"' not in page and 'value="admin"' not in page
    refused = client.post(f"/users/{auditor.id}/role", data={"role": "leader"})
    assert refused.status_code == 400
    body = unescape(refused.get_data(as_text=True))
    assert 'id="role-error"' in body and "only an administrator may make someone a district leader" in body
    no_school = client.post(f"/users/{auditor.id}/role", data={"role": "principal"})
    assert no_school.status_code == 400
    assert 'id="schools-error"' in no_school.get_data(as_text=True)
    made = client.post(f"/users/{auditor.id}/role", data={"role": "principal", "schools": [str(school.id)]})
    assert made.status_code == 302
    session.expire_all()
    assert auditor.role is Role.PRINCIPAL and [s.id for s in auditor.schools] == [school.id]
    moved = client.post(
        f"/users/{auditor.id}/role", data={"role": "principal", "schools": [str(people["other"].id)]}
    )
    assert moved.status_code == 302
    session.expire_all()
    assert [s.name for s in auditor.schools] == ["Beauclerc"]
    assert [entry.action for entry in entries(session, subject_id=auditor.id).rows] == [
        "user.schools_changed",
        "user.role_changed",
    ]
    auth.sign_in(people["admin"])
    own = client.post(f"/users/{people['admin'].id}/role", data={"role": "leader"})
    assert own.status_code == 400 and "you cannot change your own role" in own.get_data(as_text=True)


def test_let_them_sign_in_again_clears_the_throttle(
    client: FlaskClient, auth: AuthActions, session: Session, people: dict[str, User]
) -> None:
    auditor = people["auditor"]
    throttle = sign_in_throttle()
    for _ in range(6):
        throttle.failed(auditor.email, "10.9.8.7")
    assert throttle.wait_seconds(auditor.email, "10.9.8.7") > 0
    auth.sign_in(people["leader"])
    assert client.post(f"/users/{auditor.id}/sign-in-again").status_code == 302
    assert throttle.wait_seconds(auditor.email, "10.9.8.7") == 0
    assert entries(session).rows[0].action == "user.sign_in_throttle_cleared"


def test_the_audit_log_page_filters_and_scopes_to_the_leaders_district(
    client: FlaskClient, auth: AuthActions, people: dict[str, User]
) -> None:
    auth.sign_in(people["admin"])
    for name in ("auditor", "stranger"):
        assert client.post(f"/users/{people[name].id}/deactivate", data=YES).status_code == 302
    assert client.post(f"/users/{people['reviewer'].id}/reactivate").status_code == 302
    everything = _text(client, "/users/audit-log").split("<table")[1]  # after the flashed messages
    assert everything.index("Rita Reviewer") < everything.index("Stan Stranger") < everything.index("Avery")
    only = _text(client, "/users/audit-log?action=user.reactivated").split("<table")[1]
    assert "Rita Reviewer" in only and "Stan Stranger" not in only
    auth.sign_in(people["leader"])
    theirs = _text(client, "/users/audit-log").split("<table")[1]
    assert "Avery Auditor" in theirs and "Ada Admin" in theirs and "Stan Stranger" not in theirs


def test_the_admin_home_links_to_the_users_page_and_the_nav_says_people(
    client: FlaskClient, auth: AuthActions, people: dict[str, User]
) -> None:
    auth.sign_in(people["admin"])
    home = _text(client, "/")
    assert 'href="/users/"' in home and "flask users create" not in home
    auth.sign_in(people["auditor"])
    assert ">People<" not in _text(client, "/")
