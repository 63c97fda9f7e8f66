"""The rubric format as plain data, and its validation.

``parse_rubric`` turns a mapping (from YAML or a form) into a ``RubricSpec`` or
raises one ``ValidationError`` that lists every problem by path, e.g.
``sections[1].items[3].bands: bounds must ascend`` (indexes count from 0).
``rubric_to_dict`` is its inverse and gives the canonical export form.

An item may name the contact fact it is scored from (``fact: rings``); which facts there
are, and which items each can feed, is ``audits.rubrics.facts``.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeGuard, TypeVar

from audits.errors import ValidationError
from audits.models import Channel, CriticalPolicy, ItemKind, TimingUnit
from audits.rubrics.facts import channel_problem, fact_problem

RUBRIC_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
PART_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Fields an export adds; an import accepts and ignores them.
EXPORT_ONLY_FIELDS = {"version", "status"}
# The longest text kept: names, titles and option labels fit their columns; prose stays readable.
MAX_NAME = 200
MAX_PROSE = 5_000
MAX_POINT_LABEL = 100  # a scale point's label fits beside its radio button on a phone

Problems = list[tuple[str | None, str]]
Choice = TypeVar("Choice", bound=Enum)


@dataclass
class OptionSpec:
    """One answer of a ``choice`` item."""

    label: str
    fraction: float


@dataclass
class ItemSpec:
    """One item as the format describes it."""

    key: str
    prompt: str
    kind: ItemKind
    guidance: str = ""
    tip: str = ""
    points: float = 0.0
    critical: bool = False
    allow_na: bool = False
    max: int | None = None
    labels: dict[int, str] = field(default_factory=dict)  # a scale's point -> what it means
    options: list[OptionSpec] = field(default_factory=list)
    unit: TimingUnit | None = None
    bands: list[tuple[float, float]] = field(default_factory=list)
    fact: str | None = None  # the contact fact the answer is taken from, if any


@dataclass
class SectionSpec:
    """A section: key, title and ordered items."""

    key: str
    title: str
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class RubricSpec:
    """A whole rubric, free of any database identity or version."""

    key: str
    name: str
    channel: Channel
    critical_policy: CriticalPolicy = CriticalPolicy.FLAG
    description: str = ""
    sections: list[SectionSpec] = field(default_factory=list)


ITEM_FIELDS = {
    "key", "prompt", "kind", "guidance", "tip", "points", "critical", "allow_na",
    "max", "labels", "options", "unit", "bands", "fact",
}  # fmt: skip
# Fields every kind of item may have (the others belong to some kinds only).
COMMON_FIELDS = {"key", "prompt", "kind", "guidance", "tip", "points", "critical", "allow_na", "fact"}
KIND_FIELDS = {
    ItemKind.YES_NO: set(),
    ItemKind.SCALE: {"max", "labels"},
    ItemKind.CHOICE: {"options"},
    ItemKind.TIMING: {"unit", "bands"},
    ItemKind.TEXT: set(),
}


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def too_long(text: str, limit: int) -> str | None:
    """The problem with ``text`` if it is longer than ``limit`` characters, else ``None``."""
    return f"keep it under {limit:,} characters" if len(text) > limit else None


def _text(
    data: dict[str, Any],
    name: str,
    path: str,
    problems: Problems,
    required: bool = True,
    limit: int = MAX_NAME,
) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            problems.append((f"{path}{name}", "is required"))
        return ""
    if not isinstance(value, str):
        problems.append((f"{path}{name}", "must be text"))
        return ""
    if problem := too_long(value.strip(), limit):
        problems.append((f"{path}{name}", problem))
        return ""
    return value.strip()


def _flag(data: dict[str, Any], name: str, path: str, problems: Problems) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        problems.append((f"{path}{name}", "must be true or false"))
        return False
    return value


def _choice(
    enum: type[Choice],
    data: dict[str, Any],
    name: str,
    path: str,
    problems: Problems,
    default: str | None = None,
) -> Choice | None:
    value = data.get(name, default)
    if value is None:
        problems.append((f"{path}{name}", "is required"))
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        problems.append((f"{path}{name}", f"must be one of {allowed}, not {value!r}"))
        return None


def _unknown(data: dict[str, Any], allowed: set[str], path: str, problems: Problems) -> None:
    for name in data:
        if name not in allowed:
            problems.append((f"{path}{name}", "is not a field of the rubric format"))


def parse_item(data: Any, path: str = "", problems: Problems | None = None) -> ItemSpec | None:
    """Validate one item mapping; add problems under ``path`` (raise when ``problems`` is None)."""
    own = problems is None
    if problems is None:
        problems = []
    prefix = f"{path}." if path else ""
    if not isinstance(data, dict):
        problems.append((path or None, "must be a mapping of fields"))
        _raise_if(own, problems)
        return None
    _unknown(data, ITEM_FIELDS, prefix, problems)
    key = _text(data, "key", prefix, problems)
    if key and not PART_KEY.match(key):
        problems.append((f"{prefix}key", "use lower-case letters, digits and _; start with a letter"))
    prompt = _text(data, "prompt", prefix, problems, limit=MAX_PROSE)
    kind = _choice(ItemKind, data, "kind", prefix, problems)
    item = ItemSpec(
        key=key,
        prompt=prompt,
        kind=kind or ItemKind.TEXT,
        guidance=_text(data, "guidance", prefix, problems, required=False, limit=MAX_PROSE),
        tip=_text(data, "tip", prefix, problems, required=False, limit=MAX_PROSE),
        critical=_flag(data, "critical", prefix, problems),
        allow_na=_flag(data, "allow_na", prefix, problems),
    )
    if kind is None:
        _raise_if(own, problems)
        return None
    for name in ITEM_FIELDS - COMMON_FIELDS:
        if name in data and name not in KIND_FIELDS[kind]:
            problems.append((f"{prefix}{name}", f"does not apply to a {kind.value} item"))
    if kind is ItemKind.TEXT:
        if "points" in data:
            problems.append((f"{prefix}points", "a text item is not scored"))
        if item.critical:
            problems.append((f"{prefix}critical", "a text item is not scored, so it cannot be critical"))
    else:
        points = data.get("points")
        if points is None:
            problems.append((f"{prefix}points", "is required"))
        elif not _is_number(points) or points < 0:
            problems.append((f"{prefix}points", "must be a number of at least 0"))
        else:
            item.points = points
    if kind is ItemKind.SCALE:
        top = data.get("max")
        if top is None:
            problems.append((f"{prefix}max", "is required"))
        elif isinstance(top, bool) or not isinstance(top, int) or top < 1:
            problems.append((f"{prefix}max", "must be a whole number of at least 1"))
        else:
            item.max = top
        item.labels = _parse_labels(data.get("labels"), item.max, f"{prefix}labels", problems)
    elif kind is ItemKind.CHOICE:
        item.options = _parse_options(data.get("options"), f"{prefix}options", problems)
    elif kind is ItemKind.TIMING:
        item.unit = _choice(TimingUnit, data, "unit", prefix, problems)
        item.bands = _parse_bands(data.get("bands"), f"{prefix}bands", problems)
    item.fact = _fact(data, item, prefix, problems)
    _raise_if(own, problems)
    return item


def _fact(data: dict[str, Any], item: ItemSpec, prefix: str, problems: Problems) -> str | None:
    """The item's ``fact``, if it names one that can score an item of its kind and unit."""
    name = _text(data, "fact", prefix, problems, required=False)
    if not name:
        return None
    if problem := fact_problem(name, item.kind, item.unit):
        problems.append((f"{prefix}fact", problem))
        return None
    return name


def _raise_if(own: bool, problems: Problems) -> None:
    if own and problems:
        raise ValidationError.many(problems)


def _point(value: Any) -> int | None:
    """A scale point written as a number or as digits (a JSON key), else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _parse_labels(data: Any, top: int | None, path: str, problems: Problems) -> dict[int, str]:
    """A scale's point labels, ``{0: "rude or hostile", 5: "warm and helpful"}``; a point may have none."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append((path, "write each label as its point and words, e.g. 0: rude or hostile"))
        return {}
    labels: dict[int, str] = {}
    for raw, text in data.items():
        point = _point(raw)
        if point is None or (top is not None and not 0 <= point <= top):
            problems.append(
                (path, f"{raw} is not a point of this scale (0 to {top or 'its highest answer'})")
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append((path, f"write words for point {point}, or leave the point out"))
        elif problem := too_long(text.strip(), MAX_POINT_LABEL):
            problems.append((path, f"point {point}: {problem}"))
        else:
            labels[point] = text.strip()
    return dict(sorted(labels.items()))


def _parse_options(data: Any, path: str, problems: Problems) -> list[OptionSpec]:
    if not isinstance(data, list) or len(data) < 2:
        problems.append((path, "list at least two options"))
        return []
    options: list[OptionSpec] = []
    for index, raw in enumerate(data):
        where = f"{path}[{index}]"
        if not isinstance(raw, dict):
            problems.append((where, "must be a mapping with label and fraction"))
            continue
        _unknown(raw, {"label", "fraction"}, f"{where}.", problems)
        label = _text(raw, "label", f"{where}.", problems)
        fraction = raw.get("fraction")
        if not _is_number(fraction) or not 0 <= fraction <= 1:
            problems.append((f"{where}.fraction", "must be a number from 0 to 1"))
            continue
        options.append(OptionSpec(label, fraction))
    labels = [option.label for option in options]
    if len(set(labels)) != len(labels):
        problems.append((path, "option labels must be different"))
    return options


def _parse_bands(data: Any, path: str, problems: Problems) -> list[tuple[float, float]]:
    if not isinstance(data, list) or not data:
        problems.append((path, "list at least one [upper_bound, fraction] band"))
        return []
    bands: list[tuple[float, float]] = []
    for index, raw in enumerate(data):
        where = f"{path}[{index}]"
        if not isinstance(raw, list | tuple) or len(raw) != 2 or not all(_is_number(v) for v in raw):
            problems.append((where, "must be a pair [upper_bound, fraction] of numbers"))
            continue
        bound, fraction = raw
        if bound < 0:
            problems.append((where, "the upper bound cannot be negative"))
        if not 0 <= fraction <= 1:
            problems.append((where, "the fraction must be from 0 to 1"))
        bands.append((bound, fraction))
    if any(later[0] <= earlier[0] for earlier, later in itertools.pairwise(bands)):
        problems.append((path, "bounds must ascend"))
    return bands


def parse_rubric(data: Any, require_content: bool = True) -> RubricSpec:
    """Validate a rubric mapping and return its spec, or raise with every problem by path.

    ``require_content=False`` accepts a draft with no sections or empty sections,
    as the editor builds one step by step; publishing asks for content.
    """
    problems: Problems = []
    if not isinstance(data, dict):
        raise ValidationError(None, "a rubric must be a mapping with key, name, channel and sections")
    _unknown(
        data,
        {"key", "name", "channel", "critical_policy", "description", "sections"} | EXPORT_ONLY_FIELDS,
        "",
        problems,
    )
    key = _text(data, "key", "", problems)
    if key and not RUBRIC_KEY.match(key):
        problems.append(("key", "use 2–64 lower-case letters, digits and hyphens"))
    spec = RubricSpec(
        key=key,
        name=_text(data, "name", "", problems),
        channel=_choice(Channel, data, "channel", "", problems) or Channel.PHONE,
        critical_policy=_choice(CriticalPolicy, data, "critical_policy", "", problems, "flag")
        or CriticalPolicy.FLAG,
        description=_text(data, "description", "", problems, required=False, limit=MAX_PROSE),
    )
    sections = data.get("sections", [])
    if not isinstance(sections, list):
        problems.append(("sections", "must be a list"))
        sections = []
    if require_content and not sections:
        problems.append(("sections", "list at least one section"))
    section_keys: set[str] = set()
    item_keys: dict[str, str] = {}
    for s_index, raw in enumerate(sections):
        where = f"sections[{s_index}]"
        if not isinstance(raw, dict):
            problems.append((where, "must be a mapping with key, title and items"))
            continue
        _unknown(raw, {"key", "title", "items"}, f"{where}.", problems)
        section = SectionSpec(
            key=_text(raw, "key", f"{where}.", problems), title=_text(raw, "title", f"{where}.", problems)
        )
        if section.key and not PART_KEY.match(section.key):
            problems.append((f"{where}.key", "use lower-case letters, digits and _; start with a letter"))
        elif section.key in section_keys:
            problems.append((f"{where}.key", f"section key {section.key!r} is used twice"))
        section_keys.add(section.key)
        items = raw.get("items", [])
        if not isinstance(items, list):
            problems.append((f"{where}.items", "must be a list"))
            items = []
        if require_content and not items:
            problems.append((f"{where}.items", "list at least one item"))
        for i_index, raw_item in enumerate(items):
            item_path = f"{where}.items[{i_index}]"
            item = parse_item(raw_item, item_path, problems)
            if item is None:
                continue
            if item.key and item.key in item_keys:
                problems.append(
                    (f"{item_path}.key", f"item key {item.key!r} is already used at {item_keys[item.key]}")
                )
            item_keys.setdefault(item.key, item_path)
            if item.fact and (problem := channel_problem(item.fact, spec.channel)):
                problems.append((f"{item_path}.fact", problem))
            section.items.append(item)
        spec.sections.append(section)
    if (
        require_content
        and sections
        and not any(item.kind is not ItemKind.TEXT for s in spec.sections for item in s.items)
    ):
        problems.append(("sections", "at least one item must be scored (not text)"))
    if problems:
        raise ValidationError.many(problems)
    return spec


def _number(value: float) -> int | float:
    """Write whole numbers without a decimal point, so exports stay tidy."""
    return int(value) if float(value).is_integer() else float(value)


def item_to_dict(item: ItemSpec) -> dict[str, Any]:
    """The canonical mapping of one item (fields in the format's order, defaults left out)."""
    data: dict[str, Any] = {"key": item.key, "prompt": item.prompt, "kind": item.kind.value}
    if item.fact:
        data["fact"] = item.fact
    if item.kind is ItemKind.SCALE:
        data["max"] = item.max
        if item.labels:
            data["labels"] = dict(item.labels)
    elif item.kind is ItemKind.CHOICE:
        data["options"] = [{"label": o.label, "fraction": _number(o.fraction)} for o in item.options]
    elif item.kind is ItemKind.TIMING:
        data["unit"] = item.unit.value if item.unit else None
        data["bands"] = [[_number(bound), _number(fraction)] for bound, fraction in item.bands]
    if item.kind is not ItemKind.TEXT:
        data["points"] = _number(item.points)
    if item.critical:
        data["critical"] = True
    if item.allow_na:
        data["allow_na"] = True
    if item.guidance:
        data["guidance"] = item.guidance
    if item.tip:
        data["tip"] = item.tip
    return data


def rubric_to_dict(spec: RubricSpec) -> dict[str, Any]:
    """The canonical mapping of a rubric; ``parse_rubric`` of it gives ``spec`` back."""
    data: dict[str, Any] = {
        "key": spec.key,
        "name": spec.name,
        "channel": spec.channel.value,
        "critical_policy": spec.critical_policy.value,
    }
    if spec.description:
        data["description"] = spec.description
    data["sections"] = [
        {"key": s.key, "title": s.title, "items": [item_to_dict(item) for item in s.items]}
        for s in spec.sections
    ]
    return data
