"""Districts with published rounds of scored contacts, for the state-wide view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from audits.models import Channel, Outcome, Round, RoundStatus
from tests.audits.scoring_helpers import NA, ScoringWorld, build_world

GOOD = {"answered": 1.0, "named": 1.0, "courtesy": 0.75, "accuracy": 0.5}
PERFECT = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}
HALF = {"answered": 1.0, "named": 0.0, "courtesy": 0.5, "accuracy": 0.5}
POOR = {"answered": 0.0, "named": NA, "courtesy": 0.25, "accuracy": 0.0}
ANSWERS = [PERFECT, GOOD, HALF, POOR]


@dataclass
class RegionDistrict:
    """A district of the region world: its latest published round, and the rounds the view must skip."""

    world: ScoringWorld
    latest: Round
    older: Round
    unpublished: Round


def _round(world: ScoringWorld, name: str, first_day: date, status: RoundStatus) -> Round:
    round_ = world.round(name, first_day)
    round_.status = status
    return round_


def region_district(session: Session, schools: int, shift: int) -> RegionDistrict:
    """A district of ``schools`` schools: an older and a latest published round, and a newer round
    still closed; contacts on phone and email, answers varying by school and ``shift``."""
    world = build_world(session, schools)
    older = _round(world, "Autumn", date(2026, 10, 1), RoundStatus.PUBLISHED)
    latest = _round(world, "Spring", date(2027, 3, 1), RoundStatus.PUBLISHED)
    unpublished = _round(world, "Summer", date(2027, 6, 1), RoundStatus.CLOSED)
    for index, school in enumerate(world.schools):
        answers = ANSWERS[(index + shift) % len(ANSWERS)]
        world.contact(latest, school, Channel.PHONE, answers, rings=2 + index % 3, hold_seconds=10 * index)
        world.contact(
            latest,
            school,
            Channel.EMAIL,
            ANSWERS[(index + 1) % len(ANSWERS)],
            response_business_hours=1.0 + index,
        )
        if index % 3 == 0:
            world.contact(latest, school, Channel.PHONE, {}, outcome=Outcome.NO_ANSWER, unreached=True)
        world.contact(older, school, Channel.PHONE, PERFECT)
        world.contact(unpublished, school, Channel.PHONE, POOR)
    session.flush()
    return RegionDistrict(world, latest, older, unpublished)
