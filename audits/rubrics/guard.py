"""The freeze: nothing of a published or retired rubric version changes, ever.

A ``before_flush`` hook refuses any insert, update or delete that touches a
non-draft version's content, whichever code path tries it. Only the status and
its timestamps may move on (published → retired).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from audits.errors import ConflictError
from audits.models import Rubric, RubricItem, RubricSection, RubricStatus

_LIFECYCLE_FIELDS = {"status", "published_at", "retired_at"}


class FrozenRubricError(ConflictError):
    """An attempt to change a published rubric version."""


def _stored_status(rubric: Rubric) -> RubricStatus | None:
    """The status as it was loaded from the database (``None`` for a new rubric)."""
    state = inspect(rubric)
    if state.pending or state.transient:
        return None
    history = state.attrs.status.history
    return history.deleted[0] if history.deleted else rubric.status


def _rubric_of(obj: Any) -> Rubric | None:
    if isinstance(obj, Rubric):
        return obj
    if isinstance(obj, RubricSection):
        return obj.rubric
    if isinstance(obj, RubricItem):
        return obj.section.rubric if obj.section is not None else None
    return None


def _refuse(rubric: Rubric) -> None:
    raise FrozenRubricError(
        "status",
        f"{rubric.key} version {rubric.version} is {rubric.status.value} and cannot change; "
        "create a new version to edit it",
    )


@event.listens_for(Session, "before_flush")
def _keep_published_rubrics_frozen(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse changes to the content of rubric versions that are no longer drafts."""
    for obj in [*session.new, *session.dirty, *session.deleted]:
        rubric = _rubric_of(obj)
        if rubric is None:
            continue
        stored = _stored_status(rubric)
        if stored is None or stored is RubricStatus.DRAFT:
            continue
        if obj is rubric and obj not in session.deleted:
            changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
            if changed <= _LIFECYCLE_FIELDS | {"sections"} and not _sections_changed(rubric):
                continue
        elif (
            isinstance(obj, RubricSection | RubricItem)
            and obj in session.dirty
            and not session.is_modified(obj, include_collections=False)
        ):
            continue
        _refuse(rubric)


def _sections_changed(rubric: Rubric) -> bool:
    return inspect(rubric).attrs.sections.history.has_changes()
