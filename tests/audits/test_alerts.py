"""Which digests are due to which leader, and what they list, without a web client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from audits.alerts import (
    CriticalDigest,
    FieldworkLine,
    critical_digests,
    preference_of,
    record_delivery,
    set_preference,
    week_of,
    weekly_digests,
)
from audits.models import (
    AlertKind,
    Assignment,
    Channel,
    Contact,
    ContactStatus,
    District,
    Role,
    Round,
    RoundStatus,
    School,
    Slot,
    User,
)
from tests.audits.scoring_helpers import ScoringWorld, build_world

# February 2027: Mon 1, Tue 2, Wed 3, Thu 4 … Mon 8.
MON, TUE, WED, THU, NEXT_MON = (date(2027, 2, d) for d in (1, 2, 3, 4, 8))
GOOD = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}
FAILED = {"answered": 0.0, "named": 0.0, "courtesy": 0.5, "accuracy": 0.0}
_emails = count(1)


def at(day: date, hour: int = 12) -> datetime:
    """``hour``:00 on ``day`` in New York (the district's timezone), as a UTC moment."""
    return datetime.combine(day, time(hour), ZoneInfo("America/New_York")).astimezone(UTC)


@dataclass
class Alerts:
    """A district with a round in the field, two leaders, a leader elsewhere, contacts in every state."""

    session: Session
    world: ScoringWorld
    round: Round
    lee: User
    lia: User
    away: User

    @property
    def schools(self) -> list[School]:
        return self.world.schools

    def contact(
        self, school: School, channel: Channel, answers: dict[str, float], **fields: object
    ) -> Contact:
        return self.world.contact(self.round, school, channel, answers, started_at=at(MON, 10), **fields)

    def open_assignment(self, school: School, channel: Channel, due: date) -> Assignment:
        assignment = Assignment(
            round_id=self.round.id, school_id=school.id, scenario_id=self.world.scenarios[channel].id,
            auditor_id=self.world.auditor.id, channel=channel, sequence=900 + next(_emails), due_day=due,
            slot=Slot.MORNING,
        )  # fmt: skip
        self.session.add(assignment)
        self.session.flush()
        return assignment


def leader(session: Session, district: District, name: str) -> User:
    user = User(email=f"{name.lower()}{next(_emails)}@example.org", name=name, role=Role.LEADER,
                district_id=district.id, password_hash="x")  # fmt: skip
    session.add(user)
    session.flush()
    return user


def build_alerts(session: Session) -> Alerts:
    """Lee and Lia lead the district (New York), Far leads another; the auditor is Avery Quinn."""
    world = build_world(session, schools=2)
    world.auditor.name = "Avery Quinn"
    round_ = world.round("Spring 2027 round", date(2027, 1, 25))
    round_.last_day, round_.status = date(2027, 2, 26), RoundStatus.IN_FIELD
    away = District(name="Away ISD", timezone="America/Chicago")
    session.add(away)
    session.flush()
    lee, lia = leader(session, world.district, "Lee"), leader(session, world.district, "Lia")
    return Alerts(session, world, round_, lee, lia, leader(session, away, "Far"))


@pytest.fixture
def alerts(session: Session) -> Alerts:
    return build_alerts(session)


# -- critical failures, once a day ------------------------------------------------------------------------


def _listed(digests: list[CriticalDigest]) -> dict[int, list[int]]:
    return {digest.leader.id: [contact.contact_id for contact in digest.contacts] for digest in digests}


def test_a_critical_failure_is_reported_to_each_leader_once_in_a_daily_digest(alerts: Alerts) -> None:
    session = alerts.session
    a, b = alerts.schools
    failed = alerts.contact(a, Channel.PHONE, FAILED, approved_at=at(TUE, 15))
    alerts.contact(b, Channel.EMAIL, GOOD, approved_at=at(TUE, 15))  # no critical failure
    alerts.contact(b, Channel.PHONE, FAILED, approved_at=at(MON, 9) - timedelta(days=10))  # too long ago
    alerts.contact(b, Channel.VISIT, FAILED, status=ContactStatus.SUBMITTED)  # not approved yet
    assert failed.critical_failure
    set_preference(session, alerts.lia, critical_failures=False, weekly_fieldwork=True)

    digests = critical_digests(session, at(WED, 8))
    assert _listed(digests) == {alerts.lee.id: [failed.id]}  # not Lia (she chose not to), not the far leader
    digest = digests[0]
    assert digest.period == WED and digest.kind is AlertKind.CRITICAL_FAILURES
    listed = digest.contacts[0]
    assert (listed.school_name, listed.channel, listed.day, listed.round_name) == (
        a.name,
        Channel.PHONE,
        MON,
        "Spring 2027 round",
    )
    assert listed.items == ["Answered?"]  # the failed critical item's question, nothing a person wrote
    record_delivery(session, digest.leader, digest.kind, digest.period, [failed.id], None)

    # The same day again: nothing, even with a new failure (it waits for tomorrow's digest).
    later = alerts.contact(b, Channel.PHONE, FAILED, approved_at=at(WED, 9))
    assert critical_digests(session, at(WED, 18)) == []
    # Tomorrow: only what is new since.
    assert _listed(critical_digests(session, at(THU, 8))) == {alerts.lee.id: [later.id]}
    # Lia switches it on: she hears of both, once.
    set_preference(session, alerts.lia, critical_failures=True, weekly_fieldwork=True)
    assert _listed(critical_digests(session, at(THU, 8)))[alerts.lia.id] == [failed.id, later.id]


def test_the_digest_waits_for_the_districts_hour_and_skips_inactive_leaders(alerts: Alerts) -> None:
    a = alerts.schools[0]
    alerts.contact(a, Channel.PHONE, FAILED, approved_at=at(TUE, 15))
    assert critical_digests(alerts.session, at(WED, 6), not_before_hour=7) == []
    alerts.lia.active = False
    assert set(_listed(critical_digests(alerts.session, at(WED, 7), not_before_hour=7))) == {alerts.lee.id}


def test_a_leader_without_a_choice_receives_both_digests(session: Session, alerts: Alerts) -> None:
    fresh = preference_of(session, alerts.lee)
    assert (fresh.critical_failures, fresh.weekly_fieldwork) == (True, True)
    saved = set_preference(session, alerts.lee, critical_failures=False, weekly_fieldwork=False)
    assert preference_of(session, alerts.lee) is saved
    assert (saved.critical_failures, saved.weekly_fieldwork) == (False, False)


# -- fieldwork, once a week --------------------------------------------------------------------------------


def test_the_weekly_digest_lists_done_overdue_and_returned_once_a_week(alerts: Alerts) -> None:
    session = alerts.session
    a, b = alerts.schools
    alerts.contact(a, Channel.EMAIL, GOOD, approved_at=at(TUE), first_submitted_at=at(TUE))  # done this week
    last_week = at(MON, 9) - timedelta(days=9)
    alerts.contact(b, Channel.EMAIL, GOOD, status=ContactStatus.SUBMITTED, first_submitted_at=last_week)
    returned = alerts.contact(
        b,
        Channel.VISIT,
        GOOD,
        status=ContactStatus.RETURNED,
        first_submitted_at=at(TUE),
        submitted_at=at(TUE),
    )
    alerts.open_assignment(a, Channel.PHONE, date(2027, 2, 1))  # overdue on Wednesday
    alerts.open_assignment(b, Channel.PHONE, date(2027, 2, 12))  # due later
    set_preference(session, alerts.lia, critical_failures=True, weekly_fieldwork=False)

    digests = weekly_digests(session, at(WED, 8))
    assert [digest.leader for digest in digests] == [alerts.lee]
    digest = digests[0]
    assert (digest.period, digest.today, digest.kind) == (MON, WED, AlertKind.WEEKLY_FIELDWORK)
    [fieldwork] = digest.rounds
    assert (fieldwork.round_name, fieldwork.done, fieldwork.total, fieldwork.done_this_week) == (
        "Spring 2027 round",
        2,
        5,
        2,
    )
    assert fieldwork.overdue == [FieldworkLine(a.name, Channel.PHONE, date(2027, 2, 1))]
    assert fieldwork.returned == [FieldworkLine(b.name, Channel.VISIT, date(2027, 1, 25), returned.id)]
    record_delivery(session, digest.leader, digest.kind, digest.period, [], None)

    assert weekly_digests(session, at(THU, 8)) == []  # once a week
    assert [digest.leader for digest in weekly_digests(session, at(NEXT_MON, 8))] == [alerts.lee]
    assert week_of(NEXT_MON) == NEXT_MON and week_of(THU) == MON


def test_no_round_in_the_field_no_weekly_digest(alerts: Alerts) -> None:
    alerts.round.status = RoundStatus.CLOSED
    alerts.session.flush()
    assert weekly_digests(alerts.session, at(WED, 8)) == []
