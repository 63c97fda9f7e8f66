"""Retention: legal holds on rounds (their history) and a record of every evidence purge."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.user import User


class HoldAction(StrEnum):
    """What happened to a round's legal hold."""

    PLACED = "placed"
    LIFTED = "lifted"


class LegalHoldEvent(Base):
    """One placing or lifting of a round's legal hold: who, when and why."""

    __tablename__ = "legal_hold_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    action: Mapped[HoldAction] = mapped_column(_enum(HoldAction))
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


def _no_counts() -> dict[str, int]:
    return {}


class RetentionPurge(Base):
    """One run of the retention purge: what it removed, counted per kind of evidence."""

    __tablename__ = "retention_purges"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Kind → how many went: photos, emails, text files, recordings (files), texts (contacts blanked), orphans.
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=_no_counts)
    # The rounds skipped because of a legal hold, by id.
    held_round_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
