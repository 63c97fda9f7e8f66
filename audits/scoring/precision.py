"""How sure a school's figures are: early readings, the overall score's interval and the rank band.

Rules 12–14 of ``docs/scoring.md``:

12. **Early reading.** A school figure that rests on fewer contacts than the district's
    ``early_reading_contacts`` (3 unless a leader changes it) is an early reading: a
    channel's figures on fewer than that many contacts of the channel, a section's on
    fewer than that many contacts with the section, and the overall score (and so the
    rank) when any channel it averages is an early reading.
13. **Interval.** The overall score carries a 95 % t-interval over the school's scored
    contacts: overall ± t(0.975, n - 1) × s ÷ √n, where n is the number of scored
    contacts and s their standard deviation (``scipy.stats.t`` and ``scipy.stats.sem``),
    cut to 0–100. Fewer than two scored contacts give no interval.
14. **Rank band.** Of the N ranked schools, the schools whose interval lies wholly above
    a school's could rank above it and the ones wholly below could not: its rank can be
    anything from 1 + (schools wholly above) to N - (schools wholly below). When that
    range is one rank (the school's interval overlaps no other), the rank is exact;
    otherwise it is shown as the narrowest band that holds the range: the top or bottom
    quarter, the top, bottom or middle half, or else the range itself. A school without
    an interval could be anywhere from 0 to 100.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy

from audits.formatting import ordinal

CONFIDENCE = 0.95
DEFAULT_EARLY_READING = 3
LOWEST, HIGHEST = 0.0, 100.0


@dataclass(frozen=True)
class Interval:
    """Where a school's overall score plausibly lies: ``low`` to ``high`` at ``confidence``,
    from ``contacts`` scored contacts."""

    low: float
    high: float
    contacts: int
    confidence: float = CONFIDENCE

    def above(self, other: Interval) -> bool:
        """Whether this interval lies wholly above ``other`` (they do not even touch)."""
        return self.low > other.high


UNKNOWN = Interval(LOWEST, HIGHEST, 0)


def method(early_reading: int, confidence: float = CONFIDENCE) -> str:
    """Rules 12–14 in one paragraph, as the scorecard and the results page print it."""
    level = f"{confidence * 100:g}%"
    return (
        f"Every figure says how many contacts it rests on; one resting on fewer than {early_reading} "
        "contacts of a channel is marked “early reading”, and so is the overall score when any channel "
        f"behind it is. The range under the overall score is a {level} t-interval over the school's "
        "contact scores: the overall ± t × their standard error, cut to 0–100, so few contacts or "
        "contacts that disagree give a wide range. The rank is exact only when no other school's range "
        "overlaps this school's; otherwise it is the band its range allows, such as “among the top "
        "quarter”, with the ranks it could take."
    )


def is_early(contacts: int, early_reading: int) -> bool:
    """Whether a figure resting on ``contacts`` contacts is an early reading (rule 12)."""
    return contacts < early_reading


def overall_intervals(schools: Sequence[tuple[float, Sequence[float]]]) -> list[Interval | None]:
    """Rule 13 for many schools at once: each ``(overall, contact scores)`` gives its interval (or None).

    Schools with the same number of contacts are computed together, one ``scipy.stats`` call
    per number of contacts, so a round of a thousand schools costs a few calls, not a thousand.
    scipy.stats is imported here, when first needed: it is large (about 90 MB and a second to
    load), and processes that only render or send never need it.
    """
    from scipy import stats  # loaded where intervals are computed, see above

    result: list[Interval | None] = [None] * len(schools)
    by_count: dict[int, list[int]] = {}
    for index, (_, scores) in enumerate(schools):
        if len(scores) >= 2:
            by_count.setdefault(len(scores), []).append(index)
    for count, indexes in by_count.items():
        overalls = numpy.array([schools[i][0] for i in indexes], dtype=float)
        spreads = numpy.atleast_1d(
            stats.sem(numpy.array([schools[i][1] for i in indexes], dtype=float), axis=1)
        )
        agreed = spreads == 0  # every contact scored the same: a zero-width interval (scale must be > 0)
        lows, highs = (
            numpy.atleast_1d(end)
            for end in stats.t.interval(
                CONFIDENCE, count - 1, loc=overalls, scale=numpy.where(agreed, 1.0, spreads)
            )
        )
        for i, low, high, overall, flat in zip(indexes, lows, highs, overalls, agreed, strict=True):
            ends = (overall, overall) if flat else (max(LOWEST, float(low)), min(HIGHEST, float(high)))
            result[i] = Interval(float(ends[0]), float(ends[1]), count)
    return result


def overall_interval(overall: float, scores: Sequence[float]) -> Interval | None:
    """The t-interval of rule 13 around ``overall`` from the school's contact ``scores`` (None under two)."""
    return overall_intervals([(overall, scores)])[0]


class RankBand(StrEnum):
    """How precisely a rank can be told (rule 14)."""

    EXACT = "exact"
    TOP_QUARTER = "top_quarter"
    BOTTOM_QUARTER = "bottom_quarter"
    TOP_HALF = "top_half"
    BOTTOM_HALF = "bottom_half"
    MIDDLE_HALF = "middle_half"
    RANGE = "range"


BAND_WORDS = {
    RankBand.TOP_QUARTER: "among the top quarter",
    RankBand.BOTTOM_QUARTER: "among the bottom quarter",
    RankBand.TOP_HALF: "in the top half",
    RankBand.BOTTOM_HALF: "in the bottom half",
    RankBand.MIDDLE_HALF: "in the middle half",
}


@dataclass(frozen=True)
class RankStanding:
    """A ranked school's place: its exact rank, the range its interval allows and the band that holds it."""

    rank: int
    of: int
    best: int
    worst: int
    band: RankBand

    @property
    def exact(self) -> bool:
        """Whether the rank can be told exactly (no other school's interval overlaps this one's)."""
        return self.band is RankBand.EXACT

    @property
    def places(self) -> str:
        """``4th`` when exact, else the ranks it could take: ``1st–3rd``."""
        return ordinal(self.rank) if self.exact else f"{ordinal(self.best)}–{ordinal(self.worst)}"

    @property
    def band_words(self) -> str:
        """``among the top quarter``; ``too close to rank exactly`` for a plain range; nothing when exact."""
        if self.exact:
            return ""
        return BAND_WORDS.get(self.band, "too close to rank exactly")

    @property
    def text(self) -> str:
        """``4th of 12``; ``among the top quarter (1st–3rd of 12)``; ``between 2nd and 11th of 12``."""
        if self.exact:
            return f"{ordinal(self.rank)} of {self.of}"
        if self.band is RankBand.RANGE:
            return f"between {ordinal(self.best)} and {ordinal(self.worst)} of {self.of}"
        return f"{BAND_WORDS[self.band]} ({ordinal(self.best)}–{ordinal(self.worst)} of {self.of})"


def band_of(best: int, worst: int, of: int) -> RankBand:
    """The narrowest band of rule 14 that holds every rank from ``best`` to ``worst`` of ``of``."""
    if best == worst:
        return RankBand.EXACT
    quarter, half = math.ceil(of / 4), math.ceil(of / 2)
    if of >= 4 and worst <= quarter:
        return RankBand.TOP_QUARTER
    if of >= 4 and best > of - quarter:
        return RankBand.BOTTOM_QUARTER
    if of >= 2 and worst <= half:
        return RankBand.TOP_HALF
    if of >= 2 and best > of - half:
        return RankBand.BOTTOM_HALF
    if of >= 4 and best > quarter and worst <= of - quarter:
        return RankBand.MIDDLE_HALF
    return RankBand.RANGE


def standings(ranked: Sequence[tuple[int, Interval | None]]) -> list[RankStanding]:
    """The standing of each ``(rank, interval)`` among all of them (rule 14), in the same order.

    Sorted ends make it N log N: a round of a thousand schools is ranked in milliseconds.
    """
    count = len(ranked)
    intervals = [interval or UNKNOWN for _, interval in ranked]
    lows = sorted(interval.low for interval in intervals)
    highs = sorted(interval.high for interval in intervals)
    result = []
    for (rank, _), interval in zip(ranked, intervals, strict=True):
        above = count - bisect_right(lows, interval.high)  # others whose low is above this high
        below = bisect_left(highs, interval.low)  # others whose high is below this low
        best, worst = 1 + above, count - below
        result.append(RankStanding(rank, count, best, worst, band_of(best, worst, count)))
    return result
