"""Which assignments an auditor is reminded of, and when, without a web client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from audits.models import (
    Assignment,
    Channel,
    Closure,
    District,
    ReminderKind,
    Role,
    Round,
    RoundStatus,
    School,
    Slot,
    User,
)
from audits.reminders import (
    Reminder,
    due_reminders,
    group_by_auditor,
    next_school_day,
    record_sent,
)
from tests.audits.round_helpers import make_scenario

# January/February 2027: Fri Jan 29, Sat 30, Sun 31, Mon Feb 1, Tue 2, Wed 3, Thu 4, Fri 5.
FRI, SAT, MON, TUE, WED, THU = (
    date(2027, 1, 29),
    date(2027, 1, 30),
    date(2027, 2, 1),
    date(2027, 2, 2),
    date(2027, 2, 3),
    date(2027, 2, 4),
)


def at(day: date, hour: int = 12, zone: str = "America/New_York") -> datetime:
    """The moment it is ``hour``:00 on ``day`` in ``zone``, as a UTC datetime."""
    return datetime.combine(day, time(hour), ZoneInfo(zone)).astimezone(UTC)


@dataclass
class Fieldwork:
    """A district with a school, a scenario and a round in the field, to hang assignments on."""

    session: Session
    district: District
    school: School
    round: Round
    scenario_id: int
    sequence: Iterator[int] = field(default_factory=lambda: count(1))

    def assign(
        self,
        auditor: User,
        due_day: date,
        school: School | None = None,
        round_: Round | None = None,
        slot: Slot = Slot.MORNING,
    ) -> Assignment:
        """Add (and commit) a phone assignment of ``auditor`` due on ``due_day``."""
        assignment = Assignment(
            round_id=(round_ or self.round).id,
            school_id=(school or self.school).id,
            scenario_id=self.scenario_id,
            auditor_id=auditor.id,
            channel=Channel.PHONE,
            sequence=next(self.sequence),
            due_day=due_day,
            slot=slot,
        )
        self.session.add(assignment)
        self.session.commit()
        return assignment

    def add_round(self, status: RoundStatus) -> Round:
        """Add (and commit) another round of the district, in ``status``."""
        round_ = Round(
            district_id=self.district.id,
            name=f"Round {status}",
            first_day=date(2027, 1, 25),
            last_day=date(2027, 2, 12),
            status=status,
        )
        self.session.add(round_)
        self.session.commit()
        return round_


def start_fieldwork(session: Session, school: School) -> Fieldwork:
    """Give ``school``'s district a phone scenario (on a published rubric) and an in-field round."""
    district = school.district
    scenario = make_scenario(session, district, Channel.PHONE, "enrolment-call")
    round_ = Round(
        district_id=district.id,
        name="Spring round",
        first_day=date(2027, 1, 25),
        last_day=date(2027, 2, 12),
        status=RoundStatus.IN_FIELD,
    )
    session.add(round_)
    session.commit()
    return Fieldwork(session, district, school, round_, scenario.id)


@pytest.fixture
def make_fieldwork(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> Callable[..., Fieldwork]:
    """Build a district with one school and an in-field round; ``timezone`` picks the district's zone."""

    def make(timezone: str = "America/New_York", **school_fields: Any) -> Fieldwork:
        return start_fieldwork(session, make_school(make_district(timezone=timezone), **school_fields))

    return make


@pytest.fixture
def fieldwork(make_fieldwork: Callable[..., Fieldwork]) -> Fieldwork:
    return make_fieldwork(name="Abess Park Elementary")


@pytest.fixture
def auditor(make_user: Callable[..., User], fieldwork: Fieldwork) -> User:
    return make_user(Role.AUDITOR, fieldwork.district, name="Ana Auditor")


def _kinds(reminders: list[Reminder]) -> dict[date, ReminderKind]:
    return {reminder.due_day: reminder.kind for reminder in reminders}


def test_next_school_day_skips_weekends_and_closures() -> None:
    assert next_school_day(MON, []) == TUE
    assert next_school_day(FRI, []) == MON
    assert next_school_day(FRI, [MON, TUE]) == WED


def test_due_next_school_day_and_overdue_on_a_weekday(
    session: Session, fieldwork: Fieldwork, auditor: User
) -> None:
    for day in (MON, TUE, WED, THU):
        fieldwork.assign(auditor, day)
    reminders = due_reminders(session, at(TUE))
    assert _kinds(reminders) == {WED: ReminderKind.DUE_TOMORROW, MON: ReminderKind.OVERDUE}
    due = reminders[-1]
    assert (due.auditor_email, due.auditor_name, due.school_name) == (
        auditor.email,
        "Ana Auditor",
        "Abess Park Elementary",
    )
    assert (due.channel, due.slot, due.today, due.district_id) == (
        Channel.PHONE,
        Slot.MORNING,
        TUE,
        fieldwork.district.id,
    )


def test_on_friday_mondays_contacts_are_due_next_school_day(
    session: Session, fieldwork: Fieldwork, auditor: User
) -> None:
    fieldwork.assign(auditor, MON)
    fieldwork.assign(auditor, TUE)
    assert _kinds(due_reminders(session, at(FRI))) == {MON: ReminderKind.DUE_TOMORROW}


def test_a_closure_moves_the_next_school_day(session: Session, fieldwork: Fieldwork, auditor: User) -> None:
    session.add(Closure(district_id=fieldwork.district.id, day=MON, reason="Staff day"))
    session.commit()
    fieldwork.assign(auditor, TUE)
    assert _kinds(due_reminders(session, at(FRI))) == {TUE: ReminderKind.DUE_TOMORROW}


def test_no_reminders_on_weekends_or_closures(session: Session, fieldwork: Fieldwork, auditor: User) -> None:
    session.add(Closure(district_id=fieldwork.district.id, day=TUE, reason="Snow day"))
    session.commit()
    fieldwork.assign(auditor, FRI)  # overdue from the weekend on
    fieldwork.assign(auditor, WED)  # due the school day after the closure
    assert due_reminders(session, at(SAT)) == []
    assert due_reminders(session, at(TUE)) == []
    assert _kinds(due_reminders(session, at(MON))) == {
        FRI: ReminderKind.OVERDUE,
        WED: ReminderKind.DUE_TOMORROW,  # Tuesday is closed
    }


def test_each_district_has_its_own_today(
    session: Session, make_fieldwork: Callable[..., Fieldwork], make_user: Callable[..., User]
) -> None:
    new_york = make_fieldwork("America/New_York")
    honolulu = make_fieldwork("Pacific/Honolulu")
    for work in (new_york, honolulu):
        auditor = make_user(Role.AUDITOR, work.district)
        for day in (MON, TUE, WED):
            work.assign(auditor, day)
    # 05:30 UTC on Tuesday: 00:30 Tuesday in New York, still 19:30 Monday in Honolulu.
    moment = datetime(2027, 2, 2, 5, 30, tzinfo=UTC)
    reminders = due_reminders(session, moment)
    by_district = {
        work.district.id: {
            (r.due_day, r.kind, r.today) for r in reminders if r.district_id == work.district.id
        }
        for work in (new_york, honolulu)
    }
    assert by_district[new_york.district.id] == {
        (WED, ReminderKind.DUE_TOMORROW, TUE),
        (MON, ReminderKind.OVERDUE, TUE),
    }
    assert by_district[honolulu.district.id] == {(TUE, ReminderKind.DUE_TOMORROW, MON)}


def test_only_scheduled_and_in_field_rounds_are_reminded(
    session: Session, fieldwork: Fieldwork, auditor: User
) -> None:
    for status in RoundStatus:
        round_ = fieldwork.round if status is RoundStatus.IN_FIELD else fieldwork.add_round(status)
        fieldwork.assign(auditor, WED, round_=round_)
    reminded = {
        session.get(Assignment, r.assignment_id).round.status for r in due_reminders(session, at(TUE))
    }
    assert reminded == {RoundStatus.SCHEDULED, RoundStatus.IN_FIELD}


def test_a_reminder_goes_out_once_a_day(session: Session, fieldwork: Fieldwork, auditor: User) -> None:
    fieldwork.assign(auditor, WED)
    fieldwork.assign(auditor, MON)
    record_sent(session, due_reminders(session, at(TUE, 8)))
    session.commit()
    assert due_reminders(session, at(TUE, 18)) == []
    # The next day, the contact due Wednesday is overdue (a new kind) and Monday's still is (a new day).
    assert _kinds(due_reminders(session, at(THU))) == {WED: ReminderKind.OVERDUE, MON: ReminderKind.OVERDUE}


def test_inactive_and_former_auditors_are_not_reminded(
    session: Session, fieldwork: Fieldwork, auditor: User, make_user: Callable[..., User]
) -> None:
    inactive = make_user(Role.AUDITOR, fieldwork.district, active=False)
    now_a_reviewer = make_user(Role.REVIEWER, fieldwork.district)
    for user in (auditor, inactive, now_a_reviewer):
        fieldwork.assign(user, WED)
    assert [r.auditor_id for r in due_reminders(session, at(TUE))] == [auditor.id]


def test_not_before_hour_waits_for_the_local_hour(
    session: Session, fieldwork: Fieldwork, auditor: User
) -> None:
    fieldwork.assign(auditor, WED)
    assert due_reminders(session, at(TUE, 6), not_before_hour=7) == []
    assert len(due_reminders(session, at(TUE, 7), not_before_hour=7)) == 1


def test_a_naive_moment_is_refused(session: Session, fieldwork: Fieldwork) -> None:
    with pytest.raises(ValueError, match="naive"):
        due_reminders(session, datetime(2027, 2, 2, 12))  # noqa: DTZ001 - the point of the test


def test_each_auditor_gets_one_group(
    session: Session, fieldwork: Fieldwork, auditor: User, make_user: Callable[..., User], make_school: Any
) -> None:
    other = make_user(Role.AUDITOR, fieldwork.district, name="")
    second_school = make_school(fieldwork.district, name="Arlington Middle")
    fieldwork.assign(auditor, WED, slot=Slot.AFTERNOON)
    fieldwork.assign(auditor, WED, school=second_school, slot=Slot.EARLY_MORNING)
    fieldwork.assign(auditor, MON)
    fieldwork.assign(other, WED)
    groups = group_by_auditor(due_reminders(session, at(TUE)))
    assert set(groups) == {auditor.id, other.id}
    mine = groups[auditor.id]
    assert (mine.email, mine.name) == (auditor.email, "Ana Auditor")
    assert [r.school_name for r in mine.due_soon] == ["Arlington Middle", "Abess Park Elementary"]
    assert [r.due_day for r in mine.overdue] == [MON]
    assert len(mine.reminders) == 3
    assert groups[other.id].name == other.email  # no name: the address stands in


def test_few_queries_however_many_assignments(
    session: Session, make_fieldwork: Callable[..., Fieldwork], make_user: Callable[..., User]
) -> None:
    for zone in ("America/New_York", "America/Chicago", "Pacific/Honolulu"):
        work = make_fieldwork(zone)
        session.add(Closure(district_id=work.district.id, day=date(2027, 3, 1), reason="Break"))
        for _ in range(4):
            auditor = make_user(Role.AUDITOR, work.district)
            for day in (MON, WED, WED):
                work.assign(auditor, day)
    session.commit()
    statements: list[str] = []

    def count_statement(*args: Any) -> None:
        statements.append(args[2])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count_statement)
    try:
        reminders = due_reminders(session, at(TUE))
    finally:
        event.remove(engine, "before_cursor_execute", count_statement)
    assert len(reminders) == 3 * 4 * 3
    assert 0 < len(statements) <= 4  # districts, their closures, assignments, today's log
