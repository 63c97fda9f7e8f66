"""Email alerts to district leaders: what each leader wants, and each digest written (once a period)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow


class AlertKind(StrEnum):
    """The digests a leader can receive."""

    CRITICAL_FAILURES = "critical_failures"  # daily: contacts with a critical failure, once approved
    WEEKLY_FIELDWORK = "weekly_fieldwork"  # weekly: fieldwork done, overdue and returned

    @property
    def label(self) -> str:
        """The digest as a leader reads its name."""
        return ALERT_LABELS[self]


ALERT_LABELS = {
    AlertKind.CRITICAL_FAILURES: "Critical failures, once a day",
    AlertKind.WEEKLY_FIELDWORK: "Fieldwork, once a week",
}


def _no_contacts() -> list[int]:
    return []


class AlertPreference(Base):
    """Which digests one leader receives; a leader without a row receives both."""

    __tablename__ = "alert_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    critical_failures: Mapped[bool] = mapped_column(Boolean, default=True)
    weekly_fieldwork: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AlertDelivery(Base):
    """One digest written to one leader for one period, so it is written once.

    ``period`` is the district's local day of a daily digest, or the Monday of the week of a weekly one;
    ``contact_ids`` the contacts a critical-failure digest reported (each is reported once).
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("user_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind))
    period: Mapped[date] = mapped_column(Date)
    contact_ids: Mapped[list[int]] = mapped_column(JSON, default=_no_contacts)
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_emails.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
