"""A database that cannot be reached: 503 with Retry-After in the site's layout, JSON for scripts and the API.

Cheap checks on any test database: the app's engine is swapped for one pointing at a
closed port of 127.0.0.1 (connection refused), as if the database had stopped. The real
thing (a PostgreSQL cluster stopped under a running app) is ``test_outage_postgres.py``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import app as app_factory
from app.errors import OUTAGE_MESSAGE, OUTAGE_TITLE, database_down
from app.extensions import db
from audits.models import Role, User
from audits.tokens import create_token
from tests.browser.conftest import free_port
from tests.conftest import AuthActions


@contextmanager
def database_stopped(app: Flask) -> Iterator[None]:
    """Inside the block, every connection the app opens is refused (its engine points at a closed port)."""
    engines = db._app_engines[app]
    working = engines[None]
    db.session.remove()
    dead = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/gone", pool_pre_ping=True)
    engines[None] = dead
    try:
        yield
    finally:
        db.session.remove()
        dead.dispose()
        engines[None] = working
        g.pop("_login_user", None)  # the test's requests share one app context, where the user is cached


def assert_outage_page(response: object) -> str:
    """The 503 page: Retry-After, the site's layout, what happened, and no signed-in navigation."""
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert response.headers["Retry-After"] == "30"  # type: ignore[attr-defined]
    assert response.mimetype == "text/html"  # type: ignore[attr-defined]
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert '<a class="skip-link" href="#main">' in html and 'class="brand"' in html  # the layout
    assert f"<h1>{OUTAGE_TITLE}</h1>" in html and "nothing was saved" in OUTAGE_MESSAGE
    assert "Sign out" not in html
    return html


@pytest.fixture
def auditor(make_user: object) -> User:
    """A signed-in-able auditor."""
    return make_user(Role.AUDITOR)  # type: ignore[operator]


def test_pages_of_a_signed_in_user_answer_503_in_the_layout(
    app: Flask, client: FlaskClient, auth: AuthActions, auditor: User
) -> None:
    auth.sign_in(auditor)
    assert client.get("/").status_code == 200
    g.pop("_login_user", None)
    with database_stopped(app):
        assert_outage_page(client.get("/"))  # loading the signed-in user fails
        g.pop("_login_user", None)
        assert_outage_page(client.get("/no-such-page"))  # the 404 page's layout needed the user
        g.pop("_login_user", None)
        assert_outage_page(client.post("/contacts/1/submit", data={"outcome": "reached"}))
    g.pop("_login_user", None)
    assert client.get("/").status_code == 200  # back as soon as the database is


def test_the_sign_in_page_posted_during_an_outage_answers_503(app: Flask, client: FlaskClient) -> None:
    with database_stopped(app):
        assert_outage_page(client.post("/login", data={"email": "a@example.org", "password": "x"}))


def test_scripts_and_the_api_get_json_503(
    app: Flask, client: FlaskClient, auth: AuthActions, auditor: User, session: Session
) -> None:
    _, token = create_token(session, auditor, "outage")
    session.commit()
    auth.sign_in(auditor)
    with database_stopped(app):
        autosave = client.post(
            "/contacts/1/draft", json={"notes": "kept"}, headers={"Accept": "application/json"}
        )
        api = client.get("/api/v1/districts", headers={"Authorization": f"Bearer {token}"})
    for response in (autosave, api):
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
        assert response.get_json() == {
            "code": "unavailable",
            "errors": [{"field": None, "message": OUTAGE_MESSAGE}],
        }


def test_healthz_answers_without_the_database_and_sets_no_cookie(app: Flask, client: FlaskClient) -> None:
    with database_stopped(app):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True).strip() == "ok"
    assert "Set-Cookie" not in response.headers


def test_readyz_checks_the_database_and_the_broker(app: Flask, client: FlaskClient) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200 and "Set-Cookie" not in ready.headers
    assert ready.get_json()["status"] == "ready"
    assert list(ready.get_json()["checks"]) == ["database"]  # no broker configured: not checked
    assert ready.get_json()["checks"]["database"]["ok"] is True
    with database_stopped(app):
        down = client.get("/readyz")
    assert down.status_code == 503 and down.headers["Retry-After"] == "30"
    assert down.get_json()["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
        "seconds": down.get_json()["checks"]["database"]["seconds"],
    }
    app.config["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{free_port()}/6"
    no_broker = client.get("/readyz").get_json()
    assert no_broker["status"] == "unavailable" and no_broker["checks"]["broker"]["ok"] is False
    assert no_broker["checks"]["database"]["ok"] is True
    app.config["CELERY_BROKER_URL"] = "memory://"
    assert client.get("/readyz").get_json()["checks"]["broker"]["ok"] is True


def test_an_outage_is_recognised_through_the_errors_it_caused() -> None:
    from sqlalchemy.exc import OperationalError
    from werkzeug.exceptions import InternalServerError

    refused = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    assert database_down(refused)
    assert database_down(InternalServerError(original_exception=refused))
    wrapped = RuntimeError("while drawing the page")
    wrapped.__cause__ = refused
    assert database_down(wrapped)
    assert not database_down(ValueError("a bug")) and not database_down(None)


def test_a_postgresql_server_that_never_answers_is_given_up_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that accepts the connection and then says nothing: the connection fails after the timeout."""
    monkeypatch.setattr(app_factory, "DATABASE_CONNECT_TIMEOUT_SECONDS", 1)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)  # the kernel completes the handshake; nobody ever speaks PostgreSQL
        port = silent.getsockname()[1]
        engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/touchpoint")
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught:
            engine.connect()
        waited = time.monotonic() - started
        engine.dispose()
    assert "timeout" in str(caught.value).lower()
    assert 0.9 <= waited < 4, waited
    assert database_down(caught.value)
