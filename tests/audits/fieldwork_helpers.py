"""A scheduled round with one assignment per channel, for fieldwork tests."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar
from audits.fieldwork.drafts import parse_local
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.models import (
    Assignment,
    Channel,
    District,
    Level,
    Outcome,
    Role,
    Round,
    RoundStatus,
    Rubric,
    School,
    Slot,
    User,
)
from audits.passwords import hash_password
from audits.rubrics.versions import create_draft, publish
from audits.rubrics.yamlio import rubric_from_yaml
from tests.audits.round_helpers import make_scenario, publish_rubric


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


def local(text: str) -> datetime:
    """``2027-02-02T09:15`` in the fieldwork district's time, as an aware UTC datetime."""
    return parse_local(text, "America/New_York")


def attempt(outcome: str, started: str, **timings: Any) -> ContactEntry:
    """An entry with only an outcome, when it started, and any ``timings``: a failed attempt, say."""
    return ContactEntry(Outcome(outcome), local(started), Timings(**timings))


def changed(
    entry: ContactEntry, *, responses: dict[str, AnswerEntry] | None = None, **timings: Any
) -> ContactEntry:
    """A copy of ``entry`` with some timings and answers changed (``started_at`` too, as a timing)."""
    started = timings.pop("started_at", entry.started_at)
    return replace(
        entry,
        started_at=started,
        timings=replace(entry.timings, **timings),
        responses={**entry.responses, **(responses or {})},
    )


# A reached call, as the auditor's contact form posts it …
REACHED_CALL_FORM = {
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

# … and as the typed entry the form (or the API) gives the domain.
REACHED_CALL = ContactEntry(
    outcome=Outcome.REACHED,
    started_at=local("2027-02-02T09:15"),
    timings=Timings(rings=4, hold_seconds=30, transfers=1, call_seconds=240, staff_gave_name=True),
    responses={
        "answered_by_person": AnswerEntry(True),
        "courtesy": AnswerEntry(3),
        "accuracy": AnswerEntry("Partly correct", comment="Did not mention immunisation records."),
        "impression": AnswerEntry("Friendly but rushed."),
    },
)


LIBRARY_RUBRICS = Path(__file__).resolve().parents[2] / "audits" / "library" / "rubrics"


def use_library_rubric(session: Session, channel: Channel) -> Rubric:
    """Publish the library's standard rubric of ``channel`` (with its facts) as the next version of the
    world's ``<channel>-test`` rubric, so contacts started from now on are scored on it (committed)."""
    publish_rubric(session, channel)
    text = (LIBRARY_RUBRICS / f"{channel.value}-standard.yaml").read_text()
    rubric = create_draft(
        session,
        rubric_from_yaml(text.replace(f"key: {channel.value}-standard", f"key: {channel.value}-test")),
    )
    publish(session, rubric)
    session.commit()
    return rubric


# A reached call on the library's phone rubric, as the form posts it: the rings, the hold, the
# transfers and the staff name are recorded once, in the call's fields; the rubric asks the rest.
LIBRARY_CALL_FORM = {
    "started_at": "2027-02-02T09:15",
    "outcome": "reached",
    "rings": "4",
    "hold_seconds": "0",
    "transfers": "1",
    "call_seconds": "240",
    "staff_gave_name": "no",
    "item-school_named": "yes",
    "item-offer_of_help": "yes",
    "na-voicemail_returned": "1",
    "na-callback_time": "1",
    "item-question_answered": "yes",
    "item-answer_accuracy": "Accurate but missing one or two points",
    "item-courtesy": "4",
    "item-respectful_treatment": "yes",
    "item-what_families_heard": "Friendly and quick.",
    "na-language_help_offered": "1",
    "na-language_help_wait": "1",
    "comment-rings": "A menu answered first; rings counted after pressing 0.",
}
