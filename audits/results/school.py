"""One school's results: this round's scores beside the district's, its trend, its counted contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import Assignment, Channel, Contact, Outcome, Round, Scenario, School
from audits.results.sections import SectionGroup, section_groups, section_titles
from audits.scoring.engine import DistrictFigures, SchoolScore, round_scores, school_trend
from audits.scoring.precision import DEFAULT_EARLY_READING, method
from audits.scoring.queries import contact_scores


@dataclass(frozen=True)
class ContactLine:
    """A counted contact of the school, with its score."""

    contact_id: int
    day: date | None
    channel: Channel
    scenario: str
    outcome: Outcome | None
    unreached: bool
    score: float | None
    critical_failure: bool


@dataclass(frozen=True)
class TrendPoint:
    """The school's overall score in one round."""

    round: Round
    overall: float | None
    current: bool


@dataclass
class SchoolResults:
    """What the school results page shows; ``round`` is ``None`` when the school has no results yet."""

    school: School
    round: Round | None
    score: SchoolScore | None
    district: DistrictFigures
    groups: list[SectionGroup]  # the round's sections by channel, the shared ones last
    trend: list[TrendPoint]
    contacts: list[ContactLine]
    early_reading: int = DEFAULT_EARLY_READING  # the district's: fewer contacts make an early reading

    @property
    def sections(self) -> dict[str, str]:
        """Every section of the round, key: title, group by group."""
        return {key: title for group in self.groups for key, title in group.sections.items()}

    @property
    def method(self) -> str:
        """How sure the figures are, in the scorecard's own paragraph."""
        return method(self.early_reading)


def local_day(moment: datetime | None, timezone: str) -> date | None:
    """The calendar day of ``moment`` in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone)).date() if moment is not None else None


def school_contacts(session: Session, round_: Round, school: School) -> list[ContactLine]:
    """The school's counted contacts in ``round_`` with their scores, oldest first (one query)."""
    scored = contact_scores([round_.id], school_id=school.id).subquery()
    rows = session.execute(
        select(
            scored.c.contact_id,
            scored.c.started_at,
            scored.c.channel,
            scored.c.unreached,
            scored.c.score,
            scored.c.critical_failure,
            Contact.outcome,
            Scenario.title,
        )
        .join(Contact, Contact.id == scored.c.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Scenario, Scenario.id == Assignment.scenario_id)
        .order_by(scored.c.started_at.is_(None), scored.c.started_at, scored.c.contact_id)
    )
    timezone = school.district.timezone
    return [
        ContactLine(
            contact_id=row.contact_id,
            day=local_day(row.started_at, timezone),
            channel=Channel(row.channel),
            scenario=row.title,
            outcome=row.outcome,
            unreached=bool(row.unreached),
            score=float(row.score) if row.score is not None else None,
            critical_failure=bool(row.critical_failure),
        )
        for row in rows
    ]


def school_results(session: Session, school: School, round_: Round | None) -> SchoolResults:
    """The school's results in ``round_`` (default: the latest round that scored it)."""
    trend = school_trend(session, school)
    if round_ is None and trend:
        round_ = trend[-1][0]
    points = [TrendPoint(r, overall, round_ is not None and r.id == round_.id) for r, overall in trend]
    if round_ is None:
        return SchoolResults(school, None, None, DistrictFigures(), [], points, [])
    scores = round_scores(session, round_)
    return SchoolResults(
        school=school,
        round=round_,
        score=scores.school(school.id),
        district=scores.district,
        groups=section_groups(session, section_titles(session, scores.district.sections)),
        trend=points,
        contacts=school_contacts(session, round_, school),
        early_reading=scores.early_reading,
    )
