"""Friendly error pages (HTML) and JSON errors for API-style requests."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from app.extensions import db

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json"


def _render(status: int, title: str, message: str) -> tuple[Response | str, int]:
    if _wants_json():
        return jsonify(error={"status": status, "title": title, "message": message}), status
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
        )

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
