"""A district's answer key: the values of its script variables, and what a round still lacks.

The district fills each district variable (``audits.script_variables``) once; a school may
have its own value, which comes first. A round cannot be scheduled or started while a
variable its contacts need has no value, or while an answer key is still a template:
``missing_for_round`` says exactly what is missing and where it is filled in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import Assignment, AuditorProfile, District, Round, Scenario, School, ScriptValue, User
from audits.script_variables import (
    PersonaFacts,
    SchoolFacts,
    Source,
    Variable,
    district_variables,
    fill,
    is_template,
    known_variables,
    values_for,
    variables_in,
)

MAX_VALUE = 2_000


def scenario_texts(scenario: Scenario) -> list[str]:
    """The texts of a scenario that may hold variables, in reading order."""
    return [scenario.persona, scenario.script, *scenario.questions, scenario.answer_key]


def district_values(session: Session, district_id: int) -> dict[str, str]:
    """The district's own values, by variable name (schools' own values left out)."""
    rows = session.scalars(
        select(ScriptValue).where(ScriptValue.district_id == district_id, ScriptValue.school_id.is_(None))
    )
    return {row.name: row.value for row in rows if row.value.strip()}


def school_values(session: Session, district_id: int) -> dict[int, dict[str, str]]:
    """Schools' own values, by school id then variable name."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = session.scalars(
        select(ScriptValue).where(ScriptValue.district_id == district_id, ScriptValue.school_id.is_not(None))
    )
    for row in rows:
        if row.school_id is not None and row.value.strip():
            found[row.school_id][row.name] = row.value
    return dict(found)


def save_district_values(
    session: Session,
    actor: User | None,
    district: District,
    values: Mapping[str, str],
    school: School | None = None,
) -> int:
    """Save the district's (or ``school``'s own) values of district variables; return how many changed.

    An empty value removes it. Unknown names, values with braces or ``[district: …]`` markers and
    values over 2,000 characters are refused, each on its variable's name; nothing is saved then.
    """
    declared = district_variables()
    problems: list[tuple[str | None, str]] = []
    for name, value in values.items():
        if name not in declared:
            problems.append((name, "is not a variable of the district's answer key"))
        elif len(value.strip()) > MAX_VALUE:
            problems.append((name, f"keep it under {MAX_VALUE:,} characters"))
        elif "{" in value or "}" in value or is_template(value):
            problems.append((name, "write the value itself, without braces or [district: …] markers"))
    if problems:
        raise ValidationError.many(problems)
    school_id = school.id if school is not None else None
    existing = {
        row.name: row
        for row in session.scalars(
            select(ScriptValue).where(
                ScriptValue.district_id == district.id,
                ScriptValue.school_id.is_(None) if school_id is None else ScriptValue.school_id == school_id,
            )
        )
    }
    changed = 0
    for name, value in values.items():
        text = value.strip()
        row = existing.get(name)
        if row is None and text:
            session.add(
                ScriptValue(
                    district_id=district.id,
                    school_id=school_id,
                    name=name,
                    value=text,
                    updated_by_id=actor.id if actor else None,
                )
            )
            changed += 1
        elif row is not None and not text:
            session.delete(row)
            changed += 1
        elif row is not None and row.value != text:
            row.value = text
            row.updated_by_id = actor.id if actor else None
            changed += 1
    session.flush()
    return changed


def persona_of(profile: AuditorProfile | None) -> PersonaFacts | None:
    """The parent an auditor plays, from their profile."""
    if profile is None:
        return None
    return PersonaFacts(profile.persona_name, profile.persona_phone, profile.persona_email)


def school_facts(school: School) -> SchoolFacts:
    """What a school contributes to its scripts."""
    return SchoolFacts(school.name, school.phone, school.street, school.city, school.principal_name)


@dataclass(frozen=True)
class FilledScenario:
    """A scenario's texts as the auditor reads them for one assignment: every variable filled."""

    persona: str
    script: str
    questions: list[str]
    answer_key: str


def fill_for_assignment(session: Session, assignment: Assignment) -> FilledScenario:
    """The assignment's scenario with the school's, the contact's, the district's and the persona's values."""
    scenario = assignment.scenario
    school = assignment.school
    values = district_values(session, school.district_id)
    values |= school_values(session, school.district_id).get(school.id, {})
    profile = session.get(AuditorProfile, assignment.auditor_id)
    filled = values_for(
        school_facts(school), assignment.child_grade, scenario.language, values, persona_of(profile)
    )
    return FilledScenario(
        persona=fill(scenario.persona, filled),
        script=fill(scenario.script, filled),
        questions=[fill(question, filled) for question in scenario.questions],
        answer_key=fill(scenario.answer_key, filled),
    )


@dataclass(frozen=True)
class Missing:
    """Something a round needs before it can start, and where it is filled in."""

    source: Source
    what: str  # "Breakfast before school", "the answer key of Report an absence"
    where: str  # "the district's answer key", "Ana Auditor's persona", "ABESS PARK's details"
    link: tuple[str, int]  # where to fill it: ("answer_key", district id), ("auditor", user id),
    # ("school", school id) or ("scenario", scenario id)
    variable: str = ""  # the variable's name, when it is one
    scenarios: tuple[str, ...] = ()  # the titles of the scenarios that need it
    count: int = 1  # how many contacts need it


def missing_for_round(
    session: Session, round_: Round, planned: Iterable[tuple[int, int, int, str | None]] | None = None
) -> list[Missing]:
    """What the round's contacts need and nobody has filled in, grouped, in the order to fix them.

    ``planned``: ``(school id, scenario id, auditor id, child grade)`` of each contact; by default the
    round's assignments. Lists answer keys still marked as templates, district variables without a
    value, auditors' persona details and schools' details that are missing, and contacts whose
    child has no grade.
    """
    contacts = (
        list(planned)
        if planned is not None
        else [
            (a.school_id, a.scenario_id, a.auditor_id, a.child_grade)
            for a in session.scalars(select(Assignment).where(Assignment.round_id == round_.id))
        ]
    )
    if not contacts:
        return []
    scenarios = {
        s.id: s for s in session.scalars(select(Scenario).where(Scenario.id.in_({c[1] for c in contacts})))
    }
    schools = {
        s.id: s for s in session.scalars(select(School).where(School.id.in_({c[0] for c in contacts})))
    }
    auditors = {u.id: u for u in session.scalars(select(User).where(User.id.in_({c[2] for c in contacts})))}
    profiles = {
        p.user_id: p
        for p in session.scalars(select(AuditorProfile).where(AuditorProfile.user_id.in_(auditors)))
    }
    shared = district_values(session, round_.district_id)
    own = school_values(session, round_.district_id)
    known = known_variables()
    found: dict[tuple[Source, str, str, tuple[str, int]], tuple[Variable | None, set[str], int]] = {}

    def note(
        source: Source, what: str, where: str, link: tuple[str, int], variable: Variable | None, title: str
    ) -> None:
        key = (source, what, where, link)
        _, titles, count = found.get(key, (variable, set(), 0))
        found[key] = (variable, titles | {title}, count + 1)

    answer_key = ("answer_key", round_.district_id)

    for school_id, scenario_id, auditor_id, grade in contacts:
        scenario, school = scenarios[scenario_id], schools[school_id]
        if is_template(scenario.answer_key):
            note(
                Source.DISTRICT,
                f"the answer key of “{scenario.title}”",
                "the scenario's page",
                ("scenario", scenario.id),
                None,
                scenario.title,
            )
        values = values_for(
            school_facts(school),
            grade,
            scenario.language,
            shared | own.get(school_id, {}),
            persona_of(profiles.get(auditor_id)),
        )
        for name in variables_in(scenario_texts(scenario)):
            if name in values:
                continue
            variable = known.get(name)
            title = scenario.title
            if variable is None:
                link = ("scenario", scenario.id)
                note(Source.DISTRICT, f"{{{name}}}", "the scenario's page", link, None, title)
            elif variable.source is Source.DISTRICT:
                note(Source.DISTRICT, variable.label, Source.DISTRICT.label, answer_key, variable, title)
            elif variable.source is Source.PERSONA:
                who = f"{auditors[auditor_id].display_name}'s persona"
                note(Source.PERSONA, variable.label, who, ("auditor", auditor_id), variable, title)
            else:  # the school's details, or its grades (the child's grade)
                where = f"{school.name}'s {'details' if variable.source is Source.SCHOOL else 'grades'}"
                note(variable.source, variable.label, where, ("school", school_id), variable, title)
    order = list(Source)
    return sorted(
        (
            Missing(source, what, where, link, variable.name if variable else "", tuple(sorted(names)), count)
            for (source, what, where, link), (variable, names, count) in found.items()
        ),
        key=lambda m: (order.index(m.source), m.where, m.what),
    )
