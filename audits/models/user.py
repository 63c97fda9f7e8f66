"""People who use Touchpoint, their roles and their failed logins."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.passwords import is_usable
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.district import District
    from audits.models.school import School


class Role(StrEnum):
    """What a person does in Touchpoint; it decides what they may see."""

    ADMIN = "admin"
    LEADER = "leader"
    REVIEWER = "reviewer"
    AUDITOR = "auditor"
    PRINCIPAL = "principal"

    @property
    def label(self) -> str:
        """The role's name as people say it."""
        return {"leader": "District leader"}.get(self.value, self.value.capitalize())


def new_pseudonym() -> str:
    """A random, stable pseudonym for exports and the API."""
    return f"Auditor {secrets.token_hex(3).upper()}"


principal_schools = Table(
    "principal_schools",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    """A person with a login. Admins have no district; everyone else has one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # A stable pseudonym ("Auditor 7F3A9C") used wherever an auditor's identity must not show.
    pseudonym: Mapped[str] = mapped_column(String(20), unique=True, default=new_pseudonym)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        SAEnum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The auditor's own phone, rung first for click-to-call (E.164).
    phone: Mapped[str | None] = mapped_column(String(20))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The district account (OpenID Connect issuer and ``sub``) this person last signed in with.
    district_account_issuer: Mapped[str | None] = mapped_column(String(255))
    district_account_subject: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    district: Mapped[District | None] = relationship()
    schools: Mapped[list[School]] = relationship(secondary=principal_schools, order_by="School.name")

    # The four members Flask-Login expects of a user, written out so the
    # domain model does not depend on the web framework.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        """Whether this account may sign in."""
        return self.active

    def get_id(self) -> str:
        """The identifier kept in the session cookie."""
        return str(self.id)

    @property
    def invitation_pending(self) -> bool:
        """Whether this is an invited person who has not chosen a password yet (inactive until then)."""
        return not self.active and self.last_login_at is None and not is_usable(self.password_hash)

    @property
    def display_name(self) -> str:
        """The name to show, falling back to the email address."""
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginFailure(Base):
    """One failed password attempt, kept to enforce the lockout window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
