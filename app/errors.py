"""Errors, one way for the whole site: a friendly page for people, one JSON shape for programs.

Every JSON error, from a page's script or from the API, reads
``{"code": "conflict", "errors": [{"field": "status", "message": "…"}]}``. A domain
error's status and code come from its kind (``audits.errors.ErrorKind``), never from
its field names; an HTTP error's from its status.

When the database cannot be reached (refused, dropped, timed out: ``DATABASE_DOWN``),
wherever it happens (a view, loading the signed-in user, rendering an error page), the
answer is 503 with ``Retry-After``: a page in the site's layout, drawn without the
database (no signed-in user, no navigation), or ``{"code": "unavailable", …}`` for
scripts and the API. Never a 500, never a bare page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
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
    ErrorKind.MAIL_SERVER: 502,
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
    502: "mail_server",
    503: "unavailable",
    507: "storage_full",
}
# What a database that cannot be reached raises: refused or dropped connections, a pool that
# waited too long for one, a statement cut short.
DATABASE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeoutError)
OUTAGE_TITLE = "Touchpoint is briefly unavailable"
OUTAGE_MESSAGE = (
    "Touchpoint cannot reach its database right now, so this request was not carried out and "
    "nothing was saved. Please try again in a minute."
)
TITLES = {
    ErrorKind.VALIDATION: "Please check what you entered",
    ErrorKind.NOT_ALLOWED: "You may not do this",
    ErrorKind.NOT_FOUND: "Not found",
    ErrorKind.CONFLICT: "This cannot be done now",
    ErrorKind.STORAGE_FULL: "Storage is full",
    ErrorKind.MAIL_SERVER: "The mail server did not accept this",
}


# Our words for an HTTP error raised without its own (``abort(404)``): what happened and what to do next,
# never Werkzeug's stock text ("It is either read-protected or not readable by the server").
HTTP_WORDS: dict[int, tuple[str, str]] = {
    400: ("The request could not be read",
          "Something in what your browser sent could not be read, so nothing was done. Go back, reload the "
          "page and try again."),
    403: ("This page is not open to you",
          "Your account cannot open this page or do this. If you need it for your work, ask your district's "
          "Touchpoint administrator to check your role and schools."),
    404: ("Page not found",
          "There is no page at this address: the link may be mistyped or out of date, or what it showed was "
          "removed. Use the menu above or start again from the home page."),
    405: ("This page cannot do that",
          "This address does not accept that kind of request. Go back and use the page's own buttons."),
    429: ("Too many tries",
          "There were too many attempts in a short time. Wait a few minutes, then try again."),
}  # fmt: skip


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
    """Whether the request asks for JSON (a script's request) rather than a page.

    Only a request that prefers JSON gets it: ``Accept: */*`` (a browser's download, a feed reader)
    or no ``Accept`` at all gets the page.
    """
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def database_down(error: BaseException | None) -> bool:
    """Whether ``error``, or an error that led to it, says the database cannot be reached."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DATABASE_DOWN):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, InternalServerError) and error.original_exception is not None:
            error = error.original_exception
        else:
            error = error.__cause__ or error.__context__
    return False


def forget_session_state() -> None:
    """Roll back and stop using the signed-in user, so that nothing drawn next touches the database.

    A rollback expires every loaded object, the user too: reading their name would query
    the database again. The layout shows no navigation for the rest of this request.
    """
    from app.extensions import login_manager

    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        log.debug("rollback failed during an outage", exc_info=True)
    g._login_user = login_manager.anonymous_user()


def retry_after() -> str:
    """Seconds a client should wait before trying again, for ``Retry-After``."""
    return str(int(current_app.config.get("OUTAGE_RETRY_AFTER_SECONDS", 30)))


def is_api_request() -> bool:
    """Whether the request is for the JSON API (``/api/v1``)."""
    from app.api.blueprint import PREFIX

    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def outage_response(error: BaseException | None = None) -> Response:
    """503 with ``Retry-After``: the outage page in the site's layout, or JSON for scripts and the API."""
    forget_session_state()
    log.error("database unavailable on %s %s: %s", request.method, request.path, error)
    headers = {"Retry-After": retry_after(), "Cache-Control": "no-store"}
    if is_api_request() or wants_json():
        return json_error(503, [(None, OUTAGE_MESSAGE)], "unavailable", headers)
    page = render_template(
        "errors/error.html", status=503, title=OUTAGE_TITLE, message=OUTAGE_MESSAGE, outage=True
    )
    response = current_app.make_response((page, 503))
    response.headers.update(headers)
    return response


def error_page(status: int, title: str, message: str) -> tuple[Response | str, int] | Response:
    """The error page in the site's layout; the outage page if drawing it needed an unreachable database."""
    try:
        return render_template("errors/error.html", status=status, title=title, message=message), status
    except DATABASE_DOWN as error:  # loading the signed-in user for the layout, most often
        return outage_response(error)


def _render(
    status: int, title: str, message: str, code: str | None = None
) -> tuple[Response | str, int] | Response:
    if wants_json():
        return json_error(status, [(None, message)], code), status
    return error_page(status, title, message)


def http_words(error: HTTPException) -> tuple[str, str]:
    """The title and message of an HTTP error's page: its own description when it was given one, else ours."""
    own = error.description if error.description != type(error).description else None
    title, message = HTTP_WORDS.get(error.code or 500, (error.name, error.description or ""))
    return title, own or message


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
        from app.api.errors import http_error

        limit = upload_limit_text(app.config.get("MAX_CONTENT_LENGTH"))
        if is_api_request():
            return http_error(RequestEntityTooLarge(f"the request body is too large (at most {limit})"))
        return _render(
            413,
            "The file is too large",
            f"Uploads and forms can be at most {limit}. Nothing was saved: go back and choose a smaller "
            "file (for a photo, a smaller size; for a directory, only your district's rows).",
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[Response | str, int] | Response:
        return _render(
            400,
            "The form expired",
            "This form was open too long or came from elsewhere. Go back, reload the page and try again.",
            "form_expired",
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[Response | str, int] | Response:
        # A view that did not place the problems on its form: roll back and say what the rule was.
        db.session.rollback()
        status = status_for(error)
        if wants_json():
            return domain_json(error), status
        message = " ".join(f"{reason[:1].upper()}{reason[1:]}." for _, reason in error.problems)
        return error_page(status, TITLES[error.kind], message)

    # Registered for each class (not only a base class), so that the API blueprint's handler of
    # every ``Exception`` does not come first: see ``app.api.errors``, which answers these the same.
    for database_error in DATABASE_DOWN:
        app.register_error_handler(database_error, outage_response)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int] | HTTPException | Response:
        if error.code is None or error.code < 400:
            return error
        if error.code == 500 and database_down(error):  # an error handler that needed the database
            return outage_response(error)
        if error.code == 401:
            from app.extensions import login_manager

            return login_manager.unauthorized()  # type: ignore[return-value]
        title, message = http_words(error)
        return _render(error.code, title, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response | str, int] | Response:
        if database_down(error):
            return outage_response(error)
        if app.testing:
            raise error  # let the test see the real failure
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, "Something went wrong", "The error has been logged. Please try again.")
