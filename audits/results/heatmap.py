"""Schools × sections: each school's section scores this round, banded for a heat map.

The sections come grouped by channel (``audits.results.sections.section_groups``) and the
map shows one group at a time, beside the overall and the channel's own score, so a
channel's sections fit a laptop screen side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from audits.models import Level, Round
from audits.results.ordering import Ordering, sort_rows
from audits.results.overview import levels_of
from audits.results.sections import SectionGroup, section_groups, section_titles
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
    """One school's row: overall first, the chosen channel's score (``None`` for the shared sections),
    then one cell per section of the chosen group."""

    school: SchoolScore
    overall: HeatCell
    channel: HeatCell | None
    cells: list[HeatCell]


@dataclass
class Heatmap:
    """The heat map of a round, ready to render."""

    round: Round
    scores: RoundScores
    groups: list[SectionGroup]  # every group of sections the round has scores for
    group: SectionGroup | None  # the group shown (``None`` when no section is scored yet)
    rows: list[HeatRow]
    ordering: Ordering
    levels: list[Level]

    @property
    def sections(self) -> dict[str, str]:
        """The sections shown, key: title, in column order."""
        return self.group.sections if self.group is not None else {}

    @property
    def channel(self) -> str | None:
        """The channel whose sections are shown; ``None`` for the shared sections."""
        return self.group.channel if self.group is not None else None

    @property
    def channel_median(self) -> HeatCell | None:
        """The district median score of the channel shown (``None`` for the shared sections)."""
        if self.channel is None:
            return None
        figures = self.scores.district.channels.get(self.channel)
        return HeatCell(figures.median if figures is not None else None)

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


def _channel_score(school: SchoolScore, channel: str) -> float | None:
    figures = school.channels.get(channel)
    return figures.score if figures is not None else None


def _sort_key(column: str, channel: str | None) -> Callable[[SchoolScore], float | str | None]:
    if column == "name":
        return lambda school: school.name.casefold()
    if column == "overall":
        return lambda school: school.overall
    if column == channel:
        return lambda school: _channel_score(school, column)
    return lambda school: school.sections.get(column)


def _chosen(groups: list[SectionGroup], key: str | None) -> SectionGroup | None:
    """The group ``key`` names, else the first (``None`` when there is none)."""
    return next((group for group in groups if group.key == key), groups[0] if groups else None)


def heatmap(
    session: Session,
    round_: Round,
    sort: str | None = None,
    direction: str | None = None,
    level: str | None = None,
    channel: str | None = None,
) -> Heatmap:
    """Score ``round_`` once, laid out as schools × the sections of one channel (``channel``: ``phone``,
    ``email``, ``visit`` or ``shared``; default the first with sections).

    ``sort`` is ``name``, ``overall``, the channel shown or one of its section keys; any
    other column falls back to ``overall``.
    """
    scores = round_scores(session, round_, precision=False)  # the heat map shows no interval or band
    groups = section_groups(session, section_titles(session, scores.district.sections))
    group = _chosen(groups, channel)
    shown = group.channel if group is not None else None
    sections = list(group.sections) if group is not None else []
    columns = ("name", "overall", *([shown] if shown else []), *sections)
    ordering = Ordering.parse(sort, direction, level, columns)
    schools = scores.schools
    if ordering.level is not None:
        schools = [school for school in schools if school.level == ordering.level.value]
    ordered = sort_rows(
        schools, _sort_key(ordering.sort, shown), lambda school: school.name.casefold(), ordering.descending
    )
    rows = [
        HeatRow(
            school,
            HeatCell(school.overall),
            HeatCell(_channel_score(school, shown)) if shown else None,
            [HeatCell(school.sections.get(key)) for key in sections],
        )
        for school in ordered
    ]
    return Heatmap(round_, scores, groups, group, rows, ordering, levels_of(scores.schools))
