"""Calls placed through Twilio for a phone contact: both legs and every status event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.contact import Contact


def _no_params() -> dict[str, Any]:
    return {}


class Call(Base):
    """One Twilio call for a contact; ``leg`` is ``auditor`` (rung first) or ``school``."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    leg: Mapped[str] = mapped_column(String(10))
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    parent_call_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    # The highest SequenceNumber applied, so late or repeated callbacks change nothing.
    last_sequence: Mapped[int] = mapped_column(Integer, default=-1)
    ringing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    answered_by: Mapped[str | None] = mapped_column(String(30))
    machine: Mapped[bool | None] = mapped_column(Boolean)
    recording_policy: Mapped[str] = mapped_column(String(20), default="off")
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_path: Mapped[str | None] = mapped_column(String(255))
    recording_seconds: Mapped[int | None] = mapped_column(Integer)
    recording_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship()
    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallEvent.sequence"
    )


class CallEvent(Base):
    """One status callback as Twilio sent it (kept once, whatever the repeats)."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "kind", "sequence", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="status")
    status: Mapped[str] = mapped_column(String(30))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=_no_params)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    call: Mapped[Call] = relationship(back_populates="events")
