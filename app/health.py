"""Health checks for load balancers and orchestrators: ``/healthz`` and ``/readyz``.

``/healthz`` says the process answers (200 ``ok``) and touches nothing else: restart the
process only when it fails. ``/readyz`` says whether the app can serve requests: the
database answers ``SELECT 1`` within ``READYZ_TIMEOUT_SECONDS``, and so does the Celery
broker when ``CELERY_BROKER_URL`` is set; 200 with each check, else 503 (send no traffic).
Both are public: no sign-in, no session (they never set a cookie), no CSRF, no rate limit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from kombu import Connection
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from werkzeug.wrappers import Response

from app.extensions import db

log = logging.getLogger(__name__)

blueprint = Blueprint("health", __name__)

NO_STORE = {"Cache-Control": "no-store"}
_ENGINE_KEY = "touchpoint.readiness_engine"


def readiness_engine(app: Flask) -> Engine:
    """An engine on the app's database that opens a new connection for each check, with short timeouts.

    The app's own pool could hand out a connection opened before an outage, and its
    connections wait as long as the driver's default for a server that does not answer.
    """
    source = db.engine
    cached: tuple[Engine, Engine] | None = app.extensions.get(_ENGINE_KEY)
    if cached is not None and cached[0] is source:
        return cached[1]
    url = source.url
    timeout = float(app.config["READYZ_TIMEOUT_SECONDS"])
    if url.get_backend_name() == "postgresql":
        connect_args: dict[str, Any] = {
            "connect_timeout": max(1, round(timeout)),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        }
    else:
        connect_args = {"timeout": timeout}
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    app.extensions[_ENGINE_KEY] = (source, engine)
    return engine


def check_database(app: Flask) -> None:
    """Raise unless the database answers ``SELECT 1``."""
    with readiness_engine(app).connect() as connection:
        connection.execute(text("SELECT 1")).scalar_one()


def check_broker(app: Flask) -> None:
    """Raise unless the Celery broker (``CELERY_BROKER_URL``) accepts a connection."""
    timeout = float(app.config["READYZ_TIMEOUT_SECONDS"])
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}
    with Connection(
        app.config["CELERY_BROKER_URL"], connect_timeout=timeout, transport_options=options
    ) as broker:
        # One try, no pause: kombu's default waits between retries, longer than a probe's patience.
        broker.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=timeout
        )


def _run(check: Callable[[Flask], None], app: Flask) -> dict[str, Any]:
    """Run one check: whether it passed, how long it took, and the kind of error if it failed."""
    started = time.perf_counter()
    try:
        check(app)
    except Exception as error:  # any failure means "not ready"; the log keeps the details
        log.warning("readiness check %s failed: %s", check.__name__, error)
        return {
            "ok": False,
            "seconds": round(time.perf_counter() - started, 3),
            "error": type(error).__name__,
        }
    return {"ok": True, "seconds": round(time.perf_counter() - started, 3)}


def readiness_checks(app: Flask) -> dict[str, dict[str, Any]]:
    """Each check ``/readyz`` runs, by name, with its result."""
    checks = {"database": _run(check_database, app)}
    if app.config.get("CELERY_BROKER_URL"):
        checks["broker"] = _run(check_broker, app)
    return checks


@blueprint.get("/healthz")
def healthz() -> Response:
    """The process answers: 200 ``ok``, without touching the database."""
    return Response("ok\n", mimetype="text/plain", headers=NO_STORE)


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when every dependency answers, else 503 with ``Retry-After``; JSON with each check either way."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    checks = readiness_checks(app)
    ready = all(check["ok"] for check in checks.values())
    response = jsonify(status="ready" if ready else "unavailable", checks=checks)
    response.headers.update(NO_STORE)
    if not ready:
        response.headers["Retry-After"] = str(app.config["OUTAGE_RETRY_AFTER_SECONDS"])
    return response, 200 if ready else 503
