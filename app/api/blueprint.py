"""The API blueprint: flask-smorest's, so one set of marshmallow schemas validates and documents.

Every view behind it needs a bearer token and answers errors in JSON.
"""

from __future__ import annotations

from typing import Any

import flask
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, abort

from app.api.auth import authenticate
from app.api.errors import register

PREFIX = "/api/v1"
# Path ids: a positive integer the databases can hold (anything else is simply not found).
ID = "int(min=1, max=2147483647)"


class Parser(FlaskParser):
    """Request parsing that answers invalid input with 400, as the rest of the API does."""

    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: flask.Request) -> Any:
        """The body's JSON; nesting deeper than Python's recursion limit is invalid JSON, not a 500."""
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            abort(400, messages={"json": ["the JSON is nested too deeply"]})


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose argument errors are 400s."""

    ARGUMENTS_PARSER = Parser()


blueprint = ApiBlueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    description="Touchpoint's JSON API: districts, schools, rounds, contacts, rubrics, scores, action plans.",
)
blueprint.before_request(authenticate)
register(blueprint)
