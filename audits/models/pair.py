"""Scenario pairs: two scenarios that differ in one declared trait, for paired testing.

A pair's two members are sent to the same school by different auditors (Urban Institute's
paired testing): the member ``a`` is the reference (``language: en``, ``disability: none``) and
``b`` the one tested (``language: es``, ``disability: iep``). Both are on the same rubric and
channel, with the same questions and answer key (``audits.pairs.check_pair``). A round with
paired testing names its pairs (``Round.pair_ids``) and the school days between the two members
(``Round.pair_spacing``); each assignment of a pair names it (``Assignment.pair_id``) and its
place in the school's seeded order (``Assignment.pair_position``: 1 sent first, 2 second).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.scenario import Scenario


class PairTrait(StrEnum):
    """The one trait the two members of a pair differ in."""

    LANGUAGE = "language"
    DISABILITY = "disability"

    @property
    def label(self) -> str:
        """The trait as people say it."""
        return {"language": "Language", "disability": "Disability"}[self.value]


class ScenarioPair(Base):
    """Two matched scenarios of a district (or of the library, ``district_id`` ``None``)."""

    __tablename__ = "scenario_pairs"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    trait: Mapped[PairTrait] = mapped_column(_enum(PairTrait))
    a_scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    a_value: Mapped[str] = mapped_column(String(20))
    b_scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    b_value: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    a_scenario: Mapped[Scenario] = relationship(foreign_keys=[a_scenario_id])
    b_scenario: Mapped[Scenario] = relationship(foreign_keys=[b_scenario_id])

    def __repr__(self) -> str:
        return f"<ScenarioPair {self.key} {self.trait}: {self.a_value} / {self.b_value}>"

    def member(self, scenario_id: int) -> str | None:
        """``"a"`` or ``"b"`` for a member's scenario id, ``None`` for another scenario."""
        if scenario_id == self.a_scenario_id:
            return "a"
        if scenario_id == self.b_scenario_id:
            return "b"
        return None
