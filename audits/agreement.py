"""Agreement between auditors: Krippendorff's alpha, percent agreement, each rater against a reference.

Pure computations shared by calibration exercises (``audits.calibration``) and blind
double-scoring in live rounds. They take plain mappings and know no database and no Flask:

- ratings of one item are ``{unit: {rater: value}}``, where a unit is what was judged (a
  reference contact, a double-scored contact) and a rater who answered N/A, or did not answer,
  gives ``None`` (a missing value, as Krippendorff treats it);
- values are the raw answers: ``True``/``False`` for yes/no, an option's label for a choice,
  the scale point for a scale, the measured number for a timing, a contact's score.

Alpha itself comes from the ``krippendorff`` package, never from a formula of ours. An item on
which alpha is undefined (one value only among the pairable ratings, or fewer than two of them)
gets ``Alpha(None, n, NOT_ENOUGH_VARIATION)``: never NaN, never an exception.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from statistics import fmean, median_high, median_low
from typing import Any, TypeVar

import krippendorff
import numpy as np

from audits.models import ItemKind

U = TypeVar("U", bound=Hashable)
R = TypeVar("R", bound=Hashable)
K = TypeVar("K", bound=Hashable)

NOT_ENOUGH_VARIATION = "not enough variation"
# Interval values are put on a grid of at most this many steps over their range before alpha
# (the package's coincidence matrix grows with the square of the distinct values). Whole
# measurements (rings, seconds, percentage points) over a narrower range stay exact.
INTERVAL_GRID = 200


class Level(StrEnum):
    """Krippendorff's level of measurement of an item's answers."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"


_LEVELS: dict[ItemKind, Level | None] = {
    ItemKind.YES_NO: Level.NOMINAL,
    ItemKind.CHOICE: Level.NOMINAL,
    ItemKind.SCALE: Level.ORDINAL,
    ItemKind.TIMING: Level.INTERVAL,
    ItemKind.TEXT: None,
}


def level_for(kind: ItemKind) -> Level | None:
    """The level of measurement that fits an item kind; ``None`` for text items (no agreement figure)."""
    return _LEVELS[kind]


class Reliability(StrEnum):
    """Krippendorff's reading of an alpha against a district's thresholds."""

    GOOD = "good"
    TENTATIVE = "tentative"
    NOT_RELIABLE = "not reliable"
    UNKNOWN = "not enough variation"

    @property
    def flagged(self) -> bool:
        """Whether this reading calls for retraining (below the tentative threshold)."""
        return self is Reliability.NOT_RELIABLE


@dataclass(frozen=True)
class Thresholds:
    """A district's alpha thresholds: at least ``good`` is good, at least ``tentative`` tentative."""

    good: float = 0.8
    tentative: float = 0.667

    def reading(self, value: float | None) -> Reliability:
        """How ``value`` (an alpha or an agreement share) reads against these thresholds."""
        if value is None:
            return Reliability.UNKNOWN
        if value >= self.good:
            return Reliability.GOOD
        if value >= self.tentative:
            return Reliability.TENTATIVE
        return Reliability.NOT_RELIABLE


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Alpha:
    """Krippendorff's alpha of one item (or of the scores) and the pairable ratings it rests on.

    ``value`` is ``None`` when alpha is undefined; ``reason`` then says why.
    """

    value: float | None
    n: int
    reason: str = ""

    @property
    def defined(self) -> bool:
        """Whether there is a figure to show."""
        return self.value is not None


@dataclass(frozen=True)
class Share:
    """How many of ``n`` compared answers agreed; ``value`` is the share (``None`` when ``n`` is 0)."""

    agreed: int
    n: int

    @property
    def value(self) -> float | None:
        """The share of answers that agreed, 0–1, or ``None`` when nothing was compared."""
        return self.agreed / self.n if self.n else None


@dataclass(frozen=True)
class Difference:
    """A rater's mean signed difference from the reference (positive: lenient) over ``n`` units."""

    value: float | None
    n: int


@dataclass(frozen=True)
class RaterAgreement:
    """One rater's agreement with the reference, per item and over all items."""

    rater: Hashable
    overall: Share
    items: dict[Hashable, Share] = field(default_factory=dict)

    def weakest(self, limit: int = 3) -> list[Hashable]:
        """The items this rater disagreed on most (lowest share first, at least one disagreement)."""
        ranked = [(share.value, key) for key, share in self.items.items() if share.agreed < share.n]
        ranked.sort(key=lambda pair: pair[0] if pair[0] is not None else 1.0)
        return [key for _, key in ranked[:limit]]


def _pairable(ratings: Mapping[U, Mapping[R, Any]]) -> list[list[Any]]:
    """The present values of each unit that has at least two of them."""
    units = []
    for by_rater in ratings.values():
        present = [value for value in by_rater.values() if value is not None]
        if len(present) >= 2:
            units.append(present)
    return units


def _on_grid(values: list[float]) -> np.ndarray:
    """Interval values as floats, put on a grid of ``INTERVAL_GRID`` steps when they are many."""
    array = np.asarray(values, dtype=float)
    distinct = np.unique(array)
    if len(distinct) <= INTERVAL_GRID + 1:
        return array
    low, high = float(distinct[0]), float(distinct[-1])
    step = (high - low) / INTERVAL_GRID
    return low + np.round((array - low) / step) * step


def item_alpha(
    ratings: Mapping[U, Mapping[R, Any]],
    level: Level,
    domain: Sequence[Any] | None = None,
) -> Alpha:
    """Krippendorff's alpha of one item's ``{unit: {rater: value}}`` at ``level``.

    ``None`` values are missing (N/A or unanswered). ``domain`` orders the values of an
    ordinal item (a scale's points, 0 to max); by default the values' own order. ``n`` is the
    number of pairable ratings: present values in units that have at least two.
    """
    units = _pairable(ratings)
    n = sum(len(values) for values in units)
    distinct = {value for values in units for value in values}
    if n < 2 or len(distinct) < 2:
        return Alpha(None, n, NOT_ENOUGH_VARIATION)
    raters = max(len(values) for values in units)
    if level is Level.NOMINAL:
        codes = {value: code for code, value in enumerate(sorted(distinct, key=repr))}
        flat = [float(codes[value]) for values in units for value in values]
    elif level is Level.ORDINAL:
        order = list(domain) if domain is not None else sorted(distinct)
        codes = {value: code for code, value in enumerate(order)}
        flat = [float(codes[value]) for values in units for value in values]
    else:
        flat = [float(value) for values in units for value in values]
    coded = _on_grid(flat) if level is Level.INTERVAL else np.asarray(flat)
    matrix = np.full((raters, len(units)), np.nan)
    position = 0
    for column, values in enumerate(units):
        matrix[: len(values), column] = coded[position : position + len(values)]
        position += len(values)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        value = float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level.value))
    if not math.isfinite(value):
        return Alpha(None, n, NOT_ENOUGH_VARIATION)
    return Alpha(value, n)


def percent_agreement(ratings: Mapping[U, Mapping[R, Any]]) -> Share:
    """Agreeing pairs of answers among all pairs within each unit (N/A and unanswered left out).

    With two raters per unit (double-scoring) it is the share of units where both answered alike.
    """
    agreed = pairs = 0
    for values in _pairable(ratings):
        counts = Counter(values)
        total = len(values)
        pairs += total * (total - 1) // 2
        agreed += sum(count * (count - 1) // 2 for count in counts.values())
    return Share(agreed, pairs)


def reference_value(others: Sequence[Any], level: Level) -> tuple[Any, ...]:
    """The answers that count as "the others' answer": the most common (nominal) or the median.

    A tie gives several: every most common label, or both middle values of an even count.
    Empty when nobody else answered.
    """
    present = [value for value in others if value is not None]
    if not present:
        return ()
    if level is Level.NOMINAL:
        counts = Counter(present)
        top = max(counts.values())
        return tuple(value for value, count in counts.items() if count == top)
    return tuple(dict.fromkeys((median_low(present), median_high(present))))


def rater_agreement(
    items: Mapping[K, Mapping[U, Mapping[R, Any]]],
    levels: Mapping[K, Level],
    rater: R,
    key: Mapping[K, Mapping[U, Any]] | None = None,
) -> RaterAgreement:
    """How often ``rater`` gave the reference answer, per item and over all ``items``.

    ``items`` is ``{item: {unit: {rater: value}}}``. The reference is the ``key``'s answer
    ``{item: {unit: value}}`` where there is one, otherwise the others' most common answer
    (nominal) or their median. A unit counts where the rater and the reference both answered.
    """
    per_item: dict[Hashable, Share] = {}
    agreed_total = n_total = 0
    for item, units in items.items():
        agreed = n = 0
        for unit, by_rater in units.items():
            mine = by_rater.get(rater)
            if mine is None:
                continue
            if key is not None:
                keyed = key.get(item, {}).get(unit)
                reference: tuple[Any, ...] = () if keyed is None else (keyed,)
            else:
                others = [value for other, value in by_rater.items() if other != rater]
                reference = reference_value(others, levels[item])
            if not reference:
                continue
            n += 1
            agreed += mine in reference
        per_item[item] = Share(agreed, n)
        agreed_total += agreed
        n_total += n
    return RaterAgreement(rater, Share(agreed_total, n_total), per_item)


def mean_difference(
    scores: Mapping[U, Mapping[R, float | None]],
    rater: R,
    key: Mapping[U, float | None] | None = None,
) -> Difference:
    """``rater``'s mean signed difference in score from the key's (or the others' median) per unit.

    Positive means the rater scores higher than the reference (lenient), negative lower (harsh).
    """
    differences = []
    for unit, by_rater in scores.items():
        mine = by_rater.get(rater)
        if mine is None:
            continue
        if key is not None:
            reference = key.get(unit)
        else:
            others = [value for other, value in by_rater.items() if other != rater and value is not None]
            reference = float(np.median(others)) if others else None
        if reference is None:
            continue
        differences.append(mine - reference)
    return Difference(fmean(differences) if differences else None, len(differences))
