"""Build rounds of approved contacts with chosen answers, to check scores by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import count

from sqlalchemy.orm import Session

from audits.models import (
    Assignment,
    Channel,
    Contact,
    ContactStatus,
    CriticalPolicy,
    District,
    ItemKind,
    Level,
    Outcome,
    Response,
    Role,
    Round,
    RoundStatus,
    Rubric,
    Scenario,
    School,
    User,
)
from audits.rubrics.spec import ItemSpec, OptionSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish
from audits.scoring.tally import tally

NA = "N/A"
_ids = count(1)


def scoring_rubric(
    session: Session, channel: Channel, policy: CriticalPolicy = CriticalPolicy.FLAG
) -> Rubric:
    """Greeting: answered (5 pts, critical), named (2). Service: courtesy (4), accuracy (6), a note."""
    spec = RubricSpec(
        key=f"score-{channel.value}-{policy.value}-{next(_ids)}",
        name="Scoring test",
        channel=channel,
        critical_policy=policy,
        sections=[
            SectionSpec(
                "greeting",
                "Greeting",
                [
                    ItemSpec("answered", "Answered?", ItemKind.YES_NO, points=5, critical=True),
                    ItemSpec("named", "Named?", ItemKind.YES_NO, points=2, allow_na=True),
                ],
            ),
            SectionSpec(
                "service",
                "Service",
                [
                    ItemSpec("courtesy", "Courtesy", ItemKind.SCALE, points=4, max=4, allow_na=True),
                    ItemSpec(
                        "accuracy",
                        "Accuracy",
                        ItemKind.CHOICE,
                        points=6,
                        options=[
                            OptionSpec("Right", 1.0),
                            OptionSpec("Partly", 0.5),
                            OptionSpec("Wrong", 0.0),
                        ],
                    ),
                    ItemSpec("note", "Note", ItemKind.TEXT),
                ],
            ),
        ],
    )
    rubric = create_draft(session, spec)
    publish(session, rubric)
    return rubric


@dataclass
class ScoringWorld:
    """A district with schools, an auditor and a way to add rounds and contacts."""

    session: Session
    district: District
    auditor: User
    schools: list[School] = field(default_factory=list)
    rubrics: dict[Channel, Rubric] = field(default_factory=dict)
    scenarios: dict[Channel, Scenario] = field(default_factory=dict)

    def round(self, name: str, first_day: date) -> Round:
        """A closed round of the district."""
        round_ = Round(
            district_id=self.district.id,
            name=name,
            first_day=first_day,
            last_day=first_day,
            status=RoundStatus.CLOSED,
        )
        self.session.add(round_)
        self.session.flush()
        return round_

    def contact(
        self,
        round_: Round,
        school: School,
        channel: Channel,
        answers: dict[str, float | str | None],
        *,
        status: ContactStatus = ContactStatus.APPROVED,
        outcome: Outcome = Outcome.REACHED,
        unreached: bool = False,
        rubric: Rubric | None = None,
        **fields: object,
    ) -> Contact:
        """An approved contact whose answers are given as fractions (or NA) by item key."""
        rubric = rubric or self.rubrics[channel]
        sequence = next(_ids)
        assignment = Assignment(
            round_id=round_.id,
            school_id=school.id,
            scenario_id=self.scenarios[channel].id,
            auditor_id=self.auditor.id,
            channel=channel,
            sequence=sequence,
            due_day=round_.first_day,
            slot="morning",
        )
        self.session.add(assignment)
        self.session.flush()
        contact = Contact(
            assignment_id=assignment.id,
            attempt=1,
            auditor_id=self.auditor.id,
            rubric_id=rubric.id,
            status=status,
            outcome=outcome,
            unreached=unreached,
            draft={},
            **fields,
        )
        items = {item.key: item for item in rubric.items}
        for key, fraction in answers.items():
            item = items[key]
            na = fraction == NA
            contact.responses.append(
                Response(item_id=item.id, na=na, fraction=None if na else fraction, value=None, comment="")
            )
        self.session.add(contact)
        self.session.flush()
        tally(self.session, [contact.id])
        return contact


def build_world(
    session: Session, schools: int = 3, policy: CriticalPolicy = CriticalPolicy.FLAG
) -> ScoringWorld:
    """A district, schools named School A, B, C…, an auditor, rubrics and scenarios per channel."""
    from tests.audits.round_helpers import make_scenario

    district = District(name=f"Scoring {next(_ids)}")
    session.add(district)
    session.flush()
    auditor = User(
        email=f"a{next(_ids)}@example.org", role=Role.AUDITOR, district_id=district.id, password_hash="x"
    )
    session.add(auditor)
    world = ScoringWorld(session, district, auditor)
    for index in range(schools):
        school = School(
            district_id=district.id,
            nces_id=f"77{next(_ids):010d}",
            name=f"School {chr(65 + index)}",
            level=Level.ELEMENTARY,
        )
        session.add(school)
        world.schools.append(school)
    for channel in Channel:
        world.rubrics[channel] = scoring_rubric(session, channel, policy)
        world.scenarios[channel] = make_scenario(
            session, district, channel, f"s-{channel.value}-{next(_ids)}"
        )
    session.flush()
    return world
