"""A round with paired testing and chosen results, to check the equal-service figures by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy.orm import Session

from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactStatus,
    District,
    ItemKind,
    Level,
    Outcome,
    PairTrait,
    Response,
    Role,
    Round,
    RoundStatus,
    Rubric,
    ScenarioPair,
    School,
    User,
)
from audits.rubrics.spec import ItemSpec, OptionSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish
from audits.scenarios import ScenarioSpec, save_scenario
from audits.scoring.tally import tally

FIRST_DAY = date(2026, 10, 5)  # a Monday
_ids = count(1)


@dataclass(frozen=True)
class Member:
    """What one member met at a school: reached or not, the rings, the accuracy fraction."""

    reached: bool = True
    rings: int | None = 2
    accuracy: float | None = 1.0
    day: int = 0  # school days after the round's first day


@dataclass
class EquityWorld:
    """A district, schools, two auditors, a language pair and a closed round that tests it."""

    session: Session
    district: District
    auditors: list[User]
    rubric: Rubric
    pair: ScenarioPair
    round: Round
    schools: list[School] = field(default_factory=list)

    def record(self, school: School, member: str, result: Member, approved: bool = True) -> Contact:
        """An assignment of the pair's ``member`` at ``school`` and its counted contact."""
        scenario_id = self.pair.a_scenario_id if member == "a" else self.pair.b_scenario_id
        auditor = self.auditors[0 if member == "a" else 1]
        day = FIRST_DAY + timedelta(days=result.day)
        assignment = Assignment(
            round_id=self.round.id,
            school_id=school.id,
            scenario_id=scenario_id,
            auditor_id=auditor.id,
            channel=Channel.PHONE,
            sequence=1 if member == "a" else 2,
            due_day=day,
            slot="morning",
            pair_id=self.pair.id,
            pair_position=1 if member == "a" else 2,
        )
        self.session.add(assignment)
        self.session.flush()
        contact = Contact(
            assignment_id=assignment.id,
            attempt=1,
            auditor_id=auditor.id,
            rubric_id=self.rubric.id,
            status=ContactStatus.APPROVED if approved else ContactStatus.SUBMITTED,
            outcome=Outcome.REACHED if result.reached else Outcome.NO_ANSWER,
            unreached=not result.reached,
            started_at=datetime(day.year, day.month, day.day, 14, tzinfo=UTC),
            rings=result.rings if result.reached else None,
            draft={},
        )
        if result.reached:
            items = {item.key: item for item in self.rubric.items}
            contact.responses.append(
                Response(item_id=items["answered"].id, na=False, fraction=1.0, value=True, comment="")
            )
            if result.accuracy is not None:
                contact.responses.append(
                    Response(
                        item_id=items["answer_accuracy"].id,
                        na=False,
                        fraction=result.accuracy,
                        value=None,
                        comment="",
                    )
                )
        self.session.add(contact)
        self.session.flush()
        tally(self.session, [contact.id])
        return contact

    def pairs(self, results: list[tuple[Member, Member]]) -> None:
        """Record both members at the first ``len(results)`` schools."""
        for school, (a, b) in zip(self.schools, results, strict=False):
            self.record(school, "a", a)
            self.record(school, "b", b)


def build_equity_world(session: Session, schools: int = 16) -> EquityWorld:
    """A district with ``schools`` elementaries, an English and a bilingual auditor, a phone rubric
    with an accuracy item, the English/Spanish pair and a closed round testing it."""
    number = next(_ids)
    district = District(name=f"Equity {number}")
    session.add(district)
    session.flush()
    auditors = [
        User(
            email=f"eq{number}-{n}@example.org", role=Role.AUDITOR, district_id=district.id, password_hash="x"
        )
        for n in ("en", "es")
    ]
    session.add_all(auditors)
    spec = RubricSpec(
        key=f"equity-phone-{number}",
        name="Equity test",
        channel=Channel.PHONE,
        sections=[
            SectionSpec(
                "greeting", "Greeting", [ItemSpec("answered", "Answered?", ItemKind.YES_NO, points=5)]
            ),
            SectionSpec(
                "answer",
                "Answer",
                [
                    ItemSpec(
                        "answer_accuracy",
                        "Accuracy",
                        ItemKind.CHOICE,
                        points=5,
                        options=[
                            OptionSpec("Right", 1.0),
                            OptionSpec("Partly", 0.5),
                            OptionSpec("Wrong", 0.0),
                        ],
                    )
                ],
            ),
        ],
    )
    rubric = create_draft(session, spec)
    publish(session, rubric)
    members = []
    for language in ("en", "es"):
        members.append(
            save_scenario(
                session,
                district.id,
                ScenarioSpec(
                    key=f"enrol-{language}",
                    title=f"Enrolling ({language})",
                    channel=Channel.PHONE,
                    language=language,
                    rubric=spec.key,
                    persona="A parent.",
                    script="1. Ask.",
                    questions=["How do I enrol?"],
                    answer_key="- the office",
                ),
            )
        )
    pair = ScenarioPair(
        district_id=district.id,
        key="enrol-language",
        title="Enrolling by phone: English and Spanish",
        trait=PairTrait.LANGUAGE,
        a_scenario_id=members[0].id,
        a_value="en",
        b_scenario_id=members[1].id,
        b_value="es",
    )
    session.add(pair)
    session.flush()
    round_ = Round(
        district_id=district.id,
        name="Equal service round",
        first_day=FIRST_DAY,
        last_day=FIRST_DAY + timedelta(days=20),
        status=RoundStatus.CLOSED,
        pair_ids=[pair.id],
        pair_spacing=2,
    )
    session.add(round_)
    world = EquityWorld(session, district, auditors, rubric, pair, round_)
    for index in range(schools):
        school = School(
            district_id=district.id,
            nces_id=f"88{number:04d}{index:06d}",
            name=f"School {index + 1:02d}",
            level=Level.ELEMENTARY,
        )
        session.add(school)
        world.schools.append(school)
    session.flush()
    return world


# Sixteen schools: English always reached (rings 2), Spanish unreached at the last seven.
LANGUAGE_GAP = [(Member(), Member(day=2))] * 9 + [(Member(), Member(reached=False, day=2))] * 7
