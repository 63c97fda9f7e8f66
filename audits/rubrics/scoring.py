"""Item fractions: how one answer turns into a share of an item's points.

- ``yes_no``: yes = 1, no = 0;
- ``scale``: an integer 0..max, fraction = value / max;
- ``choice``: the chosen option's fraction;
- ``timing``: the fraction of the first band whose bound is >= the value, 0 past the last band;
- ``text``: not scored.
An N/A answer (only where the item allows it) and a text item give ``None``: they
add nothing to earned or possible points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from audits.errors import ValidationError
from audits.models import ItemKind
from audits.rubrics.spec import ItemSpec


@dataclass(frozen=True)
class NotApplicable:
    """The answer "does not apply" (allowed only where the item says so)."""


NA = NotApplicable()


def band_fraction(bands: list[tuple[float, float]], value: float) -> float:
    """Return the fraction of the first band whose upper bound is >= ``value``; 0 past the last."""
    for bound, fraction in bands:
        if value <= bound:
            return fraction
    return 0.0


def item_fraction(item: ItemSpec, answer: Any) -> float | None:
    """Return the fraction of ``item``'s points that ``answer`` earns, or ``None`` if unscored.

    Raises ``ValidationError`` on the item's key when the answer does not fit the item.
    """
    if isinstance(answer, NotApplicable):
        if not item.allow_na:
            raise ValidationError(item.key, "this item cannot be marked N/A")
        return None
    if item.kind is ItemKind.TEXT:
        return None
    if answer is None:
        raise ValidationError(item.key, "an answer is required")
    if item.kind is ItemKind.YES_NO:
        if not isinstance(answer, bool):
            raise ValidationError(item.key, "answer yes or no")
        return 1.0 if answer else 0.0
    if item.kind is ItemKind.SCALE:
        top = item.max or 1
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= top:
            raise ValidationError(item.key, f"choose a whole number from 0 to {top}")
        return answer / top
    if item.kind is ItemKind.CHOICE:
        for option in item.options:
            if option.label == answer:
                return float(option.fraction)
        raise ValidationError(item.key, "choose one of the options")
    if isinstance(answer, bool) or not isinstance(answer, int | float) or not 0 <= answer < math.inf:
        # (NaN and infinity fail the comparison: neither is a measurement, nor storable as JSON.)
        raise ValidationError(item.key, "enter a number of at least 0")
    return float(band_fraction(item.bands, answer))
