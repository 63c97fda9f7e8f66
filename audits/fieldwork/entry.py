"""Turning what an auditor typed into checked values, with every problem at once.

Field names are the contact form's input names: ``started_at``, ``outcome``,
``rings`` … and, for the rubric, ``item-<key>``, ``na-<key>`` and ``comment-<key>``.
Datetimes arrive as ``YYYY-MM-DDTHH:MM`` in the district's local time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from audits.businesshours import BusinessCalendar, business_hours_between
from audits.errors import ValidationError
from audits.models import Channel, ItemKind, Outcome, Rubric
from audits.rubrics.scoring import NA, item_fraction
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
CHANNEL_FIELDS: dict[Channel, list[str]] = {
    Channel.PHONE: ["rings", "hold_seconds", "transfers", "call_seconds", "staff_gave_name", "callback_at"],
    Channel.EMAIL: ["sent_text", "reply_at", "reply_text"],
    Channel.VISIT: ["greeted_seconds", "wait_seconds"],
}
MAX_COUNT = 100_000
MAX_TEXT = 20_000

Problems = list[tuple[str | None, str]]


@dataclass
class Answer:
    """A checked answer to one rubric item."""

    value: Any
    na: bool
    fraction: float | None
    comment: str


@dataclass
class ContactEntry:
    """Everything an auditor recorded about one attempt, checked."""

    outcome: Outcome | None = None
    started_at: datetime | None = None
    values: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)


def parse_local(text: str, timezone: str) -> datetime:
    """Read ``YYYY-MM-DDTHH:MM`` (or with seconds, or ISO with an offset) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


def format_local(moment: datetime | None, timezone: str) -> str:
    """The value a ``datetime-local`` input shows for ``moment``."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _count(data: dict[str, str], name: str, problems: Problems) -> int | None:
    text = (data.get(name) or "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        problems.append((name, "enter a whole number"))
        return None
    if not 0 <= value <= MAX_COUNT:
        problems.append((name, "enter a number of at least 0"))
        return None
    return value


def _moment(data: dict[str, str], name: str, timezone: str, problems: Problems) -> datetime | None:
    text = (data.get(name) or "").strip()
    if not text:
        return None
    try:
        moment = parse_local(text, timezone)
    except (ValueError, OverflowError):
        problems.append((name, "enter a date and time, e.g. 2027-02-01 09:30"))
        return None
    if not 2000 <= moment.year <= 2100:
        problems.append((name, "enter a date between the years 2000 and 2100"))
        return None
    return moment


def _text(data: dict[str, str], name: str, problems: Problems) -> str:
    text = (data.get(name) or "").strip()
    if len(text) > MAX_TEXT:
        problems.append((name, f"keep it under {MAX_TEXT:,} characters"))
    return text


def _has(problems: Problems, name: str) -> bool:
    return any(field == name for field, _ in problems)


def _answer_value(kind: ItemKind, text: str) -> Any:
    if kind is ItemKind.YES_NO:
        return {"yes": True, "no": False}.get(text.lower(), text)
    if kind is ItemKind.SCALE:
        try:
            return int(text)
        except ValueError:
            return text
    if kind is ItemKind.TIMING:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def measured_timings(rubric: Rubric, values: dict[str, Any], calendar: BusinessCalendar) -> dict[str, float]:
    """Timing item answers measured from the contact's own timings, by item key.

    Phone: rings → rings, seconds → hold, business hours → call-back delay.
    Email: business hours → response time. Visit: minutes / seconds → until greeted.
    """
    channel = rubric.channel
    started = values.get("started_at")
    measured: dict[str, float] = {}
    for item in rubric.items:
        if item.kind is not ItemKind.TIMING:
            continue
        unit = item.unit.value if item.unit else ""
        value: float | None = None
        if channel is Channel.PHONE and unit == "rings":
            value = values.get("rings")
        elif channel is Channel.PHONE and unit == "seconds":
            value = values.get("hold_seconds")
        elif channel is Channel.PHONE and unit == "business_hours" and started and values.get("callback_at"):
            value = business_hours_between(calendar, started, values["callback_at"])
        elif channel is Channel.EMAIL and unit == "business_hours":
            value = values.get("response_business_hours")
        elif channel is Channel.VISIT and unit == "minutes" and values.get("greeted_seconds") is not None:
            value = values["greeted_seconds"] / 60
        elif channel is Channel.VISIT and unit == "seconds":
            value = values.get("greeted_seconds")
        if value is not None:
            measured[item.key] = round(float(value), 2)
    return measured


def preview_timings(data: dict[str, str], rubric: Rubric, calendar: BusinessCalendar) -> dict[str, float]:
    """The timing answers an unfinished entry would measure, by item key; unreadable fields are skipped.

    For showing the auditor, while they type, what a blank timing item will be filled with.
    """
    ignored: Problems = []
    timezone = calendar.timezone
    values: dict[str, Any] = {
        "started_at": _moment(data, "started_at", timezone, ignored),
        "callback_at": _moment(data, "callback_at", timezone, ignored),
    }
    for name in ("rings", "hold_seconds", "greeted_seconds"):
        values[name] = _count(data, name, ignored)
    reply_at = _moment(data, "reply_at", timezone, ignored)
    if reply_at and values["started_at"] and reply_at >= values["started_at"]:
        values["response_business_hours"] = business_hours_between(calendar, values["started_at"], reply_at)
    return measured_timings(rubric, values, calendar)


def parse_entry(
    data: dict[str, str], rubric: Rubric, calendar: BusinessCalendar, require_answers: bool = True
) -> ContactEntry:
    """Check a submitted contact form; raise one ``ValidationError`` listing every problem.

    Rubric answers are required only when the school was reached; a failed
    attempt records its outcome and timings alone.
    """
    problems: Problems = []
    channel = rubric.channel
    timezone = calendar.timezone
    entry = ContactEntry()
    outcome_text = (data.get("outcome") or "").strip()
    if not outcome_text:
        problems.append(("outcome", "choose how the contact ended"))
    elif outcome_text not in {outcome.value for outcome in OUTCOMES[channel]}:
        problems.append(("outcome", "choose one of the listed outcomes"))
    else:
        entry.outcome = Outcome(outcome_text)
    entry.started_at = _moment(data, "started_at", timezone, problems)
    if entry.started_at is None and not _has(problems, "started_at"):
        label = {
            "phone": "when the call started",
            "email": "when the email was sent",
            "visit": "when you arrived",
        }
        problems.append(("started_at", f"enter {label[channel.value]}"))
    values: dict[str, Any] = {"started_at": entry.started_at}
    if channel is Channel.PHONE:
        for name in ("rings", "hold_seconds", "transfers", "call_seconds"):
            values[name] = _count(data, name, problems)
        gave = (data.get("staff_gave_name") or "").strip().lower()
        values["staff_gave_name"] = {"yes": True, "no": False}.get(gave)
        values["callback_at"] = _moment(data, "callback_at", timezone, problems)
        if values["callback_at"] and entry.started_at and values["callback_at"] < entry.started_at:
            problems.append(("callback_at", "the call back cannot come before the call"))
        if entry.outcome is Outcome.REACHED and values["rings"] is None and not _has(problems, "rings"):
            problems.append(("rings", "count the rings before a person answered"))
    elif channel is Channel.EMAIL:
        values["sent_text"] = _text(data, "sent_text", problems)
        values["reply_text"] = _text(data, "reply_text", problems)
        values["reply_at"] = _moment(data, "reply_at", timezone, problems)
        if not values["sent_text"]:
            problems.append(("sent_text", "paste the email you sent"))
        if entry.outcome is Outcome.REACHED and values["reply_at"] is None and not _has(problems, "reply_at"):
            problems.append(("reply_at", "enter when the reply arrived"))
        if values["reply_at"] and entry.started_at:
            if values["reply_at"] < entry.started_at:
                problems.append(("reply_at", "the reply cannot arrive before the email was sent"))
            else:
                values["response_business_hours"] = business_hours_between(
                    calendar, entry.started_at, values["reply_at"]
                )
    else:
        values["greeted_seconds"] = _count(data, "greeted_seconds", problems)
        values["wait_seconds"] = _count(data, "wait_seconds", problems)
        if (
            entry.outcome is Outcome.REACHED
            and values["greeted_seconds"] is None
            and not _has(problems, "greeted_seconds")
        ):
            problems.append(("greeted_seconds", "enter how long until someone greeted you"))
    values.setdefault("response_business_hours", None)
    entry.values = values
    reached = entry.outcome is Outcome.REACHED
    measured = measured_timings(rubric, values, calendar)
    for item in rubric.items:
        spec = spec_from_item(item)
        name = f"item-{item.key}"
        comment = _text(data, f"comment-{item.key}", problems)
        na = (data.get(f"na-{item.key}") or "").strip().lower() in {"1", "on", "true", "yes"}
        text = (data.get(name) or "").strip()
        if not text and item.key in measured:
            text = str(measured[item.key])
        if len(text) > MAX_TEXT:
            problems.append((name, f"keep it under {MAX_TEXT:,} characters"))
            continue
        if item.kind is ItemKind.TEXT:
            entry.answers[item.key] = Answer(text or None, False, None, comment)
            continue
        if not text and not na:
            if reached and require_answers:
                problems.append((name, "answer this item" + (" or mark it N/A" if item.allow_na else "")))
            continue
        try:
            fraction = item_fraction(spec, NA if na else _answer_value(item.kind, text))
        except ValidationError as error:
            problems.extend((name, reason) for _, reason in error.problems)
            continue
        entry.answers[item.key] = Answer(
            None if na else _answer_value(item.kind, text), na, fraction, comment
        )
    if problems:
        raise ValidationError.many(problems)
    return entry
