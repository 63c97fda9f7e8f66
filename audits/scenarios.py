"""Scenarios: validating, saving and copying the scripts auditors follow.

The shared library has ``district_id = None``; a district adopts library
scenarios by copying them, then fills in its own answer key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.grades import GRADE_ORDER, grade_span_words, normalise_grade
from audits.models import Channel, District, Rubric, RubricStatus, Scenario
from audits.scenario_fit import SCENARIO_LEVELS, impossible_levels
from audits.script_variables import text_problems, variables_in
from audits.vocabulary import OFFERED_LANGUAGES

SCENARIO_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
FIELDS = (
    "key", "title", "channel", "language", "rubric", "grades", "levels",
    "persona", "script", "questions", "answer_key",
)  # fmt: skip
# The longest text kept: the title fits its column; the library's longest script is under 2,000.
MAX_TITLE = 200
MAX_PROSE = 20_000
MAX_QUESTION = 1_000
MAX_QUESTIONS = 50


@dataclass
class ScenarioSpec:
    """A scenario as plain data (the library's YAML format)."""

    key: str
    title: str
    channel: Channel
    language: str
    rubric: str
    persona: str = ""
    script: str = ""
    questions: list[str] = field(default_factory=list)
    answer_key: str = ""
    grades: list[str] = field(default_factory=list)  # empty: any grade
    levels: list[str] = field(default_factory=list)  # empty: any level

    @property
    def variables(self) -> list[str]:
        """The variables its texts use, in the order a reader meets them."""
        return variables_in([self.persona, self.script, *self.questions, self.answer_key])


def _codes(value: Any, field_name: str, problems: list[tuple[str | None, str]]) -> list[str]:
    """A list of grade codes or levels as written: ``any`` (or nothing) is the empty list."""
    if value is None or (isinstance(value, str) and value.strip().lower() in {"", "any"}):
        return []
    if isinstance(value, str):
        if len(value) > MAX_TITLE:
            problems.append((field_name, f"keep it under {MAX_TITLE} characters"))
            return []
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.append((field_name, "write any, or a list"))
        return []
    return [str(v).strip() for v in value]


def _grades(value: Any, problems: list[tuple[str | None, str]]) -> list[str]:
    grades: list[str] = []
    for written in _codes(value, "grades", problems):
        code = normalise_grade(written.zfill(2) if written.isdigit() else written)
        if code is None:
            problems.append(("grades", f"{written!r} is not a grade: use PK, K, 1 to 12, or any"))
        elif code not in grades:
            grades.append(code)
    return sorted(grades, key=GRADE_ORDER.__getitem__)


def _levels(value: Any, problems: list[tuple[str | None, str]]) -> list[str]:
    levels: list[str] = []
    for written in _codes(value, "levels", problems):
        level = written.lower()
        if level not in SCENARIO_LEVELS:
            choices = ", ".join(SCENARIO_LEVELS)
            problems.append(("levels", f"{written!r} is not a level: use {choices}, or any"))
        elif level not in levels:
            levels.append(level)
    return [level for level in SCENARIO_LEVELS if level in levels]


def parse_scenario(data: Any) -> ScenarioSpec:
    """Validate a scenario mapping; every problem is reported by field at once."""
    if not isinstance(data, dict):
        raise ValidationError(None, "a scenario must be a mapping of fields")
    problems: list[tuple[str | None, str]] = [
        (name, "is not a field of the scenario format") for name in data if name not in FIELDS
    ]

    def text(name: str, required: bool = True, limit: int = MAX_TITLE) -> str:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                problems.append((name, "is required"))
            return ""
        if not isinstance(value, str):
            problems.append((name, "must be text"))
            return ""
        if len(value.strip()) > limit:
            problems.append((name, f"keep it under {limit:,} characters"))
            return ""
        return value.strip()

    key = text("key")
    if key and not SCENARIO_KEY.match(key):
        problems.append(("key", "use 2–64 lower-case letters, digits and hyphens"))
    channel_text = text("channel")
    channel = Channel.PHONE
    if channel_text:
        try:
            channel = Channel(channel_text)
        except ValueError:
            problems.append(("channel", "choose phone, email or visit"))
    language = text("language") or "en"
    if language not in OFFERED_LANGUAGES:
        problems.append(("language", f"choose one of {', '.join(OFFERED_LANGUAGES)}"))
    questions = data.get("questions") or []
    if isinstance(questions, str):
        questions = [line.strip() for line in questions.splitlines() if line.strip()]
    if not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
        problems.append(("questions", "list each question as text"))
        questions = []
    elif len(questions) > MAX_QUESTIONS or any(len(q.strip()) > MAX_QUESTION for q in questions):
        problems.append(
            (
                "questions",
                f"ask at most {MAX_QUESTIONS} questions of at most {MAX_QUESTION:,} characters each",
            )
        )
        questions = []
    grades = _grades(data.get("grades"), problems)
    levels = _levels(data.get("levels"), problems)
    if impossible := impossible_levels(grades, levels):
        problems.append(
            ("grades", f"no {' or '.join(impossible)} school serves grades {grade_span_words(grades)}")
        )
    spec = ScenarioSpec(
        key=key,
        title=text("title"),
        channel=channel,
        language=language,
        rubric=text("rubric"),
        persona=text("persona", limit=MAX_PROSE),
        script=text("script", limit=MAX_PROSE),
        questions=[q.strip() for q in questions],
        answer_key=text("answer_key", required=False, limit=MAX_PROSE),
        grades=grades,
        levels=levels,
    )
    for name in ("persona", "script", "answer_key"):
        problems.extend((name, problem) for problem in text_problems(getattr(spec, name)))
    for number, question in enumerate(spec.questions, start=1):
        problems.extend(("questions", f"question {number}: {problem}") for problem in text_problems(question))
    if problems:
        raise ValidationError.many(problems)
    return spec


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The library format of a stored scenario."""
    return {
        "key": scenario.key,
        "title": scenario.title,
        "channel": scenario.channel.value,
        "language": scenario.language,
        "rubric": scenario.rubric_key,
        "grades": list(scenario.grades or []) or "any",
        "levels": list(scenario.levels or []) or "any",
        "persona": scenario.persona,
        "script": scenario.script,
        "questions": list(scenario.questions),
        "answer_key": scenario.answer_key,
    }


def _check_rubric(session: Session, spec: ScenarioSpec) -> list[tuple[str | None, str]]:
    rubric = session.scalar(
        select(Rubric).where(Rubric.key == spec.rubric).order_by(Rubric.version.desc()).limit(1)
    )
    if rubric is None:
        return [("rubric", f"no rubric with the key {spec.rubric!r}")]
    if rubric.channel is not spec.channel:
        return [
            (
                "rubric",
                f"{spec.rubric} is a {rubric.channel.value} rubric; this is a {spec.channel.value} scenario",
            )
        ]
    published = session.scalar(
        select(Rubric.id).where(Rubric.key == spec.rubric, Rubric.status == RubricStatus.PUBLISHED)
    )
    if published is None:
        return [("rubric", f"{spec.rubric} has no published version yet")]
    return []


def save_scenario(
    session: Session, district_id: int | None, spec: ScenarioSpec, scenario: Scenario | None = None
) -> Scenario:
    """Create (or, given ``scenario``, update) a scenario of a district or of the library."""
    problems = _check_rubric(session, spec)
    clash = session.scalar(
        select(Scenario).where(
            Scenario.key == spec.key,
            Scenario.district_id.is_(None) if district_id is None else Scenario.district_id == district_id,
        )
    )
    if clash is not None and clash is not scenario:
        problems.append(("key", f"a scenario with the key {spec.key!r} already exists here"))
    if problems:
        raise ValidationError.many(problems)
    if scenario is None:
        scenario = Scenario(district_id=district_id)
        session.add(scenario)
    scenario.key = spec.key
    scenario.title = spec.title
    scenario.channel = spec.channel
    scenario.language = spec.language
    scenario.rubric_key = spec.rubric
    scenario.persona = spec.persona
    scenario.script = spec.script
    scenario.questions = list(spec.questions)
    scenario.answer_key = spec.answer_key
    scenario.grades = list(spec.grades)
    scenario.levels = list(spec.levels)
    session.flush()
    return scenario


def adopt(session: Session, library_scenario: Scenario, district: District) -> Scenario:
    """Copy a library scenario into ``district``, where its answer key can be made local."""
    if not library_scenario.is_library:
        raise ValidationError("scenario", "only library scenarios can be adopted")
    spec = parse_scenario(scenario_to_dict(library_scenario))
    return save_scenario(session, district.id, spec)


def set_active(scenario: Scenario, active: bool) -> None:
    """Withdraw a scenario from new rounds (``False``) or bring it back (``True``)."""
    scenario.active = active


def scenarios_for(session: Session, district_id: int | None) -> list[Scenario]:
    """A district's scenarios (or the library's, for ``None``), by channel then title."""
    where = Scenario.district_id.is_(None) if district_id is None else Scenario.district_id == district_id
    return list(session.scalars(select(Scenario).where(where).order_by(Scenario.channel, Scenario.title)))
