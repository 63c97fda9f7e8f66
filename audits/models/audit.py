"""The audit log: who changed what about whom, and when."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.user import User


def _no_details() -> dict[str, Any]:
    return {}


class AuditEntry(Base):
    """One change to a person's account or rights (never a password, hash or token in ``details``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Who did it; ``None`` for the command line or the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A short code: ``user.deactivated``, ``user.role_changed`` …
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="SET NULL"), index=True
    )
    # What changed: ``{"role": ["auditor", "reviewer"]}`` (before, after), or plain facts.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=_no_details)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
