"""How fieldwork values read on a page: local times, answers, percentages, field names.

Every fieldwork template gets these through ``helpers`` (each fieldwork
blueprint installs it as its context processor).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.rounds.forms import slot_label
from app.rubrics.forms import UNIT_LABELS
from audits.fieldwork.entry import timing_names
from audits.fieldwork.workflow import APPROVABLE, EDITABLE_IN_REVIEW, REOPENABLE, RETURNABLE
from audits.formatting import percent
from audits.models import (
    Channel,
    Contact,
    ContactStatus,
    EvidenceKind,
    ItemKind,
    Response,
    ReviewAction,
    Rubric,
    RubricItem,
)
from audits.rubrics.scoring import NotApplicable
from audits.vocabulary import CHANNEL_LABELS

FIELD_LABELS = {
    "outcome": "Outcome",
    "started_at": "Started",
    "rings": "Rings before a person answered",
    "hold_seconds": "Seconds on hold",
    "transfers": "Transfers",
    "call_seconds": "Call length (seconds)",
    "staff_gave_name": "Staff member gave their name",
    "callback_at": "Called back",
    "sent_text": "Email sent",
    "reply_at": "Reply arrived",
    "reply_text": "Reply",
    "response_business_hours": "Response time (business hours)",
    "greeted_seconds": "Seconds until greeted",
    "wait_seconds": "Total wait (seconds)",
}
STARTED_WORDS = {"phone": "Call started", "email": "Email sent at", "visit": "Arrived at"}
ACTION_WORDS = {
    ReviewAction.SUBMITTED: "Submitted",
    ReviewAction.RETURNED: "Returned to the auditor",
    ReviewAction.APPROVED: "Approved",
    ReviewAction.REOPENED: "Reopened",
}


def local_time(moment: datetime | None, timezone: str) -> str:
    """A moment in the district's time: ``Tue, Feb 2, 2027, 09:15``."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a, %b} {local.day}, {local.year}, {local:%H:%M}"


def answer_text(response: Response) -> str:
    """The answer to one rubric item, as the auditor chose or typed it."""
    if response.na:
        return "N/A"
    value = response.value
    if value is None or value == "":
        return "—"
    kind = response.item.kind
    if kind is ItemKind.YES_NO:
        return "Yes" if value is True else "No" if value is False else str(value)
    if kind is ItemKind.SCALE:
        label = response.item.point_label(value) if isinstance(value, int) else ""
        return f"{value} of {response.item.scale_max}" + (f" ({label})" if label else "")
    if kind is ItemKind.TIMING:
        unit = UNIT_LABELS.get(response.item.unit, "") if response.item.unit else ""
        number = f"{float(value):g}"
        return f"{number} {unit[:-1] if number == '1' and unit.endswith('s') else unit}".strip()
    return str(value)


def derived_text(item: RubricItem, value: Any) -> str:
    """The answer an item takes from a contact's fact, as the contact form shows it: ``4 rings``, ``Yes``."""
    if isinstance(value, NotApplicable):
        return "N/A: does not apply"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        unit = UNIT_LABELS.get(item.unit, "") if item.unit else ""
        number = f"{value:g}"
        return f"{number} {unit[:-1] if number == '1' and unit.endswith('s') else unit}".strip()
    return str(value)


def derived_texts(rubric: Rubric, derived: dict[str, Any]) -> dict[str, str | None]:
    """``derived_text`` of every item scored from a fact, by key; ``None`` while its fact is blank."""
    return {
        item.key: derived_text(item, derived[item.key]) if item.key in derived else None
        for item in rubric.items
        if item.fact
    }


def critical_failure(response: Response) -> bool:
    """Whether a critical item scored nothing (the contact's critical failure)."""
    return response.item.critical and not response.na and response.fraction == 0


def field_value(contact: Contact, name: str, timezone: str) -> str:
    """One recorded channel field of ``contact`` as text."""
    value: Any = getattr(contact, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return local_time(value, timezone)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return f"{value:.1f}"
    if name == "outcome":
        return contact.outcome.label if contact.outcome else "—"
    return str(value)


def field_label(path: str, rubric: Rubric) -> str:
    """What a value of the edit log is called: a channel field's label, a rubric item's prompt or comment.

    ``path`` is where the value sits in an entry: ``outcome``, ``timings.rings``,
    ``responses.courtesy`` or ``responses.courtesy.comment``.
    """
    head, _, rest = path.partition(".")
    if head != "responses":
        return FIELD_LABELS.get(rest if head == "timings" else path, path)
    key, _, part = rest.partition(".")
    prompt = next((item.prompt for item in rubric.items if item.key == key), key)
    return f"Comment on “{prompt}”" if part == "comment" else prompt


def helpers() -> dict[str, Any]:
    """What every fieldwork template may call."""
    return {
        "local_time": local_time,
        "percent": percent,
        "answer_text": answer_text,
        "critical_failure": critical_failure,
        "field_value": field_value,
        "field_label": field_label,
        "field_labels": FIELD_LABELS,
        "started_words": STARTED_WORDS,
        "action_words": ACTION_WORDS,
        "channel_labels": CHANNEL_LABELS,
        "slot_label": slot_label,
        "channel_fields": {channel: timing_names(channel) for channel in Channel},
        "ContactStatus": ContactStatus,
        "EvidenceKind": EvidenceKind,
        # Which review step each status allows (the domain enforces them; the page offers them).
        "APPROVABLE": APPROVABLE,
        "RETURNABLE": RETURNABLE,
        "REOPENABLE": REOPENABLE,
        "EDITABLE_IN_REVIEW": EDITABLE_IN_REVIEW,
    }
