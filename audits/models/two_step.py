"""Two-step sign-in: a person's authenticator-app key and their single-use recovery codes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.user import User


class TwoStepKey(Base):
    """The shared secret of one person's authenticator app (TOTP, RFC 6238).

    Pending (``enabled_at`` empty) from the moment the set-up page shows it until the person
    types a code their app makes from it; only then does sign-in ask for codes.
    ``last_used_step`` is the 30-second step of the last code accepted: a code of that step
    or an earlier one is refused, so a code seen over someone's shoulder cannot be replayed.
    """

    __tablename__ = "two_step_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Base32, as authenticator apps take it. The app needs the secret itself, so it cannot be hashed.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)

    user: Mapped[User] = relationship()

    @property
    def enabled(self) -> bool:
        """Whether the key was confirmed with a code, so sign-in asks for one."""
        return self.enabled_at is not None


class RecoveryCode(Base):
    """One single-use recovery code, for signing in without the phone; only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
