"""``Idempotency-Key`` on the API's writes: a retried request gets the first answer, and nothing twice.

A client that did not hear the answer to a POST (a timeout, a dropped connection) sends
it again with the same key. The first request claims the key in the same transaction as
its work, so the key is kept exactly when the work is; a second request with the key,
even one racing the first, waits on that claim, then replays the first answer (with
``Idempotent-Replayed: true``). The same key with a different request is refused with
422. A request that failed (4xx) kept nothing, so sending it again runs it again. Keys
are per user and kept for ``KEEP_FOR``; without a key a request is simply made.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask, request
from sqlalchemy import delete, select, update
from werkzeug.wrappers import Response

from app.api.auth import api_user
from app.api.errors import error_response
from app.extensions import db
from audits.models import IdempotentRequest
from audits.timeutil import utcnow

HEADER = "Idempotency-Key"
MAX_KEY = 255
KEEP_FOR = timedelta(hours=24)
# A claim whose answer is not stored yet: the first request is finishing (or died after its work).
WAIT_SECONDS = 5.0


def fingerprint() -> str:
    """What identifies the request: method, path and body (JSON compared by value, not by spacing)."""
    body = request.get_json(silent=True)
    content = json.dumps(body, sort_keys=True) if body is not None else request.get_data(as_text=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{content}".encode()).hexdigest()


def _replay(found: IdempotentRequest) -> Response:
    response = Response(found.body or "", status=found.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _answered(user_id: int, key: str) -> IdempotentRequest | None:
    """The claim of ``key``, once its answer is stored; waits a little for a request still finishing."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        db.session.rollback()  # a fresh snapshot: see what the first request committed since
        found = db.session.scalar(select(IdempotentRequest).filter_by(user_id=user_id, key=key))
        if found is None or found.status_code is not None or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an API write view: with an ``Idempotency-Key``, run it once per key and replay its answer."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not 0 < len(key) <= MAX_KEY or not key.isprintable():
            return error_response(400, [(HEADER, f"give a key of 1 to {MAX_KEY} printable characters")])
        user, print_ = api_user(), fingerprint()
        found = _answered(user.id, key)
        if found is not None:
            if found.fingerprint != print_:
                refusal = "this key was used with a different request; use a new key"
                return error_response(422, [(HEADER, refusal)], code="validation")
            if found.status_code is None:
                return error_response(
                    409, [(HEADER, "a request with this key is still being made; try again in a moment")]
                )
            return _replay(found)
        now = utcnow()
        db.session.execute(  # the user's keys past keeping go as they make a new one
            delete(IdempotentRequest).where(
                IdempotentRequest.user_id == user.id, IdempotentRequest.created_at < now - KEEP_FOR
            )
        )
        claim = IdempotentRequest(user_id=user.id, key=key, fingerprint=print_, created_at=now)
        db.session.add(claim)
        db.session.flush()  # a request racing with the same key waits here for this one to end
        claim_id = claim.id
        response: Response = view(*args, **kwargs)  # commits the claim together with its work
        if response.status_code < 400:
            answer = {"status_code": response.status_code, "body": response.get_data(as_text=True)}
            db.session.execute(
                update(IdempotentRequest)
                .where(IdempotentRequest.id == claim_id)
                .values(**answer, answered_at=utcnow())
            )
            db.session.commit()
        return response

    return run


def register(app: Flask, prefix: str) -> None:
    """Make every write view of the API (under ``prefix``) honour ``Idempotency-Key``."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefix) and "POST" in (rule.methods or set()):
            app.view_functions[rule.endpoint] = idempotent(app.view_functions[rule.endpoint])
