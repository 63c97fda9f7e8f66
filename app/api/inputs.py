"""What the API accepts: query arguments and request bodies, validated and documented by one schema each.

Bodies are strict (unknown fields are refused); query strings ignore what they
do not know. The contact body is only checked for shape here: the same domain
validation as the web form (``audits.fieldwork.entry``) decides the rest.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.api.schemas import NULLABLE_SCALAR
from audits.fieldwork.entry import TIMING_TYPES
from audits.models import ContactStatus, Outcome

MAX_ID = 2_147_483_647
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
MAX_TEXT = 20_000
# More answers than any rubric has items (the library's largest has about 30).
MAX_RESPONSES = 500
# Moments outside these years are typing mistakes (and some would not fit a UTC datetime).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _no_nul(text: str) -> None:
    if "\x00" in text:
        raise ValidationError("text cannot contain NUL characters")


def _plausible(moment: datetime) -> None:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValidationError(f"give a date between {FIRST_YEAR} and {LAST_YEAR}")


def _text(**options: Any) -> fields.String:
    return fields.String(validate=[validate.Length(max=MAX_TEXT), _no_nul], **options)


def _moment(**options: Any) -> fields.DateTime:
    return fields.DateTime(
        validate=_plausible,
        metadata={"description": "ISO 8601; without an offset it is the district's local time."},
        **options,
    )


def _count() -> fields.Integer:
    return fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=100_000))


def _strict_bool(**options: Any) -> fields.Boolean:
    return fields.Boolean(truthy={True}, falsy={False}, **options)


def _id(**options: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **options)


class PageArgs(Schema):
    """``?page=`` (from 1) and ``?per_page=`` (1 to 500)."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class RoundListArgs(PageArgs):
    """Rounds, optionally of one district."""

    district = _id(metadata={"description": "Only this district's rounds."})


class ScenarioListArgs(PageArgs):
    """Scenarios, of one district (an administrator without ``district``: the library)."""

    district = _id(metadata={"description": "This district's scenarios (default: your own; the library)."})


class ContactListArgs(PageArgs):
    """A round's contacts, optionally narrowed (drafts are their auditor's own and never listed)."""

    status = fields.String(
        validate=validate.OneOf([s.value for s in ContactStatus if s is not ContactStatus.DRAFT])
    )
    school = _id(metadata={"description": "Only this school's contacts."})


class Scalar(fields.Field):
    """An answer: true/false, a number or text (or null for none)."""

    default_error_messages = {"invalid": "give true or false, a number or text"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool | str):
            if isinstance(value, str):
                _no_nul(value)
            return value
        if isinstance(value, int | float) and math.isfinite(value):
            return value
        raise self.make_error("invalid")


# Each timing's field, by the timing's type (the timings themselves are ``audits.fieldwork.entry.Timings``).
TIMING_FIELDS: dict[type, Callable[[], fields.Field]] = {
    int: _count,
    bool: lambda: _strict_bool(allow_none=True),
    datetime: lambda: _moment(allow_none=True),
    str: lambda: _text(allow_none=True),
}


class TimingsIn(Schema.from_dict({name: TIMING_FIELDS[kind]() for name, kind in TIMING_TYPES.items()})):
    """What the auditor measured; give the fields of the assignment's channel."""


class ResponseIn(Schema):
    """The answer to one rubric item, by the item's key."""

    item = fields.String(required=True, validate=[validate.Length(min=1, max=64), _no_nul])
    value = Scalar(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "true/false for yes_no, an integer for scale, the option's label for choice, "
            "a number for timing, text for text.",
            **NULLABLE_SCALAR,
        },
    )
    na = _strict_bool(load_default=False, metadata={"description": "The item does not apply."})
    comment = _text(load_default="")

    @validates_schema
    def _value_or_na(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("na") and data.get("value") is not None:
            raise ValidationError("give a value or mark the item N/A, not both", "value")


class ContactIn(Schema):
    """An auditor's record of one attempt at an assignment."""

    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in Outcome]))
    started_at = _moment(required=True)
    timings = fields.Nested(TimingsIn, load_default=dict)
    responses = fields.List(
        fields.Nested(ResponseIn), load_default=list, validate=validate.Length(max=MAX_RESPONSES)
    )

    @pre_load
    def _not_too_many(self, data: Any, **kwargs: Any) -> Any:
        """Refuse an endless list of answers before reading each one."""
        responses = data.get("responses") if isinstance(data, dict) else None
        if isinstance(responses, list) and len(responses) > MAX_RESPONSES:
            raise ValidationError(f"give at most {MAX_RESPONSES} answers", "responses")
        return data

    @validates_schema
    def _each_item_once(self, data: dict[str, Any], **kwargs: Any) -> None:
        counts = Counter(response["item"] for response in data.get("responses", []))
        twice = sorted(key for key, count in counts.items() if count > 1)
        if twice:
            raise ValidationError(
                f"answer each item once; given more than once: {', '.join(twice)}", "responses"
            )


class ReviewIn(Schema):
    """A reviewer's decision on a submitted contact."""

    action = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    comment = _text(load_default="", metadata={"description": "Required to return: what to fix."})
    revision = fields.Integer(
        strict=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={
            "description": "The contact's revision you decided on (from reading it): if it changed since, "
            "nothing happens and the answer is 409."
        },
    )


class AppealIn(Schema):
    """A principal's query of one answer of a contact of their school's published scorecard."""

    item = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=64), _no_nul],
        metadata={"description": "The key of the rubric item whose answer is queried."},
    )
    reason = _text(required=True, metadata={"description": "Why the answer is wrong."})
    evidence = _text(load_default="", metadata={"description": "What shows it (optional)."})


class DecisionIn(Schema):
    """A reviewer's decision on an appeal (never the reviewer who approved the contact)."""

    outcome = fields.String(required=True, validate=validate.OneOf(["upheld", "not_upheld"]))
    reason = _text(required=True, metadata={"description": "Why, for the principal."})
    value = Scalar(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Upheld: the corrected answer (true/false, an integer for scale, the option's "
            "label, a number); for an answer worked out from a recorded fact, the fact: a whole "
            "number of rings, seconds or transfers, true/false for a name given, the reply's date and "
            "time (ISO 8601).",
            **NULLABLE_SCALAR,
        },
    )
    na = _strict_bool(load_default=False, metadata={"description": "Upheld: the answer does not apply."})

    @validates_schema
    def _value_or_na(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("na") and data.get("value") is not None:
            raise ValidationError("give a value or mark the answer N/A, not both", "value")


class ComparisonArgs(Schema):
    """The period of the state-wide comparison: the days a compared round starts within (either open)."""

    class Meta:
        unknown = EXCLUDE

    since = fields.Date(metadata={"description": "Rounds starting on or after this day."})
    until = fields.Date(metadata={"description": "Rounds starting on or before this day."})
