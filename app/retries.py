"""Write requests that meet another change at the same moment: tried again, then a clear 409.

Two requests can change the same rows at once. The database settles it: PostgreSQL
aborts one of two deadlocked or unserialisable transactions, SQLite makes a writer wait
and then gives up ("database is locked"), a unique key refuses the second of two
identical rows, and a row whose revision moved on refuses a stale UPDATE
(``StaleDataError``). Each of those ends the transaction with nothing saved, so the
request is simply run again, from the start, a few times; on its next run it sees what
the other request did, and the domain's own checks answer (most often a 409 saying what
changed). If it still collides, it answers 409 asking to reload, never a 500.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from audits.errors import ConflictError

log = logging.getLogger(__name__)

ATTEMPTS = 6
# Doubled after each collision, with jitter so that two colliding requests do not meet again:
# about 0.05, 0.1, 0.2, 0.4, 0.8 s. SQLite answers "database is locked" at once (not after
# its busy timeout) when two writers would deadlock, so the pauses must outlast a slow commit.
PAUSE_SECONDS = 0.05
# PostgreSQL: deadlock detected, serialization failure, lock not available.
RETRYABLE_SQLSTATES = {"40P01", "40001", "55P03"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CONFLICT = "This changed somewhere else at the same moment; reload the page to see it, then try again."


def collided(error: BaseException) -> bool:
    """Whether ``error`` is the database settling two changes made at once (and nothing was saved)."""
    if isinstance(error, StaleDataError | IntegrityError):
        return True
    if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
        return True
    if isinstance(error, DBAPIError):
        return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES
    return False


def retrying(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a write view: a collision rolls back and runs it again, at most ``ATTEMPTS`` times in all."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        pause = PAUSE_SECONDS
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return view(*args, **kwargs)
            except Exception as error:
                if not collided(error):
                    raise
                db.session.rollback()
                log.info("collision on try %s of %s: %s", attempt, view.__name__, type(error).__name__)
                if attempt == ATTEMPTS:
                    raise ConflictError(None, CONFLICT) from error
                time.sleep(pause * random.uniform(0.75, 1.25))  # nosec B311: jitter, not a secret
                pause *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    return run


def register(app: Flask) -> None:
    """Wrap every view that answers a write method (pages, the API, Twilio's webhooks)."""
    wrapped = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if (rule.methods or set()) & WRITE_METHODS and rule.endpoint in app.view_functions
    }
    for endpoint in wrapped:
        app.view_functions[endpoint] = retrying(app.view_functions[endpoint])
