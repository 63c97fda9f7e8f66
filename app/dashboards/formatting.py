"""Numbers as the results pages show them: one decimal, signed changes, banded heat-map cells.

These are Jinja filters rather than macros because a round of 1,000 schools renders
thousands of them, and a filter is a plain function call.
"""

from __future__ import annotations

from markupsafe import Markup

from audits.results.heatmap import HeatCell

NO_SCORE = Markup('<span class="muted">—<span class="visually-hidden">no score</span></span>')
NO_CHANGE = Markup('<span class="muted">—<span class="visually-hidden">no earlier round</span></span>')


def one_decimal(value: float | None) -> Markup:
    """``76.5``, or a dash that reads "no score"."""
    # Not escaped on purpose: only a formatted float.
    return NO_SCORE if value is None else Markup(f"{value:.1f}")  # nosec B704


def signed_change(value: float | None) -> Markup:
    """``▲ +3.2`` / ``▼ -3.2`` / ``±0.0``, with the direction in words for screen readers."""
    if value is None:
        return NO_CHANGE
    shown = f"{abs(value):.1f}"
    if shown == "0.0":
        return Markup(
            '<span class="change change-none">±0.0<span class="visually-hidden"> (no change)</span></span>'
        )
    if value > 0:
        # Not escaped on purpose: the only value is ``shown``, a formatted float.
        return Markup(  # nosec B704
            '<span class="change change-up"><span aria-hidden="true">▲ </span>+'
            f'{shown}<span class="visually-hidden"> (up)</span></span>'
        )
    # Not escaped on purpose: the only value is ``shown``, a formatted float.
    return Markup(  # nosec B704
        '<span class="change change-down"><span aria-hidden="true">▼ </span>-'
        f'{shown}<span class="visually-hidden"> (down)</span></span>'
    )


def heat_cell(cell: HeatCell) -> Markup:
    """A heat-map ``<td>``: its band as a class, its number, and the band in words for screen readers."""
    band = cell.band.value
    if cell.score is None:
        inner = '<span aria-hidden="true">—</span><span class="visually-hidden">no score</span>'
    else:
        inner = f'{cell.score:.1f}<span class="visually-hidden"> ({band})</span>'
    # The values are a band (an enum's value) and a formatted float: nothing a person typed.
    return Markup(f'<td class="num heat heat-{band}">{inner}</td>')  # nosec B704


FILTERS = {"one_decimal": one_decimal, "signed_change": signed_change, "heat_cell": heat_cell}
