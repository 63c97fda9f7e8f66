"""Named variables in scripts and answer keys, ``{callback_number}``, and the values that fill them.

A scenario's persona, script, questions and answer key may use ``{name}`` for a fact that
differs from one contact to the next. Each variable has a source, looked up in this order:

- the school (``{school_name}``, ``{school_phone}``, ``{school_address}``, ``{principal_name}``);
- the contact (``{child_grade}``: a grade the school serves, chosen when the round is planned);
- the district's answer key: the variables declared in ``library/variables.yaml``, whose values a
  district fills once (``ScriptValue``; a school's own value comes before the district's);
- the auditor's persona (``{persona_name}``, ``{callback_number}``,
  ``{persona_email}``): the parent the auditor plays, never the auditor themselves.

An answer key that still holds a ``[district: …]`` marker is a template the district has not
made its own. ``fill`` never leaves a raw placeholder: a missing value reads as its label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

from audits.grades import grade_words
from audits.phones import format_phone

LIBRARY_VARIABLES = Path(__file__).resolve().parent / "library" / "variables.yaml"
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,39})\}")
TEMPLATE_MARKER = re.compile(r"\[district:[^\]]*\]", re.IGNORECASE)
# The fields of a scenario that may hold variables, in the order a reader meets them.
SCENARIO_TEXTS = ("persona", "script", "questions", "answer_key")


class Source(StrEnum):
    """Where a variable's value comes from."""

    SCHOOL = "school"
    CONTACT = "contact"
    DISTRICT = "district"
    PERSONA = "persona"

    @property
    def label(self) -> str:
        """Where a person fills it in, in words."""
        return {
            Source.SCHOOL: "the school's details",
            Source.CONTACT: "the round's plan",
            Source.DISTRICT: "the district's answer key",
            Source.PERSONA: "the auditor's persona",
        }[self]


@dataclass(frozen=True)
class Variable:
    """One variable: its name, source, and the words that explain it to whoever fills it."""

    name: str
    source: Source
    label: str
    description: str = ""
    example: str = ""


BUILT_IN: dict[str, Variable] = {
    variable.name: variable
    for variable in (
        Variable("school_name", Source.SCHOOL, "School name"),
        Variable("school_phone", Source.SCHOOL, "School's main phone number"),
        Variable("school_address", Source.SCHOOL, "School's street address"),
        Variable("principal_name", Source.SCHOOL, "Principal's name"),
        Variable("child_grade", Source.CONTACT, "Child's grade", "A grade the school serves, in words."),
        Variable("persona_name", Source.PERSONA, "Persona's first name", "The first name the auditor gives."),
        Variable(
            "callback_number",
            Source.PERSONA,
            "Persona's callback number",
            "The phone the school calls back: the auditor's persona line, never their own number.",
        ),
        Variable("persona_email", Source.PERSONA, "Persona's email address"),
    )
}


@cache
def district_variables(path: Path = LIBRARY_VARIABLES) -> dict[str, Variable]:
    """The district variables declared by the library (``variables.yaml``), by name."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, Variable] = {}
    for name, entry in (data.get("variables") or {}).items():
        if not PLACEHOLDER.fullmatch(f"{{{name}}}") or name in BUILT_IN:
            raise ValueError(f"{path.name}: {name!r} cannot name a district variable")
        found[name] = Variable(
            name,
            Source.DISTRICT,
            str(entry.get("label") or name.replace("_", " ")),
            str(entry.get("description") or ""),
            str(entry.get("example") or ""),
        )
    return found


def known_variables() -> dict[str, Variable]:
    """Every variable a scenario may use, by name."""
    return {**BUILT_IN, **district_variables()}


def variables_in(texts: Iterable[str]) -> list[str]:
    """The variable names ``texts`` use, each once, in the order they first appear."""
    return list(dict.fromkeys(name for text in texts for name in PLACEHOLDER.findall(text)))


def text_problems(text: str) -> list[str]:
    """What is wrong with the variables of ``text``: unknown names and stray braces."""
    known = known_variables()
    used = dict.fromkeys(PLACEHOLDER.findall(text))
    problems = [f"{{{name}}} is not a known variable" for name in used if name not in known]
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        problems.append("write a variable as {name}, in lower case with underscores; no other braces")
    return problems


def is_template(answer_key: str) -> bool:
    """Whether an answer key still holds ``[district: …]`` markers for the district to replace."""
    return TEMPLATE_MARKER.search(answer_key) is not None


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by its value; a missing value reads as its label in brackets.

    A value that ends a sentence ("7:45 a.m.") before the text's own full stop keeps one full stop.
    """
    known = known_variables()

    def value(match: re.Match[str]) -> str:
        name = match[1]
        filled = values.get(name, "").strip()
        if not filled:
            variable = known.get(name)
            return f"[{(variable.label if variable else name.replace('_', ' ')).lower()}: not filled in]"
        if filled.endswith(".") and match.string.startswith(".", match.end()):
            return filled[:-1]
        return filled

    return PLACEHOLDER.sub(value, text)


@dataclass(frozen=True)
class SchoolFacts:
    """What a school contributes to its scripts."""

    name: str
    phone: str | None
    street: str
    city: str
    principal_name: str


@dataclass(frozen=True)
class PersonaFacts:
    """The parent an auditor plays."""

    persona_name: str = ""
    persona_phone: str = ""
    persona_email: str = ""


def values_for(
    school: SchoolFacts | None,
    child_grade: str | None,
    language: str,
    district_values: Mapping[str, str],
    persona: PersonaFacts | None,
) -> dict[str, str]:
    """Every value known for one contact, by variable name (empty values left out)."""
    values: dict[str, str] = {}
    if persona is not None:
        values |= {
            "persona_name": persona.persona_name,
            "callback_number": format_phone(persona.persona_phone) if persona.persona_phone else "",
            "persona_email": persona.persona_email,
        }
    values |= dict(district_values)
    if child_grade:
        values["child_grade"] = grade_words(child_grade, language)
    if school is not None:
        values |= {
            "school_name": school.name,
            "school_phone": format_phone(school.phone) if school.phone else "",
            "school_address": ", ".join(part for part in (school.street, school.city) if part),
            "principal_name": school.principal_name,
        }
    return {name: value.strip() for name, value in values.items() if value and value.strip()}
