"""How a share reads as a percentage, a place as an ordinal and a day in words, the same on every page,
PDF and email."""

from __future__ import annotations

from datetime import date

NO_SHARE = "—"


def percent(fraction: float | None, digits: int = 1) -> str:
    """A fraction as a percentage with at most ``digits`` decimals: ``0.725`` is ``72.5%``, ``0.75`` ``75%``.

    ``None`` (nothing to score) reads as a dash.
    """
    if fraction is None:
        return NO_SHARE
    return f"{round(float(fraction) * 100, digits):g}%"


def ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def day_words(value: date | None) -> str:
    """``Feb 3, 2027`` (as the scorecard prints a day); a dash for no day."""
    return NO_SHARE if value is None else f"{value:%b} {value.day}, {value:%Y}"
