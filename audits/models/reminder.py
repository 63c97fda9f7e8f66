"""A record of each reminder sent, so a reminder goes out once."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow


class ReminderKind(StrEnum):
    """Why an auditor is reminded."""

    DUE_TOMORROW = "due_tomorrow"
    OVERDUE = "overdue"


class ReminderLog(Base):
    """One reminder about one assignment on one day."""

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("assignment_id", "kind", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(_enum(ReminderKind))
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
