"""The district's results settings: the alert threshold (schools whose overall score falls below it are
flagged on the dashboards, and the standard of "Your biggest problem") and the number of contacts under
which a figure is an early reading."""

from __future__ import annotations

import math

from audits.errors import ValidationError
from audits.models import District
from audits.scoring.engine import SchoolScore
from audits.scoring.precision import DEFAULT_EARLY_READING

LOWEST = 0.0
HIGHEST = 100.0
MOST_EARLY_READING = 50  # contacts per channel: more than any round plans for one school


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


def parse_early_reading(value: str | int | None) -> int:
    """Return ``value`` as a number of contacts from 1 to 50, or raise ``ValidationError`` on the field."""
    field = "early_reading_contacts"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, f"enter a number of contacts from 1 to {MOST_EARLY_READING}")
    try:
        number = int(value.strip() if isinstance(value, str) else value)
    except ValueError:
        raise ValidationError(field, f"enter a whole number, for example {DEFAULT_EARLY_READING}") from None
    if not 1 <= number <= MOST_EARLY_READING:
        raise ValidationError(field, f"enter a number of contacts from 1 to {MOST_EARLY_READING}")
    return number


def set_early_reading(district: District, value: str | int | None) -> int:
    """Check ``value`` and make it ``district``'s early-reading number of contacts; return it."""
    district.early_reading_contacts = parse_early_reading(value)
    return district.early_reading_contacts


def is_flagged(school: SchoolScore, threshold: float) -> bool:
    """Whether a school's overall score is below the threshold (a school without one is not)."""
    return school.overall is not None and school.overall < threshold


def flagged_schools(schools: list[SchoolScore], threshold: float) -> list[SchoolScore]:
    """The schools below ``threshold``, lowest score first (ties by name)."""
    below = [school for school in schools if is_flagged(school, threshold)]
    return sorted(below, key=lambda school: (school.overall, school.name))
