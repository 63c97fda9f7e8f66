"""Who is calling: a personal access token in ``Authorization: Bearer …``, and nothing else.

The session cookie of the web pages is ignored here, so a page cannot be made
to call the API on a signed-in person's behalf (and the API needs no CSRF token).
The token's user is checked with ``audits.access.allowed`` exactly like the web.
"""

from __future__ import annotations

from typing import TypeVar

from flask import g, request
from werkzeug.exceptions import Forbidden, UnsupportedMediaType
from werkzeug.wrappers import Response

from app.api.errors import error_response
from app.extensions import db
from audits.access import Action, Target, allowed
from audits.models import Base, TokenScope, User
from audits.tokens import authenticate_token

M = TypeVar("M", bound=Base)

BODY_METHODS = {"POST", "PUT", "PATCH"}


def authenticate() -> Response | None:
    """Before every API view: find the token (401 without a live one), check its scope, insist on JSON."""
    credentials = request.authorization
    plaintext = credentials.token if credentials is not None and credentials.type == "bearer" else None
    token = authenticate_token(db.session, plaintext) if plaintext else None
    if token is None:
        db.session.rollback()
        message = (
            "this token is not valid (wrong, revoked, expired, or its account is off)" if plaintext else None
        )
        return error_response(401, [(None, message)] if message else [])
    if db.session.dirty:
        # Token bookkeeping (when it was last used) is kept whatever the request's outcome.
        db.session.commit()
    g.api_user = token.user
    if request.method in BODY_METHODS and token.scope is not TokenScope.READ_WRITE:
        return error_response(403, [(None, "this token may only read; create one that may write")])
    if request.method in BODY_METHODS and not request.is_json:
        raise UnsupportedMediaType()
    return None


def api_user() -> User:
    """The user the request's token belongs to."""
    user: User = g.api_user
    return user


def require(action: Action, target: Target | None = None) -> None:
    """Raise 403 unless the token's user may take ``action`` on ``target``."""
    if not allowed(api_user(), action, target):
        raise Forbidden()


def permitted(action: Action, target: Target | None = None) -> bool:
    """Whether the token's user may take ``action`` on ``target``."""
    return allowed(api_user(), action, target)


def get_or_404(model: type[M], object_id: int, what: str) -> M:
    """The ``model`` row with ``object_id``, or a 404 naming ``what`` was not found."""
    return db.get_or_404(model, object_id, description=f"no {what} with id {object_id}")
