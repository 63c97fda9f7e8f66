"""Action plans: what a school will change after a scorecard, the leader's decision and the history.

A plan answers one round's scorecard of one school. Its principal writes actions (what will
change, who is responsible by role, a due date, a coaching tip from the rubric library), submits
it; a leader approves it or sends it back. Each action is closed with evidence (a text, a file or
a photo). Every step is a ``PlanEvent`` of the plan's history; ``PlanReminder`` records the
overdue reminders sent, so that one goes out at most once a school day.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.contact import EvidenceKind
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.round import Round
    from audits.models.school import School
    from audits.models.user import User


class PlanStatus(StrEnum):
    """Where a plan stands: written, waiting for the leader, sent back, approved, every action closed."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SENT_BACK = "sent_back"
    APPROVED = "approved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The status in words: ``Sent back``."""
        return self.value.replace("_", " ").capitalize()


class PlanReason(StrEnum):
    """Why a plan was opened."""

    CRITICAL_FAILURE = "critical_failure"  # a counted contact failed a critical item
    BELOW_THRESHOLD = "below_threshold"  # the overall fell below the district's alert threshold
    REQUESTED = "requested"  # a leader or the principal asked for one


class PlanEventKind(StrEnum):
    """One step in a plan's history."""

    OPENED = "opened"
    ACTION_ADDED = "action_added"
    ACTION_CHANGED = "action_changed"
    ACTION_REMOVED = "action_removed"
    SUBMITTED = "submitted"
    SENT_BACK = "sent_back"
    APPROVED = "approved"
    ACTION_CLOSED = "action_closed"
    CLOSED = "closed"


class ActionPlan(Base):
    """One school's plan in answer to one round's scorecard."""

    __tablename__ = "action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus), default=PlanStatus.DRAFT)
    reason: Mapped[PlanReason] = mapped_column(_enum(PlanReason))
    # The engine's figures that opened it, as they were: the overall and the district's threshold.
    overall: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    critical_failures: Mapped[int] = mapped_column(Integer, default=0)
    # Who opened it; ``None`` when publishing the scorecards did (or the account is gone).
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School] = relationship()
    round: Mapped[Round] = relationship()
    opened_by: Mapped[User | None] = relationship()
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by=lambda: [PlanAction.due_on, PlanAction.id],
    )
    events: Mapped[list[PlanEvent]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by=lambda: [PlanEvent.at, PlanEvent.id]
    )


class PlanAction(Base):
    """One thing a school will change: what, who by role, by when, with which coaching tip; then closed."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"), index=True)
    # The weak item it answers (``audits.plans.weak``: ``section:greeting``…), empty for the plan as a whole.
    target: Mapped[str] = mapped_column(String(200), default="")
    target_label: Mapped[str] = mapped_column(String(300), default="")
    change: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(40))  # a role of ``audits.plans.roles``
    due_on: Mapped[date] = mapped_column(Date)
    # The coaching tip chosen from the rubric library, and its text as it was chosen.
    resource_item_id: Mapped[int | None] = mapped_column(ForeignKey("rubric_items.id", ondelete="SET NULL"))
    resource: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    evidence_text: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[ActionPlan] = relationship(back_populates="actions")
    closed_by: Mapped[User | None] = relationship()
    files: Mapped[list[PlanEvidence]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="PlanEvidence.id"
    )

    @property
    def closed(self) -> bool:
        """Whether the action is done, with its evidence."""
        return self.closed_at is not None


class PlanEvidence(Base):
    """A file or photo that shows an action was done, stored outside the web root under a random name."""

    __tablename__ = "plan_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_name: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[PlanAction] = relationship(back_populates="files")


class PlanEvent(Base):
    """One change to a plan: who, when, what (an action's change in words, a leader's comment)."""

    __tablename__ = "plan_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id", ondelete="SET NULL"))
    kind: Mapped[PlanEventKind] = mapped_column(_enum(PlanEventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(Text, default="")  # what changed, in words
    comment: Mapped[str] = mapped_column(Text, default="")  # the leader's, when sending back
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[ActionPlan] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class PlanReminder(Base):
    """An overdue action reminded on one (school) day, so that it is reminded at most once that day."""

    __tablename__ = "plan_reminders"
    __table_args__ = (UniqueConstraint("action_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"), index=True)
    sent_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
