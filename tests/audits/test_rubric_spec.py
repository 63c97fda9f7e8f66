"""The rubric format: what it accepts, and every problem reported by its path."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from audits.errors import ValidationError
from audits.models import Channel, CriticalPolicy, ItemKind, TimingUnit
from audits.rubrics.spec import parse_rubric, rubric_to_dict
from audits.rubrics.yamlio import rubric_from_yaml, rubric_to_yaml
from tests.audits.rubric_samples import EXAMPLE_YAML


@pytest.fixture
def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE_YAML)


def problems_of(data: Any) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as caught:
        parse_rubric(data)
    return caught.value.problems


def test_the_issue_example_parses(example: dict[str, Any]) -> None:
    spec = parse_rubric(example)
    assert spec.key == "phone-standard"
    assert spec.channel is Channel.PHONE
    assert spec.critical_policy is CriticalPolicy.FLAG
    assert [s.key for s in spec.sections] == ["greeting", "service"]
    rings = spec.sections[0].items[1]
    assert rings.kind is ItemKind.TIMING
    assert rings.unit is TimingUnit.RINGS
    assert rings.bands == [(3, 1.0), (5, 0.5)]
    assert rings.tip == "Answer within three rings."
    assert spec.sections[1].items[0].allow_na is True
    assert spec.sections[1].items[2].kind is ItemKind.TEXT


def test_dict_round_trip_is_identical(example: dict[str, Any]) -> None:
    spec = parse_rubric(example)
    assert parse_rubric(rubric_to_dict(spec)) == spec


def test_yaml_round_trip_is_identical_text(example: dict[str, Any]) -> None:
    text = rubric_to_yaml(parse_rubric(example))
    assert rubric_to_yaml(rubric_from_yaml(text)) == text
    assert "bands: [[3, 1], [5, 0.5]]" in text


def test_export_fields_version_and_status_are_accepted_on_import(example: dict[str, Any]) -> None:
    spec = parse_rubric(example)
    text = rubric_to_yaml(spec, version=3, status="published")
    assert text.startswith("key: phone-standard\nversion: 3\nstatus: published\n")
    assert rubric_from_yaml(text) == spec


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (
            lambda d: d["sections"][0]["items"][1].update(bands=[[5, 1.0], [3, 0.5]]),
            "sections[0].items[1].bands",
            "bounds must ascend",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(bands=[[3, 1.0], [3, 0.5]]),
            "sections[0].items[1].bands",
            "bounds must ascend",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(bands=[[3, 1.5]]),
            "sections[0].items[1].bands[0]",
            "the fraction must be from 0 to 1",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(bands=[[3]]),
            "sections[0].items[1].bands[0]",
            "must be a pair [upper_bound, fraction] of numbers",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(bands=[]),
            "sections[0].items[1].bands",
            "list at least one [upper_bound, fraction] band",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(unit="hours"),
            "sections[0].items[1].unit",
            "must be one of rings, seconds, minutes, business_hours, not 'hours'",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(points=-1),
            "sections[0].items[0].points",
            "must be a number of at least 0",
        ),
        (lambda d: d["sections"][0]["items"][0].pop("points"), "sections[0].items[0].points", "is required"),
        (
            lambda d: d["sections"][0]["items"][0].update(points=float("inf")),
            "sections[0].items[0].points",
            "must be a number of at least 0",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(bands=[[float("nan"), 1.0]]),
            "sections[0].items[1].bands[0]",
            "must be a pair [upper_bound, fraction] of numbers",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(kind="stars"),
            "sections[0].items[0].kind",
            "must be one of yes_no, scale, choice, timing, text, not 'stars'",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(critical="yes"),
            "sections[0].items[0].critical",
            "must be true or false",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(max=4),
            "sections[0].items[0].max",
            "does not apply to a yes_no item",
        ),
        (
            lambda d: d["sections"][1]["items"][0].update(max=0),
            "sections[1].items[0].max",
            "must be a whole number of at least 1",
        ),
        (lambda d: d["sections"][1]["items"][0].pop("max"), "sections[1].items[0].max", "is required"),
        (
            lambda d: d["sections"][1]["items"][1]["options"][1].update(fraction=2),
            "sections[1].items[1].options[1].fraction",
            "must be a number from 0 to 1",
        ),
        (
            lambda d: d["sections"][1]["items"][1]["options"][1].update(label="Wrong or none"),
            "sections[1].items[1].options",
            "option labels must be different",
        ),
        (
            lambda d: d["sections"][1]["items"][1].update(options=[{"label": "Only", "fraction": 1}]),
            "sections[1].items[1].options",
            "list at least two options",
        ),
        (
            lambda d: d["sections"][1]["items"][2].update(points=2),
            "sections[1].items[2].points",
            "a text item is not scored",
        ),
        (
            lambda d: d["sections"][1]["items"][2].update(critical=True),
            "sections[1].items[2].critical",
            "a text item is not scored, so it cannot be critical",
        ),
        (
            lambda d: d["sections"][1]["items"][2].update(key="rings"),
            "sections[1].items[2].key",
            "item key 'rings' is already used at sections[0].items[1]",
        ),
        (
            lambda d: d["sections"][1]["items"][2].update(key="Bad Key"),
            "sections[1].items[2].key",
            "use lower-case letters, digits and _; start with a letter",
        ),
        (lambda d: d["sections"][1]["items"][2].pop("prompt"), "sections[1].items[2].prompt", "is required"),
        (
            lambda d: d["sections"][1]["items"][2].update(colour="red"),
            "sections[1].items[2].colour",
            "is not a field of the rubric format",
        ),
        (
            lambda d: d["sections"][1].update(key="greeting"),
            "sections[1].key",
            "section key 'greeting' is used twice",
        ),
        (lambda d: d["sections"][1].update(items=[]), "sections[1].items", "list at least one item"),
        (lambda d: d["sections"][1].pop("title"), "sections[1].title", "is required"),
        (lambda d: d.update(sections=[]), "sections", "list at least one section"),
        (lambda d: d.update(channel="fax"), "channel", "must be one of phone, email, visit, not 'fax'"),
        (
            lambda d: d.update(critical_policy="fail"),
            "critical_policy",
            "must be one of flag, zero, not 'fail'",
        ),
        (lambda d: d.update(key="Phone Standard"), "key", "use 2–64 lower-case letters, digits and hyphens"),
        (lambda d: d.pop("name"), "name", "is required"),
    ],
)
def test_each_problem_is_reported_with_its_path(
    example: dict[str, Any], change: Any, path: str, reason: str
) -> None:
    data = copy.deepcopy(example)
    change(data)
    assert (path, reason) in problems_of(data)


def test_every_problem_is_listed_at_once(example: dict[str, Any]) -> None:
    data = copy.deepcopy(example)
    data["sections"][0]["items"][1]["bands"] = [[5, 1.0], [3, 0.5]]
    data["sections"][1]["items"][0]["max"] = 0
    data["channel"] = "fax"
    paths = [path for path, _ in problems_of(data)]
    assert paths == ["channel", "sections[0].items[1].bands", "sections[1].items[0].max"]


def test_a_rubric_with_only_text_items_is_refused(example: dict[str, Any]) -> None:
    data = {**example, "sections": [example["sections"][1] | {"items": [example["sections"][1]["items"][2]]}]}
    assert ("sections", "at least one item must be scored (not text)") in problems_of(data)


def test_yaml_syntax_errors_name_the_line() -> None:
    with pytest.raises(ValidationError) as caught:
        rubric_from_yaml("key: x\nsections: [\n")
    field, reason = caught.value.problems[0]
    assert field == "file"
    assert reason.startswith("line 3")


def test_non_mapping_documents_are_refused() -> None:
    with pytest.raises(ValidationError, match="must be a mapping"):
        rubric_from_yaml("- just\n- a list\n")


def test_an_item_names_the_fact_it_is_scored_from(example: dict[str, Any]) -> None:
    """``fact:`` is kept, written after the kind, and read back the same."""
    data = copy.deepcopy(example)
    data["sections"][0]["items"][0]["fact"] = "reached"
    data["sections"][0]["items"][1]["fact"] = "rings"
    spec = parse_rubric(data)
    assert [item.fact for item in spec.sections[0].items] == ["reached", "rings"]
    assert spec.sections[1].items[0].fact is None
    assert list(rubric_to_dict(spec)["sections"][0]["items"][1])[:4] == ["key", "prompt", "kind", "fact"]
    assert rubric_from_yaml(rubric_to_yaml(spec)) == spec


@pytest.mark.parametrize(
    ("item", "fact", "reason"),
    [
        (1, "ringz", "'ringz' is not a contact fact; use one of reached, rings, hold_seconds, transfers, "
         "staff_gave_name, reply_hours, greeted_seconds, wait_seconds"),
        (0, "rings", "rings scores a timing item, not a yes_no item"),
        (1, "hold_seconds", "hold_seconds is measured in minutes or seconds, not rings"),
        (1, "transfers", "transfers scores a choice item, not a timing item"),
        (1, "greeted_seconds", "greeted_seconds is measured in minutes or seconds, not rings"),
        (1, 7, "must be text"),
    ],
)  # fmt: skip
def test_a_bad_fact_is_refused_with_its_path(
    example: dict[str, Any], item: int, fact: Any, reason: str
) -> None:
    """An unknown fact, one that cannot score the item's kind or unit, or another channel's."""
    data = copy.deepcopy(example)
    data["sections"][0]["items"][item]["fact"] = fact
    assert problems_of(data) == [(f"sections[0].items[{item}].fact", reason)]


def test_a_fact_of_another_channel_is_refused_even_when_the_item_fits(example: dict[str, Any]) -> None:
    """A visit rubric cannot score an item from the phone's rings, nor a phone one from the visit's wait."""
    data = copy.deepcopy(example)
    data["channel"] = "visit"
    data["sections"][0]["items"][1]["fact"] = "rings"
    assert problems_of(data) == [
        ("sections[0].items[1].fact", "rings is recorded on phone contacts, not on visit contacts")
    ]
    data = copy.deepcopy(example)
    data["sections"][0]["items"][1].update(unit="seconds", fact="wait_seconds")
    assert problems_of(data) == [
        ("sections[0].items[1].fact", "wait_seconds is recorded on visit contacts, not on phone contacts")
    ]


def test_the_outcome_fact_scores_a_yes_no_item_of_any_channel(example: dict[str, Any]) -> None:
    for channel in ("phone", "email", "visit"):
        data = copy.deepcopy(example) | {"channel": channel}
        data["sections"][0]["items"][0]["fact"] = "reached"
        assert parse_rubric(data).sections[0].items[0].fact == "reached"
    data = copy.deepcopy(example)
    data["sections"][1]["items"][2]["fact"] = "reached"  # a text item is not scored
    assert problems_of(data) == [
        ("sections[1].items[2].fact", "reached scores a yes_no item, not a text item")
    ]
