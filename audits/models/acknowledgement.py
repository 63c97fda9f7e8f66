"""A principal's acknowledgement of a scorecard: read, and discussed with their staff on a given day."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.scorecard import Scorecard
    from audits.models.user import User


class ScorecardAcknowledgement(Base):
    """ "Read and discussed with staff on …": one principal's word about one published scorecard.

    ``discussed_on`` is the day the principal gives (a local day of the district, never in the
    future, never before the publication); ``at`` is when they recorded it.
    """

    __tablename__ = "scorecard_acknowledgements"
    __table_args__ = (UniqueConstraint("scorecard_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    discussed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scorecard: Mapped[Scorecard] = relationship()
    user: Mapped[User] = relationship()
