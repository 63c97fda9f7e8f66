"""A round at a glance: district spread, score distribution, timings, flagged schools, ranking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from audits.models import Level, Round
from audits.results.ordering import Ordering, sort_rows
from audits.results.thresholds import flagged_schools
from audits.scoring.engine import CHANNELS, RoundScores, SchoolScore, round_scores

RANKING_COLUMNS = ("name", "overall", "change", *CHANNELS, "contacts")
BIN_WIDTH = 10


@dataclass(frozen=True)
class HistogramBin:
    """How many schools have an overall score from ``low`` up to ``high`` (100 falls in the last bin)."""

    low: int
    high: int
    count: int

    @property
    def label(self) -> str:
        """``60–70``."""
        return f"{self.low}–{self.high}"


@dataclass
class RoundOverview:
    """Everything the round overview page shows."""

    round: Round
    scores: RoundScores
    threshold: float
    flagged: list[SchoolScore]
    rows: list[SchoolScore]
    ordering: Ordering
    levels: list[Level]
    histogram: list[HistogramBin]

    @property
    def mean_change(self) -> float | None:
        """District mean minus the mean of the schools' previous overall scores."""
        now, before = self.scores.district.overall.mean, self.scores.district.previous_overall.mean
        return None if now is None or before is None else now - before

    @property
    def unscored(self) -> int:
        """Schools with counted contacts but no score (nothing could be scored)."""
        return sum(1 for school in self.scores.schools if school.overall is None)


def histogram(scores: list[float], width: int = BIN_WIDTH) -> list[HistogramBin]:
    """Count ``scores`` (0–100) in bins of ``width`` points: 0–10, 10–20, … 90–100."""
    bins = 100 // width
    counts = [0] * bins
    for score in scores:
        counts[min(max(int(score // width), 0), bins - 1)] += 1
    return [HistogramBin(i * width, (i + 1) * width, count) for i, count in enumerate(counts)]


def ranking_key(column: str) -> Callable[[SchoolScore], float | str | None]:
    """The value a ranking row sorts on for ``column``."""
    if column == "name":
        return lambda school: school.name.casefold()
    if column in CHANNELS:
        return lambda school: school.channels[column].score if column in school.channels else None
    return lambda school: getattr(school, column)


def rank_table(schools: list[SchoolScore], ordering: Ordering) -> list[SchoolScore]:
    """The ranking table: ``schools`` of the chosen level, in the chosen order."""
    if ordering.level is not None:
        schools = [school for school in schools if school.level == ordering.level.value]
    return sort_rows(
        schools,
        ranking_key(ordering.sort),
        lambda school: school.name.casefold(),
        ordering.descending,
    )


def levels_of(schools: list[SchoolScore]) -> list[Level]:
    """The school levels present, in the usual order."""
    present = {school.level for school in schools}
    return [level for level in Level if level.value in present]


def round_overview(
    session: Session,
    round_: Round,
    sort: str | None = None,
    direction: str | None = None,
    level: str | None = None,
) -> RoundOverview:
    """Score ``round_`` once and arrange it for the overview page (``sort``: a ``RANKING_COLUMNS`` name)."""
    ordering = Ordering.parse(sort, direction, level, RANKING_COLUMNS)
    scores = round_scores(session, round_, sections=False)  # the overview shows no section
    threshold = round_.district.alert_threshold
    return RoundOverview(
        round=round_,
        scores=scores,
        threshold=threshold,
        flagged=flagged_schools(scores.schools, threshold),
        rows=rank_table(scores.schools, ordering),
        ordering=ordering,
        levels=levels_of(scores.schools),
        histogram=histogram([school.overall for school in scores.schools if school.overall is not None]),
    )
