"""Scorecards: one PDF per round and school, its publication history and who opened it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.round import Round
    from audits.models.school import School
    from audits.models.user import User


class Scorecard(Base):
    """The current PDF of one school for one round, stored by content hash."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("round_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    # Hash of everything the PDF is made from; an unchanged hash means no rebuild.
    inputs_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
    school: Mapped[School] = relationship()


class PublicationAction(StrEnum):
    """What a leader did to a round's scorecards."""

    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class ScorecardPublication(Base):
    """One publish or unpublish of a round's scorecards (the history is kept)."""

    __tablename__ = "scorecard_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[PublicationAction] = mapped_column(_enum(PublicationAction))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class ScorecardView(Base):
    """When a principal first (and last) opened a scorecard."""

    __tablename__ = "scorecard_views"
    __table_args__ = (UniqueConstraint("scorecard_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opens: Mapped[int] = mapped_column(Integer, default=1)
