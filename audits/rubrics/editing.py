"""Step-by-step editing of a draft rubric, as the editor does it.

Each function checks that the rubric is still a draft, validates with the same
rules as the YAML format and reports problems by field; the caller commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.keys import KeySeparator, suggest_key
from audits.models import CriticalPolicy, Rubric, RubricItem, RubricSection
from audits.rubrics.facts import channel_problem
from audits.rubrics.spec import MAX_NAME, MAX_PROSE, PART_KEY, parse_item, too_long
from audits.rubrics.versions import ensure_draft, write_item


def update_details(rubric: Rubric, name: str, critical_policy: str, description: str) -> None:
    """Change a draft's name, critical policy and description."""
    ensure_draft(rubric)
    problems: list[tuple[str | None, str]] = []
    if not name.strip():
        problems.append(("name", "is required"))
    elif problem := too_long(name.strip(), MAX_NAME):
        problems.append(("name", problem))
    if problem := too_long(description.strip(), MAX_PROSE):
        problems.append(("description", problem))
    try:
        policy = CriticalPolicy(critical_policy)
    except ValueError:
        problems.append(("critical_policy", "choose flag or zero"))
        policy = rubric.critical_policy
    if problems:
        raise ValidationError.many(problems)
    rubric.name = name.strip()
    rubric.critical_policy = policy
    rubric.description = description.strip()


def _check_section(rubric: Rubric, key: str, title: str, section: RubricSection | None) -> None:
    problems: list[tuple[str | None, str]] = []
    if not key:
        if title.strip():
            problems.append(("key", "type a key: the title has no letters to make one from"))
    elif not PART_KEY.match(key):
        problems.append(("key", "use lower-case letters, digits and _; start with a letter"))
    elif any(other.key == key and other is not section for other in rubric.sections):
        problems.append(("key", f"section key {key!r} is already used"))
    if not title.strip():
        problems.append(("title", "is required"))
    elif problem := too_long(title.strip(), MAX_NAME):
        problems.append(("title", problem))
    if problems:
        raise ValidationError.many(problems)


def _section_key(rubric: Rubric, key: str, title: str, section: RubricSection | None) -> str:
    """The key typed, or, left blank, the one made from the title (``audits.keys``)."""
    taken = {other.key for other in rubric.sections if other is not section}
    return key.strip() or suggest_key(title, KeySeparator.PART, taken)


def add_section(session: Session, rubric: Rubric, key: str, title: str) -> RubricSection:
    """Append a section to a draft; a blank key is made from the title."""
    ensure_draft(rubric)
    key = _section_key(rubric, key, title, None)
    _check_section(rubric, key, title, None)
    section = RubricSection(position=len(rubric.sections), key=key, title=title.strip())
    rubric.sections.append(section)
    session.flush()
    return section


def update_section(section: RubricSection, key: str, title: str) -> None:
    """Rename a draft's section; a blank key is made from the title."""
    ensure_draft(section.rubric)
    key = _section_key(section.rubric, key, title, section)
    _check_section(section.rubric, key, title, section)
    section.key = key
    section.title = title.strip()


def delete_section(session: Session, section: RubricSection) -> None:
    """Remove a section and its items from a draft."""
    rubric = section.rubric
    ensure_draft(rubric)
    rubric.sections.remove(section)
    _renumber(rubric.sections)
    session.flush()


def _renumber(parts: list[Any]) -> None:
    for position, part in enumerate(parts):
        part.position = position


def _move(parts: list[Any], part: Any, offset: int) -> None:
    index = parts.index(part)
    target = index + offset
    if 0 <= target < len(parts):
        parts.insert(target, parts.pop(index))
        _renumber(parts)


def move_section(section: RubricSection, offset: int) -> None:
    """Move a section up (negative ``offset``) or down within its draft."""
    ensure_draft(section.rubric)
    _move(section.rubric.sections, section, offset)


def _checked_item(rubric: Rubric, data: dict[str, Any], item: RubricItem | None) -> Any:
    key, prompt = data.get("key"), data.get("prompt")
    if (key is None or key == "") and isinstance(prompt, str):
        taken = {other.key for other in rubric.items if other is not item}
        data = {**data, "key": suggest_key(prompt, KeySeparator.PART, taken)}
    spec = parse_item(data)
    assert spec is not None
    problems: list[tuple[str | None, str]] = []
    if any(other.key == spec.key and other is not item for other in rubric.items):
        problems.append(("key", f"item key {spec.key!r} is already used in this rubric"))
    if spec.fact and (problem := channel_problem(spec.fact, rubric.channel)):
        problems.append(("fact", problem))
    if problems:
        raise ValidationError.many(problems)
    return spec


def add_item(session: Session, section: RubricSection, data: dict[str, Any]) -> RubricItem:
    """Validate ``data`` (the format's item fields) and append it to a draft's section.

    A blank key is made from the prompt (``audits.keys``).
    """
    ensure_draft(section.rubric)
    spec = _checked_item(section.rubric, data, None)
    item = RubricItem(position=len(section.items))
    write_item(item, spec)
    section.items.append(item)
    session.flush()
    return item


def update_item(item: RubricItem, data: dict[str, Any], section: RubricSection | None = None) -> None:
    """Replace a draft item's fields with ``data``; optionally move it to ``section`` (appended).

    A blank key is made from the prompt (``audits.keys``).
    """
    rubric = item.section.rubric
    ensure_draft(rubric)
    if section is not None and section.rubric is not rubric:
        raise ValidationError("section", "choose a section of this rubric")
    spec = _checked_item(rubric, data, item)
    write_item(item, spec)
    if section is not None and section is not item.section:
        old = item.section
        old.items.remove(item)
        _renumber(old.items)
        item.position = len(section.items)
        section.items.append(item)


def delete_item(session: Session, item: RubricItem) -> None:
    """Remove an item from a draft."""
    section = item.section
    ensure_draft(section.rubric)
    section.items.remove(item)
    _renumber(section.items)
    session.flush()


def move_item(item: RubricItem, offset: int) -> None:
    """Move an item up (negative ``offset``) or down within its section."""
    ensure_draft(item.section.rubric)
    _move(item.section.items, item, offset)
