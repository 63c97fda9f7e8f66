"""The date the web layer plans against: the district's today, or ``TODAY`` when it is configured.

``TODAY`` (``TOUCHPOINT_TODAY`` in the environment, ``YYYY-MM-DD``) pins the date for tests and
rehearsals, so that what is "in the past" does not change with the day they run on.
"""

from __future__ import annotations

from datetime import date

from flask import current_app

from audits.models import District
from audits.planning.progress import district_today


def today_in(district: District) -> date:
    """Today's date in ``district``'s timezone (the configured ``TODAY`` when there is one)."""
    pinned = current_app.config.get("TODAY")
    return pinned if isinstance(pinned, date) else district_today(district)
