"""School-level rows: every figure the scoring engine gives for each school of a round.

``rank`` is the engine's exact position; ``rank_best``–``rank_worst`` the ranks the school's
interval allows and ``rank_band`` the words the scorecard prints for it (rule 14).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from audits.models import Round
from audits.scoring.engine import CHANNELS, ChannelFigures, RoundScores, round_scores
from reports.exports.table import Cell, Table

SCHOOL_COLUMNS = [
    "round",
    "school_nces_id",
    "school_name",
    "level",
    "rank",
    "rank_best",
    "rank_worst",
    "rank_band",
    "overall",
    "overall_low",
    "overall_high",
    "early_reading",
    "previous_overall",
    "change",
    "contacts",
    "reached",
    "reach_rate",
    "critical_failures",
    "median_email_hours",
]
CHANNEL_COLUMNS = [
    "score",
    "contacts",
    "early_reading",
    "reached",
    "reach_rate",
    "critical_failures",
    "mean_rings",
    "mean_hold_seconds",
]


def school_columns(section_keys: list[str]) -> list[str]:
    """The columns of the school-level export for a round with these section keys."""
    per_channel = [f"{channel}_{name}" for channel in CHANNELS for name in CHANNEL_COLUMNS]
    return [*SCHOOL_COLUMNS, *per_channel, *(f"section_{key}" for key in section_keys)]


def _channel_cells(figures: ChannelFigures | None) -> list[Cell]:
    if figures is None:
        return [None] * len(CHANNEL_COLUMNS)
    return [
        figures.score,
        figures.contacts,
        figures.early,
        figures.reached,
        figures.reach_rate,
        figures.critical_failures,
        figures.mean_rings,
        figures.mean_hold_seconds,
    ]


def _rows(round_: Round, scores: RoundScores, section_keys: list[str]) -> Iterator[list[Cell]]:
    ranked = sorted(scores.schools, key=lambda s: (s.rank is None, s.rank or 0, s.name))
    for school in ranked:
        standing, interval = school.standing, school.interval
        cells: list[Cell] = [
            round_.name,
            school.nces_id,
            school.name,
            school.level,
            school.rank,
            standing.best if standing else None,
            standing.worst if standing else None,
            standing.text if standing else None,
            school.overall,
            interval.low if interval else None,
            interval.high if interval else None,
            school.early,
            school.previous,
            school.change,
            school.contacts,
            school.reached,
            school.reach_rate,
            school.critical_failures,
            school.median_email_hours,
        ]
        for channel in CHANNELS:
            cells.extend(_channel_cells(school.channels.get(channel)))
        cells.extend(school.sections.get(key) for key in section_keys)
        yield cells


def school_table(session: Session, round_: Round) -> Table:
    """The round's school-level export, ranked, from one run of the scoring engine."""
    scores = round_scores(session, round_)
    section_keys = sorted(scores.district.sections)
    return Table("Schools", school_columns(section_keys), _rows(round_, scores, section_keys))
