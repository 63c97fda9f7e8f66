"""The date and moment the web layer works against: the real ones, or ``TODAY`` and ``NOW`` when configured.

``TODAY`` (``TOUCHPOINT_TODAY`` in the environment, ``YYYY-MM-DD``) pins the date rounds are planned
against; ``NOW`` (``TOUCHPOINT_NOW``, an ISO date and time with its offset) pins the moment a
contact's recorded times are checked against. Tests and rehearsals pin them, so that what is "in the
past" or "in the future" does not change with the day they run on.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from audits.models import District
from audits.planning.progress import district_today
from audits.timeutil import utcnow


def today_in(district: District) -> date:
    """Today's date in ``district``'s timezone (the configured ``TODAY`` when there is one)."""
    pinned = current_app.config.get("TODAY")
    return pinned if isinstance(pinned, date) else district_today(district)


def now() -> datetime:
    """The current moment, aware and in UTC (the configured ``NOW`` when there is one)."""
    pinned = current_app.config.get("NOW")
    return pinned if isinstance(pinned, datetime) else utcnow()
