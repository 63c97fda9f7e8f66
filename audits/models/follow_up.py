"""Follow-up checks: what a follow-up round contacts again at each school, and after which day.

A follow-up round (``Round.follows_round_id``) checks the schools whose action plans answer an
earlier published round. Each ``FollowUpTarget`` is one channel and scenario that failed at one
school in that round: the follow-up contacts the school again on it, on or after ``not_before``
(the day after the plan's last action is due), so that the check comes once the plan had its time.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base
from audits.models.rubric import Channel, _enum

if TYPE_CHECKING:
    from audits.models.plans import ActionPlan
    from audits.models.scenario import Scenario
    from audits.models.school import School


class FollowUpTarget(Base):
    """One channel and scenario a follow-up round contacts a school on again, and from which day."""

    __tablename__ = "follow_up_targets"
    __table_args__ = (UniqueConstraint("round_id", "school_id", "channel", "scenario_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    not_before: Mapped[date] = mapped_column(Date)

    school: Mapped[School] = relationship()
    plan: Mapped[ActionPlan] = relationship()
    scenario: Mapped[Scenario] = relationship()
