"""What publishing, retiring or discarding a rubric version would change, said before it happens.

Contacts are scored on the version that was published when they started
(``audits.fieldwork.contacts``): publishing a version changes the scoring of every contact
started afterwards, on every scenario of its key, and retires the version it replaces;
retiring the only published version leaves those scenarios with nothing to score on. The
confirmation pages read ``version_impact`` and say so, with the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from audits.errors import Problem, ValidationError
from audits.models import Assignment, Contact, Round, RoundStatus, Rubric, RubricStatus, Scenario
from audits.rubrics.spec import parse_rubric, rubric_to_dict
from audits.rubrics.versions import latest_published, spec_from_rubric

# Rounds whose unstarted assignments start contacts on whatever version is published then.
OPEN_ROUNDS = (RoundStatus.SCHEDULED, RoundStatus.IN_FIELD)


@dataclass(frozen=True)
class VersionImpact:
    """A rubric version and what depends on its key: the facts its confirmation pages state.

    ``current``: the published version of the key now (``None``: none is); ``scenarios``: the
    active scenarios scored on the key; ``waiting``: assignments of scheduled or in-field rounds
    on those scenarios that nobody has started (their contacts take the version published when
    they start); ``contacts``: contacts scored on this very version; ``problems``: why a draft
    cannot be published yet (empty: it can).
    """

    rubric: Rubric
    current: Rubric | None
    scenarios: list[Scenario]
    waiting: int
    contacts: int
    problems: list[Problem]

    @property
    def items(self) -> int:
        """How many items the version has, across its sections."""
        return sum(len(section.items) for section in self.rubric.sections)

    @property
    def replaces(self) -> Rubric | None:
        """The version publishing this one would retire (the published one, if it is another)."""
        if self.current is None or self.current.id == self.rubric.id:
            return None
        return self.current

    @property
    def leaves_none(self) -> bool:
        """Whether retiring this version leaves its key with no published version."""
        return self.rubric.status is RubricStatus.PUBLISHED and (
            self.current is None or self.current.id == self.rubric.id
        )


def publish_problems(rubric: Rubric) -> list[Problem]:
    """Why the draft ``rubric`` cannot be published as it stands (empty: it is complete)."""
    try:
        parse_rubric(rubric_to_dict(spec_from_rubric(rubric)))
    except ValidationError as error:
        return error.problems
    return []


def version_impact(session: Session, rubric: Rubric) -> VersionImpact:
    """What depends on ``rubric``'s key and version, in four small queries."""
    scenarios = list(
        session.scalars(
            select(Scenario)
            .where(Scenario.rubric_key == rubric.key, Scenario.active.is_(True))
            .options(joinedload(Scenario.district))
            .order_by(Scenario.title, Scenario.id)
        )
    )
    started = select(Contact.id).where(Contact.assignment_id == Assignment.id).exists()
    waiting = session.scalar(
        select(func.count(Assignment.id))
        .join(Scenario, Scenario.id == Assignment.scenario_id)
        .join(Round, Round.id == Assignment.round_id)
        .where(Scenario.rubric_key == rubric.key, Round.status.in_(OPEN_ROUNDS), ~started)
    )
    contacts = session.scalar(select(func.count(Contact.id)).where(Contact.rubric_id == rubric.id))
    return VersionImpact(
        rubric=rubric,
        current=latest_published(session, rubric.key),
        scenarios=scenarios,
        waiting=waiting or 0,
        contacts=contacts or 0,
        problems=publish_problems(rubric) if rubric.is_draft else [],
    )
