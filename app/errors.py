"""Errors, one way for the whole site: a friendly page for people, one JSON shape for programs.

Every JSON error, from a page's script or from the API, reads
``{"code": "conflict", "errors": [{"field": "status", "message": "…"}]}``. A domain
error's status and code come from its kind (``audits.errors.ErrorKind``), never from
its field names; an HTTP error's from its status.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from app.extensions import db
from audits.errors import DomainError, ErrorKind, Problem

log = logging.getLogger(__name__)

STATUS_OF_KIND = {
    ErrorKind.VALIDATION: 400,
    ErrorKind.NOT_ALLOWED: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.STORAGE_FULL: 507,
}
# The ``code`` of an error that is not a domain error, by HTTP status.
CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    500: "server_error",
    507: "storage_full",
}
TITLES = {
    ErrorKind.VALIDATION: "Please check what you entered",
    ErrorKind.NOT_ALLOWED: "You may not do this",
    ErrorKind.NOT_FOUND: "Not found",
    ErrorKind.CONFLICT: "This cannot be done now",
    ErrorKind.STORAGE_FULL: "Storage is full",
}


def status_for(error: DomainError) -> int:
    """The HTTP status that answers a domain error of ``error``'s kind."""
    return STATUS_OF_KIND[error.kind]


def code_for(status: int) -> str:
    """The ``code`` of an HTTP error."""
    return CODES.get(status, "server_error" if status >= 500 else "bad_request")


def json_error(
    status: int,
    problems: Iterable[Problem],
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``{"code", "errors": [{"field", "message"}]}`` with ``status``."""
    response = jsonify(
        code=code or code_for(status),
        errors=[{"field": field, "message": message} for field, message in problems],
    )
    response.status_code = status
    response.headers.update(headers or {})
    return response


def domain_json(error: DomainError) -> Response:
    """A domain error as JSON: its kind's status and code, every problem listed."""
    return json_error(status_for(error), error.problems, error.kind.value)


def wants_json() -> bool:
    """Whether the request asks for JSON (a script's request) rather than a page."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def _render(status: int, title: str, message: str, code: str | None = None) -> tuple[Response | str, int]:
    if wants_json():
        return json_error(status, [(None, message)], code), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def upload_limit_text(limit: int | None) -> str:
    """``MAX_CONTENT_LENGTH`` in words, e.g. ``20 MB``."""
    if not limit:
        return "the limit"
    return f"{limit / (1024 * 1024):g} MB"


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> tuple[Response | str, int] | Response:
        # This handler is more specific than the API blueprint's HTTPException one, so it answers the
        # API's requests too: in the API's JSON there.
        from app.api.blueprint import PREFIX
        from app.api.errors import http_error

        limit = upload_limit_text(app.config.get("MAX_CONTENT_LENGTH"))
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            return http_error(RequestEntityTooLarge(f"the request body is too large (at most {limit})"))
        return _render(
            413,
            "The file is too large",
            f"Uploads and forms can be at most {limit}. Nothing was saved: go back and choose a smaller "
            "file (for a photo, a smaller size; for a directory, only your district's rows).",
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        return _render(
            400,
            "The form expired",
            "This form was open too long or came from elsewhere. Go back, reload the page and try again.",
            "form_expired",
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[Response | str, int]:
        # A view that did not place the problems on its form: roll back and say what the rule was.
        db.session.rollback()
        status = status_for(error)
        if wants_json():
            return domain_json(error), status
        message = " ".join(f"{reason[:1].upper()}{reason[1:]}." for _, reason in error.problems)
        return render_template(
            "errors/error.html", status=status, title=TITLES[error.kind], message=message
        ), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        if error.code == 401:
            from app.extensions import login_manager

            return login_manager.unauthorized()  # type: ignore[return-value]
        return _render(error.code, error.name, error.description or "")

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response | str, int]:
        if app.testing:
            raise error  # let the test see the real failure
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, "Something went wrong", "The error has been logged. Please try again.")
