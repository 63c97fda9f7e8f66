"""The contact form's state: drafts kept while the auditor types, and a contact shown as that state.

A draft is what the form holds, as text under the form's input names: ``outcome``,
``started_at`` (``YYYY-MM-DDTHH:MM`` in the district's time), each timing by its name,
and for each rubric item ``item-<key>`` (the answer), ``na-<key>`` and ``comment-<key>``.
Those names are defined here only; the web layer reads submitted forms with them, and
Twilio's measurements and an attached ``.eml`` prefill a draft with them. Nothing in the
domain decides anything from a draft: a submission is a typed ``ContactEntry``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from audits.errors import ConflictError, NotAllowedError, ValidationError
from audits.fieldwork.entry import ContactEntry, timing_names
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.models import Contact, User
from audits.timeutil import utcnow

MAX_DRAFT_BYTES = 200_000
ANSWER, NOT_APPLICABLE, COMMENT = "item-", "na-", "comment-"


def answer_name(key: str) -> str:
    """The input holding the answer to item ``key``."""
    return f"{ANSWER}{key}"


def na_name(key: str) -> str:
    """The checkbox marking item ``key`` N/A."""
    return f"{NOT_APPLICABLE}{key}"


def comment_name(key: str) -> str:
    """The comment box of item ``key``."""
    return f"{COMMENT}{key}"


def format_local(moment: datetime | None, timezone: str) -> str:
    """The value a ``datetime-local`` input shows for ``moment``: ``YYYY-MM-DDTHH:MM`` in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M") if moment else ""


def parse_local(text: str, timezone: str) -> datetime:
    """Read ``YYYY-MM-DDTHH:MM`` (or with seconds, or ISO with an offset) as an aware UTC datetime.

    Raises ``ValueError`` (or ``OverflowError``) when ``text`` is not a date and time.
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


def as_text(value: Any, timezone: str) -> str:
    """One recorded value as the form holds it: yes/no, a local date and time, ``4``, ``2.5`` or text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_local(value, timezone)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def entry_values(entry: ContactEntry, timezone: str) -> dict[str, str]:
    """A typed entry as the contact form's inputs hold it (blank inputs left out)."""
    values = {
        "outcome": entry.outcome.value if entry.outcome else "",
        "started_at": format_local(entry.started_at, timezone),
        **{name: as_text(getattr(entry.timings, name), timezone) for name in timing_names()},
    }
    for key, answer in entry.responses.items():
        if answer.na:
            values[na_name(key)] = "1"
        elif answer.value is not None:
            values[answer_name(key)] = as_text(answer.value, timezone)
        if answer.comment:
            values[comment_name(key)] = answer.comment
    return {name: value for name, value in values.items() if value != ""}


def stored_values(contact: Contact, timezone: str) -> dict[str, str]:
    """The contact's recorded values as the contact form's inputs hold them (drafts left out)."""
    values = {
        "outcome": contact.outcome.value if contact.outcome else "",
        "started_at": format_local(contact.started_at, timezone),
        **{name: as_text(getattr(contact, name), timezone) for name in timing_names()},
    }
    for response in contact.responses:
        key = response.item.key
        if response.na:
            values[na_name(key)] = "1"
        elif response.value is not None:
            values[answer_name(key)] = as_text(response.value, timezone)
        values[comment_name(key)] = response.comment
    return values


def form_values(contact: Contact, timezone: str) -> dict[str, str]:
    """What the contact form shows: the auditor's draft if any, else the stored values."""
    if contact.draft:
        return dict(contact.draft)
    return stored_values(contact, timezone)


def save_draft(contact: Contact, values: Mapping[str, Any], user: User, now: datetime | None = None) -> None:
    """Keep what the auditor has typed so far, server-side and visible only to them."""
    if contact.auditor_id != user.id:
        raise NotAllowedError("contact", "only the contact's auditor keeps drafts of it")
    if contact.status not in EDITABLE_BY_AUDITOR:
        raise ConflictError("status", f"the contact is {contact.status.value}; it cannot change now")
    clean = {str(name)[:100]: str(value) for name, value in values.items() if name != "csrf_token"}
    if len(json.dumps(clean)) > MAX_DRAFT_BYTES:
        raise ValidationError(None, "the draft is too large to keep")
    contact.draft = clean
    contact.draft_saved_at = now or utcnow()
