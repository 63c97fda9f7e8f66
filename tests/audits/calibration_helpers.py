"""A district with approved contacts, a leader, a reviewer and four auditors, for calibration tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from audits.calibration import (
    add_contact_reference,
    create_exercise,
    open_exercise,
    record_sheet,
    set_auditors,
    submit_sheets,
)
from audits.fieldwork.entry import AnswerEntry
from audits.models import CalibrationExercise, Channel, Contact, Role, Round, Rubric, User
from tests.audits.scoring_helpers import ScoringWorld, build_world

NOW = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)
GOOD = {"answered": 1.0, "named": 1.0, "courtesy": 0.75, "accuracy": 0.5}

# The key's answers to the three references; the auditors' answers are given as changes to these.
KEY = [
    {"answered": True, "named": True, "courtesy": 3, "accuracy": "Partly", "note": "Fine."},
    {"answered": True, "named": False, "courtesy": 1, "accuracy": "Wrong", "note": "Curt."},
    {"answered": False, "named": None, "courtesy": 0, "accuracy": "Wrong", "note": "No help."},
]


def entry(answers: dict[str, object]) -> dict[str, AnswerEntry]:
    """Answers by item key as the domain takes them (``None``: N/A)."""
    return {
        key: AnswerEntry(na=True) if value is None else AnswerEntry(value)  # type: ignore[arg-type]
        for key, value in answers.items()
    }


@dataclass
class CalibrationWorld:
    """The scoring world, its people, a round of approved phone contacts and the phone rubric."""

    world: ScoringWorld
    leader: User
    reviewer: User
    auditors: list[User]
    round: Round
    contacts: list[Contact]
    rubric: Rubric
    exercises: list[CalibrationExercise] = field(default_factory=list)

    def exercise(self, name: str = "Spring calibration") -> CalibrationExercise:
        """A draft exercise on the phone rubric with the three contacts and the four auditors."""
        session = self.world.session
        exercise = create_exercise(session, self.world.district, self.leader, name, self.rubric)
        for contact in self.contacts:
            add_contact_reference(session, exercise, contact)
        set_auditors(session, exercise, self.auditors)
        self.exercises.append(exercise)
        return exercise


def build_calibration(session: Session) -> CalibrationWorld:
    """Three approved phone contacts at School A, a leader, a reviewer and auditors Ann, Bo, Cy, Di."""
    world = build_world(session, schools=2)
    district = world.district
    people = {}
    for name, role in (("Lee", Role.LEADER), ("Rae", Role.REVIEWER)):
        people[name] = User(
            email=f"{name.lower()}@calibration.example.org",
            role=role,
            district_id=district.id,
            password_hash="x",
            name=name,
        )
    auditors = [
        User(
            email=f"{name.lower()}@calibration.example.org",
            role=Role.AUDITOR,
            district_id=district.id,
            password_hash="x",
            name=name,
        )
        for name in ("Ann", "Bo", "Cy", "Di")
    ]
    session.add_all([*people.values(), *auditors])
    session.flush()
    round_ = world.round("Winter", date(2027, 1, 11))
    contacts = [world.contact(round_, world.schools[0], Channel.PHONE, GOOD) for _ in range(3)]
    session.flush()
    return CalibrationWorld(
        world, people["Lee"], people["Rae"], auditors, round_, contacts, world.rubrics[Channel.PHONE]
    )


def finished_exercise(cal: CalibrationWorld, *, key: bool = True) -> CalibrationExercise:
    """An open exercise all four auditors submitted: Ann and Bo match the key, Cy differs on
    courtesy once, Di is lenient (answers yes and top marks throughout)."""
    session = cal.world.session
    exercise = cal.exercise()
    open_exercise(session, exercise, NOW)
    references = exercise.references
    if key:
        for reference, answers in zip(references, KEY, strict=True):
            record_sheet(session, exercise, reference, cal.reviewer, entry(answers), key=True, now=NOW)
    ann, bo, cy, di = cal.auditors
    for index, reference in enumerate(references):
        record_sheet(session, exercise, reference, ann, entry(KEY[index]), now=NOW)
        record_sheet(session, exercise, reference, bo, entry(KEY[index]), now=NOW)
        cy_answers = dict(KEY[index])
        if index == 1:
            cy_answers["courtesy"] = 2
        record_sheet(session, exercise, reference, cy, entry(cy_answers), now=NOW)
        lenient = {"answered": True, "named": True, "courtesy": 4, "accuracy": "Right", "note": "Great."}
        record_sheet(session, exercise, reference, di, entry(lenient), now=NOW)
    for auditor in cal.auditors:
        submit_sheets(session, exercise, auditor, NOW)
    session.flush()
    return exercise
