"""Single-use, expiring links sent by email: an invitation, or a password reset."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.user import User


class LinkPurpose(StrEnum):
    """What following the link lets its holder do: accept an invitation, or reset a password."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class AccountLink(Base):
    """A link that lets one person set their password once, until it expires or is revoked.

    Only the SHA-256 of its token is kept; the token itself went out in one email.
    """

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(
        SAEnum(LinkPurpose, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def live(self, now: datetime) -> bool:
        """Whether the link still works at ``now``: not used, not revoked, not expired."""
        return self.used_at is None and self.revoked_at is None and now < self.expires_at
