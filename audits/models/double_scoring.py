"""Blind double-scoring in live rounds: a second auditor's answers, kept apart from every figure.

A round asks for a share of its contacts (``Round.double_score_percent``, 10 by default) whose
evidence lets someone else judge them (a call recording, an email thread) to be scored again by a
second auditor who never sees the first's answers. Each chosen contact is one ``DoubleScoring``
(the seeded draw that chose it, the share asked, the second auditor); the second auditor's answers
are ``SecondAnswers`` of it. Nothing here is a ``Contact`` or a ``Response``, so no score, tally,
dashboard, export or scorecard ever reads them: they only feed the round's agreement figures
(``audits.double_scoring.agreement``) and the reviewer's flag when a critical item differs.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.contact import Contact
    from audits.models.round import Round
    from audits.models.rubric import RubricItem
    from audits.models.user import User


class DoubleScoring(Base):
    """One contact chosen to be scored again, blind, by a second auditor."""

    __tablename__ = "double_scorings"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), unique=True)
    second_auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The seeded draw (0 ≤ draw < 1, from the round's seed and the contact) below the share that chose it.
    draw: Mapped[float] = mapped_column(Float)
    percent: Mapped[float] = mapped_column(Float)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship()
    contact: Mapped[Contact] = relationship()
    second_auditor: Mapped[User] = relationship()
    answers: Mapped[list[SecondAnswer]] = relationship(
        back_populates="scoring",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SecondAnswer.id",
    )

    @property
    def done(self) -> bool:
        """Whether the second auditor has submitted their answers."""
        return self.submitted_at is not None


class SecondAnswer(Base):
    """The second auditor's answer to one rubric item of a double-scored contact (or N/A)."""

    __tablename__ = "second_answers"
    __table_args__ = (UniqueConstraint("scoring_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scoring_id: Mapped[int] = mapped_column(ForeignKey("double_scorings.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rubric_items.id"))
    value: Mapped[Any] = mapped_column(JSON)
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")

    scoring: Mapped[DoubleScoring] = relationship(back_populates="answers")
    item: Mapped[RubricItem] = relationship()
