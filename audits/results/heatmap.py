"""Schools × sections: each school's section scores this round, banded for a heat map."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from audits.models import Level, Round
from audits.results.ordering import Ordering, sort_rows
from audits.results.overview import levels_of
from audits.results.sections import section_titles
from audits.scoring.engine import RoundScores, SchoolScore, Spread, round_scores


class Band(StrEnum):
    """A score band of the heat map; the cell shows the number too, so colour is never the only cue."""

    STRONG = "strong"
    GOOD = "good"
    FAIR = "fair"
    WEAK = "weak"
    POOR = "poor"
    NONE = "none"

    @property
    def label(self) -> str:
        """The band as the legend says it."""
        return BAND_LABELS[self]


# Lowest score of each band, highest band first.
BAND_FLOORS: list[tuple[float, Band]] = [(90, Band.STRONG), (80, Band.GOOD), (70, Band.FAIR), (50, Band.WEAK)]
BAND_LABELS = {
    Band.STRONG: "Strong (90 and above)",
    Band.GOOD: "Good (80 to under 90)",
    Band.FAIR: "Fair (70 to under 80)",
    Band.WEAK: "Weak (50 to under 70)",
    Band.POOR: "Poor (under 50)",
    Band.NONE: "No score",
}


def band_of(score: float | None) -> Band:
    """The band ``score`` falls in."""
    if score is None:
        return Band.NONE
    for floor, band in BAND_FLOORS:
        if score >= floor:
            return band
    return Band.POOR


@dataclass(frozen=True)
class HeatCell:
    """One cell: a score (or none) and its band."""

    score: float | None

    @property
    def band(self) -> Band:
        """The band of the score."""
        return band_of(self.score)


@dataclass(frozen=True)
class HeatRow:
    """One school's row: overall first, then one cell per section."""

    school: SchoolScore
    overall: HeatCell
    cells: list[HeatCell]


@dataclass
class Heatmap:
    """The heat map of a round, ready to render."""

    round: Round
    scores: RoundScores
    sections: dict[str, str]
    rows: list[HeatRow]
    ordering: Ordering
    levels: list[Level]

    @property
    def medians(self) -> list[HeatCell]:
        """The district median of each section, in column order."""
        spreads = self.scores.district.sections
        return [HeatCell(spreads.get(key, Spread()).median) for key in self.sections]

    @property
    def overall_median(self) -> HeatCell:
        """The district median overall score."""
        return HeatCell(self.scores.district.overall.median)

    @property
    def bands(self) -> list[Band]:
        """The legend, highest band first."""
        return list(Band)


def _sort_key(column: str) -> Callable[[SchoolScore], float | str | None]:
    if column == "name":
        return lambda school: school.name.casefold()
    if column == "overall":
        return lambda school: school.overall
    return lambda school: school.sections.get(column)


def heatmap(
    session: Session,
    round_: Round,
    sort: str | None = None,
    direction: str | None = None,
    level: str | None = None,
) -> Heatmap:
    """Score ``round_`` once, laid out as schools × sections (``sort``: name, overall or a section key)."""
    scores = round_scores(session, round_)
    sections = section_titles(session, scores.district.sections)
    ordering = Ordering.parse(sort, direction, level, ("name", "overall", *sections))
    schools = scores.schools
    if ordering.level is not None:
        schools = [school for school in schools if school.level == ordering.level.value]
    ordered = sort_rows(
        schools, _sort_key(ordering.sort), lambda school: school.name.casefold(), ordering.descending
    )
    rows = [
        HeatRow(school, HeatCell(school.overall), [HeatCell(school.sections.get(k)) for k in sections])
        for school in ordered
    ]
    return Heatmap(round_, scores, sections, rows, ordering, levels_of(scores.schools))
