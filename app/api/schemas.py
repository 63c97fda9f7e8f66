"""What the API answers: marshmallow schemas that serialise responses and document them in OpenAPI.

Auditors appear only as their stable pseudonym; no schema here has a field for
a person's name or email address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from marshmallow import Schema, fields, validate

from audits.equity import Measure
from audits.fieldwork.entry import TIMING_TYPES
from audits.models import (
    AppealOutcome,
    Channel,
    ContactStatus,
    CriticalPolicy,
    ItemKind,
    Level,
    Outcome,
    PairTrait,
    RoundStatus,
    RubricStatus,
    SchoolSelection,
    Slot,
    TimingUnit,
)
from audits.rubrics.facts import FACTS
from audits.scoring.precision import RankBand

# An answer's value: a boolean, a number or a string, or null (N/A, unanswered). OpenAPI 3.0 reads
# ``nullable`` only beside a ``type``, so null is allowed by the boolean branch of the ``oneOf`` (null
# matches that branch alone); ``app.api.openapi`` drops the ``nullable`` apispec puts beside the ``oneOf``.
NULLABLE_SCALAR: dict[str, Any] = {
    "oneOf": [{"type": "boolean", "nullable": True}, {"type": "number"}, {"type": "string"}],
}


def choice(enum: type[StrEnum], **options: Any) -> fields.String:
    """A string field documented with ``enum``'s values (it dumps enum members and plain strings alike)."""
    metadata = {"enum": [member.value for member in enum], **options.pop("metadata", {})}
    if options.get("allow_none"):
        metadata["enum"].append(None)
    return fields.String(metadata=metadata, **options)


class JsonNumber(fields.Float):
    """A number dumped as it is: whole numbers stay integers, as in the rubric's YAML."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


class ProblemSchema(Schema):
    """One problem with a request."""

    field = fields.String(
        allow_none=True,
        metadata={"description": "The body or query field at fault (e.g. 'timings.rings'), or null."},
    )
    message = fields.String(required=True)


class ErrorsSchema(Schema):
    """Every error answer: what kind of error, and the list of problems."""

    code = fields.String(
        required=True,
        metadata={
            "description": "validation, conflict, not_allowed, not_found (a rule of Touchpoint's), or the "
            "HTTP error: bad_request, unauthenticated, method_not_allowed, too_large, "
            "unsupported_media_type, server_error."
        },
    )
    errors = fields.List(fields.Nested(ProblemSchema), required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The schema of one page of ``item``s, with the total count."""
    return Schema.from_dict(
        {
            "total": fields.Integer(required=True, metadata={"description": "Items on every page together."}),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "items": fields.List(fields.Nested(item), required=True),
        },
        name=name,
    )


class DistrictSchema(Schema):
    """A school district."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    school_day_start = fields.Time(required=True)
    school_day_end = fields.Time(required=True)


class SchoolSchema(Schema):
    """A school of a district."""

    id = fields.Integer(required=True)
    district_id = fields.Integer(required=True)
    nces_id = fields.String(required=True)
    name = fields.String(required=True)
    level = choice(Level, required=True)
    grade_low = fields.String(allow_none=True)
    grade_high = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "E.164, e.g. +19042201260."})
    email = fields.String(allow_none=True)
    street = fields.String()
    city = fields.String()
    state = fields.String()
    zip = fields.String()
    languages = fields.List(fields.String())
    active = fields.Boolean(required=True)


class RoundChannelSchema(Schema):
    """How many contacts per school a round makes on one channel, with which scenarios."""

    channel = choice(Channel, required=True)
    contacts_per_school = fields.Integer(required=True)
    scenario_ids = fields.List(fields.Integer())


class RoundSchema(Schema):
    """An audit round of a district."""

    id = fields.Integer(required=True)
    district_id = fields.Integer(required=True)
    name = fields.String(required=True)
    status = choice(RoundStatus, required=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    attempt_limit = fields.Integer(required=True)
    school_selection = choice(SchoolSelection)
    levels = fields.List(fields.String())
    channels = fields.List(fields.Nested(RoundChannelSchema))
    assignments = fields.Integer(metadata={"description": "How many assignments the round has."})
    created_at = fields.DateTime(required=True)
    scheduled_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)


class AssignmentSchema(Schema):
    """One contact to make: school × scenario × auditor × due day and slot."""

    id = fields.Integer(required=True)
    round_id = fields.Integer(required=True)
    school_id = fields.Integer(required=True)
    school_name = fields.String(required=True)
    nces_id = fields.String(required=True)
    channel = choice(Channel, required=True)
    scenario_id = fields.Integer(required=True)
    scenario_key = fields.String(required=True)
    scenario_title = fields.String(required=True)
    language = fields.String(required=True)
    auditor = fields.String(required=True, metadata={"description": "The auditor's stable pseudonym."})
    due_day = fields.Date(required=True)
    slot = choice(Slot, required=True)
    child_grade = fields.String(
        allow_none=True,
        metadata={"description": "The grade of the persona's child on this contact: PK, KG or 01..12."},
    )
    status = fields.String(
        required=True,
        metadata={
            "description": "Where the assignment stands, from its latest attempt: not_started, draft, "
            "submitted, returned, approved, reopened, unreached or retry."
        },
    )
    attempts = fields.Integer(required=True, metadata={"description": "Attempts made so far."})
    done = fields.Boolean(required=True)


class FilledScriptSchema(Schema):
    """A scenario's texts as the auditor reads them: every variable filled for this contact."""

    persona = fields.String(required=True)
    script = fields.String(required=True)
    questions = fields.List(fields.String(), required=True)
    answer_key = fields.String(required=True)


class AssignmentDetailSchema(AssignmentSchema):
    """One assignment with its filled script."""

    script = fields.Nested(FilledScriptSchema, required=True)


class ScenarioSchema(Schema):
    """A scenario: the schools it fits and the variables its texts use."""

    id = fields.Integer(required=True)
    district_id = fields.Integer(allow_none=True, metadata={"description": "None: the shared library."})
    key = fields.String(required=True)
    title = fields.String(required=True)
    channel = choice(Channel, required=True)
    language = fields.String(required=True)
    rubric = fields.String(required=True, metadata={"description": "The key of its rubric."})
    active = fields.Boolean(required=True)
    grades = fields.List(
        fields.String(), required=True, metadata={"description": "Grades its child may be in; empty: any."}
    )
    levels = fields.List(
        fields.String(), required=True, metadata={"description": "School levels it suits; empty: any."}
    )
    variables = fields.List(
        fields.String(), required=True, metadata={"description": "The {variables} its texts use, in order."}
    )


class RubricRefSchema(Schema):
    """The exact rubric version a contact was scored on."""

    key = fields.String(required=True)
    version = fields.Integer(required=True)


class ResponseSchema(Schema):
    """The answer to one rubric item."""

    item = fields.String(required=True, metadata={"description": "The rubric item's key."})
    value = fields.Raw(
        allow_none=True,
        metadata={
            "description": "true/false for yes_no, an integer for scale, the option's label for choice, "
            "a number for timing, text for text; null when N/A or unanswered.",
            **NULLABLE_SCALAR,
        },
    )
    na = fields.Boolean(required=True)
    comment = fields.String(required=True)


# Each timing's field, by the timing's type (the timings themselves are ``audits.fieldwork.entry.Timings``).
TIMING_FIELDS: dict[type, Callable[[], fields.Field]] = {
    int: lambda: fields.Integer(allow_none=True),
    bool: lambda: fields.Boolean(allow_none=True),
    datetime: lambda: fields.DateTime(allow_none=True),
    str: fields.String,
}


class TimingsSchema(Schema.from_dict({name: TIMING_FIELDS[kind]() for name, kind in TIMING_TYPES.items()})):
    """What the auditor measured: phone, email or visit fields (the others are empty)."""

    response_business_hours = fields.Float(allow_none=True)


class ContactSchema(Schema):
    """One attempt at an assignment, with its answers."""

    id = fields.Integer(required=True)
    assignment_id = fields.Integer(required=True)
    attempt = fields.Integer(required=True)
    school_id = fields.Integer(required=True)
    channel = choice(Channel, required=True)
    auditor = fields.String(required=True, metadata={"description": "The auditor's stable pseudonym."})
    revision = fields.Integer(
        required=True, metadata={"description": "Moves on with each step and correction (see review)."}
    )
    status = choice(ContactStatus, required=True)
    outcome = choice(Outcome, allow_none=True)
    unreached = fields.Boolean(required=True)
    started_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    rubric = fields.Nested(RubricRefSchema, required=True)
    timings = fields.Nested(TimingsSchema, required=True)
    responses = fields.List(fields.Nested(ResponseSchema), required=True)
    scenario_id = fields.Integer(required=True)
    pair_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The scenario pair the contact is a member of (paired testing); null if none."
        },
    )


class OptionSchema(Schema):
    """One answer of a choice item."""

    label = fields.String(required=True)
    fraction = JsonNumber(required=True)


class ItemSchema(Schema):
    """A rubric item as the rubric format writes it (fields that do not apply are left out)."""

    key = fields.String(required=True)
    prompt = fields.String(required=True)
    kind = choice(ItemKind, required=True)
    fact = fields.String(
        validate=validate.OneOf(list(FACTS)),
        metadata={
            "description": "The contact fact the answer is taken from (reached, rings, hold_seconds …): "
            "a contact's answer to this item follows from it and need not be sent."
        },
    )
    max = fields.Integer()
    labels = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": 'A scale\'s point labels by point ("0": "rude or hostile"); a point may have none.'
        },
    )
    options = fields.List(fields.Nested(OptionSchema))
    unit = choice(TimingUnit)
    bands = fields.List(
        fields.List(JsonNumber()), metadata={"description": "[upper bound, fraction] pairs, ascending."}
    )
    points = JsonNumber()
    critical = fields.Boolean()
    allow_na = fields.Boolean()
    guidance = fields.String()
    tip = fields.String()


class SectionSchema(Schema):
    """A rubric section."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    items = fields.List(fields.Nested(ItemSchema), required=True)


class RubricSchema(Schema):
    """One rubric version, as its YAML export writes it."""

    key = fields.String(required=True)
    version = fields.Integer(required=True)
    status = choice(RubricStatus, required=True)
    name = fields.String(required=True)
    channel = choice(Channel, required=True)
    critical_policy = choice(CriticalPolicy, required=True)
    description = fields.String()
    sections = fields.List(fields.Nested(SectionSchema), required=True)


class SpreadSchema(Schema):
    """Mean and median of school figures (null when no school has one)."""

    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)


class DistrictChannelsSchema(Schema):
    """District spreads of school channel scores."""

    phone = fields.Nested(SpreadSchema, required=True)
    email = fields.Nested(SpreadSchema, required=True)
    visit = fields.Nested(SpreadSchema, required=True)


class DistrictScoresSchema(Schema):
    """District figures for a round: spreads of the school figures."""

    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    schools = fields.Integer(required=True, metadata={"description": "Schools with an overall score."})
    critical_failures = fields.Integer(required=True)
    change = fields.Float(allow_none=True, metadata={"description": "Median now minus the previous median."})
    channels = fields.Nested(DistrictChannelsSchema, required=True)
    sections = fields.Dict(keys=fields.String(), values=fields.Nested(SpreadSchema), required=True)


class ChannelScoresSchema(Schema):
    """A school's score on each channel (null without a scored contact there)."""

    phone = fields.Float(allow_none=True)
    email = fields.Float(allow_none=True)
    visit = fields.Float(allow_none=True)


class ChannelContactsSchema(Schema):
    """How many counted contacts a school's figures rest on, per channel (0 without any)."""

    phone = fields.Integer(required=True)
    email = fields.Integer(required=True)
    visit = fields.Integer(required=True)


class IntervalSchema(Schema):
    """The overall score's t-interval over the school's contact scores (rule 13 of the scoring rules)."""

    low = fields.Float(required=True)
    high = fields.Float(required=True)
    confidence = fields.Float(required=True)
    contacts = fields.Integer(required=True, metadata={"description": "Scored contacts it rests on."})


class RankBandSchema(Schema):
    """How precisely the rank can be told (rule 14): exact, or the band of the ranks the school could take."""

    band = choice(RankBand, required=True)
    best = fields.Integer(required=True)
    worst = fields.Integer(required=True)
    exact = fields.Boolean(required=True)
    text = fields.String(required=True, metadata={"description": "As the scorecard prints it."})


class SchoolScoreSchema(Schema):
    """A school's results for a round, at full precision."""

    school_id = fields.Integer(required=True)
    nces_id = fields.String(required=True)
    name = fields.String(required=True)
    level = choice(Level, required=True)
    overall = fields.Float(allow_none=True)
    channels = fields.Nested(ChannelScoresSchema, required=True)
    sections = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    contacts = fields.Integer(required=True)
    channel_contacts = fields.Nested(ChannelContactsSchema, required=True)
    section_contacts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    reached = fields.Integer(
        required=True, metadata={"description": "Counted contacts that reached the school."}
    )
    critical_failures = fields.Integer(
        required=True, metadata={"description": "Counted contacts that failed a critical item."}
    )
    reach_rate = fields.Float(allow_none=True)
    rank = fields.Integer(allow_none=True)
    rank_band = fields.Nested(RankBandSchema, allow_none=True)
    interval = fields.Nested(IntervalSchema, allow_none=True)
    early_reading = fields.Boolean(
        required=True, metadata={"description": "The overall rests on a channel with too few contacts."}
    )
    change = fields.Float(allow_none=True)


class ScoresSchema(Schema):
    """Every score of a round: the district's figures and each school's."""

    round_id = fields.Integer(required=True)
    early_reading_contacts = fields.Integer(
        required=True,
        metadata={"description": "A figure resting on fewer contacts of a channel is an early reading."},
    )
    district = fields.Nested(DistrictScoresSchema, required=True)
    schools = fields.List(fields.Nested(SchoolScoreSchema), required=True)


class MemberFigureSchema(Schema):
    """One member of a scenario pair over the round: its figure and how many counted contacts it rests on."""

    value = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "A rate from 0 to 1 (reach, within_standard) or a mean score from 0 to 100."
        },
    )
    n = fields.Integer(required=True, metadata={"description": "Counted contacts of this member."})


class EquityFigureSchema(Schema):
    """One scenario pair and measure over a round: both members, their paired difference (b - a)."""

    pair = fields.Integer(
        required=True, metadata={"description": "The scenario pair's id (contacts' pair_id)."}
    )
    trait = choice(PairTrait, required=True)
    measure = choice(Measure, required=True)
    a = fields.Nested(MemberFigureSchema, required=True, metadata={"description": "The reference member."})
    b = fields.Nested(MemberFigureSchema, required=True, metadata={"description": "The member tested."})
    difference = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "Mean of b - a over the pairs (schools where both were counted)."},
    )
    ci_low = fields.Float(required=True, allow_none=True, metadata={"description": "95% interval, low end."})
    ci_high = fields.Float(
        required=True, allow_none=True, metadata={"description": "95% interval, high end."}
    )
    p_value = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "McNemar's exact test (rates) or the paired t-test (scores)."},
    )
    pairs = fields.Integer(
        required=True, metadata={"description": "Schools where both members were counted."}
    )


DistrictPageSchema = page_of(DistrictSchema, "DistrictPage")
SchoolPageSchema = page_of(SchoolSchema, "SchoolPage")
RoundPageSchema = page_of(RoundSchema, "RoundPage")
AssignmentPageSchema = page_of(AssignmentSchema, "AssignmentPage")
ScenarioPageSchema = page_of(ScenarioSchema, "ScenarioPage")
ContactPageSchema = page_of(ContactSchema, "ContactPage")


class AppealSchema(Schema):
    """A principal's query of one answer of a contact, and its decision; no person is named."""

    id = fields.Integer(required=True)
    contact_id = fields.Integer(required=True)
    item = fields.String(required=True, metadata={"description": "The rubric item's key."})
    question = fields.String(required=True, metadata={"description": "The rubric item's prompt."})
    answer_queried = fields.String(required=True, metadata={"description": "The answer when it was queried."})
    reason = fields.String(
        required=True, metadata={"description": "Why the school says the answer is wrong."}
    )
    evidence = fields.String(required=True)
    filed_at = fields.DateTime(required=True)
    outcome = choice(AppealOutcome, required=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(
        required=True, metadata={"description": "Why it was decided so; empty while pending."}
    )
    corrected_answer = fields.String(
        allow_none=True, metadata={"description": "Upheld: the answer after the correction, as text."}
    )
    value = fields.Raw(
        allow_none=True,
        metadata={
            "description": "Upheld: the corrected value given (for an answer worked out from a fact, "
            "the fact); null otherwise, or when corrected to N/A.",
            **NULLABLE_SCALAR,
        },
    )
    na = fields.Boolean(required=True, metadata={"description": "Upheld: the answer was corrected to N/A."})


AppealListSchema = Schema.from_dict(
    {"items": fields.List(fields.Nested(AppealSchema), required=True)}, name="AppealList"
)


class HistogramBinSchema(Schema):
    """How many schools have an overall score from ``low`` up to ``high`` (100 falls in the last bin)."""

    low = fields.Integer(required=True)
    high = fields.Integer(required=True)
    count = fields.Integer(required=True)


class ComparedDistrictSchema(Schema):
    """One district beside the others: its compared round (null without one) and its figures, the same as
    its round's ``/scores``."""

    district_id = fields.Integer(required=True)
    name = fields.String(required=True)
    round_id = fields.Integer(required=True, allow_none=True)
    round_name = fields.String(required=True, allow_none=True)
    first_day = fields.Date(required=True, allow_none=True)
    schools = fields.Integer(required=True, metadata={"description": "Schools with an overall score."})
    mean = fields.Float(required=True, allow_none=True)
    median = fields.Float(required=True, allow_none=True)
    contacts = fields.Integer(required=True, metadata={"description": "Counted contacts."})
    reached = fields.Integer(
        required=True, metadata={"description": "Counted contacts that reached a school."}
    )
    reach_rate = fields.Float(required=True, allow_none=True, metadata={"description": "0 to 1."})
    rubric_keys = fields.List(fields.String(), required=True)
    histogram = fields.List(fields.Nested(HistogramBinSchema), required=True)
    channels = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": "Median school score of each channel."},
    )
    sections = fields.Dict(
        keys=fields.String(),
        values=fields.Float(allow_none=True),
        required=True,
        metadata={"description": "Median school score of each section key (the heat map's district row)."},
    )


class SectionColumnSchema(Schema):
    """A heat-map column: a section key, its title and its group (a channel, or ``shared``)."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    group = fields.String(required=True)


class ComparisonSchema(Schema):
    """Every district side by side on its latest published round (within the period, when given)."""

    since = fields.Date(required=True, allow_none=True)
    until = fields.Date(required=True, allow_none=True)
    rubric_keys = fields.List(fields.String(), required=True)
    sections = fields.List(fields.Nested(SectionColumnSchema), required=True)
    districts = fields.List(fields.Nested(ComparedDistrictSchema), required=True)
