"""The alert threshold: schools whose overall score falls below it are flagged on the dashboards."""

from __future__ import annotations

import math

from audits.errors import ValidationError
from audits.models import District
from audits.scoring.engine import SchoolScore

LOWEST = 0.0
HIGHEST = 100.0


def parse_threshold(value: str | float | None) -> float:
    """Return ``value`` as a threshold from 0 to 100, or raise ``ValidationError`` on the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError("alert_threshold", "enter a score from 0 to 100")
    try:
        number = float(value.strip().replace(",", ".") if isinstance(value, str) else value)
    except ValueError:
        raise ValidationError("alert_threshold", "enter a number, for example 70 or 72.5") from None
    if not math.isfinite(number) or not LOWEST <= number <= HIGHEST:
        raise ValidationError("alert_threshold", "enter a score from 0 to 100")
    return number


def set_alert_threshold(district: District, value: str | float | None) -> float:
    """Check ``value`` and make it ``district``'s alert threshold; return the stored number."""
    district.alert_threshold = parse_threshold(value)
    return district.alert_threshold


def is_flagged(school: SchoolScore, threshold: float) -> bool:
    """Whether a school's overall score is below the threshold (a school without one is not)."""
    return school.overall is not None and school.overall < threshold


def flagged_schools(schools: list[SchoolScore], threshold: float) -> list[SchoolScore]:
    """The schools below ``threshold``, lowest score first (ties by name)."""
    below = [school for school in schools if is_flagged(school, threshold)]
    return sorted(below, key=lambda school: (school.overall, school.name))
