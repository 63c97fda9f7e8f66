"""School import batches: the recent ones of a district, and undoing one.

An import (NCES file or the district's directory) is one ``ImportBatch``; its
``SchoolChange`` rows say which schools it created and which fields it changed, with
their old values. ``undo_plan`` says exactly what undoing would remove and restore,
or why it cannot: a created school is in a round, or a changed field was changed
again since. ``undo_import`` applies the plan (flushes; the caller commits) and
writes the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from audits import audit_log
from audits.errors import ValidationError
from audits.models import (
    CREATED,
    Assignment,
    ImportBatch,
    Level,
    School,
    SchoolChange,
    User,
    principal_schools,
    round_schools,
)
from audits.school_history import field_label, value_text
from audits.timeutil import utcnow


@dataclass(frozen=True)
class Restore:
    """A field undoing puts back: the school, the field, its value now and the value it gets back."""

    school: School
    field: str
    now: Any
    old: Any

    def describe(self) -> str:
        """``Abess Park Elementary: Phone +19045550000 → +19045551234``."""
        return (
            f"{self.school.name}: {field_label(self.field)} {value_text(self.now)} → {value_text(self.old)}"
        )


@dataclass
class UndoPlan:
    """What undoing a batch removes and restores, or the reasons it cannot be undone."""

    batch: ImportBatch
    remove: list[School] = field(default_factory=list)
    restore: list[Restore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        """Whether the batch can be undone."""
        return not self.problems


def recent_batches(session: Session, district_id: int | None, limit: int = 10) -> list[ImportBatch]:
    """The latest imports, newest first: of one district, or (``None``) of every district."""
    stmt = (
        select(ImportBatch)
        .options(selectinload(ImportBatch.actor), selectinload(ImportBatch.district))
        .order_by(ImportBatch.at.desc(), ImportBatch.id.desc())
        .limit(limit)
    )
    if district_id is not None:
        stmt = stmt.where(ImportBatch.district_id == district_id)
    return list(session.scalars(stmt))


def undo_plan(session: Session, batch: ImportBatch) -> UndoPlan:
    """Work out what undoing ``batch`` does, and every reason it cannot be done."""
    plan = UndoPlan(batch)
    if batch.undone_at is not None:
        plan.problems.append("this import was already undone")
        return plan
    changes = list(
        session.scalars(
            select(SchoolChange)
            .options(selectinload(SchoolChange.school))
            .where(SchoolChange.batch_id == batch.id)
            .order_by(SchoolChange.id)
        )
    )
    created = [change.school for change in changes if change.field == CREATED]
    created_ids = {school.id for school in created}
    plan.remove = sorted(created, key=lambda school: school.name)
    in_rounds = _schools_in_rounds(session, created_ids)
    for school in plan.remove:
        if school.id in in_rounds:
            plan.problems.append(f"{school.name} ({school.nces_id}) is in an audit round")
    for change in changes:
        if change.field == CREATED or change.school_id in created_ids:
            continue
        later = session.scalar(
            select(SchoolChange.id).where(
                SchoolChange.school_id == change.school_id,
                SchoolChange.field == change.field,
                SchoolChange.id > change.id,
            )
        )
        now = _current(change.school, change.field)
        if later is not None or now != change.new:
            plan.problems.append(
                f"{change.school.name}: {field_label(change.field).lower()} was changed since this import "
                f"(now {value_text(now)})"
            )
            continue
        plan.restore.append(Restore(change.school, change.field, now, change.old))
    return plan


def undo_import(
    session: Session, batch: ImportBatch, actor: User | None, now: datetime | None = None
) -> UndoPlan:
    """Undo ``batch``: delete the schools it created, put back the fields it changed; flush.

    Raises :class:`ValidationError` (field ``batch``) with every reason when it cannot be undone;
    then nothing changes. The undoing is kept as history rows and in the audit log.
    """
    plan = undo_plan(session, batch)
    if not plan.possible:
        raise ValidationError.many([("batch", problem) for problem in plan.problems])
    at = now or utcnow()
    for restore in plan.restore:
        value = Level(restore.old) if restore.field == "level" else restore.old
        setattr(restore.school, restore.field, value)
        session.add(
            SchoolChange(
                school=restore.school,
                field=restore.field,
                old=restore.now,
                new=restore.old,
                at=at,
                actor=actor,
            )
        )
    removed_ids = [school.id for school in plan.remove]
    if removed_ids:
        session.execute(delete(principal_schools).where(principal_schools.c.school_id.in_(removed_ids)))
        session.execute(delete(SchoolChange).where(SchoolChange.school_id.in_(removed_ids)))
        for school in plan.remove:
            session.delete(school)
    district = batch.district
    if district is not None and batch.recorded_lea_ids:
        district.nces_lea_ids = [lea for lea in district.nces_lea_ids if lea not in batch.recorded_lea_ids]
    batch.undone_at = at
    batch.undone_by_id = actor.id if actor is not None else None
    audit_log.record(
        session,
        actor,
        audit_log.SCHOOLS_IMPORT_UNDONE,
        district=district,
        batch=batch.id,
        file=batch.file_name,
        removed=len(plan.remove),
        restored=len(plan.restore),
    )
    session.flush()
    return plan


def _schools_in_rounds(session: Session, school_ids: set[int]) -> set[int]:
    """Which of ``school_ids`` a round has chosen or planned a contact for."""
    if not school_ids:
        return set()
    ids = sorted(school_ids)
    chosen = session.scalars(select(round_schools.c.school_id).where(round_schools.c.school_id.in_(ids)))
    planned = session.scalars(select(Assignment.school_id).where(Assignment.school_id.in_(ids)))
    return set(chosen) | set(planned)


def _current(school: School, name: str) -> Any:
    value = getattr(school, name)
    return value.value if isinstance(value, Level) else (list(value) if isinstance(value, list) else value)


__all__ = ["Restore", "UndoPlan", "recent_batches", "undo_import", "undo_plan"]
