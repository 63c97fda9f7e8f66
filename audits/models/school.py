"""Schools, identified by their NCES id."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.district import District


class Level(StrEnum):
    """School level, derived from the grade span as NCES defines it."""

    ELEMENTARY = "elementary"
    MIDDLE = "middle"
    HIGH = "high"
    OTHER = "other"


def _default_languages() -> list[str]:
    return ["en"]


class School(Base):
    """One school of a district, with the contact details auditors use."""

    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("district_id", "code", name="uq_schools_district_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    nces_id: Mapped[str] = mapped_column(String(12), unique=True)
    # The district's own code for the school (its directory may use it instead of the NCES id).
    code: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[Level] = mapped_column(
        SAEnum(Level, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    grade_low: Mapped[str | None] = mapped_column(String(4))
    grade_high: Mapped[str | None] = mapped_column(String(4))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    # Set when an email to the address bounced (audits.mail.poll): since when, and the server's words.
    email_failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_failure: Mapped[str] = mapped_column(Text, default="", server_default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    zip: Mapped[str] = mapped_column(String(10), default="")
    principal_name: Mapped[str] = mapped_column(String(200), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=_default_languages)
    website: Mapped[str] = mapped_column(String(300), default="", server_default="")
    office_hours: Mapped[str] = mapped_column(String(100), default="", server_default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District] = relationship(back_populates="schools")

    @property
    def lea_id(self) -> str:
        """The NCES id of the school's local education agency: the first 7 digits of its NCES id."""
        return self.nces_id[:7]

    @property
    def grade_span(self) -> str:
        """The grades served, e.g. ``PK–05``, or an empty string when unknown."""
        if self.grade_low and self.grade_high:
            return f"{self.grade_low}–{self.grade_high}"
        return ""

    def __repr__(self) -> str:
        return f"<School {self.nces_id} {self.name!r}>"
