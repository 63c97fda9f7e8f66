"""Moving one assignment to another auditor, day or slot, with every rule checked again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, ValidationError
from audits.models import Assignment, Contact, Round, RoundStatus, Slot
from audits.planning.rounds import district_auditors, ensure_status
from audits.planning.slots import school_days, usable_slots
from audits.vocabulary import count_of, language_name

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def reassign(session: Session, assignment: Assignment, auditor_id: int, day: date, slot: Slot) -> None:
    """Give ``assignment`` to ``auditor_id`` on ``day`` in ``slot``, or explain every rule it breaks."""
    round_ = assignment.round
    ensure_status(round_, RoundStatus.SCHEDULED, RoundStatus.IN_FIELD)
    if session.scalar(select(Contact.id).where(Contact.assignment_id == assignment.id).limit(1)) is not None:
        raise ConflictError("auditor_id", "this assignment already has a recorded contact; it cannot move")
    district = round_.district
    problems: list[tuple[str | None, str]] = []
    pool = {user.id: (user, profile) for user, profile in district_auditors(session, district.id)}
    if auditor_id not in pool:
        raise ValidationError("auditor_id", "choose an active auditor of this district")
    user, profile = pool[auditor_id]
    name = user.display_name
    language = assignment.scenario.language
    if language not in (profile.languages or ["en"]):
        problems.append(("auditor_id", f"{name} does not speak {language_name(language)}"))
    if any(school.id == assignment.school_id for school in profile.conflicts):
        problems.append(("auditor_id", f"{name} has a conflict with {assignment.school.name}"))
    other = session.scalar(
        select(Assignment.id).where(
            Assignment.round_id == round_.id,
            Assignment.school_id == assignment.school_id,
            Assignment.auditor_id == auditor_id,
            Assignment.id != assignment.id,
        )
    )
    if other is not None:
        problems.append(("auditor_id", f"{name} already contacts {assignment.school.name} in this round"))
    if not round_.first_day <= day <= round_.last_day:
        problems.append(("due_day", "the day must be inside the round's window"))
    elif day.weekday() >= 5 or any(closure.day == day for closure in district.closures):
        problems.append(("due_day", "that day is not a school day"))
    elif day.weekday() not in profile.weekdays:
        problems.append(("due_day", f"{name} does not work on {WEEKDAY_NAMES[day.weekday()]}s"))
    else:
        booked = session.scalars(
            select(func.count())
            .select_from(Assignment)
            .join(Assignment.round)
            .where(
                Assignment.auditor_id == auditor_id,
                Assignment.due_day == day,
                Assignment.id != assignment.id,
                Round.status.in_([RoundStatus.SCHEDULED, RoundStatus.IN_FIELD]),
            )
        ).one()
        if booked >= profile.max_per_day:
            problems.append(
                (
                    "due_day",
                    f"{name} already has {count_of(booked, 'contact')} that day "
                    f"(maximum {profile.max_per_day})",
                )
            )
    if slot not in usable_slots(district.school_day_start, district.school_day_end):
        problems.append(("slot", "that time slot is outside the district's school-day hours"))
    if assignment.pair_id is not None and round_.first_day <= day <= round_.last_day:
        problems.extend(_pair_spacing(session, assignment, day))
    if problems:
        raise ValidationError.many(problems)
    assignment.auditor_id = auditor_id
    assignment.due_day = day
    assignment.slot = slot
    session.flush()


def _pair_spacing(session: Session, assignment: Assignment, day: date) -> list[tuple[str | None, str]]:
    """A pair member keeps its place in the school's order and the round's school days from the other
    member (rule 10 of the planner)."""
    partner = session.scalar(
        select(Assignment).where(
            Assignment.round_id == assignment.round_id,
            Assignment.school_id == assignment.school_id,
            Assignment.pair_id == assignment.pair_id,
            Assignment.id != assignment.id,
        )
    )
    if partner is None:
        return []
    round_ = assignment.round
    days = school_days(round_.first_day, round_.last_day, (c.day for c in round_.district.closures))
    index = {school_day: position for position, school_day in enumerate(days)}
    if day not in index or partner.due_day not in index:
        return []
    first, second = (day, partner.due_day) if assignment.pair_position == 1 else (partner.due_day, day)
    if index[second] - index[first] >= round_.pair_spacing:
        return []
    spacing = count_of(round_.pair_spacing, "school day")
    when = "before" if assignment.pair_position == 1 else "after"
    return [
        (
            "due_day",
            f"this is a member of a scenario pair: it must come at least {spacing} {when} the other "
            f"member, due {partner.due_day:%a, %b} {partner.due_day.day}",
        )
    ]
