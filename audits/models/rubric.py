"""Rubrics: versioned scoring sheets made of ordered sections and items.

A published version never changes (``audits.rubrics.guard`` enforces it at flush
time); editing one means drafting the next version.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow


class Channel(StrEnum):
    """How an auditor reaches a school."""

    PHONE = "phone"
    EMAIL = "email"
    VISIT = "visit"


class CriticalPolicy(StrEnum):
    """What a failed critical item does to a contact's score."""

    FLAG = "flag"
    ZERO = "zero"


class RubricStatus(StrEnum):
    """Life of a rubric version: drafted, published (frozen), retired (still readable)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class ItemKind(StrEnum):
    """How an item is answered and turned into a fraction of its points."""

    YES_NO = "yes_no"
    SCALE = "scale"
    CHOICE = "choice"
    TIMING = "timing"
    TEXT = "text"


class TimingUnit(StrEnum):
    """The unit a timing item is measured in."""

    RINGS = "rings"
    SECONDS = "seconds"
    MINUTES = "minutes"
    BUSINESS_HOURS = "business_hours"


def _enum(enum: type[StrEnum]) -> SAEnum:
    return SAEnum(
        enum, native_enum=False, length=20, values_callable=lambda members: [m.value for m in members]
    )


class Rubric(Base):
    """One version of a rubric, identified by ``key`` and ``version``."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[RubricStatus] = mapped_column(_enum(RubricStatus), default=RubricStatus.DRAFT)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    critical_policy: Mapped[CriticalPolicy] = mapped_column(
        _enum(CriticalPolicy), default=CriticalPolicy.FLAG
    )
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sections: Mapped[list[RubricSection]] = relationship(
        back_populates="rubric", cascade="all, delete-orphan", order_by="RubricSection.position"
    )

    @property
    def items(self) -> list[RubricItem]:
        """Every item, in order, across sections."""
        return [item for section in self.sections for item in section.items]

    @property
    def is_draft(self) -> bool:
        """Whether this version may still be edited."""
        return self.status is RubricStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Rubric {self.key} v{self.version} {self.status}>"


class RubricSection(Base):
    """An ordered group of items; sections with the same key are compared across contacts."""

    __tablename__ = "rubric_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))

    rubric: Mapped[Rubric] = relationship(back_populates="sections")
    items: Mapped[list[RubricItem]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="RubricItem.position"
    )


class ChoiceOption(TypedDict):
    """One answer of a ``choice`` item as ``RubricItem.options`` stores it."""

    label: str
    fraction: float


class RubricItem(Base):
    """One question of a rubric and how its answer scores."""

    __tablename__ = "rubric_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("rubric_sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    prompt: Mapped[str] = mapped_column(Text)
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind))
    guidance: Mapped[str] = mapped_column(Text, default="")
    tip: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[float] = mapped_column(Float, default=0.0)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_na: Mapped[bool] = mapped_column(Boolean, default=False)
    scale_max: Mapped[int | None] = mapped_column(Integer)
    # What each point of a scale means, by point (0 to ``scale_max``; "" where a point has none).
    scale_labels: Mapped[list[str] | None] = mapped_column(JSON)
    unit: Mapped[TimingUnit | None] = mapped_column(_enum(TimingUnit))
    options: Mapped[list[ChoiceOption] | None] = mapped_column(JSON)
    bands: Mapped[list[list[float]] | None] = mapped_column(JSON)
    # The contact fact the answer is taken from (``audits.rubrics.facts``); none: the auditor answers.
    fact: Mapped[str | None] = mapped_column(String(32))

    section: Mapped[RubricSection] = relationship(back_populates="items")

    def point_label(self, point: int) -> str:
        """What ``point`` of a scale item means ("rude or hostile"); ``""`` when it has no label."""
        labels = self.scale_labels or []
        return labels[point] if 0 <= point < len(labels) else ""
