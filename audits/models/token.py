"""Personal access tokens for the JSON API; only a hash of each token is stored."""

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


class TokenScope(StrEnum):
    """What a token may do: read only, or read and write (submit contacts, review)."""

    READ = "read"
    READ_WRITE = "read_write"

    @property
    def label(self) -> str:
        """The scope as people read it."""
        return "Read only" if self is TokenScope.READ else "Read and write"


class ApiToken(Base):
    """A bearer token that can do what its user can, within its scope, until it expires or is revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope: Mapped[TokenScope] = mapped_column(
        SAEnum(TokenScope, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=TokenScope.READ_WRITE,
        server_default=TokenScope.READ_WRITE.value,
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        """Whether the token has not been revoked (it may still have expired: see ``live``)."""
        return self.revoked_at is None

    def live(self, now: datetime) -> bool:
        """Whether the token works at ``now``: not revoked, not expired."""
        return self.revoked_at is None and now < self.expires_at
