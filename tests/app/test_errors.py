"""One way to answer errors: the status and code come from a domain error's kind, the shape is shared."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.errors import STATUS_OF_KIND, status_for
from audits.errors import (
    ConflictError,
    DomainError,
    ErrorKind,
    NotAllowedError,
    NotFoundError,
    StorageFullError,
    ValidationError,
)
from audits.models import District, Role, User
from tests.conftest import AuthActions

KINDS = [
    (ValidationError, ErrorKind.VALIDATION, 400),
    (NotAllowedError, ErrorKind.NOT_ALLOWED, 403),
    (NotFoundError, ErrorKind.NOT_FOUND, 404),
    (ConflictError, ErrorKind.CONFLICT, 409),
    (StorageFullError, ErrorKind.STORAGE_FULL, 507),
]


def test_every_kind_has_a_status() -> None:
    assert set(STATUS_OF_KIND) == set(ErrorKind)


@pytest.mark.parametrize(("error_class", "kind", "status"), KINDS, ids=lambda v: getattr(v, "__name__", v))
def test_a_domain_error_answers_by_its_kind_whatever_its_field(
    app: Flask, error_class: type[DomainError], kind: ErrorKind, status: int
) -> None:
    error = error_class.many([("status", "the round is closed"), (None, "and something else")])
    assert error.kind is kind and status_for(error) == status
    with app.test_request_context("/rounds/1", headers={"Accept": "application/json"}):
        response = app.make_response(app.handle_user_exception(error))
    assert response.status_code == status
    assert response.get_json() == {
        "code": kind.value,
        "errors": [
            {"field": "status", "message": "the round is closed"},
            {"field": None, "message": "and something else"},
        ],
    }
    with app.test_request_context("/rounds/1"):
        page = app.make_response(app.handle_user_exception(error))
    assert page.status_code == status and page.mimetype == "text/html"
    assert "The round is closed. And something else." in page.get_data(as_text=True)


def test_http_errors_share_the_shape_for_scripts(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    body = response.get_json()
    assert body["code"] == "not_found" and body["errors"][0]["field"] is None
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["code"] == "not_found"


@pytest.mark.parametrize("accept", ["*/*", "text/html", "", "text/calendar"])
def test_a_browser_gets_a_page_in_the_sites_layout_whatever_its_accept(
    client: FlaskClient, accept: str
) -> None:
    missing = client.get("/no-such-page", headers={"Accept": accept} if accept else {})
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    html = missing.get_data(as_text=True)
    assert "Page not found" in html and "start again from the home page" in html
    assert "requested URL was not found" not in html  # never Werkzeug's stock text
    assert 'href="/"' in html  # what to do next
    feed = client.get("/feed/1/not-the-token.ics", headers={"Accept": accept} if accept else {})
    assert feed.status_code == 404 and feed.mimetype == "text/html"


def test_a_forbidden_page_says_what_to_do_in_plain_words(
    client: FlaskClient,
    auth: AuthActions,
    make_user: Callable[..., User],
    make_district: Callable[..., District],
) -> None:
    district = make_district("Duval")
    auth.sign_in(make_user(Role.AUDITOR, district=district))
    refused = client.get(f"/districts/{district.id}/answer-key", headers={"Accept": "*/*"})
    assert refused.status_code == 403 and refused.mimetype == "text/html"
    html = refused.get_data(as_text=True)
    assert "This page is not open to you" in html and "Touchpoint administrator" in html
    assert "read-protected" not in html
    scripted = client.get(f"/districts/{district.id}/answer-key", headers={"Accept": "application/json"})
    assert scripted.status_code == 403 and scripted.get_json()["code"] == "not_allowed"
