"""Email alerts to district leaders: a daily digest of critical failures, a weekly digest of fieldwork.

When a reviewer approves a contact that failed a critical item, the district's leaders hear of it
in the next day's digest: one email a day at most, listing each such contact once (school,
channel, the failed items, the day, a link to the contact). Once a week each leader gets the
fieldwork of every round in the field: how much is done, what is overdue, what was returned to
its auditor. Digests name schools, channels, rubric items and days, never a staff member or an
auditor (no comment or free text goes into them). Each leader chooses which digests they receive
(``AlertPreference``; no choice made: both). Every digest written is kept as an
``AlertDelivery`` (one per leader, kind and period), so however often the hourly run comes, a
digest goes out once a day (critical failures) or once a week (fieldwork). Everything here
flushes; the caller writes the emails and commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from audits.models import (
    AlertDelivery,
    AlertKind,
    AlertPreference,
    Assignment,
    Channel,
    Contact,
    ContactStatus,
    District,
    Response,
    Role,
    Round,
    RoundStatus,
    RubricItem,
    School,
    User,
)
from audits.planning.board import BoardStatus, progress_board
from audits.scoring.tally import critical_failed

# A critical failure approved longer ago than this is not reported late (after a long outage, or to a
# leader who just switched the digest on): the digest is news, not an archive.
CRITICAL_LOOKBACK = timedelta(days=7)
WEEK = timedelta(days=7)


# -- what each leader wants ---------------------------------------------------------------------------


def preference_of(session: Session, user: User) -> AlertPreference:
    """``user``'s choice of digests; without a saved choice, both (a row not added to the session)."""
    found = session.get(AlertPreference, user.id)
    return found or AlertPreference(user_id=user.id, critical_failures=True, weekly_fieldwork=True)


def set_preference(
    session: Session, user: User, critical_failures: bool, weekly_fieldwork: bool
) -> AlertPreference:
    """Save which digests ``user`` receives."""
    found = session.get(AlertPreference, user.id)
    if found is None:
        found = AlertPreference(user_id=user.id)
        session.add(found)
    found.critical_failures, found.weekly_fieldwork = critical_failures, weekly_fieldwork
    session.flush()
    return found


def receives_alerts(user: User) -> bool:
    """Whether ``user`` is someone the digests are for: an active leader of a district."""
    return user.active and user.role is Role.LEADER and user.district_id is not None


def _recipients(session: Session, kind: AlertKind, district_ids: Iterable[int]) -> list[User]:
    """The active leaders of ``district_ids`` who receive ``kind`` (a leader without a choice receives it)."""
    ids = list(district_ids)
    if not ids:
        return []
    wanted = getattr(AlertPreference, kind.value)
    return list(
        session.scalars(
            select(User)
            .outerjoin(AlertPreference, AlertPreference.user_id == User.id)
            .where(
                User.role == Role.LEADER,
                User.active.is_(True),
                User.district_id.in_(ids),
                or_(wanted.is_(None), wanted.is_(True)),
            )
            .order_by(User.district_id, User.id)
        )
    )


def _delivered(session: Session, kind: AlertKind, periods: dict[int, date]) -> set[int]:
    """The leaders (by id, among ``periods``' keys) who already have their ``kind`` digest of their period."""
    if not periods:
        return set()
    rows = session.execute(
        select(AlertDelivery.user_id, AlertDelivery.period).where(
            AlertDelivery.kind == kind, AlertDelivery.user_id.in_(list(periods))
        )
    )
    return {user_id for user_id, period in rows if periods[user_id] == period}


@dataclass(frozen=True)
class DistrictMoment:
    """A district's local day and hour at the moment of a run."""

    district: District
    today: date
    hour: int


def _district_moments(
    session: Session, now: datetime, not_before_hour: int | None
) -> dict[int, DistrictMoment]:
    """Each district's local day at ``now``; with ``not_before_hour``, only where that hour has come."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: alerts need a timezone-aware moment")
    moments = {}
    for district in session.scalars(select(District)):
        local = now.astimezone(ZoneInfo(district.timezone))
        if not_before_hour is not None and local.hour < not_before_hour:
            continue
        moments[district.id] = DistrictMoment(district, local.date(), local.hour)
    return moments


# -- the daily digest of critical failures ---------------------------------------------------------------


@dataclass(frozen=True)
class CriticalContact:
    """An approved contact that failed a critical item, as the digest lists it: no person is named."""

    contact_id: int
    school_name: str
    channel: Channel
    day: date | None  # the district's local day of the contact
    round_name: str
    items: list[str]  # the critical items it failed (their questions)


@dataclass
class CriticalDigest:
    """One leader's digest of the day: the critical failures approved since they last heard."""

    leader: User
    period: date  # the district's local day
    contacts: list[CriticalContact] = field(default_factory=list)

    @property
    def kind(self) -> AlertKind:
        """``AlertKind.CRITICAL_FAILURES``."""
        return AlertKind.CRITICAL_FAILURES


def _already_reported(session: Session, leader_ids: list[int], since: date) -> dict[int, set[int]]:
    """The contacts each leader's critical-failure digests since ``since`` listed, by leader id."""
    reported: dict[int, set[int]] = defaultdict(set)
    rows = session.execute(
        select(AlertDelivery.user_id, AlertDelivery.contact_ids).where(
            AlertDelivery.kind == AlertKind.CRITICAL_FAILURES,
            AlertDelivery.user_id.in_(leader_ids),
            AlertDelivery.period >= since,
        )
    )
    for user_id, contact_ids in rows:
        reported[user_id].update(contact_ids or [])
    return reported


def _critical_contacts(
    session: Session, district_ids: list[int], now: datetime, zones: dict[int, ZoneInfo]
) -> dict[int, list[CriticalContact]]:
    """The contacts approved within ``CRITICAL_LOOKBACK`` before ``now`` that failed a critical item, by
    district."""
    rows = session.execute(
        select(Contact.id, School.name, Assignment.channel, Contact.started_at, Round.name, Round.district_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Round, Round.id == Assignment.round_id)
        .join(School, School.id == Assignment.school_id)
        .where(
            Round.district_id.in_(district_ids),
            Contact.status == ContactStatus.APPROVED,
            Contact.critical_failure.is_(True),
            Contact.approved_at >= now - CRITICAL_LOOKBACK,
            Contact.approved_at <= now,
        )
        .order_by(Contact.approved_at, Contact.id)
    ).all()
    items: dict[int, list[str]] = defaultdict(list)
    if rows:
        failed = session.execute(
            select(Response.contact_id, RubricItem.prompt)
            .join(RubricItem, RubricItem.id == Response.item_id)
            .where(Response.contact_id.in_([row[0] for row in rows]), critical_failed())
            .order_by(Response.contact_id, RubricItem.position, RubricItem.id)
        )
        for contact_id, prompt in failed:
            items[contact_id].append(prompt)
    found: dict[int, list[CriticalContact]] = defaultdict(list)
    for contact_id, school, channel, started_at, round_name, district_id in rows:
        day = started_at.astimezone(zones[district_id]).date() if started_at else None
        found[district_id].append(
            CriticalContact(contact_id, school, Channel(channel), day, round_name, items[contact_id])
        )
    return found


def critical_digests(
    session: Session, now: datetime, not_before_hour: int | None = None
) -> list[CriticalDigest]:
    """The critical-failure digests due at ``now``: one per leader who wants it, has not had today's, and has
    critical failures approved since their last digest (each contact is reported to a leader once).

    With ``not_before_hour``, only in districts whose local time has reached that hour.
    """
    moments = _district_moments(session, now, not_before_hour)
    leaders = _recipients(session, AlertKind.CRITICAL_FAILURES, moments)
    if not leaders:
        return []
    periods = {leader.id: moments[leader.district_id].today for leader in leaders if leader.district_id}
    done = _delivered(session, AlertKind.CRITICAL_FAILURES, periods)
    leaders = [leader for leader in leaders if leader.id not in done]
    if not leaders:
        return []
    district_ids = sorted({leader.district_id for leader in leaders if leader.district_id})
    zones = {district_id: ZoneInfo(moments[district_id].district.timezone) for district_id in district_ids}
    contacts = _critical_contacts(session, district_ids, now, zones)
    since = min(periods.values()) - CRITICAL_LOOKBACK - timedelta(days=1)
    reported = _already_reported(session, [leader.id for leader in leaders], since)
    digests = []
    for leader in leaders:
        assert leader.district_id is not None  # _recipients keeps leaders of a district
        fresh = [c for c in contacts.get(leader.district_id, []) if c.contact_id not in reported[leader.id]]
        if fresh:
            digests.append(CriticalDigest(leader, periods[leader.id], fresh))
    return digests


# -- the weekly digest of fieldwork ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldworkLine:
    """One assignment in the weekly digest: its school, channel and day (due, or last submitted)."""

    school_name: str
    channel: Channel
    day: date
    contact_id: int | None = None  # the attempt to open, when one was submitted


@dataclass(frozen=True)
class RoundFieldwork:
    """One round in the field, as the weekly digest reports it."""

    round_id: int
    round_name: str
    done: int  # assignments approved or waiting for review
    total: int
    done_this_week: int  # contacts submitted in the seven days before the digest
    overdue: list[FieldworkLine]
    returned: list[FieldworkLine]


@dataclass
class WeeklyDigest:
    """One leader's fieldwork digest of the week (``period`` is the Monday of the district's week)."""

    leader: User
    period: date
    today: date
    rounds: list[RoundFieldwork] = field(default_factory=list)

    @property
    def kind(self) -> AlertKind:
        """``AlertKind.WEEKLY_FIELDWORK``."""
        return AlertKind.WEEKLY_FIELDWORK


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def round_fieldwork(session: Session, round_: Round, today: date, now: datetime) -> RoundFieldwork:
    """Where ``round_``'s fieldwork stands on ``today``: done, overdue and returned (the progress board's)."""
    board = progress_board(session, round_, today)
    overdue, returned = [], []
    for row in board.rows:
        for entries in row.cells.values():
            for entry in entries:
                if entry.status is BoardStatus.OVERDUE:
                    overdue.append(
                        FieldworkLine(row.school_name, entry.channel, entry.due_day, entry.contact_id)
                    )
                elif entry.status is BoardStatus.RETURNED:
                    returned.append(
                        FieldworkLine(row.school_name, entry.channel, entry.due_day, entry.contact_id)
                    )
    this_week = session.scalar(
        select(func.count(Contact.id))
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(
            Assignment.round_id == round_.id,
            Contact.first_submitted_at >= now - WEEK,
            Contact.first_submitted_at <= now,
        )
    )
    by_day = sorted(overdue, key=lambda line: (line.day, line.school_name, line.channel.value))
    return RoundFieldwork(
        round_.id,
        round_.name,
        board.done,
        board.total,
        this_week or 0,
        by_day,
        sorted(returned, key=lambda line: (line.day, line.school_name, line.channel.value)),
    )


def weekly_digests(session: Session, now: datetime, not_before_hour: int | None = None) -> list[WeeklyDigest]:
    """The fieldwork digests due at ``now``: one per leader who wants it and has not had this week's, in a
    district with a round in the field (nothing to report otherwise).

    The week is the district's, from Monday; with ``not_before_hour``, only once that local hour has come.
    """
    moments = _district_moments(session, now, not_before_hour)
    rounds: dict[int, list[Round]] = defaultdict(list)
    for round_ in session.scalars(
        select(Round)
        .where(Round.status == RoundStatus.IN_FIELD, Round.district_id.in_(list(moments)))
        .order_by(Round.first_day, Round.id)
    ):
        rounds[round_.district_id].append(round_)
    leaders = _recipients(session, AlertKind.WEEKLY_FIELDWORK, rounds)
    periods = {
        leader.id: week_of(moments[leader.district_id].today) for leader in leaders if leader.district_id
    }
    done = _delivered(session, AlertKind.WEEKLY_FIELDWORK, periods)
    fieldwork: dict[int, list[RoundFieldwork]] = {}
    digests = []
    for leader in leaders:
        if leader.id in done or leader.district_id is None:
            continue
        today = moments[leader.district_id].today
        if leader.district_id not in fieldwork:
            fieldwork[leader.district_id] = [
                round_fieldwork(session, round_, today, now) for round_ in rounds[leader.district_id]
            ]
        digests.append(WeeklyDigest(leader, periods[leader.id], today, fieldwork[leader.district_id]))
    return digests


# -- keeping what went out ---------------------------------------------------------------------------------


def record_delivery(
    session: Session,
    leader: User,
    kind: AlertKind,
    period: date,
    contact_ids: list[int],
    email_id: int | None,
) -> AlertDelivery:
    """Keep that ``leader`` was sent their ``kind`` digest of ``period`` (listing ``contact_ids``)."""
    delivery = AlertDelivery(
        user_id=leader.id, kind=kind, period=period, contact_ids=list(contact_ids), email_id=email_id
    )
    session.add(delivery)
    session.flush()
    return delivery
