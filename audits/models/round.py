"""Audit rounds, auditors' working constraints and the assignments a plan creates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import Channel, _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.district import District
    from audits.models.mailbox import PersonaMailbox
    from audits.models.retention import LegalHoldEvent
    from audits.models.scenario import Scenario
    from audits.models.school import School
    from audits.models.user import User


class RoundStatus(StrEnum):
    """draft → scheduled → in_field → closed → published."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    IN_FIELD = "in_field"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        """The status as people say it."""
        return self.value.replace("_", " ").capitalize()


class SchoolSelection(StrEnum):
    """Which schools a round covers."""

    ALL = "all"
    LEVELS = "levels"
    LIST = "list"


class Slot(StrEnum):
    """Time of day a contact is due, in the district's timezone."""

    EARLY_MORNING = "early_morning"
    MORNING = "morning"
    MIDDAY = "midday"
    AFTERNOON = "afternoon"

    @property
    def label(self) -> str:
        """The slot as people say it."""
        return self.value.replace("_", " ").capitalize()


def _all_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


def _english() -> list[str]:
    return ["en"]


def _no_levels() -> list[str]:
    return []


auditor_conflicts = Table(
    "auditor_conflicts",
    Base.metadata,
    Column("user_id", ForeignKey("auditor_profiles.user_id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
)

round_schools = Table(
    "round_schools",
    Base.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("school_id", ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True),
)


class AuditorProfile(Base):
    """What the planner must respect about one auditor."""

    __tablename__ = "auditor_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=_english)
    max_per_day: Mapped[int] = mapped_column(Integer, default=4)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=_all_weekdays)
    # The parent the auditor plays (``audits.script_variables``): never their own name, phone or email.
    persona_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    persona_phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    persona_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # The district's persona mailbox the persona sends email audits from (``None``: none yet).
    mailbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("persona_mailboxes.id", ondelete="SET NULL"), index=True
    )

    user: Mapped[User] = relationship()
    mailbox: Mapped[PersonaMailbox | None] = relationship()
    conflicts: Mapped[list[School]] = relationship(secondary=auditor_conflicts, order_by="School.name")


class Round(Base):
    """An audit round of one district: a window, schools, channels with quotas and scenarios."""

    __tablename__ = "rounds"
    # A district's rounds in date order (earlier rounds, the latest one) without other districts' rounds.
    __table_args__ = (Index("ix_rounds_district_first_day", "district_id", "first_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Counts status changes and plan edits; every UPDATE checks it (see ``Contact.revision``).
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus), default=RoundStatus.DRAFT)
    school_selection: Mapped[SchoolSelection] = mapped_column(
        _enum(SchoolSelection), default=SchoolSelection.ALL
    )
    levels: Mapped[list[str]] = mapped_column(JSON, default=_no_levels)
    seed: Mapped[int] = mapped_column(Integer, default=1)
    attempt_limit: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A legal hold keeps every piece of the round's evidence and free text from the retention purge.
    legal_hold_reason: Mapped[str | None] = mapped_column(Text)
    legal_hold_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    legal_hold_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When the retention purge blanked the free texts of the round's contacts.
    texts_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The published round a follow-up round checks again (``audits.plans.follow_up``); ``None``: a round.
    follows_round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    # The share of contacts with judgeable evidence (recordings, email threads) scored again, blind,
    # by a second auditor (``audits.double_scoring``); 0: none.
    double_score_percent: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    # Only auditors who finished a calibration exercise on each of the round's rubrics within
    # this many days before its first day get assignments; none: anyone.
    calibrated_within_days: Mapped[int | None] = mapped_column(Integer)
    # Paired testing (``audits.models.pair``): the scenario pairs each school gets both members of,
    # and the school days between a school's two members (rule 10 of ``audits.planning.planner``).
    pair_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")
    pair_spacing: Mapped[int] = mapped_column(Integer, default=2, server_default="2")

    district: Mapped[District] = relationship()
    legal_hold_by: Mapped[User | None] = relationship(foreign_keys=[legal_hold_by_id])
    follows: Mapped[Round | None] = relationship(remote_side=[id], foreign_keys=[follows_round_id])
    hold_events: Mapped[list[LegalHoldEvent]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="LegalHoldEvent.id"
    )
    chosen_schools: Mapped[list[School]] = relationship(secondary=round_schools, order_by="School.name")
    channels: Mapped[list[RoundChannel]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundChannel.id"
    )
    assignments: Mapped[list[Assignment]] = relationship(back_populates="round", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}

    def __repr__(self) -> str:
        return f"<Round {self.name!r} {self.status}>"

    @property
    def on_hold(self) -> bool:
        """Whether a legal hold keeps the round's evidence from the retention purge."""
        return self.legal_hold_at is not None


class RoundChannel(Base):
    """For one channel of a round: contacts per school and the scenarios to rotate through."""

    __tablename__ = "round_channels"
    __table_args__ = (UniqueConstraint("round_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    contacts_per_school: Mapped[int] = mapped_column(Integer, default=1)
    scenario_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    round: Mapped[Round] = relationship(back_populates="channels")


class Assignment(Base):
    """One planned contact: a school, a scenario, an auditor, a due day and slot."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("round_id", "school_id", "channel", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    sequence: Mapped[int] = mapped_column(Integer)
    due_day: Mapped[date] = mapped_column(Date, index=True)
    slot: Mapped[Slot] = mapped_column(_enum(Slot))
    # The grade of the persona's child on this contact: one the school serves (``None``: not asked).
    child_grade: Mapped[str | None] = mapped_column(String(2))
    # Paired testing: the pair this contact is a member of, and its place in the school's seeded
    # order (1: sent first, 2: second); ``None`` for a contact of the round's channel quotas.
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_pairs.id"), index=True)
    pair_position: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship(back_populates="assignments")
    school: Mapped[School] = relationship()
    scenario: Mapped[Scenario] = relationship()
    auditor: Mapped[User] = relationship()
