"""The JSON API at ``/api/v1``: access tokens, paginated reads, contact writes, action plans, OpenAPI.

Modules: ``blueprint`` (the flask-smorest blueprint), ``auth`` (bearer tokens and
permission checks), ``inputs`` and ``schemas`` (what is accepted and answered),
``present`` (domain objects to those shapes), ``reads``, ``writes`` and ``appeals`` (the views),
``errors`` (JSON errors only), ``idempotency`` (``Idempotency-Key`` on writes) and
``openapi`` (the generated document).
"""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Attach the API to ``app``: routes, token authentication, JSON errors, no CSRF, the OpenAPI document."""
    from app.api import appeals, calibration, plans, reads, region, writes  # noqa: F401  (the views register themselves on it)
    from app.api.blueprint import PREFIX, blueprint
    from app.api.errors import register_routing_errors
    from app.api.idempotency import register as register_idempotency
    from app.api.openapi import init_api
    from app.extensions import csrf

    # Token authentication, no cookies: CSRF protection has nothing to protect here.
    csrf.exempt(blueprint)
    init_api(app)
    register_routing_errors(app, PREFIX)
    register_idempotency(app, PREFIX)
