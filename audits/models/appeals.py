"""Appeals: a principal queries one answer of one counted contact; another reviewer decides."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.contact import Contact
    from audits.models.user import User


class AppealOutcome(StrEnum):
    """Where an appeal stands: waiting for a reviewer, or decided either way."""

    PENDING = "pending"
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"

    @property
    def label(self) -> str:
        """The outcome as a principal reads it."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    AppealOutcome.PENDING: "Waiting for a decision",
    AppealOutcome.UPHELD: "Upheld",
    AppealOutcome.NOT_UPHELD: "Not upheld",
}


class Appeal(Base):
    """A principal's query of one answer (a rubric item, by key) of one counted contact.

    One appeal per answer: the same item of the same contact cannot be queried twice.
    ``approver`` is the reviewer whose approval of the contact the appeal questions (the
    latest approval when it was filed); they never decide it. An upheld appeal corrects
    the answer through the contact's edit log (``corrected_value``, or N/A); the decision's
    reason is told to the principal either way.
    """

    __tablename__ = "appeals"
    __table_args__ = (UniqueConstraint("contact_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    # What shows it, in the principal's words (a phone log entry, the time an email went out); optional.
    evidence: Mapped[str] = mapped_column(Text, default="")
    # The answer as it stood when it was queried, as text ("No", "3 of 5", "6 rings").
    queried_answer: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[AppealOutcome] = mapped_column(
        _enum(AppealOutcome), default=AppealOutcome.PENDING, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    # Upheld: the corrected answer as typed (for an answer worked out from a recorded fact, the fact),
    # or N/A; the answer as it reads after the correction.
    corrected_value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    corrected_na: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    corrected_answer: Mapped[str] = mapped_column(Text, default="")

    contact: Mapped[Contact] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def pending(self) -> bool:
        """Whether no reviewer has decided it yet."""
        return self.outcome is AppealOutcome.PENDING

    def __repr__(self) -> str:
        return f"<Appeal {self.id} contact={self.contact_id} item={self.item_key!r} {self.outcome}>"
