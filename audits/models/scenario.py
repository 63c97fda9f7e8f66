"""Scenarios: who the auditor pretends to be, what they say, and what a right answer holds."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import Channel, _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.district import District


def _no_questions() -> list[str]:
    return []


class ScriptValue(Base):
    """A district's value for one variable of its scripts and answer keys (``audits.script_variables``).

    ``school_id`` ``None``: the district's value; otherwise one school's own, which comes first.
    """

    __tablename__ = "script_values"
    __table_args__ = (UniqueConstraint("district_id", "school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Scenario(Base):
    """A scripted contact. ``district_id`` is ``None`` for the shared library."""

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    language: Mapped[str] = mapped_column(String(8), default="en")
    rubric_key: Mapped[str] = mapped_column(String(64))
    persona: Mapped[str] = mapped_column(Text, default="")
    script: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[list[str]] = mapped_column(JSON, default=_no_questions)
    answer_key: Mapped[str] = mapped_column(Text, default="")
    # The grades the persona's child may be in (codes ``PK``, ``KG``, ``01``..``12``) and the
    # school levels the scenario suits; empty: any (``audits.scenario_fit``).
    grades: Mapped[list[str]] = mapped_column(JSON, default=_no_questions)
    levels: Mapped[list[str]] = mapped_column(JSON, default=_no_questions)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District | None] = relationship()

    @property
    def is_library(self) -> bool:
        """Whether this is a shared library scenario rather than a district's own."""
        return self.district_id is None

    def __repr__(self) -> str:
        return f"<Scenario {self.key} district={self.district_id}>"
