"""School-level rows: every figure the scoring engine gives for each school of a round.

``rank`` is the engine's exact position; ``rank_best``–``rank_worst`` the ranks the school's
interval allows and ``rank_band`` the words the scorecard prints for it (rule 14). Shares
(reach rates) are percentages; the sections come channel by channel, as on the heat map.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from audits.models import Channel, Round
from audits.results.sections import section_groups, section_titles
from audits.scoring.engine import CHANNELS, ChannelFigures, RoundScores, round_scores
from audits.vocabulary import channel_label
from reports.exports.table import Cell, Column, Kind, Table, percent

SCHOOL_COLUMNS = [
    Column("round", "Round", width=28),
    Column("school_nces_id", "School NCES id", width=14),
    Column("school_name", "School", width=34),
    Column("level", "Level", width=12),
    Column("rank", "Rank", Kind.WHOLE),
    Column("rank_best", "Rank, best possible", Kind.WHOLE),
    Column("rank_worst", "Rank, worst possible", Kind.WHOLE),
    Column("rank_band", "Rank band", width=30),
    Column("overall", "Overall score (%)", Kind.DECIMAL),
    Column("overall_low", "Overall score, low end of range (%)", Kind.DECIMAL),
    Column("overall_high", "Overall score, high end of range (%)", Kind.DECIMAL),
    Column("early_reading", "Early reading", Kind.YES_NO),
    Column("previous_overall", "Previous round's overall score (%)", Kind.DECIMAL),
    Column("change", "Change since previous round (points)", Kind.DECIMAL),
    Column("contacts", "Contacts", Kind.WHOLE),
    Column("reached", "Contacts that reached the school", Kind.WHOLE),
    Column("reach_rate", "Reach rate (%)", Kind.DECIMAL),
    Column("critical_failures", "Critical failures", Kind.WHOLE),
    Column("median_email_hours", "Median email reply (business hours)", Kind.DECIMAL),
]
# Each channel's figures: (field name, header after the channel's label, kind); rings and hold only a
# phone call has.
CHANNEL_COLUMNS = [
    ("score", "score (%)", Kind.DECIMAL),
    ("contacts", "contacts", Kind.WHOLE),
    ("early_reading", "early reading", Kind.YES_NO),
    ("reached", "contacts that reached the school", Kind.WHOLE),
    ("reach_rate", "reach rate (%)", Kind.DECIMAL),
    ("critical_failures", "critical failures", Kind.WHOLE),
]
PHONE_COLUMNS = [
    ("mean_rings", "mean rings", Kind.DECIMAL),
    ("mean_hold_seconds", "mean hold (seconds)", Kind.DECIMAL),
]


def _channel_columns(channel: str) -> list[tuple[str, str, Kind]]:
    return CHANNEL_COLUMNS + PHONE_COLUMNS if channel == Channel.PHONE else CHANNEL_COLUMNS


def school_columns(sections: dict[str, str]) -> list[Column]:
    """The columns of the school-level export for a round with these sections (key: title): the school's
    figures, each channel's ("Phone call contacts") and each section's score ("Courtesy score (%)")."""
    per_channel = [
        Column(f"{channel}_{name}", f"{channel_label(channel)} {words}", kind)
        for channel in CHANNELS
        for name, words, kind in _channel_columns(channel)
    ]
    titles = list(sections.values())
    per_section = [
        Column(
            f"section_{key}",
            # Two sections with one title (rubrics that disagree) are told apart by their key.
            f"{title} score (%)" if titles.count(title) == 1 else f"{title} ({key}) score (%)",
            Kind.DECIMAL,
        )
        for key, title in sections.items()
    ]
    return [*SCHOOL_COLUMNS, *per_channel, *per_section]


def _channel_cells(channel: str, figures: ChannelFigures | None) -> list[Cell]:
    if figures is None:
        return [None] * len(_channel_columns(channel))
    cells: list[Cell] = [
        figures.score,
        figures.contacts,
        figures.early,
        figures.reached,
        percent(figures.reach_rate),
        figures.critical_failures,
    ]
    if channel == Channel.PHONE:
        cells += [figures.mean_rings, figures.mean_hold_seconds]
    return cells


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
            percent(school.reach_rate),
            school.critical_failures,
            school.median_email_hours,
        ]
        for channel in CHANNELS:
            cells.extend(_channel_cells(channel, school.channels.get(channel)))
        cells.extend(school.sections.get(key) for key in section_keys)
        yield cells


def school_table(session: Session, round_: Round) -> Table:
    """The round's school-level export, ranked, from one run of the scoring engine."""
    scores = round_scores(session, round_)
    groups = section_groups(session, section_titles(session, scores.district.sections))
    sections = {key: title for group in groups for key, title in group.sections.items()}
    return Table("Schools", school_columns(sections), _rows(round_, scores, list(sections)))
