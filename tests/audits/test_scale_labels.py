"""A scale item's point labels: in the rubric format, stored by point, copied to new versions, checked."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import RubricItem
from audits.rubrics.editing import update_item
from audits.rubrics.spec import parse_item
from audits.rubrics.versions import create_draft, new_version, publish, spec_from_rubric
from audits.rubrics.yamlio import rubric_from_yaml, rubric_to_yaml
from tests.audits.rubric_samples import EXAMPLE_YAML

LABELLED_YAML = EXAMPLE_YAML.replace(
    "        max: 4\n",
    "        max: 4\n        labels:\n          0: rude\n          2: polite but flat\n"
    "          4: warm and helpful\n",
)


def _courtesy(rubric_items: list[RubricItem]) -> RubricItem:
    return next(item for item in rubric_items if item.key == "courtesy")


def test_labels_round_trip_through_yaml_and_the_database(session: Session) -> None:
    spec = rubric_from_yaml(LABELLED_YAML)
    courtesy = spec.sections[1].items[0]
    assert courtesy.labels == {0: "rude", 2: "polite but flat", 4: "warm and helpful"}
    assert rubric_from_yaml(rubric_to_yaml(spec)) == spec
    assert "        labels:\n          0: rude\n" in rubric_to_yaml(spec)
    rubric = create_draft(session, spec)
    publish(session, rubric)
    session.commit()
    stored = _courtesy(rubric.items)
    assert stored.scale_labels == ["rude", "", "polite but flat", "", "warm and helpful"]
    assert [stored.point_label(point) for point in (0, 1, 4, 5)] == ["rude", "", "warm and helpful", ""]
    assert spec_from_rubric(rubric) == spec
    copy = new_version(session, rubric)
    assert _courtesy(copy.items).scale_labels == stored.scale_labels


def test_a_scale_without_labels_stores_none(session: Session) -> None:
    rubric = create_draft(session, rubric_from_yaml(EXAMPLE_YAML))
    session.flush()
    assert _courtesy(rubric.items).scale_labels is None
    assert _courtesy(rubric.items).point_label(0) == ""


@pytest.mark.parametrize(
    ("labels", "reason"),
    [
        ({5: "too high"}, "5 is not a point of this scale (0 to 4)"),
        ({"one": "x"}, "one is not a point of this scale (0 to 4)"),
        ({1: "  "}, "write words for point 1, or leave the point out"),
        ({1: "x" * 101}, "point 1: keep it under 100 characters"),
        (["rude", "warm"], "write each label as its point and words, e.g. 0: rude or hostile"),
    ],
)
def test_wrong_labels_are_refused_on_the_labels_field(labels: object, reason: str) -> None:
    data = {
        "key": "courtesy",
        "prompt": "How courteous?",
        "kind": "scale",
        "max": 4,
        "points": 4,
        "labels": labels,
    }
    with pytest.raises(ValidationError) as caught:
        parse_item(data)
    assert caught.value.problems == [("labels", reason)]


def test_labels_belong_to_scale_items_only() -> None:
    data = {"key": "greeted", "prompt": "Greeted?", "kind": "yes_no", "points": 1, "labels": {0: "no"}}
    with pytest.raises(ValidationError) as caught:
        parse_item(data)
    assert caught.value.problems == [("labels", "does not apply to a yes_no item")]


def test_editing_a_draft_item_changes_its_labels(session: Session) -> None:
    rubric = create_draft(session, rubric_from_yaml(LABELLED_YAML))
    session.flush()
    item = _courtesy(rubric.items)
    data = {"key": "courtesy", "prompt": "How courteous?", "kind": "scale", "max": 2, "points": 4}
    update_item(item, {**data, "labels": {"0": "rude", "2": "warm"}})
    assert item.scale_labels == ["rude", "", "warm"]
    update_item(item, data)
    assert item.scale_labels is None
