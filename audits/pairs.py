"""Scenario pairs for paired testing: reading them, checking they are matched, the library's.

A pair is two scenarios that differ in one declared trait only (``audits.models.pair``). The
library ships its pairs as YAML in ``audits/library/pairs/`` (key, title, trait, and for each
member ``a`` and ``b`` its scenario's key and the trait's value); a district adopting the library
gets a copy of each pair over its own copies of the scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import District, PairTrait, Scenario, ScenarioPair
from audits.rubrics.yamlio import load_yaml
from audits.scenarios import SCENARIO_KEY
from audits.vocabulary import OFFERED_LANGUAGE_CODES, language_name

# The values each trait takes; the first is the reference (member ``a``).
TRAIT_VALUES: dict[PairTrait, tuple[str, ...]] = {
    PairTrait.LANGUAGE: OFFERED_LANGUAGE_CODES,
    PairTrait.DISABILITY: ("none", "iep", "504"),
}
_DISABILITY_WORDS = {"none": "no disability named", "iep": "an IEP", "504": "a 504 plan"}


@dataclass(frozen=True)
class PairSpec:
    """A pair as plain data (the library's YAML format)."""

    key: str
    title: str
    trait: PairTrait
    a_scenario: str
    a_value: str
    b_scenario: str
    b_value: str


def value_words(trait: PairTrait, value: str) -> str:
    """A member's trait value as people say it: ``Spanish``, ``an IEP``."""
    if trait is PairTrait.LANGUAGE:
        return language_name(value)
    return _DISABILITY_WORDS.get(value, value)


def member_label(trait: PairTrait, value: str) -> str:
    """A member named for a reader: ``In Spanish``, ``With an IEP``, ``No disability named``."""
    if trait is PairTrait.LANGUAGE:
        return f"In {language_name(value)}"
    return "No disability named" if value == "none" else f"With {value_words(trait, value)}"


def requests_words(trait: PairTrait, value: str) -> str:
    """A member's requests in a sentence: ``Spanish-language requests``, ``requests about a student
    with an IEP``, ``requests naming no disability``."""
    if trait is PairTrait.LANGUAGE:
        return f"{language_name(value)}-language requests"
    return (
        "requests naming no disability"
        if value == "none"
        else f"requests about a student with {value_words(trait, value)}"
    )


def parse_pair(data: Any) -> PairSpec:
    """Validate a pair mapping; every problem is reported by field at once."""
    if not isinstance(data, dict):
        raise ValidationError(None, "a pair must be a mapping of fields")
    problems: list[tuple[str | None, str]] = []
    key = str(data.get("key") or "").strip()
    if not SCENARIO_KEY.match(key):
        problems.append(("key", "use 2–64 lower-case letters, digits and hyphens"))
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        problems.append(("title", "is required, under 200 characters"))
    try:
        trait = PairTrait(str(data.get("trait")))
    except ValueError:
        trait = PairTrait.LANGUAGE
        problems.append(("trait", "choose language or disability"))
    members: dict[str, tuple[str, str]] = {}
    for name in ("a", "b"):
        member = data.get(name)
        if not isinstance(member, dict) or not member.get("scenario") or not member.get("value"):
            problems.append((name, "give the member's scenario key and the trait's value"))
            members[name] = ("", "")
            continue
        members[name] = (str(member["scenario"]), str(member["value"]))
    problems.extend(_value_problems(trait, members["a"][1], members["b"][1]))
    if problems:
        raise ValidationError.many(problems)
    return PairSpec(key, title, trait, members["a"][0], members["a"][1], members["b"][0], members["b"][1])


def _value_problems(trait: PairTrait, a_value: str, b_value: str) -> list[tuple[str | None, str]]:
    """What is wrong with the members' values of ``trait`` (blank values are reported elsewhere)."""
    problems: list[tuple[str | None, str]] = []
    for name, value in (("a", a_value), ("b", b_value)):
        if value and value not in TRAIT_VALUES[trait]:
            problems.append((name, f"{trait.value} takes one of {', '.join(TRAIT_VALUES[trait])}"))
    if a_value and a_value == b_value:
        problems.append(("b", f"the two members must differ in {trait.value}"))
    return problems


def create_pair(session: Session, district_id: int | None, spec: PairSpec) -> ScenarioPair:
    """Create a new pair of a district (or of the library) from typed values; a key in use is refused.

    Every problem is reported by field at once (``key``, ``title``, ``a``, ``b``): the values
    each trait takes, the two members differing, then the scenarios being matched (``check_pair``).
    """
    problems: list[tuple[str | None, str]] = []
    if not SCENARIO_KEY.match(spec.key):
        problems.append(("key", "use 2–64 lower-case letters, digits and hyphens"))
    if not spec.title.strip() or len(spec.title) > 200:
        problems.append(("title", "is required, under 200 characters"))
    for name, key, value in (("a", spec.a_scenario, spec.a_value), ("b", spec.b_scenario, spec.b_value)):
        if not key or not value:
            problems.append((name, "choose the member's scenario and its value"))
    problems.extend(_value_problems(spec.trait, spec.a_value, spec.b_value))
    owner = (
        ScenarioPair.district_id.is_(None) if district_id is None else ScenarioPair.district_id == district_id
    )
    if session.scalar(select(ScenarioPair.id).where(owner, ScenarioPair.key == spec.key)) is not None:
        problems.append(("key", f"a pair with the key {spec.key!r} exists already"))
    if problems:
        raise ValidationError.many(problems)
    return save_pair(session, district_id, spec)


def check_pair(trait: PairTrait, a: Scenario, a_value: str, b: Scenario, b_value: str) -> None:
    """Refuse two scenarios that are not matched: same channel, rubric, grades, levels, answer key
    and questions (their count for a language pair, whose questions are translated), each member's
    language the one its value says (a disability pair's members share theirs)."""
    problems: list[tuple[str | None, str]] = []
    if a.id == b.id:
        problems.append(("b", "a pair needs two different scenarios"))
    if a.channel is not b.channel:
        problems.append(("b", "both members must be on the same channel"))
    if a.rubric_key != b.rubric_key:
        problems.append(("b", "both members must be scored on the same rubric"))
    if list(a.grades or []) != list(b.grades or []) or list(a.levels or []) != list(b.levels or []):
        problems.append(("b", "both members must suit the same grades and levels"))
    if a.answer_key.strip() != b.answer_key.strip():
        problems.append(("b", "both members must have the same answer key"))
    if trait is PairTrait.LANGUAGE:
        if len(a.questions) != len(b.questions):
            problems.append(("b", "both members must ask the same questions (translated)"))
        for name, scenario, value in (("a", a, a_value), ("b", b, b_value)):
            if scenario.language != value:
                problems.append(
                    (name, f"{scenario.key} is in {language_name(scenario.language)}, not {value}")
                )
    else:
        if list(a.questions) != list(b.questions):
            problems.append(("b", "both members must ask the same questions"))
        if a.language != b.language:
            problems.append(("b", "both members must be in the same language"))
    if problems:
        raise ValidationError.many(problems)


def save_pair(session: Session, district_id: int | None, spec: PairSpec) -> ScenarioPair:
    """Create or update a pair of a district (or of the library) over its scenarios of those keys."""
    where = Scenario.district_id.is_(None) if district_id is None else Scenario.district_id == district_id
    scenarios = {
        scenario.key: scenario
        for scenario in session.scalars(
            select(Scenario).where(where, Scenario.key.in_([spec.a_scenario, spec.b_scenario]))
        )
    }
    missing = [
        (name, key) for name, key in (("a", spec.a_scenario), ("b", spec.b_scenario)) if key not in scenarios
    ]
    if missing:
        raise ValidationError.many([(name, f"no scenario with the key {key!r}") for name, key in missing])
    a, b = scenarios[spec.a_scenario], scenarios[spec.b_scenario]
    check_pair(spec.trait, a, spec.a_value, b, spec.b_value)
    pair = session.scalar(
        select(ScenarioPair).where(
            ScenarioPair.key == spec.key,
            ScenarioPair.district_id.is_(None)
            if district_id is None
            else ScenarioPair.district_id == district_id,
        )
    )
    if pair is None:
        pair = ScenarioPair(district_id=district_id, key=spec.key)
        session.add(pair)
    pair.title = spec.title
    pair.trait = spec.trait
    pair.a_scenario_id, pair.a_value = a.id, spec.a_value
    pair.b_scenario_id, pair.b_value = b.id, spec.b_value
    session.flush()
    return pair


def pair_to_spec(pair: ScenarioPair) -> PairSpec:
    """The plain data of a stored pair."""
    return PairSpec(
        pair.key,
        pair.title,
        pair.trait,
        pair.a_scenario.key,
        pair.a_value,
        pair.b_scenario.key,
        pair.b_value,
    )


def load_library_pairs(session: Session, folder: Path) -> tuple[int, int]:
    """Upsert the library's pairs from ``folder``; return (created or changed, unchanged)."""
    changed = unchanged = 0
    for path in sorted(folder.glob("*.yaml")):
        try:
            spec = parse_pair(load_yaml(path.read_bytes()))
            existing = session.scalar(
                select(ScenarioPair).where(ScenarioPair.district_id.is_(None), ScenarioPair.key == spec.key)
            )
            if existing is not None and pair_to_spec(existing) == spec:
                unchanged += 1
                continue
            save_pair(session, None, spec)
        except ValidationError as error:
            raise ValidationError.many(
                [(f"{path.name}: {field or 'file'}", reason) for field, reason in error.problems]
            ) from error
        changed += 1
    return changed, unchanged


def adopt_pairs(session: Session, district: District) -> list[ScenarioPair]:
    """Copy each library pair the district does not have yet whose two scenarios it has adopted."""
    have = set(session.scalars(select(ScenarioPair.key).where(ScenarioPair.district_id == district.id)))
    keys = set(session.scalars(select(Scenario.key).where(Scenario.district_id == district.id)))
    adopted = []
    library = session.scalars(
        select(ScenarioPair).where(ScenarioPair.district_id.is_(None)).order_by(ScenarioPair.key)
    )
    for pair in list(library):
        spec = pair_to_spec(pair)
        if spec.key in have or spec.a_scenario not in keys or spec.b_scenario not in keys:
            continue
        adopted.append(save_pair(session, district.id, spec))
    return adopted


def pairs_of(session: Session, district_id: int) -> list[ScenarioPair]:
    """A district's pairs, by title."""
    return list(
        session.scalars(
            select(ScenarioPair).where(ScenarioPair.district_id == district_id).order_by(ScenarioPair.title)
        )
    )
