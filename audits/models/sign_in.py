"""Signed-in sessions, kept on the server so that signing out (or a password change) really ends them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.user import User


class SignIn(Base):
    """One signed-in browser of one person: its cookie's secret (hashed), when it was used, when it ended."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # signed_out, signed_out_everywhere, password_changed, deactivated, idle, expired
    end_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User] = relationship()

    @property
    def live(self) -> bool:
        """Whether the sign-in has not ended (timeouts are checked by ``audits.sign_ins``)."""
        return self.ended_at is None
