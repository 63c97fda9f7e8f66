"""Schemathesis against the API's own OpenAPI document: no 500s, and every answer matches the schema.

The app is called as a WSGI application (no server), with a small seeded world
and valid tokens: the leader's for reads and reviews, the auditor's for contacts.
Each operation gets a bounded number of valid and invalid examples, so the whole
run stays well under a minute.

Each operation is its own test, built from the document with ``as_strategy``
(``schemathesis.pytest.from_fixture`` reads a pytest node attribute that pytest 9
no longer has).
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy.orm import Session

from app import create_app
from audits.fieldwork.contacts import approve, start_contact, submit
from tests.app.api_helpers import ApiWorld, build_api_world
from tests.audits.fieldwork_helpers import REACHED_CALL
from tests.conftest import TEST_NOW

EXAMPLES = 20


def _operations() -> list[tuple[str, str]]:
    """Every (method, path) of the document, read from an app that needs no database."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "NOW": TEST_NOW})
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    methods = {"get", "post", "put", "patch", "delete"}
    return [
        (method.upper(), path) for path, item in spec["paths"].items() for method in item if method in methods
    ]


@pytest.fixture
def seeded(session: Session) -> ApiWorld:
    """The API world with one approved contact, so reads have something to show."""
    world = build_api_world(session)
    fieldwork = world.fieldwork
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    submit(session, contact, REACHED_CALL, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    approve(session, contact, fieldwork.reviewer)
    session.commit()
    return world


@pytest.mark.parametrize(("method", "path"), _operations())
def test_the_api_keeps_its_contract(app: Flask, seeded: ApiWorld, method: str, path: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]
    who = "auditor" if path.startswith("/api/v1/assignments/") else "leader"
    headers = seeded.headers(who)
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # The app and its database belong to this test: examples share them as requests share a server.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    check()
