"""A district leader's day at a glance: the rounds under way, the reviews waiting, the schools whose
contact data is missing and the published scorecards their principals have not opened.

``leader_day`` gathers it for one district in a fixed handful of queries, whatever the number of
rounds and schools; the home page only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from audits.directory import MISSING, missing_condition
from audits.models import (
    Assignment,
    Contact,
    ContactStatus,
    District,
    Role,
    Round,
    RoundStatus,
    School,
    Scorecard,
    ScorecardView,
    User,
    principal_schools,
)
from audits.planning.board import DONE, BoardStatus, status_counts
from audits.vocabulary import count_of

# Rounds a leader follows day to day: planned, in the field, or closed with scorecards to publish.
FOLLOWED = (RoundStatus.IN_FIELD, RoundStatus.CLOSED, RoundStatus.SCHEDULED)
# How many schools each kind of missing data names (the rest are on the filtered school list).
MISSING_SAMPLE = 3
# How many schools each round's unopened scorecards name.
UNOPENED_SAMPLE = 3


@dataclass(frozen=True)
class RoundProgress:
    """A round under way and how many of its assignments stand in each status today."""

    round: Round
    counts: dict[BoardStatus, int]

    @property
    def total(self) -> int:
        """Every assignment of the round."""
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """Assignments approved or waiting for review."""
        return sum(self.counts[status] for status in DONE)

    @property
    def done_share(self) -> float:
        """``done`` as a share of ``total`` (0 when the round has no assignment)."""
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class ReviewsWaiting:
    """Contacts submitted and not yet reviewed, and when the oldest of them was submitted."""

    count: int = 0
    oldest: datetime | None = None


@dataclass(frozen=True)
class MissingKind:
    """Active schools lacking one piece of contact data: how many, how many of them are in a round under
    way, and the first few of those (id, name)."""

    key: str
    words: str
    count: int
    in_rounds: int = 0
    schools: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class UnopenedScorecards:
    """A round's published scorecards that some principal of the school has not opened."""

    round: Round
    published: int
    principals: int
    schools: list[tuple[int, str]] = field(default_factory=list)
    school_count: int = 0


@dataclass
class LeaderDay:
    """Everything the leader's home page shows, for one district on one day."""

    district: District
    today: date
    now: datetime
    school_count: int = 0
    round_count: int = 0
    rounds: list[RoundProgress] = field(default_factory=list)
    drafts: list[Round] = field(default_factory=list)
    reviews: ReviewsWaiting = field(default_factory=ReviewsWaiting)
    missing: list[MissingKind] = field(default_factory=list)
    unopened: list[UnopenedScorecards] = field(default_factory=list)
    published_rounds: int = 0

    @property
    def review_wait(self) -> timedelta | None:
        """How long the oldest contact waiting for review has waited."""
        return self.now - self.reviews.oldest if self.reviews.oldest else None


def leader_day(session: Session, district: District, today: date, now: datetime) -> LeaderDay:
    """The district's day at a glance on ``today`` (in its timezone), reviews aged against ``now``."""
    day = LeaderDay(district, today, now)
    day.school_count = (
        session.scalar(
            select(func.count())
            .select_from(School)
            .where(School.district_id == district.id, School.active.is_(True))
        )
        or 0
    )
    rounds = list(
        session.scalars(
            select(Round).where(Round.district_id == district.id).order_by(Round.first_day.desc())
        )
    )
    day.round_count = len(rounds)
    followed = sorted(
        (round_ for round_ in rounds if round_.status in FOLLOWED),
        key=lambda round_: (FOLLOWED.index(round_.status), round_.first_day),
    )
    counts = status_counts(session, [round_.id for round_ in followed], today)
    day.rounds = [RoundProgress(round_, counts[round_.id]) for round_ in followed]
    day.drafts = [round_ for round_ in rounds if round_.status is RoundStatus.DRAFT]
    day.published_rounds = sum(1 for round_ in rounds if round_.status is RoundStatus.PUBLISHED)
    day.reviews = reviews_waiting(session, district.id)
    day.missing = missing_data(session, district.id)
    day.unopened = unopened_scorecards(session, district.id)
    return day


def reviews_waiting(session: Session, district_id: int) -> ReviewsWaiting:
    """How many of the district's contacts wait for review, and the oldest submission (one query)."""
    count, oldest = session.execute(
        select(func.count(Contact.id), func.min(Contact.submitted_at))
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Round, Round.id == Assignment.round_id)
        .where(Round.district_id == district_id, Contact.status == ContactStatus.SUBMITTED)
    ).one()
    return ReviewsWaiting(count or 0, oldest)


def missing_data(session: Session, district_id: int) -> list[MissingKind]:
    """Each kind of contact data some active school lacks, with the first schools of a round under way
    that lack it (by name), in one query."""
    in_round = exists().where(
        Assignment.school_id == School.id,
        Assignment.round_id == Round.id,
        Round.status.in_((RoundStatus.SCHEDULED, RoundStatus.IN_FIELD)),
    )
    flags = [missing_condition(kind).label(kind) for kind in MISSING]
    rows = session.execute(
        select(School.id, School.name, in_round.label("in_round"), *flags)
        .where(School.district_id == district_id, School.active.is_(True))
        .order_by(School.name, School.id)
    ).all()
    found = []
    for index, (key, words) in enumerate(MISSING.items()):
        lacking = [row for row in rows if row[3 + index]]
        if lacking:
            urgent = [(row[0], row[1]) for row in lacking if row[2]]
            found.append(MissingKind(key, words, len(lacking), len(urgent), urgent[:MISSING_SAMPLE]))
    return found


def unopened_scorecards(session: Session, district_id: int) -> list[UnopenedScorecards]:
    """The district's rounds whose published scorecards some principal has not opened, newest first.

    Counted per principal (an active principal account of the school); a school without one is
    among the schools missing data instead. Two queries.
    """
    published = dict(
        session.execute(
            select(Scorecard.round_id, func.count())
            .join(Round, Round.id == Scorecard.round_id)
            .where(Round.district_id == district_id, Scorecard.published_at.is_not(None))
            .group_by(Scorecard.round_id)
        )
        .tuples()
        .all()
    )
    if not published:
        return []
    rows = session.execute(
        select(Round, School.id, School.name)
        .select_from(Scorecard)
        .join(Round, Round.id == Scorecard.round_id)
        .join(School, School.id == Scorecard.school_id)
        .join(principal_schools, principal_schools.c.school_id == Scorecard.school_id)
        .join(User, User.id == principal_schools.c.user_id)
        .outerjoin(
            ScorecardView, and_(ScorecardView.scorecard_id == Scorecard.id, ScorecardView.user_id == User.id)
        )
        .where(
            Round.district_id == district_id,
            Scorecard.published_at.is_not(None),
            User.role == Role.PRINCIPAL,
            User.active.is_(True),
            ScorecardView.id.is_(None),
        )
        .order_by(Round.first_day.desc(), Round.id.desc(), School.name, School.id)
    ).all()
    by_round: dict[int, tuple[Round, int, list[tuple[int, str]]]] = {}
    for round_, school_id, name in rows:
        _, principals, schools = by_round.setdefault(round_.id, (round_, 0, []))
        if (school_id, name) not in schools:
            schools.append((school_id, name))
        by_round[round_.id] = (round_, principals + 1, schools)
    return [
        UnopenedScorecards(round_, published[round_id], principals, schools[:UNOPENED_SAMPLE], len(schools))
        for round_id, (round_, principals, schools) in by_round.items()
    ]


def waiting_words(waited: timedelta) -> str:
    """How long something has waited, as people say it: ``under an hour``, ``5 hours``, ``3 days``."""
    hours = int(waited.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    if hours < 24:
        return count_of(hours, "hour")
    days = hours // 24
    return count_of(days, "day")
