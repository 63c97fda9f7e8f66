"""Globals and filters available to every template."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from markupsafe import Markup

from app.permissions import can
from audits.access import Action
from audits.formatting import percent
from audits.models import Level, Role
from audits.phones import format_phone
from audits.vocabulary import (
    CHANNEL_LABELS,
    CHANNEL_SHORT_LABELS,
    channel_count,
    channel_noun,
    language_name,
    language_names,
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


def register(app: Flask) -> None:
    """Install the helpers on ``app``."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(can=can, Action=Action, Role=Role, Level=Level)
    app.jinja_env.globals.update(
        channel_labels=CHANNEL_LABELS,
        channel_short_labels=CHANNEL_SHORT_LABELS,
        channel_noun=channel_noun,
        channel_count=channel_count,
        language_name=language_name,
        language_names=language_names,
    )
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["utc"] = format_utc
    app.jinja_env.filters["machine_time"] = machine_time
