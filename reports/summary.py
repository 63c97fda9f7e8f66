"""The district summary of a round: ranking, heat map, distribution, timings, change, alerts, appeals.

Built from one run of the scoring engine plus the section titles (a fixed number
of queries for any number of schools); the bands and the alert list are the
dashboards' own (``audits.results``), so the PDF and the web pages agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from audits.appeals.queries import AppealCounts, round_appeal_counts
from audits.double_scoring.agreement import auditors_line
from audits.models import Round
from audits.planning.rounds import schools_in_round
from audits.results.heatmap import band_of
from audits.results.overview import histogram
from audits.results.sections import section_titles
from audits.results.thresholds import is_flagged
from audits.scoring.engine import CHANNELS, SchoolScore, round_scores
from audits.vocabulary import CHANNEL_SHORT_LABELS, channel_label
from reports import wording
from reports.equity import EquityPair, summary_equity


@dataclass(frozen=True)
class RankingRow:
    """One school in the ranking table."""

    rank: int | None
    name: str
    nces_id: str
    overall: float | None
    change: float | None
    channels: list[float | None]
    contacts: int
    critical_failures: int
    flagged: bool
    rank_places: str = ""  # the engine's standing: "4th", or the ranks the school could take, "1st–3rd"
    early: bool = False  # the overall is an early reading


@dataclass(frozen=True)
class HeatCell:
    """A score and its band (the band names a shade; the number is always printed)."""

    score: float | None
    band: str


@dataclass(frozen=True)
class HeatRow:
    """One school across the sections."""

    name: str
    overall: HeatCell
    cells: list[HeatCell]


@dataclass(frozen=True)
class ChannelTiming:
    """District-wide figures of one channel."""

    label: str
    contacts: int
    reach: str
    median_score: float | None
    mean_rings: float | None
    mean_hold_seconds: float | None
    median_email_hours: float | None
    critical_failures: int


@dataclass
class DistrictSummary:
    """Everything the district summary PDF prints."""

    district_name: str
    round_id: int
    round_name: str
    first_day: date
    last_day: date
    threshold: float
    schools_in_round: int = 0
    scored: int = 0
    contacts: int = 0
    median: float | None = None
    mean: float | None = None
    previous_median: float | None = None
    change: float | None = None
    improved: int = 0
    declined: int = 0
    critical_failures: int = 0
    channels: list[str] = field(default_factory=list)
    ranking: list[RankingRow] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    heat: list[HeatRow] = field(default_factory=list)
    heat_medians: list[HeatCell] = field(default_factory=list)
    distribution: list[tuple[str, int]] = field(default_factory=list)
    timings: list[ChannelTiming] = field(default_factory=list)
    flagged: list[RankingRow] = field(default_factory=list)
    appeals: AppealCounts = field(default_factory=AppealCounts)  # answers queried, upheld, not upheld
    auditors: str = ""  # how alike the round's auditors judged (blind double-scoring); never a name
    equity: list[EquityPair] = field(default_factory=list)  # paired testing (``reports.equity``)
    pair_spacing: int = 0

    @property
    def has_scores(self) -> bool:
        """Whether any school was scored this round."""
        return self.scored > 0


def _cell(score: float | None) -> HeatCell:
    return HeatCell(score, band_of(score).value)


def _ranking_row(school: SchoolScore, threshold: float) -> RankingRow:
    return RankingRow(
        rank=school.rank,
        name=school.name,
        nces_id=school.nces_id,
        overall=school.overall,
        change=school.change,
        channels=[school.channels[ch].score if ch in school.channels else None for ch in CHANNELS],
        contacts=school.contacts,
        critical_failures=school.critical_failures,
        flagged=is_flagged(school, threshold),
        rank_places=school.standing.places if school.standing else "",
        early=school.early,
    )


def gather_summary(session: Session, round_: Round) -> DistrictSummary:
    """Score ``round_`` once and lay it out for the district summary."""
    scores = round_scores(session, round_)
    district = scores.district
    threshold = round_.district.alert_threshold
    summary = DistrictSummary(
        district_name=round_.district.name,
        round_id=round_.id,
        round_name=round_.name,
        first_day=round_.first_day,
        last_day=round_.last_day,
        threshold=threshold,
        schools_in_round=len(schools_in_round(session, round_)),
        scored=district.overall.count,
        contacts=sum(school.contacts for school in scores.schools),
        median=district.overall.median,
        mean=district.overall.mean,
        previous_median=district.previous_overall.median,
        change=district.change,
        improved=sum(1 for s in scores.schools if s.change is not None and round(s.change, 1) > 0),
        declined=sum(1 for s in scores.schools if s.change is not None and round(s.change, 1) < 0),
        critical_failures=district.critical_failures,
        channels=[CHANNEL_SHORT_LABELS[ch] for ch in CHANNELS],
    )
    ordered = sorted(scores.schools, key=lambda s: (s.rank is None, s.rank or 0, s.name.casefold()))
    summary.ranking = [_ranking_row(school, threshold) for school in ordered]
    summary.appeals = round_appeal_counts(session, round_.id)
    summary.auditors = auditors_line(session, round_)
    summary.equity = summary_equity(session, round_)
    summary.pair_spacing = round_.pair_spacing if round_.pair_ids else 0
    summary.flagged = sorted(
        (row for row in summary.ranking if row.flagged), key=lambda row: (row.overall, row.name)
    )
    titles = section_titles(session, district.sections)
    summary.sections = list(titles.values())
    summary.heat = [
        HeatRow(s.name, _cell(s.overall), [_cell(s.sections.get(key)) for key in titles]) for s in ordered
    ]
    summary.heat_medians = [_cell(district.sections[key].median) for key in titles]
    bins = histogram([s.overall for s in scores.schools if s.overall is not None])
    summary.distribution = [(item.label, item.count) for item in bins]
    for channel in CHANNELS:
        total = district.channel_totals.get(channel)
        if total is None or not total.contacts:
            continue
        summary.timings.append(
            ChannelTiming(
                label=channel_label(channel),
                contacts=total.contacts,
                reach=wording.reach_phrase(channel, total.reached, total.contacts),
                median_score=district.channels[channel].median,
                mean_rings=total.mean_rings,
                mean_hold_seconds=total.mean_hold_seconds,
                median_email_hours=district.median_email_hours if channel == "email" else None,
                critical_failures=total.critical_failures,
            )
        )
    return summary
