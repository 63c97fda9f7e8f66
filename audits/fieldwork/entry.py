"""What an auditor records about one attempt, as typed values, and the rules it must meet.

The contact form and the API each build a ``ContactEntry`` (an outcome, when the
contact started, the channel's ``Timings`` and the rubric ``responses`` by item key);
``check_entry`` holds it against the rubric and the district's calendar and returns a
``CheckedEntry`` ready to store, or raises one ``ValidationError`` listing every
problem. Problems name what they concern by its place in the entry: ``outcome``,
``started_at``, ``timings.rings``, ``responses.courtesy``, ``responses.courtesy.comment``.

``Timings`` is the one list of what each channel records: the model's columns, the API's
``timings`` and the edit log follow it.

Two rules tie the rubric to what the contact records (``audits.fieldwork.facts``):

- ask once, derive the rest: an item that names a fact (``fact: rings``) takes its answer
  from that fact; the fact is then required, and an answer given for the item must agree
  with it (``responses.rings``: "this follows from the rings (4) …");
- the outcome decides what applies: an attempt that reached nobody records its outcome,
  its time and what it measured (the rings, a call back), no rubric answer and nothing that
  needs a person (a hold, a transfer, a staff name, a reply's time).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, get_args, get_type_hints
from zoneinfo import ZoneInfo

from audits.businesshours import BusinessCalendar, business_hours_between
from audits.errors import Problem, ValidationError
from audits.fieldwork.facts import (
    MISSING,
    NEEDS_A_PERSON,
    agrees,
    answer_words,
    derived_answers,
    fact_path,
    fact_values,
    facts_needed,
)
from audits.models import Channel, ItemKind, Outcome, Rubric
from audits.rubrics.facts import FACTS
from audits.rubrics.scoring import NA, NotApplicable, item_fraction
from audits.rubrics.versions import spec_from_item

OUTCOMES: dict[Channel, list[Outcome]] = {
    Channel.PHONE: [
        Outcome.REACHED,
        Outcome.VOICEMAIL,
        Outcome.AUTO_ATTENDANT,
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.WRONG_NUMBER,
    ],
    Channel.EMAIL: [Outcome.REACHED, Outcome.NO_REPLY],
    Channel.VISIT: [Outcome.REACHED, Outcome.NOT_SERVED],
}
MAX_COUNT = 100_000
MAX_TEXT = 20_000
FIRST_YEAR, LAST_YEAR = 2000, 2100  # moments outside these years are typing mistakes
CONTACT_NOUNS = {Channel.PHONE: "call", Channel.EMAIL: "email", Channel.VISIT: "visit"}
STARTED_WORDS = {
    Channel.PHONE: "when the call started",
    Channel.EMAIL: "when the email was sent",
    Channel.VISIT: "when you arrived",
}
# A phone's clock may run a little ahead of the server's: times this far past "now" still pass.
CLOCK_SLACK = timedelta(minutes=5)
# Derived from an email's sent and reply times; stored beside the timings, never entered.
RESPONSE_HOURS = "response_business_hours"


# Which channel records a timing, as each field's metadata.
PHONE, EMAIL, VISIT = ({"channel": channel} for channel in (Channel.PHONE, Channel.EMAIL, Channel.VISIT))


@dataclass
class Timings:
    """What the auditor measured or copied, by channel; a field of another channel stays blank."""

    rings: int | None = field(default=None, metadata=PHONE)
    hold_seconds: int | None = field(default=None, metadata=PHONE)
    transfers: int | None = field(default=None, metadata=PHONE)
    call_seconds: int | None = field(default=None, metadata=PHONE)
    staff_gave_name: bool | None = field(default=None, metadata=PHONE)
    callback_at: datetime | None = field(default=None, metadata=PHONE)
    sent_text: str = field(default="", metadata=EMAIL)
    reply_at: datetime | None = field(default=None, metadata=EMAIL)
    reply_text: str = field(default="", metadata=EMAIL)
    greeted_seconds: int | None = field(default=None, metadata=VISIT)
    wait_seconds: int | None = field(default=None, metadata=VISIT)


@dataclass(frozen=True)
class TimeBounds:
    """When a contact's recorded moments may lie: from its round's first day to now.

    The start of the contact also comes before its first submission, once there was one: nobody
    records a call before making it. A reply or a call back may come later and be added on a
    resubmission.
    """

    opens: datetime
    now: datetime
    first_submitted: datetime | None = None


# Each timing's type without ``None``: ``int``, ``bool``, ``datetime`` or ``str``.
TIMING_TYPES: dict[str, type] = {
    name: next(t for t in get_args(hint) or (hint,) if t is not type(None))
    for name, hint in get_type_hints(Timings).items()
}
WRONG_KIND = {
    int: "enter a whole number",
    bool: "answer yes or no",
    datetime: "enter a date and time",
    str: "enter text",
}


def timing_names(channel: Channel | None = None) -> list[str]:
    """The names of the timings ``channel`` records (every channel's when ``None``), in form order."""
    return [f.name for f in fields(Timings) if channel is None or f.metadata["channel"] is channel]


def timing_path(name: str) -> str:
    """Where a timing sits in an entry: ``timings.rings``."""
    return f"timings.{name}"


def response_path(key: str, part: str = "") -> str:
    """Where an answer (or its ``comment`` / ``na``) sits in an entry: ``responses.courtesy.comment``."""
    return f"responses.{key}" + (f".{part}" if part else "")


@dataclass
class AnswerEntry:
    """The answer to one rubric item: true/false, a whole number, a number, a label or text; or N/A."""

    value: bool | int | float | str | None = None
    na: bool = False
    comment: str = ""


@dataclass
class ContactEntry:
    """Everything recorded about one attempt, typed, before any rule is checked."""

    outcome: Outcome | None = None
    started_at: datetime | None = None
    timings: Timings = field(default_factory=Timings)
    responses: dict[str, AnswerEntry] = field(default_factory=dict)


@dataclass
class Answer:
    """A checked answer to one rubric item, with the fraction of its points it earns."""

    value: Any
    na: bool
    fraction: float | None
    comment: str


@dataclass
class CheckedEntry:
    """An entry that met every rule: only its channel's timings kept, the email response time worked out."""

    outcome: Outcome
    started_at: datetime
    timings: Timings
    response_business_hours: float | None
    answers: dict[str, Answer]


def measured_timings(
    rubric: Rubric,
    started_at: datetime | None,
    timings: Timings,
    calendar: BusinessCalendar,
    response_hours: float | None = None,
) -> dict[str, float]:
    """Timing item answers measured from the contact's own timings, by item key.

    For timing items without a ``fact`` (rubrics written before facts): a blank answer is
    filled with the measurement, a typed one wins. Phone: rings → rings, seconds → hold,
    business hours → call-back delay. Email: business hours → response time. Visit: minutes
    / seconds → until greeted. Items with a ``fact`` are derived instead (``derived_answers``).
    """
    channel = rubric.channel
    measured: dict[str, float] = {}
    for item in rubric.items:
        if item.kind is not ItemKind.TIMING or item.fact:
            continue
        unit = item.unit.value if item.unit else ""
        value: float | None = None
        if channel is Channel.PHONE and unit == "rings":
            value = timings.rings
        elif channel is Channel.PHONE and unit == "seconds":
            value = timings.hold_seconds
        elif channel is Channel.PHONE and unit == "business_hours" and started_at and timings.callback_at:
            value = business_hours_between(calendar, started_at, timings.callback_at)
        elif channel is Channel.EMAIL and unit == "business_hours":
            value = response_hours
        elif channel is Channel.VISIT and unit == "minutes" and timings.greeted_seconds is not None:
            value = timings.greeted_seconds / 60
        elif channel is Channel.VISIT and unit == "seconds":
            value = timings.greeted_seconds
        if value is not None:
            measured[item.key] = round(float(value), 2)
    return measured


def response_hours(calendar: BusinessCalendar, started_at: datetime | None, timings: Timings) -> float | None:
    """Business hours from the email to its reply, when both are known and in order."""
    if started_at is None or timings.reply_at is None or timings.reply_at < started_at:
        return None
    return business_hours_between(calendar, started_at, timings.reply_at)


def _plausible(moment: datetime | None, path: str, problems: list[Problem]) -> datetime | None:
    """``moment`` if it is an aware datetime within the years people type, else a problem and ``None``."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        problems.append((path, "give the time with its time zone"))
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        problems.append((path, f"enter a date between the years {FIRST_YEAR} and {LAST_YEAR}"))
        return None
    return moment


def _timing_problem(value: object, kind: type) -> str | None:
    """Why a timing's value is refused, or ``None`` when it fits its kind and limits."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        return WRONG_KIND[kind]
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= MAX_COUNT:
        return "enter a number of at least 0"
    if isinstance(value, str) and len(value.strip()) > MAX_TEXT:
        return f"keep it under {MAX_TEXT:,} characters"
    return None


def _local_words(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A, %B} {local.day} at {local:%H:%M}"


def _bounds_problems(
    bounds: TimeBounds, timezone: str, started_at: datetime | None, timings: Timings
) -> list[Problem]:
    """Each recorded moment before the round opened, in the future, or after the contact was submitted."""
    moments = {"started_at": started_at, timing_path("reply_at"): timings.reply_at,
               timing_path("callback_at"): timings.callback_at}  # fmt: skip
    too_early = f"this is before the round opened ({_local_words(bounds.opens, timezone)})"
    problems: list[Problem] = []
    for path, moment in moments.items():
        if moment is None:
            continue
        if moment < bounds.opens:
            problems.append((path, too_early))
        elif moment > bounds.now + CLOCK_SLACK:
            problems.append((path, "this is in the future: enter the time it really happened"))
        elif (
            path == "started_at" and bounds.first_submitted and moment > bounds.first_submitted + CLOCK_SLACK
        ):
            when = _local_words(bounds.first_submitted, timezone)
            problems.append((path, f"this is after the contact was first submitted ({when})"))
    return problems


def _check_timings(timings: Timings, channel: Channel, problems: list[Problem]) -> Timings:
    """The channel's timings within their limits (others blank); a value that breaks one becomes blank."""
    kept: dict[str, Any] = {}
    for name in timing_names(channel):
        value = getattr(timings, name)
        path = timing_path(name)
        if value is None or value == "":
            kept[name] = value
        elif reason := _timing_problem(value, TIMING_TYPES[name]):
            problems.append((path, reason))
        elif isinstance(value, datetime):
            kept[name] = _plausible(value, path, problems)
        else:
            kept[name] = value.strip() if isinstance(value, str) else value
    return Timings(**kept)


def _has(problems: list[Problem], path: str) -> bool:
    return any(found == path for found, _ in problems)


def _channel_rules(
    outcome: Outcome | None, started_at: datetime | None, timings: Timings, channel: Channel
) -> list[Problem]:
    """What each channel requires: the rings of an answered call, the email sent, the reply's time …"""
    reached = outcome is Outcome.REACHED
    problems: list[Problem] = []
    if channel is Channel.PHONE:
        if timings.callback_at and started_at and timings.callback_at < started_at:
            problems.append((timing_path("callback_at"), "the call back cannot come before the call"))
        if reached and timings.rings is None:
            problems.append((timing_path("rings"), "count the rings before a person answered"))
    elif channel is Channel.EMAIL:
        if not timings.sent_text:
            problems.append((timing_path("sent_text"), "paste the email you sent"))
        if reached and timings.reply_at is None:
            problems.append((timing_path("reply_at"), "enter when the reply arrived"))
        if timings.reply_at and started_at and timings.reply_at < started_at:
            problems.append((timing_path("reply_at"), "the reply cannot arrive before the email was sent"))
    elif reached and timings.greeted_seconds is None:
        problems.append((timing_path("greeted_seconds"), "enter how long until someone greeted you"))
    return problems


def _outcome_problems(
    entry: ContactEntry, timings: Timings, channel: Channel, problems: list[Problem]
) -> list[Problem]:
    """What an attempt that reached nobody cannot hold: rubric answers, and facts that need a person."""
    outcome = entry.outcome
    if outcome is None or outcome is Outcome.REACHED:
        return []
    ended = f"the {CONTACT_NOUNS[channel]} ended “{outcome.label}”"
    found: list[Problem] = [
        (timing_path(name), f"{ended}: leave this blank, or change how it ended")
        for name in NEEDS_A_PERSON[channel]
        if getattr(timings, name) not in (None, "") and not _has(problems, timing_path(name))
    ]
    found += [
        (response_path(key), f"does not apply when {ended}: leave it blank, or change how it ended")
        for key, given in entry.responses.items()
        if given.na
        or (given.value.strip() if isinstance(given.value, str) else given.value) not in (None, "")
    ]
    return found


def _missing_facts(rubric: Rubric, facts: dict[str, Any], problems: list[Problem]) -> list[Problem]:
    """The blank facts that items of ``rubric`` are scored from (on a contact that reached someone)."""
    return [
        (fact_path(name), MISSING[fact_path(name)])
        for name in facts_needed(rubric)
        if facts[name] is None and not _has(problems, fact_path(name))
    ]


def _derived(item_fact: str, given: AnswerEntry, derived: Any, path: str, problems: list[Problem]) -> bool:
    """Whether the answer derived from ``item_fact`` stands: a given answer must agree with it."""
    value = given.value.strip() if isinstance(given.value, str) else given.value
    if (value in (None, "") and not given.na) or agrees(value, given.na, derived):
        return True
    fact = FACTS[item_fact]
    problems.append(
        (path, f"this follows from {fact.words} ({answer_words(derived)}): leave it out or change that")
    )
    return False


def _check_answers(
    entry: ContactEntry,
    rubric: Rubric,
    measured: dict[str, float],
    derived: dict[str, Any],
    require: bool,
    problems: list[Problem],
) -> dict[str, Answer]:
    """Each rubric item's answer checked against its kind.

    An item scored from a fact takes ``derived`` (nothing while the fact is blank); a blank
    timing item without a fact is filled from ``measured``.
    """
    known = {item.key for item in rubric.items}
    for key in entry.responses:
        if key not in known:
            problems.append((response_path(key), f"{rubric.key} v{rubric.version} has no item {key!r}"))
    answers: dict[str, Answer] = {}
    for item in rubric.items:
        given = entry.responses.get(item.key, AnswerEntry())
        path = response_path(item.key)
        comment = given.comment.strip()
        if len(comment) > MAX_TEXT:
            problems.append((response_path(item.key, "comment"), f"keep it under {MAX_TEXT:,} characters"))
        if item.fact:
            if item.key in derived and _derived(item.fact, given, derived[item.key], path, problems):
                answer = derived[item.key]
                na = isinstance(answer, NotApplicable)
                fraction = item_fraction(spec_from_item(item), answer)
                answers[item.key] = Answer(None if na else answer, na, fraction, comment)
            continue
        value = given.value.strip() if isinstance(given.value, str) else given.value
        if value in (None, "") and item.key in measured:
            value = measured[item.key]
        if isinstance(value, str) and len(value) > MAX_TEXT:
            problems.append((path, f"keep it under {MAX_TEXT:,} characters"))
            continue
        if item.kind is ItemKind.TEXT:
            answers[item.key] = Answer(value if value not in (None, "") else None, False, None, comment)
            continue
        if value in (None, "") and not given.na:
            if require:
                problems.append((path, "answer this item" + (" or mark it N/A" if item.allow_na else "")))
            continue
        if isinstance(value, float) and item.kind is ItemKind.SCALE and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and item.kind is ItemKind.TIMING:
            value = float(value)
        try:
            fraction = item_fraction(spec_from_item(item), NA if given.na else value)
        except ValidationError as error:
            problems.extend((path, reason) for _, reason in error.problems)
            continue
        answers[item.key] = Answer(None if given.na else value, given.na, fraction, comment)
    return answers


def check_entry(
    entry: ContactEntry,
    rubric: Rubric,
    calendar: BusinessCalendar,
    require_answers: bool = True,
    bounds: TimeBounds | None = None,
) -> CheckedEntry:
    """Hold ``entry`` against every rule; return it checked, or raise one error listing every problem.

    Rubric answers are required only when the school was reached (and ``require_answers``),
    items scored from a fact taking theirs from it; a failed attempt records its outcome and
    timings alone, and answers given for it are refused. With ``bounds``, every recorded
    moment must lie within them.
    """
    channel = rubric.channel
    problems: list[Problem] = []
    outcome = entry.outcome
    if outcome is None:
        problems.append(("outcome", "choose how the contact ended"))
    elif outcome not in OUTCOMES[channel]:
        problems.append(("outcome", "choose one of the listed outcomes"))
    started_at = _plausible(entry.started_at, "started_at", problems)
    if entry.started_at is None:
        problems.append(("started_at", f"enter {STARTED_WORDS[channel]}"))
    timings = _check_timings(entry.timings, channel, problems)
    problems.extend(
        problem
        for problem in _channel_rules(outcome, started_at, timings, channel)
        if not _has(problems, problem[0] or "")
    )
    if bounds is not None:
        problems.extend(
            problem
            for problem in _bounds_problems(bounds, calendar.timezone, started_at, timings)
            if not _has(problems, problem[0] or "")
        )
    problems.extend(_outcome_problems(entry, timings, channel, problems))
    hours = response_hours(calendar, started_at, timings) if channel is Channel.EMAIL else None
    measured = measured_timings(rubric, started_at, timings, calendar, hours)
    reached = outcome is Outcome.REACHED
    derived: dict[str, Any] = {}
    if reached:
        facts = fact_values(outcome, timings, hours)
        if require_answers:
            problems.extend(_missing_facts(rubric, facts, problems))
        derived = derived_answers(rubric, facts)
    answers = _check_answers(entry, rubric, measured, derived, reached and require_answers, problems)
    if problems or outcome is None or started_at is None:
        raise ValidationError.many(problems)
    return CheckedEntry(outcome, started_at, timings, hours, answers)
