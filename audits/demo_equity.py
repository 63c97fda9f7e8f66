"""The demo's paired-testing round: fourteen schools, each called in English and in Spanish.

A closed round about three months before the demo's ``today``, over fourteen elementary schools
that are not in the other demo rounds (their trends and changes stay as they were). Each school
gets both members of the library's English/Spanish enrolment pair, two school days apart, from two
different auditors, in the order the planner drew. Every contact is approved; the Spanish call
went unanswered at eight schools and the English one at one other, so the leaders' "Equal
service" page and the district summary show a gap in reach with its interval (the other
measures show no difference). Which schools those are follows from the plan, never the date.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar
from audits.demo_calendar import season_name
from audits.demo_fieldwork import demo_entry
from audits.fieldwork.contacts import approve, retry, start_contact, submit
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.models import (
    Assignment,
    District,
    Level,
    Outcome,
    Role,
    Round,
    RoundStatus,
    ScenarioPair,
    School,
    SchoolSelection,
    User,
)
from audits.planning.rounds import RoundSpec, commit_plan, move_round, save_round

EQUITY_SCHOOLS = 14
EQUITY_PAIR = "enrol-phone-language"
EQUITY_DAYS_AGO = 95  # the round starts about three months before the demo's today
EQUITY_WINDOW = 15  # school days
# Of the schools in name order: where the Spanish call was never answered, and where the English one was not.
SPANISH_UNANSWERED = frozenset({0, 2, 3, 5, 7, 9, 10, 12})
ENGLISH_UNANSWERED = frozenset({6})
QUALITIES = [0.95, 0.8, 0.9, 0.6]


def equity_schools(session: Session, district: District, taken: set[int]) -> list[School]:
    """Fourteen elementary schools with a phone number, by name, none of ``taken``."""
    return list(
        session.scalars(
            select(School)
            .where(
                School.district_id == district.id,
                School.level == Level.ELEMENTARY,
                School.active.is_(True),
                School.phone.is_not(None),
                School.phone != "",
                School.id.not_in(taken),
            )
            .order_by(School.name)
            .limit(EQUITY_SCHOOLS)
        )
    )


def _window(calendar: BusinessCalendar, start: date) -> tuple[date, date]:
    first = start
    while not calendar.is_school_day(first):
        first += timedelta(days=1)
    last, counted = first, 1
    while counted < EQUITY_WINDOW:
        last += timedelta(days=1)
        if calendar.is_school_day(last):
            counted += 1
    return first, last


def _when(assignment: Assignment, zone: ZoneInfo) -> datetime:
    return datetime.combine(assignment.due_day, time(10, 20), zone).astimezone(UTC)


def _unanswered(
    session: Session, assignment: Assignment, auditor: User, reviewer: User, calendar: BusinessCalendar
) -> None:
    """Three calls that reached nobody, each approved: the last one counts as unreached."""
    zone = ZoneInfo(calendar.timezone)
    contact = start_contact(session, assignment, auditor)
    for attempt, outcome in enumerate((Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.NO_ANSWER)):
        if attempt:
            contact = retry(session, assignment, auditor)
        when = datetime.combine(assignment.due_day, time(9 + 2 * attempt, 10), zone).astimezone(UTC)
        submit(session, contact, ContactEntry(outcome, when, Timings()), auditor, calendar, now=when)
        approve(session, contact, reviewer, now=when + timedelta(hours=1))


def load_equity_round(
    session: Session, district: District, users: list[User], today: date, taken: set[int]
) -> Round:
    """Plan, record and close the demo's paired-testing round (see the module docstring)."""
    calendar = BusinessCalendar.of(district)
    first_day, last_day = _window(calendar, today - timedelta(days=EQUITY_DAYS_AGO))
    pair = session.scalars(
        select(ScenarioPair).where(ScenarioPair.district_id == district.id, ScenarioPair.key == EQUITY_PAIR)
    ).one()
    schools = equity_schools(session, district, taken)
    spec = RoundSpec(
        name=f"{season_name(first_day)} equal service check",
        first_day=first_day,
        last_day=last_day,
        school_selection=SchoolSelection.LIST,
        school_ids=[school.id for school in schools],
        pair_ids=[pair.id],
        pair_spacing=2,
        seed=2027,
    )
    round_ = save_round(session, district, spec)
    commit_plan(session, round_)
    move_round(session, round_, RoundStatus.IN_FIELD)
    reviewer = next(user for user in users if user.role is Role.REVIEWER)
    by_id = {user.id: user for user in users}
    position = {school.id: index for index, school in enumerate(schools)}
    zone = ZoneInfo(district.timezone)
    rng = random.Random(2027)
    for assignment in sorted(round_.assignments, key=lambda a: (a.due_day, a.id)):
        index = position[assignment.school_id]
        spanish = assignment.scenario_id == pair.b_scenario_id
        auditor = by_id[assignment.auditor_id]
        if index in (SPANISH_UNANSWERED if spanish else ENGLISH_UNANSWERED):
            _unanswered(session, assignment, auditor, reviewer, calendar)
            continue
        contact = start_contact(session, assignment, auditor)
        started = _when(assignment, zone)
        entry = demo_entry(assignment, contact.rubric, QUALITIES[index % len(QUALITIES)], rng, started)
        entry.responses["what_families_heard"] = AnswerEntry(
            "Found someone to help in Spanish after a short wait." if spanish else "Helpful and clear."
        )
        recorded = started + timedelta(minutes=30)
        submit(session, contact, entry, auditor, calendar, now=recorded)
        approve(session, contact, reviewer, now=recorded + timedelta(hours=20))
    move_round(session, round_, RoundStatus.CLOSED)
    return round_
