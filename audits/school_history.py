"""The history of a school's details: every change (by an import or by hand) with its old and new value.

``snapshot`` takes a school's tracked fields before a change, ``record_changes`` compares
them with the school afterwards and adds one ``SchoolChange`` per field that differs (who,
when, which import). ``history`` lists a school's changes newest first.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audits.models import CREATED, ImportBatch, School, SchoolChange, User
from audits.timeutil import utcnow

# The school fields whose changes are kept, with their words.
TRACKED_FIELDS = {
    "name": "Name",
    "code": "District code",
    "level": "Level",
    "grade_low": "Lowest grade",
    "grade_high": "Highest grade",
    "phone": "Phone",
    "email": "Email",
    "website": "Website",
    "principal_name": "Principal",
    "languages": "Languages",
    "office_hours": "Office hours",
    "street": "Street address",
    "city": "City",
    "state": "State",
    "zip": "ZIP code",
    "active": "Active",
}


def field_label(field: str) -> str:
    """A tracked field in words (``created`` is "Created")."""
    return "Created" if field == CREATED else TRACKED_FIELDS.get(field, field)


def stored(value: Any) -> Any:
    """A field's value as the history keeps it (JSON): an enum by its value, a list copied."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return list(value)
    return value


def value_text(value: Any) -> str:
    """A kept value in words: a list joined, a boolean yes/no, nothing as an em dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def snapshot(school: School) -> dict[str, Any]:
    """The school's tracked fields now, as the history keeps them."""
    return {name: stored(getattr(school, name)) for name in TRACKED_FIELDS}


def record_changes(
    session: Session,
    school: School,
    before: dict[str, Any],
    actor: User | None,
    batch: ImportBatch | None = None,
    now: datetime | None = None,
) -> list[SchoolChange]:
    """Add a change row for each tracked field of ``school`` that differs from ``before``; return them."""
    at = now or utcnow()
    changes = []
    for name, old in before.items():
        new = stored(getattr(school, name))
        if new != old:
            change = SchoolChange(
                school=school, field=name, old=old, new=new, at=at, actor=actor, batch=batch
            )
            session.add(change)
            changes.append(change)
    return changes


def record_created(
    session: Session,
    school: School,
    actor: User | None,
    batch: ImportBatch | None,
    now: datetime | None = None,
) -> SchoolChange:
    """Add the row that says ``batch`` (or ``actor``) created ``school``."""
    change = SchoolChange(
        school=school, field=CREATED, old=None, new=school.name, at=now or utcnow(), actor=actor, batch=batch
    )
    session.add(change)
    return change


def history(session: Session, school: School, limit: int = 200) -> list[SchoolChange]:
    """The school's changes, newest first."""
    stmt = (
        select(SchoolChange)
        .options(selectinload(SchoolChange.actor), selectinload(SchoolChange.batch))
        .where(SchoolChange.school_id == school.id)
        .order_by(SchoolChange.at.desc(), SchoolChange.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
