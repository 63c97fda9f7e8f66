"""Calibration exercises: auditors score the same reference contacts so their agreement can be measured.

A leader builds an exercise on one rubric version from reference contacts (an approved contact
with its evidence, or uploaded material: an audio file, an ``.eml``, a written narrative), the
auditors taking part and optionally a key (the answers agreed by the district's lead reviewer).
Every answer lives on a ``ScoreSheet`` of the exercise, never on a ``Contact``: nothing here is
read by the school scores (``audits.scoring``), so exercise scores never reach a school.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.contact import EvidenceKind
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.contact import Contact
    from audits.models.district import District
    from audits.models.rubric import Rubric, RubricItem
    from audits.models.user import User


class ExerciseStatus(StrEnum):
    """draft (being built) → open (auditors score) → closed (finished: figures final)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The status as a leader reads it."""
        return {"draft": "Being prepared", "open": "Open", "closed": "Finished"}[self.value]


class CalibrationExercise(Base):
    """One exercise: a rubric version, reference contacts, the auditors taking part, maybe a key."""

    __tablename__ = "calibration_exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"), index=True)
    status: Mapped[ExerciseStatus] = mapped_column(_enum(ExerciseStatus), default=ExerciseStatus.DRAFT)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Who entered the key (the district's lead reviewer, or a leader for them); none: no key.
    key_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    district: Mapped[District] = relationship()
    rubric: Mapped[Rubric] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    key_by: Mapped[User | None] = relationship(foreign_keys=[key_by_id])
    references: Mapped[list[CalibrationReference]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", order_by="CalibrationReference.position"
    )
    participants: Mapped[list[CalibrationParticipant]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", order_by="CalibrationParticipant.id"
    )
    sheets: Mapped[list[ScoreSheet]] = relationship(
        back_populates="exercise", cascade="all, delete-orphan", order_by="ScoreSheet.id"
    )

    def __repr__(self) -> str:
        return f"<CalibrationExercise {self.id} {self.name!r} {self.status}>"


class CalibrationReference(Base):
    """One contact every auditor of the exercise scores: an approved contact or uploaded material."""

    __tablename__ = "calibration_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_exercises.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # An approved contact whose record and evidence the auditors read (none for uploaded material).
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    # A written narrative (of a visit, say), or the text of an uploaded email.
    narrative: Mapped[str] = mapped_column(Text, default="")
    # An uploaded file (audio, an .eml, a photo), stored like evidence under a random name.
    file_kind: Mapped[EvidenceKind | None] = mapped_column(_enum(EvidenceKind))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    storage_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exercise: Mapped[CalibrationExercise] = relationship(back_populates="references")
    contact: Mapped[Contact | None] = relationship()


class CalibrationParticipant(Base):
    """An auditor taking part in an exercise; ``submitted_at`` once all their sheets are in."""

    __tablename__ = "calibration_participants"
    __table_args__ = (UniqueConstraint("exercise_id", "auditor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_exercises.id", ondelete="CASCADE"), index=True
    )
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    exercise: Mapped[CalibrationExercise] = relationship(back_populates="participants")
    auditor: Mapped[User] = relationship()


class ScoreSheet(Base):
    """One person's answers to one reference contact: an auditor's, or the key (``is_key``).

    Its score (``earned_points`` of ``possible_points``) is tallied from its answers the way a
    contact's is, and read only by the exercise's figures.
    """

    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("reference_id", "auditor_id", "is_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_exercises.id", ondelete="CASCADE"), index=True
    )
    reference_id: Mapped[int] = mapped_column(
        ForeignKey("calibration_references.id", ondelete="CASCADE"), index=True
    )
    # The auditor scoring, or who entered the key.
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    earned_points: Mapped[float] = mapped_column(Float, default=0.0)
    possible_points: Mapped[float] = mapped_column(Float, default=0.0)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    exercise: Mapped[CalibrationExercise] = relationship(back_populates="sheets")
    reference: Mapped[CalibrationReference] = relationship()
    auditor: Mapped[User] = relationship()
    answers: Mapped[list[SheetAnswer]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", order_by="SheetAnswer.id"
    )

    @property
    def score(self) -> float | None:
        """The sheet's score in percent, or ``None`` when nothing it answered carries points."""
        return 100.0 * self.earned_points / self.possible_points if self.possible_points else None


class SheetAnswer(Base):
    """The answer to one rubric item on a score sheet: a raw value or N/A, its fraction, a comment."""

    __tablename__ = "sheet_answers"
    __table_args__ = (UniqueConstraint("sheet_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rubric_items.id"))
    value: Mapped[Any] = mapped_column(JSON)
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    fraction: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="answers")
    item: Mapped[RubricItem] = relationship()
