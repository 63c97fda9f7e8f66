"""Districts with published rounds of scored contacts, for the state-wide view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.library import adopt_library
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactStatus,
    District,
    ItemKind,
    Level,
    Outcome,
    Response,
    Role,
    Round,
    RoundStatus,
    Rubric,
    RubricStatus,
    School,
    User,
)
from audits.scoring.tally import tally
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


LIBRARY_SCHOOLS = [
    "Alder Creek Elementary", "Birchwood Middle", "Cedar Hollow Elementary", "Driftwood High",
    "Elm Street Elementary", "Fox Run Middle", "Granite Falls High", "Harbor View Elementary",
    "Ironwood Elementary", "Juniper Ridge Middle", "Kestrel Park Elementary", "Lakeshore High",
    "Maple Grove Elementary", "North Point Middle", "Orchard Lane Elementary", "Pine Bluff High",
]  # fmt: skip


def library_district(session: Session, name: str, first_day: date, seed: int = 7) -> Round:
    """A second district scored on the library's rubrics: ``LIBRARY_SCHOOLS``, its library scenarios, an
    auditor, and a published round of one call, one email and one visit to each school with seeded
    answers (a few calls unreached). The library must be loaded (``flask demo`` does)."""
    rng = Random(seed)
    district = District(name=name, alert_threshold=75.0)
    session.add(district)
    session.flush()
    auditor = User(
        email=f"auditor.{seed}@example.org", role=Role.AUDITOR, district_id=district.id, password_hash="x"
    )
    schools = [
        School(district_id=district.id, nces_id=f"99{seed:03d}{index:05d}", name=school, level=level)
        for index, school in enumerate(LIBRARY_SCHOOLS)
        for level in [
            Level.HIGH if "High" in school else Level.MIDDLE if "Middle" in school else Level.ELEMENTARY
        ]
    ]
    session.add_all([auditor, *schools])
    scenarios = {scenario.channel: scenario for scenario in adopt_library(session, district)}
    round_ = Round(
        district_id=district.id, name="Spring front-office round", first_day=first_day,
        last_day=first_day + timedelta(days=20), status=RoundStatus.PUBLISHED,
    )  # fmt: skip
    session.add(round_)
    session.flush()
    contacts = []
    for school in schools:
        skill = rng.uniform(0.35, 1.0)  # how well this school's front office does, by and large
        for channel, scenario in scenarios.items():
            rubric = session.scalars(
                select(Rubric)
                .where(Rubric.channel == channel, Rubric.status == RubricStatus.PUBLISHED)
                .order_by(Rubric.id.desc())
            ).first()
            if rubric is None:
                continue
            assignment = Assignment(
                round_id=round_.id, school_id=school.id, scenario_id=scenario.id, auditor_id=auditor.id,
                channel=channel, sequence=len(contacts) + 1, due_day=first_day, slot="morning",
            )  # fmt: skip
            session.add(assignment)
            session.flush()
            unreached = channel is Channel.PHONE and rng.random() < 0.15
            contact = Contact(
                assignment_id=assignment.id, attempt=1, auditor_id=auditor.id, rubric_id=rubric.id,
                status=ContactStatus.APPROVED, outcome=Outcome.NO_ANSWER if unreached else Outcome.REACHED,
                unreached=unreached, draft={},
            )  # fmt: skip
            if not unreached:
                for item in rubric.items:
                    if item.points > 0 and item.kind is not ItemKind.TEXT:
                        fraction = 1.0 if rng.random() < skill else rng.choice([0.0, 0.5])
                        contact.responses.append(
                            Response(item_id=item.id, na=False, fraction=fraction, value=None, comment="")
                        )
            session.add(contact)
            contacts.append(contact)
    session.flush()
    tally(session, [contact.id for contact in contacts])
    return round_
