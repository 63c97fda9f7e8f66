"""Globals and filters available to every template."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import Flask
from markupsafe import Markup

from app.forms import field_error_links
from app.permissions import can
from audits.access import Action
from audits.formatting import percent
from audits.models import Level, Role
from audits.phones import format_phone
from audits.rubrics.facts import FACTS
from audits.vocabulary import (
    CHANNEL_LABELS,
    CHANNEL_SHORT_LABELS,
    channel_count,
    channel_noun,
    count_of,
    language_name,
    language_names,
    plural,
)


def machine_time(value: date | datetime) -> str:
    """A ``<time datetime>`` value: a day as ``2026-12-03``, a moment in UTC to the second
    (``2026-12-03T15:40:07+00:00``; HTML allows no microseconds there)."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat(timespec="seconds")
    return value.isoformat()


def format_utc(moment: datetime | None) -> Markup:
    """A moment as ``<time>``: ``Dec 3, 2026 15:40 UTC``."""
    if moment is None:
        return Markup("")
    text = f"{moment.strftime('%b')} {moment.day}, {moment.year} {moment.strftime('%H:%M')} UTC"
    return Markup('<time datetime="{}">{}</time>').format(machine_time(moment), text)


# A line that starts an item of its own: "2. …", "- …", "* …", "• …".
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s")


def reflowed(text: str) -> str:
    """A scenario text with its hard line wraps undone, so it fills a narrow screen.

    Scenario texts are written in YAML at about 80 characters a line. A line is joined to
    the one before when it is indented (the rest of a numbered step) or when that one does not
    end a sentence; list items, blank lines and lines after a full stop keep their own line.
    """
    lines: list[str] = []
    for line in text.splitlines():
        previous = lines[-1] if lines else ""
        continues = line[:1].isspace() or not previous.rstrip().endswith((".", ":", "?", "!", '"'))
        if previous.strip() and line.strip() and continues and not _LIST_ITEM.match(line):
            lines[-1] = f"{previous.rstrip()} {line.strip()}"
        else:
            lines.append(line.rstrip())
    return "\n".join(lines)


def register(app: Flask) -> None:
    """Install the helpers on ``app``."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(can=can, Action=Action, Role=Role, Level=Level)
    app.jinja_env.globals.update(
        channel_labels=CHANNEL_LABELS,
        channel_short_labels=CHANNEL_SHORT_LABELS,
        channel_noun=channel_noun,
        channel_count=channel_count,
        # A word that agrees with a count: ``plural(n, 'has', 'have')``; ``n|count_of('school')``.
        plural=plural,
        language_name=language_name,
        language_names=language_names,
        # What each contact fact is, for the items scored from one (``macros/rubric_form.html``).
        fact_words={name: fact.words for name, fact in FACTS.items()},
        # One field's lines of an error summary (``macros/forms.html`` ``error_summary``).
        field_error_links=field_error_links,
    )
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["count_of"] = count_of
    app.jinja_env.filters["utc"] = format_utc
    app.jinja_env.filters["machine_time"] = machine_time
    app.jinja_env.filters["reflowed"] = reflowed
