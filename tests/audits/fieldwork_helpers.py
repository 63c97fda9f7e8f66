"""A scheduled round with one assignment per channel, for fieldwork tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar
from audits.models import Assignment, Channel, District, Level, Role, Round, RoundStatus, School, Slot, User
from audits.passwords import hash_password
from tests.audits.round_helpers import make_scenario


@dataclass
class Fieldwork:
    """The world a fieldwork test needs."""

    district: District
    school: School
    round: Round
    auditor: User
    other_auditor: User
    reviewer: User
    phone: Assignment
    email: Assignment
    visit: Assignment

    @property
    def calendar(self) -> BusinessCalendar:
        """The district's business calendar."""
        return BusinessCalendar.of(self.district)


def build_fieldwork(session: Session) -> Fieldwork:
    """Create the district, people, round and assignments (committed)."""
    district = District(
        name="Fieldwork ISD",
        timezone="America/New_York",
        school_day_start=time(7, 30),
        school_day_end=time(16, 0),
    )
    school = School(
        district=district, nces_id="990000000001", name="Abess Park Elementary", level=Level.ELEMENTARY
    )
    password = hash_password("correct-horse-battery")
    auditor = User(
        email="auditor@example.org",
        role=Role.AUDITOR,
        district=district,
        password_hash=password,
        name="Avery",
    )
    other = User(email="other@example.org", role=Role.AUDITOR, district=district, password_hash=password)
    reviewer = User(
        email="reviewer@example.org", role=Role.REVIEWER, district=district, password_hash=password
    )
    session.add_all([district, school, auditor, other, reviewer])
    session.flush()
    round_ = Round(
        district_id=district.id,
        name="Spring",
        first_day=date(2027, 2, 1),
        last_day=date(2027, 2, 26),
        status=RoundStatus.IN_FIELD,
        attempt_limit=3,
    )
    session.add(round_)
    session.flush()
    assignments = {}
    for channel, slot in (
        (Channel.PHONE, Slot.MORNING),
        (Channel.EMAIL, Slot.MIDDAY),
        (Channel.VISIT, Slot.AFTERNOON),
    ):
        scenario = make_scenario(session, district, channel, f"{channel.value}-scenario")
        assignments[channel] = Assignment(
            round_id=round_.id,
            school_id=school.id,
            scenario_id=scenario.id,
            auditor_id=auditor.id,
            channel=channel,
            sequence=1,
            due_day=date(2027, 2, 2),
            slot=slot,
        )
    session.add_all(assignments.values())
    session.commit()
    return Fieldwork(
        district, school, round_, auditor, other, reviewer,
        assignments[Channel.PHONE], assignments[Channel.EMAIL], assignments[Channel.VISIT],
    )  # fmt: skip


REACHED_CALL = {
    "started_at": "2027-02-02T09:15",
    "outcome": "reached",
    "rings": "4",
    "hold_seconds": "30",
    "transfers": "1",
    "call_seconds": "240",
    "staff_gave_name": "yes",
    "item-answered_by_person": "yes",
    "item-courtesy": "3",
    "item-accuracy": "Partly correct",
    "item-impression": "Friendly but rushed.",
    "comment-accuracy": "Did not mention immunisation records.",
}
