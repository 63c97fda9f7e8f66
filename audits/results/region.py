"""The state-wide view: districts side by side, each on its latest published round (or the latest one
in a chosen period), scored by the same engine as each district's own dashboard.

For every district: the mean and median of its schools' overall scores, its reach (contacts that
reached a school over counted contacts), the distribution of its school scores, and one heat-map row
of its section medians, under the same section columns, grouped by channel, as the round heat map.
It reads in a fixed number of queries however many districts there are (``rounds_figures`` scores
every chosen round together, by the engine's rules), and it is an administrator's view: a district
leader never sees another district's schools or figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from audits.errors import ValidationError
from audits.models import Contact, District, Round, RoundStatus, Rubric
from audits.results.heatmap import Band, HeatCell
from audits.results.overview import HistogramBin, histogram
from audits.results.sections import SectionGroup, section_groups, section_titles
from audits.scoring.engine import Spread
from audits.scoring.queries import counted, grouped_rows
from audits.scoring.state import RoundFigures, rounds_figures


@dataclass(frozen=True)
class Period:
    """The days a compared round must start within (either end open)."""

    since: date | None = None
    until: date | None = None

    @classmethod
    def of(cls, since: date | None, until: date | None) -> Period:
        """A period from ``since`` to ``until``; an end before its start is refused."""
        if since is not None and until is not None and until < since:
            raise ValidationError.many([("until", "The end of the period must not be before its start.")])
        return cls(since, until)

    @property
    def chosen(self) -> bool:
        """Whether a period was chosen (else: each district's latest published round)."""
        return self.since is not None or self.until is not None


@dataclass
class DistrictRow:
    """One district in the comparison: its compared round (``None`` when it has none) and its figures."""

    district: District
    round: Round | None = None
    figures: RoundFigures | None = None
    rubric_keys: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Spread:
        """Mean and median of the schools' overall scores (rule 8), and how many schools have one."""
        return self.figures.overall if self.figures is not None else Spread()

    @property
    def contacts(self) -> int:
        """Counted contacts of the round."""
        return self.figures.contacts if self.figures is not None else 0

    @property
    def reached(self) -> int:
        """Counted contacts that reached a school."""
        return self.figures.reached if self.figures is not None else 0

    @property
    def reach_rate(self) -> float | None:
        """Share of counted contacts that reached a school (``None`` without contacts)."""
        return self.reached / self.contacts if self.contacts else None

    @property
    def histogram(self) -> list[HistogramBin]:
        """The distribution of the schools' overall scores, in the overview's bins."""
        return histogram(self.figures.school_overalls if self.figures is not None else [])

    def section_median(self, key: str) -> HeatCell:
        """The district median of section ``key`` (the per-district heat map's median row)."""
        spread = self.figures.sections.get(key) if self.figures is not None else None
        return HeatCell(spread.median if spread is not None else None)

    def channel_median(self, channel: str | None) -> HeatCell | None:
        """The district median score of ``channel`` (``None`` for the shared sections)."""
        if channel is None:
            return None
        spread = self.figures.channels.get(channel) if self.figures is not None else None
        return HeatCell(spread.median if spread is not None else None)

    @property
    def overall_median(self) -> HeatCell:
        """The district median overall score, as a heat-map cell."""
        return HeatCell(self.overall.median)


@dataclass
class StateComparison:
    """Every district side by side, ready to render or to answer in the API."""

    rows: list[DistrictRow]
    groups: list[SectionGroup]  # the heat map's columns: section keys grouped by channel
    period: Period

    @property
    def compared(self) -> list[DistrictRow]:
        """The districts with a round to compare."""
        return [row for row in self.rows if row.round is not None]

    @property
    def rubric_keys(self) -> list[str]:
        """The library rubrics (keys) the compared rounds were scored on."""
        return sorted({key for row in self.rows for key in row.rubric_keys})

    @property
    def bands(self) -> list[Band]:
        """The heat map's legend, highest band first."""
        return list(Band)


def _compared_rounds(session: Session, period: Period) -> list[Round]:
    """Each district's latest published round (follow-ups left out) starting within ``period`` (one query)."""
    conditions = [Round.status == RoundStatus.PUBLISHED, Round.follows_round_id.is_(None)]
    if period.since is not None:
        conditions.append(Round.first_day >= period.since)
    if period.until is not None:
        conditions.append(Round.first_day <= period.until)
    place = (
        func.row_number()
        .over(partition_by=Round.district_id, order_by=(Round.first_day.desc(), Round.id.desc()))
        .label("place")
    )
    latest = select(Round.id.label("id"), place).where(*conditions).subquery()
    stmt = (
        select(Round)
        .join(latest, latest.c.id == Round.id)
        .where(latest.c.place == 1)
        .options(joinedload(Round.district))
    )
    return list(session.scalars(stmt))


def _rubric_keys(session: Session, round_ids: list[int]) -> dict[int, list[str]]:
    """The keys of the rubrics each round's counted contacts were scored on (one query)."""
    keys: dict[int, set[str]] = defaultdict(set)
    if not round_ids:
        return {}
    # The distinct (round, rubric) pairs first, by the contacts' own round id (their partial index,
    # not every district's assignments), then their keys: a join before the distinct sorted 60,000 keys.
    used = (
        select(Contact.round_id, Contact.rubric_id)
        .where(counted(), Contact.round_id.in_(round_ids))
        .distinct()
        .subquery()
    )
    stmt = select(used.c.round_id, Rubric.key).join(Rubric, Rubric.id == used.c.rubric_id)
    for round_id, key in grouped_rows(session, stmt):
        keys[round_id].add(key)
    return {round_id: sorted(found) for round_id, found in keys.items()}


def state_comparison(session: Session, period: Period | None = None) -> StateComparison:
    """Every district beside the others on its latest published round within ``period`` (default: its
    latest published round), in a fixed number of queries whatever the number of districts."""
    period = period or Period()
    districts = list(session.scalars(select(District).order_by(District.name, District.id)))
    rounds = _compared_rounds(session, period)
    figures = rounds_figures(session, [round_.id for round_ in rounds])
    keys = _rubric_keys(session, [round_.id for round_ in rounds])
    by_district = {round_.district_id: round_ for round_ in rounds}
    rows = []
    for district in districts:
        round_ = by_district.get(district.id)
        if round_ is None:
            rows.append(DistrictRow(district))
        else:
            rows.append(DistrictRow(district, round_, figures[round_.id], keys.get(round_.id, [])))
    section_keys = {key for row in rows if row.figures is not None for key in row.figures.sections}
    groups = section_groups(session, section_titles(session, section_keys))
    return StateComparison(rows, groups, period)
