"""District figures of many rounds at once, for the state-wide view.

The state-wide view sets a hundred districts side by side and shows, for each, only district figures:
the spread of its schools' overall scores (and their distribution), its reach, and the spread of
its schools' channel and section scores. Scoring every round in full with ``round_scores`` (each
school's ranks, intervals, timings, names and previous scores) cost seconds for 20,000 schools, so
this reads only the columns those figures need, in two grouped queries whatever the number of
rounds, and applies the engine's own rules to them (``school_overall``, ``section_score``,
``Spread.of``): a district's figures here equal its own round's ``round_scores`` (tested).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from audits.scoring.collector import collector_paused
from audits.scoring.engine import CHANNELS, Spread, school_overall, section_score
from audits.scoring.queries import grouped_rows, rounds_channel_scores, rounds_section_scores


@dataclass
class RoundFigures:
    """One round's district figures: what the state-wide view compares."""

    round_id: int
    overall: Spread = field(default_factory=Spread)  # the schools' overall scores (rule 8)
    school_overalls: list[float] = field(default_factory=list)  # each scored school's overall
    channels: dict[str, Spread] = field(default_factory=dict)  # the schools' channel scores
    sections: dict[str, Spread] = field(default_factory=dict)  # the schools' section scores
    contacts: int = 0  # counted contacts
    reached: int = 0  # counted contacts that reached the school


def rounds_figures(session: Session, round_ids: list[int]) -> dict[int, RoundFigures]:
    """The district figures of each round of ``round_ids`` (of any districts), by round id, in two
    queries; a round without counted contacts has empty figures."""
    if not round_ids:
        return {}
    with collector_paused():
        return _figures(session, round_ids)


def _figures(session: Session, round_ids: list[int]) -> dict[int, RoundFigures]:
    figures = {round_id: RoundFigures(round_id) for round_id in round_ids}
    # Keyed by tuples, taken by position: a row's named attributes and nested dictionaries cost
    # microseconds a row, over the 160,000 rows of a hundred districts.
    school_channels: dict[tuple[int, int], list[float | None]] = defaultdict(list)
    channel_scores: dict[tuple[int, str], list[float]] = defaultdict(list)
    for round_id, school_id, channel, score, contacts, reached in grouped_rows(
        session, rounds_channel_scores(round_ids)
    ):
        value = None if score is None else float(score)
        school_channels[round_id, school_id].append(value)
        if value is not None:
            channel_scores[round_id, channel].append(value)
        round_figures = figures[round_id]
        round_figures.contacts += contacts
        round_figures.reached += reached or 0
    section_scores: dict[tuple[int, str], list[float]] = defaultdict(list)
    for round_id, section, earned, possible in grouped_rows(session, rounds_section_scores(round_ids)):
        score = section_score(earned, possible)
        if score is not None:
            section_scores[round_id, section].append(score)
    for (round_id, _school_id), channel_values in school_channels.items():
        overall = school_overall(channel_values)
        if overall is not None:
            figures[round_id].school_overalls.append(overall)
    for round_figures in figures.values():
        round_figures.overall = Spread.of(round_figures.school_overalls)
        round_id = round_figures.round_id
        round_figures.channels = {
            channel: Spread.of(channel_scores.get((round_id, channel), [])) for channel in CHANNELS
        }
    for (round_id, section), values in sorted(section_scores.items()):
        figures[round_id].sections[section] = Spread.of(values)
    return figures
