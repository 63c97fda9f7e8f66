"""The demo's finished calibration exercise: four auditors, six reference calls, a key, one lenient auditor.

The references are six approved, reached phone calls of the demo's earlier (finished) round;
the key is what the reviewer approved on each (entered by the reviewer). Every auditor's answers
are the key's, changed now and then by a seeded random source, so their agreement is high but not
perfect; Sam Auditor, the lenient one, moves every judged answer up a step (yes for no, the next
better option, one more point on a scale). A fourth demo auditor, Kim, takes part too. All of it
goes through ``audits.calibration``: the demo obeys the rules real exercises do.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.accounts import NewUser, create_user
from audits.calibration import (
    add_contact_reference,
    close_exercise,
    create_exercise,
    judged_items,
    open_exercise,
    record_sheet,
    set_auditors,
    submit_sheets,
)
from audits.demo import DEMO_PASSWORD
from audits.fieldwork.entry import AnswerEntry
from audits.models import (
    Assignment,
    CalibrationExercise,
    Channel,
    Contact,
    ContactStatus,
    District,
    ItemKind,
    Role,
    Round,
    RubricItem,
    User,
)

DEMO_CALIBRATION_SEED = 21
REFERENCES = 6
# The fourth auditor the exercise needs (the three demo auditors plan the rounds; Kim calibrates only).
EXTRA_AUDITOR = ("auditor4@example.org", "Kim Auditor")
LENIENT_AUDITOR = "auditor2@example.org"
# How often an ordinary auditor's answer differs from the key's.
SLIP = 0.12
EXERCISE_NAME = "Phone calibration: enrolment calls"
Value = bool | int | float | str | None


def _better(item: RubricItem, value: Value) -> Value:
    """The answer one step more generous than ``value``."""
    if item.kind is ItemKind.YES_NO:
        return True
    if item.kind is ItemKind.SCALE and isinstance(value, int):
        return min(item.scale_max or 1, value + 1)
    if item.kind is ItemKind.CHOICE:
        options = sorted(item.options or [], key=lambda option: -float(option["fraction"]))
        labels = [str(option["label"]) for option in options]
        return labels[max(0, labels.index(str(value)) - 1)] if value in labels else labels[0]
    if item.kind is ItemKind.TIMING and isinstance(value, int | float):
        return max(0.0, float(value) - 1)
    return value


def _slip(item: RubricItem, value: Value, rng: random.Random) -> Value:
    """Another plausible answer than ``value``: the other yes/no, a neighbouring point or option
    (as often better as worse: an ordinary auditor errs both ways)."""
    if item.kind is ItemKind.YES_NO:
        return not value
    if item.kind is ItemKind.SCALE and isinstance(value, int):
        top = item.scale_max or 1
        return max(0, min(top, value + rng.choice([-1, 1])))
    if item.kind is ItemKind.CHOICE:
        labels = [str(option["label"]) for option in item.options or []]
        others = [label for label in labels if label != value]
        return rng.choice(others) if others else value
    if item.kind is ItemKind.TIMING and isinstance(value, int | float):
        return float(value) + rng.choice([-1, 1])
    return value


def _key_answers(contact: Contact, items: list[RubricItem]) -> dict[str, AnswerEntry]:
    """What the reviewer approved on ``contact``, item by item (an unanswered item: N/A where allowed)."""
    responses = {response.item_id: response for response in contact.responses}
    answers = {}
    for item in items:
        response = responses.get(item.id)
        if response is None or response.na or response.value is None:
            answers[item.key] = AnswerEntry(na=True) if item.allow_na else AnswerEntry(_fallback(item))
        else:
            answers[item.key] = AnswerEntry(response.value)
    return answers


def _fallback(item: RubricItem) -> Value:
    if item.kind is ItemKind.YES_NO:
        return True
    if item.kind is ItemKind.SCALE:
        return item.scale_max or 1
    if item.kind is ItemKind.CHOICE:
        return str(item.options[0]["label"]) if item.options else ""
    if item.kind is ItemKind.TIMING:
        return 1.0
    return ""


def _auditor_answers(
    key: dict[str, AnswerEntry], items: list[RubricItem], rng: random.Random, lenient: bool
) -> dict[str, AnswerEntry]:
    answers = {}
    for item in items:
        given = key[item.key]
        if given.na or item.kind is ItemKind.TEXT:
            answers[item.key] = AnswerEntry(given.value, given.na)
            continue
        value = given.value
        if lenient:
            value = _better(item, value)
        elif not item.critical and rng.random() < SLIP:
            value = _slip(item, value, rng)
        answers[item.key] = AnswerEntry(value)
    return answers


def _references(session: Session, round_: Round) -> list[Contact]:
    """Six approved, reached phone calls of the round on one rubric version: the three that scored
    lowest and the three that scored highest (calls that differ, and room to be lenient)."""
    calls = list(
        session.scalars(
            select(Contact)
            .join(Assignment, Assignment.id == Contact.assignment_id)
            .where(
                Assignment.round_id == round_.id,
                Assignment.channel == Channel.PHONE,
                Contact.status == ContactStatus.APPROVED,
                Contact.unreached.is_(False),
                Contact.critical_failure.is_(False),
            )
            .order_by(Contact.id)
        )
    )
    if not calls:
        return []
    rubric_id = calls[0].rubric_id
    same = [call for call in calls if call.rubric_id == rubric_id and call.possible_points]
    ranked = sorted(same, key=lambda call: (call.earned_points / call.possible_points, call.id))
    half = REFERENCES // 2
    chosen = ranked[:half] + ranked[-half:] if len(ranked) >= REFERENCES else ranked
    return sorted(chosen, key=lambda call: call.id)


def load_demo_calibration(
    session: Session, district: District, users: list[User], earlier: Round | None, today: date
) -> CalibrationExercise | None:
    """Build, take and finish the demo's exercise a fortnight before ``today``; ``None`` without calls."""
    if earlier is None:
        return None
    references = _references(session, earlier)
    if len(references) < REFERENCES:
        return None
    leader = next(user for user in users if user.role is Role.LEADER)
    reviewer = next(user for user in users if user.role is Role.REVIEWER)
    auditors = [user for user in users if user.role is Role.AUDITOR]
    extra = session.scalars(select(User).where(User.email == EXTRA_AUDITOR[0])).first()
    if extra is None:
        extra = create_user(
            session,
            NewUser(
                email=EXTRA_AUDITOR[0],
                role=Role.AUDITOR,
                password=DEMO_PASSWORD,
                name=EXTRA_AUDITOR[1],
                district_id=district.id,
            ),
        )
    auditors.append(extra)
    day = today - timedelta(days=14)
    opened = datetime.combine(day, time(14), UTC)
    rubric = references[0].rubric
    exercise = create_exercise(session, district, leader, EXERCISE_NAME, rubric)
    for number, contact in enumerate(references, start=1):
        add_contact_reference(
            session, exercise, contact, f"Call {number}: {contact.assignment.scenario.title}"
        )
    set_auditors(session, exercise, auditors)
    open_exercise(session, exercise, opened)
    items = judged_items(rubric)
    rng = random.Random(DEMO_CALIBRATION_SEED)
    keys = {}
    for reference, contact in zip(exercise.references, references, strict=True):
        keys[reference.id] = _key_answers(contact, items)
        record_sheet(session, exercise, reference, reviewer, keys[reference.id], key=True, now=opened)
    for offset, auditor in enumerate(auditors, start=1):
        lenient = auditor.email == LENIENT_AUDITOR
        for reference in exercise.references:
            answers = _auditor_answers(keys[reference.id], items, rng, lenient)
            record_sheet(session, exercise, reference, auditor, answers, now=opened + timedelta(hours=offset))
        submit_sheets(session, exercise, auditor, opened + timedelta(hours=offset, minutes=30))
    close_exercise(session, exercise, opened + timedelta(days=2))
    return exercise
