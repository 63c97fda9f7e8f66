"""Round scores: schools, channels, sections, district figures, ranks and change.

Rules (the README's scoring section says the same in words):
1. item: earned = fraction × points, possible = points; N/A and text add nothing;
2. contact score = 100 × Σ earned ÷ Σ possible (none when nothing is possible);
3. section score = the same ratio over the items of sections with that key (pooled per school);
4. a critical item at fraction 0 is a critical failure; ``zero`` policy scores the contact 0;
5. an unreached contact scores 0 and counts in the reach rate;
6. school channel score = mean of its contacts' scores in that channel;
7. school overall = mean of its channel scores;
8. district figures = mean and median of school figures (overall, per channel, per section);
9. rank: by overall, highest first, ties share a rank (1, 2, 2, 4);
10. change = overall - the school's overall in the district's latest earlier round with one;
11. timings: mean rings, mean hold seconds, median email response in business hours, reach rate;
12.–14. how sure: early readings, the overall's interval and the rank band (``audits.scoring.precision``).
The work is a fixed handful of grouped queries, whatever the number of schools or contacts.
Every page, PDF, export and API answer reads its figures from here, so a count means the same
thing everywhere: ``critical_failures`` counts contacts with a critical failure (not failed
items), ``reached`` counts contacts that reached the school, ``contacts`` counted contacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import fmean, median
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from audits.models import Assignment, Channel, Contact, Round, School
from audits.scoring.collector import collector_paused
from audits.scoring.precision import (
    DEFAULT_EARLY_READING,
    Interval,
    RankStanding,
    is_early,
    overall_intervals,
    standings,
)
from audits.scoring.queries import (
    counted,
    earlier_rounds,
    email_response_hours,
    grouped_rows,
    latest_earlier_round,
    school_channel_scores,
    school_contact_scores,
    school_section_scores,
)

CHANNELS = [channel.value for channel in Channel]


@dataclass
class ChannelFigures:
    """One school's (or the district's) figures on one channel."""

    score: float | None = None
    contacts: int = 0
    reached: int = 0
    critical_failures: int = 0
    mean_rings: float | None = None
    mean_hold_seconds: float | None = None
    rings_contacts: int = 0  # the contacts ``mean_rings`` rests on
    hold_contacts: int = 0  # the contacts ``mean_hold_seconds`` rests on
    early: bool = False  # rests on fewer contacts than the district's early-reading number

    @property
    def reach_rate(self) -> float | None:
        """Share of counted contacts that reached the school (None without contacts)."""
        return self.reached / self.contacts if self.contacts else None


@dataclass
class SchoolScore:
    """A school's results for one round."""

    school_id: int
    nces_id: str
    name: str
    level: str
    overall: float | None = None
    channels: dict[str, ChannelFigures] = field(default_factory=dict)
    sections: dict[str, float] = field(default_factory=dict)
    contacts: int = 0
    critical_failures: int = 0
    reached: int = 0
    median_email_hours: float | None = None
    email_replies: int = 0  # the replies ``median_email_hours`` rests on
    rank: int | None = None
    previous: float | None = None
    section_contacts: dict[str, int] = field(default_factory=dict)
    interval: Interval | None = None
    standing: RankStanding | None = None
    early: bool = False  # the overall rests on a channel that is an early reading

    @property
    def change(self) -> float | None:
        """This round's overall minus the previous one (None when either is missing)."""
        if self.overall is None or self.previous is None:
            return None
        return self.overall - self.previous

    @property
    def reach_rate(self) -> float | None:
        """Share of all counted contacts that reached the school."""
        return self.reached / self.contacts if self.contacts else None


@dataclass
class Spread:
    """Mean and median of a set of school figures."""

    mean: float | None = None
    median: float | None = None
    count: int = 0

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        """The spread of ``values`` (empty: no mean or median)."""
        return cls(fmean(values), median(values), len(values)) if values else cls()


@dataclass
class DistrictFigures:
    """District figures for a round: spreads of school figures, timings and reach per channel."""

    overall: Spread = field(default_factory=Spread)
    channels: dict[str, Spread] = field(default_factory=dict)
    sections: dict[str, Spread] = field(default_factory=dict)
    channel_totals: dict[str, ChannelFigures] = field(default_factory=dict)
    median_email_hours: float | None = None
    critical_failures: int = 0
    previous_overall: Spread = field(default_factory=Spread)

    @property
    def change(self) -> float | None:
        """Change of the district median from the schools' previous rounds."""
        if self.overall.median is None or self.previous_overall.median is None:
            return None
        return self.overall.median - self.previous_overall.median


@dataclass
class RoundScores:
    """Everything scored for one round."""

    round_id: int
    schools: list[SchoolScore]
    district: DistrictFigures
    early_reading: int = (
        DEFAULT_EARLY_READING  # the district's number of contacts below which a figure is early
    )

    def school(self, school_id: int) -> SchoolScore | None:
        """The score of one school, if it has any counted contact."""
        return next((school for school in self.schools if school.school_id == school_id), None)


def rank_schools(schools: list[SchoolScore]) -> None:
    """Rank by overall, highest first; ties share a rank and the next rank skips (1, 2, 2, 4)."""
    scored = [(overall, school) for school in schools if (overall := school.overall) is not None]
    previous_score: float | None = None
    previous_rank = 0
    for position, (overall, school) in enumerate(sorted(scored, key=lambda pair: -pair[0]), start=1):
        if previous_score is None or overall != previous_score:
            previous_rank = position
            previous_score = overall
        school.rank = previous_rank


def school_overall(channel_scores: list[float | None]) -> float | None:
    """Rule 7: a school's overall is the mean of its channel scores (``None`` when none has one)."""
    present = [score for score in channel_scores if score is not None]
    return fmean(present) if present else None


def section_score(earned: float, possible: float | None) -> float | None:
    """Rule 3: a section score is 100 × Σ earned ÷ Σ possible (``None`` when nothing was possible)."""
    return 100.0 * earned / possible if possible and possible > 0 else None


def round_scores(
    session: Session, round_: Round, sections: bool = True, precision: bool = True
) -> RoundScores:
    """Score every school of ``round_`` from its approved contacts, in seven grouped queries.

    ``sections=False`` leaves out the section scores (one query fewer) for pages that
    do not show them; ``precision=False`` the intervals and rank bands (one query fewer,
    for the earlier rounds of a trend); everything else is the same.
    """
    with collector_paused():
        return _round_scores(session, round_, sections, precision)


def _round_scores(session: Session, round_: Round, sections: bool, precision: bool) -> RoundScores:
    early_reading = round_.district.early_reading_contacts
    previous_id = session.scalar(latest_earlier_round(round_))
    round_ids = [round_.id] if previous_id is None else [round_.id, previous_id]
    rows = grouped_rows(session, school_channel_scores(round_ids))
    info = {
        school_id: (nces_id, name, level.value)
        for school_id, nces_id, name, level in grouped_rows(
            session,
            select(School.id, School.nces_id, School.name, School.level).where(
                School.id.in_(select(Assignment.school_id).where(Assignment.round_id == round_.id))
            ),
        )
    }
    # By position (``school_channel_scores``' first column is the round): see ``_assemble``.
    current_rows = [row for row in rows if row[0] == round_.id]
    previous_rows = [row for row in rows if row[0] != round_.id]
    section_rows = grouped_rows(session, school_section_scores(round_.id)) if sections else []
    hours_rows = grouped_rows(session, email_response_hours(round_.id))
    schools, totals, rings, holds, email_hours = _assemble(
        current_rows, info, section_rows, hours_rows, early_reading
    )
    missing = _fill_previous(schools, previous_rows, set(schools))
    _previous_overalls(session, round_, schools, missing)
    ordered = sorted(schools.values(), key=lambda s: s.name)
    rank_schools(ordered)
    if precision:
        _precision(session, round_, schools, ordered)
    district = _district(ordered, totals, rings, holds, email_hours)
    return RoundScores(round_.id, ordered, district, early_reading)


Totals = tuple[
    dict[int, SchoolScore],
    dict[str, ChannelFigures],
    dict[str, list[tuple[float, int]]],
    dict[str, list[tuple[float, int]]],
    dict[int, list[float]],
]


def _assemble(
    rows: Iterable[Row[Any]],
    info: dict[int, tuple[str, str, str]],
    section_rows: Iterable[Row[Any]],
    hours_rows: Iterable[Row[Any]],
    early_reading: int,
) -> Totals:
    """Rules 6 and 7 (and the section scores, rule 3) for one round's rows: its schools, the channel
    totals, the rings and holds to weigh, and each school's email reply hours."""
    schools: dict[int, SchoolScore] = {}
    totals: dict[str, ChannelFigures] = defaultdict(ChannelFigures)
    rings: dict[str, list[tuple[float, int]]] = defaultdict(list)
    holds: dict[str, list[tuple[float, int]]] = defaultdict(list)
    # Unpacked by position (``school_channel_scores``' columns): a row's named attributes cost a few
    # microseconds each, which over 60,000 rows of a state-wide comparison was most of its time.
    for (
        _round_id,
        school_id,
        channel_column,
        score,
        contacts,
        _scored,
        critical_failures,
        reached,
        mean_rings,
        mean_hold_seconds,
        rings_contacts,
        hold_contacts,
    ) in rows:
        school = schools.get(school_id)
        if school is None:
            school = schools[school_id] = SchoolScore(school_id, *info[school_id])
        figures = ChannelFigures(
            score=None if score is None else float(score),
            contacts=contacts,
            reached=int(reached or 0),
            critical_failures=int(critical_failures or 0),
            mean_rings=None if mean_rings is None else float(mean_rings),
            mean_hold_seconds=None if mean_hold_seconds is None else float(mean_hold_seconds),
            rings_contacts=int(rings_contacts or 0),
            hold_contacts=int(hold_contacts or 0),
            early=is_early(contacts, early_reading),
        )
        channel = channel_column.value
        school.channels[channel] = figures
        school.contacts += figures.contacts
        school.reached += figures.reached
        school.critical_failures += figures.critical_failures
        total = totals[channel]
        total.contacts += figures.contacts
        total.reached += figures.reached
        total.critical_failures += figures.critical_failures
        if figures.mean_rings is not None:
            rings[channel].append((figures.mean_rings, figures.reached))
        if figures.mean_hold_seconds is not None:
            holds[channel].append((figures.mean_hold_seconds, figures.reached))
    for school in schools.values():
        school.overall = school_overall([figures.score for figures in school.channels.values()])
        school.early = any(f.early for f in school.channels.values() if f.score is not None)
    # The section and hour rows end with the same columns for one round or several (which lead with
    # the round id): taken by position from the end.
    for *_, school_id, section, earned, possible, section_contacts in section_rows:
        school = schools.get(school_id)
        score = section_score(earned, possible)
        if school is not None and score is not None:
            school.sections[section] = score
            school.section_contacts[section] = int(section_contacts)
    email_hours: dict[int, list[float]] = defaultdict(list)
    for *_, school_id, hours in hours_rows:
        email_hours[school_id].append(float(hours))
    for school_id, values in email_hours.items():
        if school_id in schools:
            schools[school_id].median_email_hours = median(values)
            schools[school_id].email_replies = len(values)
    return schools, totals, rings, holds, email_hours


def _precision(
    session: Session, round_: Round, schools: dict[int, SchoolScore], ordered: list[SchoolScore]
) -> None:
    """Rules 13 and 14: each school's interval from its contact scores, then every ranked school's band."""
    contact_scores: dict[int, list[float]] = defaultdict(list)
    for school_id, score in grouped_rows(session, school_contact_scores(round_.id)):
        contact_scores[school_id].append(float(score))
    scored = [school for school in ordered if school.overall is not None]
    wanted = [(school.overall or 0.0, contact_scores.get(school.school_id, [])) for school in scored]
    for school, interval in zip(scored, overall_intervals(wanted), strict=True):
        school.interval = interval
    ranked = [school for school in ordered if school.rank is not None]
    for school, standing in zip(ranked, standings([(s.rank or 0, s.interval) for s in ranked]), strict=True):
        school.standing = standing


def _weighted_mean(pairs: list[tuple[float, int]]) -> float | None:
    weight = sum(count for _, count in pairs)
    return sum(value * count for value, count in pairs) / weight if weight else None


def _district(
    schools: list[SchoolScore],
    totals: dict[str, ChannelFigures],
    rings: dict[str, list[tuple[float, int]]],
    holds: dict[str, list[tuple[float, int]]],
    email_hours: dict[int, list[float]],
) -> DistrictFigures:
    district = DistrictFigures(overall=Spread.of([s.overall for s in schools if s.overall is not None]))
    for channel in CHANNELS:
        values = [s.channels[channel].score for s in schools if channel in s.channels]
        district.channels[channel] = Spread.of([v for v in values if v is not None])
    sections = sorted({key for s in schools for key in s.sections})
    district.sections = {
        key: Spread.of([s.sections[key] for s in schools if key in s.sections]) for key in sections
    }
    for channel, total in totals.items():
        total.mean_rings = _weighted_mean(rings[channel])
        total.mean_hold_seconds = _weighted_mean(holds[channel])
        total.score = district.channels[channel].mean
    district.channel_totals = dict(totals)
    all_hours = [hours for values in email_hours.values() for hours in values]
    district.median_email_hours = median(all_hours) if all_hours else None
    district.critical_failures = sum(s.critical_failures for s in schools)
    district.previous_overall = Spread.of([s.previous for s in schools if s.previous is not None])
    return district


def _previous_overalls(
    session: Session, round_: Round, schools: dict[int, SchoolScore], missing: set[int]
) -> None:
    """Fill the ``missing`` schools' overall from their own latest earlier round with one.

    Usually every school was scored in the district's latest earlier round, which
    ``round_scores`` scores together with ``round_``. Looking up the earlier rounds of
    the schools it did not score costs next to nothing (always asked, so the query
    count stays the same); those schools fall back one round at a time, a query a step.
    """
    candidates = session.execute(
        select(Assignment.school_id, Round.id, Round.first_day)
        .join(Contact, Contact.assignment_id == Assignment.id)
        .join(Round, Round.id == Assignment.round_id)
        .where(counted(), Round.id.in_(earlier_rounds(round_)), Assignment.school_id.in_(missing))
        .distinct()
    ).all()
    history: dict[int, list[int]] = defaultdict(list)
    for school_id, round_id, _ in sorted(candidates, key=lambda row: (row[2], row[1]), reverse=True):
        history[school_id].append(round_id)
    step = 0
    while history:
        wanted = {school_id: rounds[step] for school_id, rounds in history.items() if step < len(rounds)}
        if not wanted:
            return
        rows = grouped_rows(session, school_channel_scores(sorted(set(wanted.values()))))
        still = _fill_previous(schools, rows, set(wanted), wanted)
        for school_id in set(wanted) - still:
            del history[school_id]
        step += 1


def _fill_previous(
    schools: dict[int, SchoolScore],
    rows: Iterable[Row[Any]],
    school_ids: set[int],
    wanted: dict[int, int] | None = None,
) -> set[int]:
    """Set ``previous`` of ``school_ids`` from their overall in ``rows`` of ``school_channel_scores``
    (each school's ``wanted`` round when given); return the schools still without one."""
    overalls: dict[int, list[float | None]] = defaultdict(list)
    for round_id, school_id, _channel, score, *_ in rows:  # by position, as in ``_assemble``
        if school_id in school_ids and (wanted is None or wanted[school_id] == round_id):
            overalls[school_id].append(None if score is None else float(score))
    missing = set()
    for school_id in school_ids:
        overall = school_overall(overalls.get(school_id, []))
        if overall is None:
            missing.add(school_id)
        else:
            schools[school_id].previous = overall
    return missing


def school_trend(session: Session, school: School) -> list[tuple[Round, float | None]]:
    """A school's overall in each of its district's rounds that scored it, oldest first (two queries)."""
    rounds = list(
        session.scalars(
            select(Round).where(Round.district_id == school.district_id).order_by(Round.first_day)
        )
    )
    scores: dict[int, list[float | None]] = defaultdict(list)
    for row in grouped_rows(session, school_channel_scores([r.id for r in rounds], school_id=school.id)):
        scores[row.round_id].append(float(row.score) if row.score is not None else None)
    return [(r, school_overall(scores[r.id])) for r in rounds if r.id in scores]
