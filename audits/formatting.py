"""How a share reads as a percentage, the same on every page, PDF and email."""

from __future__ import annotations

NO_SHARE = "—"


def percent(fraction: float | None, digits: int = 1) -> str:
    """A fraction as a percentage with at most ``digits`` decimals: ``0.725`` is ``72.5%``, ``0.75`` ``75%``.

    ``None`` (nothing to score) reads as a dash.
    """
    if fraction is None:
        return NO_SHARE
    return f"{round(float(fraction) * 100, digits):g}%"
