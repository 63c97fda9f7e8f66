"""Districts: the customer, with its timezone, school-day hours and closure dates."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.school import School

DEFAULT_DAY_START = time(7, 30)
DEFAULT_DAY_END = time(16, 0)


class District(Base):
    """A school district. Every school, round and non-admin user belongs to one."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    school_day_start: Mapped[time] = mapped_column(Time, default=DEFAULT_DAY_START)
    school_day_end: Mapped[time] = mapped_column(Time, default=DEFAULT_DAY_END)
    # Schools whose overall score falls below this are flagged on the dashboards.
    alert_threshold: Mapped[float] = mapped_column(Float, default=70.0, server_default="70")
    # A school figure resting on fewer contacts (of a channel, or with a section) is an early reading.
    early_reading_contacts: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # An action of a school's action plan is closed only with evidence (a text, a file or a photo).
    plan_evidence_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How many school days after a scorecard is published its principal may query an answer on it.
    appeal_window_days: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    # How its people sign in (``audits.sign_in_policy``): with a password, with the district's
    # accounts (OpenID Connect) for these email domains, and whether leaders need a second step.
    password_sign_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    sign_in_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    two_step_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # School days a school has to answer an email audit before it is "no reply" (audits.mail.deadline).
    reply_deadline_school_days: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    # The NCES LEA ids (7 digits) whose schools belong here, recorded by the first import.
    nces_lea_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    schools: Mapped[list[School]] = relationship(back_populates="district")
    closures: Mapped[list[Closure]] = relationship(
        back_populates="district", cascade="all, delete-orphan", order_by="Closure.day"
    )

    def __repr__(self) -> str:
        return f"<District {self.name!r}>"


class Closure(Base):
    """A day the district's schools are closed (holiday, break, storm day)."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("district_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    district: Mapped[District] = relationship(back_populates="closures")
