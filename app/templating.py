"""Globals and filters available to every template."""

from __future__ import annotations

from flask import Flask

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
