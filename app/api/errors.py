"""Every API error is JSON, in the site's one shape (``app.errors``), never an HTML page.

``{"code": "conflict", "errors": [{"field": …, "message": …}]}``. Handlers sit on the API
blueprint, so the web pages keep their own error pages. Routing errors (an unknown path
or method under ``/api/v1``) happen before any blueprint is chosen; an app-wide hook
answers those, for API paths only. A domain error answers by its kind: 400 bad input,
403 not allowed, 404 not found, 409 a state that does not allow the step. A database
that cannot be reached answers 503 ``{"code": "unavailable", …}`` with ``Retry-After``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Blueprint, Flask, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.errors import DATABASE_DOWN, database_down, domain_json, json_error, outage_response
from app.extensions import db
from audits.errors import DomainError, Problem

log = logging.getLogger(__name__)

# Default messages, in place of Werkzeug's HTML-minded descriptions.
MESSAGES = {
    400: "the request could not be read",
    401: "send a valid API token as 'Authorization: Bearer <token>'",
    403: "your account may not do this",
    404: "not found",
    405: "this method is not allowed here",
    409: "this cannot be done in the current state",
    413: "the request body is too large",
    415: "send the body as JSON with 'Content-Type: application/json'",
    500: "something went wrong on our side; the error has been logged",
}


def error_response(
    status: int,
    problems: Iterable[Problem],
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> Response:
    """A JSON error listing ``problems`` (the status's default message when there is none)."""
    listed = list(problems) or [(None, MESSAGES.get(status, "the request failed"))]
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="Touchpoint API"'
    return json_error(status, listed, code, headers)


def flatten(messages: Any, path: str = "") -> list[Problem]:
    """Turn marshmallow's nested error messages into ``(field path, message)`` pairs.

    ``{"timings": {"rings": ["Not a valid integer."]}}`` gives ``("timings.rings", …)``;
    schema-wide messages (``_schema``) belong to their parent path (``None`` at the top).
    """
    if isinstance(messages, str):
        return [(path or None, messages)]
    if isinstance(messages, Mapping):
        problems: list[Problem] = []
        for key, value in messages.items():
            child = path if key == "_schema" else f"{path}.{key}" if path else str(key)
            problems.extend(flatten(value, child))
        return problems
    if isinstance(messages, Iterable):
        return [problem for value in messages for problem in flatten(value, path)]
    return [(path or None, str(messages))]


def _webargs_problems(error: HTTPException) -> list[Problem]:
    """Problems webargs attached to a parsing error: messages keyed by location (json, query …)."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, Mapping):
        return []
    return [problem for location in messages.values() for problem in flatten(location)]


def http_error(error: HTTPException) -> Response:
    """Any HTTP error raised in an API view (``abort``, webargs, routing) as JSON."""
    status = error.code or 500
    if status == 500 and database_down(error):
        return outage_response(error)
    problems = webargs = _webargs_problems(error)
    if not problems:
        described = error.description if error.description != type(error).description else None
        problems = [(None, described or MESSAGES.get(status, error.name.lower()))]
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))  # type: ignore[attr-defined]
    if status >= 500:
        db.session.rollback()
    return error_response(status, problems, headers, "validation" if webargs else None)


def domain_error(error: DomainError) -> Response:
    """A domain rule said no: roll back, and answer by the error's kind."""
    db.session.rollback()
    return domain_json(error)


def unexpected_error(error: Exception) -> Response:
    """A real bug: roll back, log it, and answer a JSON 500 (tests see the exception itself)."""
    if database_down(error):
        return outage_response(error)
    if current_app.testing:
        raise error
    db.session.rollback()
    log.exception("unhandled API error on %s %s", request.method, request.path)
    return error_response(500, [])


def register(blueprint: Blueprint) -> None:
    """Install the JSON handlers on the API blueprint."""
    blueprint.register_error_handler(HTTPException, http_error)
    blueprint.register_error_handler(DomainError, domain_error)
    for database_error in DATABASE_DOWN:  # before ``Exception``: 503, not a 500
        blueprint.register_error_handler(database_error, outage_response)
    blueprint.register_error_handler(Exception, unexpected_error)


def register_routing_errors(app: Flask, prefix: str) -> None:
    """Answer unknown paths and methods under ``prefix`` in JSON (web pages keep their HTML pages)."""

    @app.before_request
    def api_routing_error() -> Response | None:
        error = request.routing_exception
        if (
            isinstance(error, HTTPException)
            and error.code is not None
            and error.code >= 400
            and (request.path == prefix or request.path.startswith(prefix + "/"))
        ):
            return http_error(error)
        return None
