"""The scorecard's own formatting, for the portal's pages: one decimal, signed changes, verdicts, days.

The portal prints the figures of ``reports.figures.ScorecardData`` exactly as the PDF prints them,
so it uses the PDF's own functions (``reports.render``), installed as template filters named
``card_…`` so that no page's own filters are shadowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reports.render import by_channel, change, day, direction, isolated, near_from, score, span, status, width

FILTERS: dict[str, Callable[..., Any]] = {
    "card_score": score,  # 62.4, or a dash
    "card_change": change,  # +4.2; a fall with a true minus sign
    "card_day": day,  # Feb 3, 2027
    "card_status": status,  # the verdict against the standard: .key, .word, .mark
    "card_width": width,  # a score as a bar's CSS width
    "card_isolated": isolated,  # a family's or a reviewer's words, kept from reordering the line
    "card_direction": direction,  # ltr or rtl, from the words' first strong letter
    "card_by_channel": by_channel,  # section rows under their channel
}
GLOBALS: dict[str, Callable[..., Any]] = {"card_near_from": near_from, "card_span": span}
