"""A round's history: every move of its status, who made it, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.round import RoundStatus
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.user import User


class ClosedAssignment(TypedDict):
    """An assignment nobody had started when its round closed, as it was then (``RoundEvent.assignments``)."""

    id: int
    auditor_id: int
    due_day: str  # ISO date
    slot: str


def _none_closed() -> list[ClosedAssignment]:
    return []


class RoundEvent(Base):
    """One move of a round's status (closed, reopened …): who, when, why, and what it closed."""

    __tablename__ = "round_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus))
    to_status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus))
    # Who moved it; ``None`` for the command line or the system (or an account since deleted).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Why: required to reopen a closed round, otherwise empty.
    reason: Mapped[str] = mapped_column(Text, default="")
    # Closing: the assignments nobody had started, as they were; reopening: those put back.
    assignments: Mapped[list[ClosedAssignment]] = mapped_column(JSON, default=_none_closed)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
