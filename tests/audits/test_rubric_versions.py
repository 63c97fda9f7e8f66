"""Versions: drafts change, published versions never do, new versions copy everything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, ValidationError
from audits.models import Channel, Rubric, RubricItem, RubricStatus
from audits.rubrics.editing import add_item, add_section, update_details, update_item
from audits.rubrics.guard import FrozenRubricError
from audits.rubrics.impact import version_impact
from audits.rubrics.spec import RubricSpec
from audits.rubrics.versions import (
    create_draft,
    discard_draft,
    get_version,
    latest_published,
    new_version,
    publish,
    retire,
    spec_from_rubric,
)
from audits.rubrics.yamlio import rubric_from_yaml, rubric_to_yaml
from tests.audits.rubric_samples import EXAMPLE_YAML


@pytest.fixture
def draft(session: Session) -> Rubric:
    rubric = create_draft(session, rubric_from_yaml(EXAMPLE_YAML))
    session.commit()
    return rubric


def test_stored_rubric_exports_exactly_what_was_imported(session: Session, draft: Rubric) -> None:
    session.expire_all()
    stored = session.get(Rubric, draft.id)
    assert stored is not None
    assert rubric_to_yaml(spec_from_rubric(stored)) == rubric_to_yaml(rubric_from_yaml(EXAMPLE_YAML))
    assert (stored.key, stored.version, stored.status) == ("phone-standard", 1, RubricStatus.DRAFT)


def test_publish_freezes_the_version(session: Session, draft: Rubric) -> None:
    publish(session, draft)
    session.commit()
    assert draft.published_at is not None
    with pytest.raises(ConflictError, match="published and cannot change"):
        update_details(draft, "Renamed", "flag", "")
    with pytest.raises(ConflictError, match="published and cannot change"):
        add_section(session, draft, "extra", "Extra")
    item = draft.sections[0].items[0]
    with pytest.raises(ConflictError, match="published and cannot change"):
        update_item(item, {"key": "answered_by_person", "prompt": "Changed?", "kind": "yes_no", "points": 1})


def test_the_flush_guard_stops_direct_edits_of_a_published_version(session: Session, draft: Rubric) -> None:
    publish(session, draft)
    session.commit()
    item_id = draft.sections[0].items[0].id
    item = session.get(RubricItem, item_id)
    assert item is not None
    item.points = 50
    with pytest.raises(FrozenRubricError):
        session.flush()
    session.rollback()
    draft.name = "Sneaky rename"
    with pytest.raises(FrozenRubricError):
        session.flush()
    session.rollback()
    session.delete(draft.sections[1])
    with pytest.raises(FrozenRubricError):
        session.flush()
    session.rollback()
    assert session.get(RubricItem, item_id).points == 5  # type: ignore[union-attr]


def test_an_incomplete_draft_cannot_be_published(session: Session) -> None:
    empty = create_draft(session, RubricSpec(key="visit-new", name="Visit", channel=Channel.VISIT))
    with pytest.raises(ValidationError) as caught:
        publish(session, empty)
    assert ("sections", "list at least one section") in caught.value.problems
    add_section(session, empty, "arrival", "Arrival")
    with pytest.raises(ValidationError) as caught:
        publish(session, empty)
    assert ("sections[0].items", "list at least one item") in caught.value.problems


def test_new_version_copies_everything_and_publishing_it_retires_the_old(
    session: Session, draft: Rubric
) -> None:
    publish(session, draft)
    second = new_version(session, draft)
    assert (second.version, second.status) == (2, RubricStatus.DRAFT)
    assert spec_from_rubric(second) == spec_from_rubric(draft)
    assert {item.id for item in second.items}.isdisjoint({item.id for item in draft.items})
    add_item(
        session,
        second.sections[1],
        {"key": "name_given", "prompt": "Name given?", "kind": "yes_no", "points": 2},
    )
    assert latest_published(session, "phone-standard") is draft  # the draft is not used yet
    publish(session, second)
    session.commit()
    assert draft.status is RubricStatus.RETIRED
    assert draft.retired_at is not None
    assert latest_published(session, "phone-standard") is second
    assert len(draft.items) == 5  # the old version keeps its meaning
    assert len(second.items) == 6


def test_only_one_draft_per_key(session: Session, draft: Rubric) -> None:
    with pytest.raises(ConflictError, match="already has a draft"):
        create_draft(session, rubric_from_yaml(EXAMPLE_YAML))


def test_a_new_version_cannot_change_the_channel(session: Session, draft: Rubric) -> None:
    publish(session, draft)
    changed = rubric_from_yaml(EXAMPLE_YAML.replace("channel: phone", "channel: email"))
    with pytest.raises(ValidationError, match="cannot change the channel"):
        create_draft(session, changed)


def test_retire_and_discard(session: Session, draft: Rubric) -> None:
    with pytest.raises(ConflictError):
        retire(session, draft)
    publish(session, draft)
    retire(session, draft)
    session.commit()
    assert latest_published(session, "phone-standard") is None
    assert get_version(session, "phone-standard", 1) is draft  # retired stays readable
    second = new_version(session, draft)
    discard_draft(session, second)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Rubric)) == 1
    with pytest.raises(ConflictError):
        discard_draft(session, draft)


def test_get_version_errors(session: Session, draft: Rubric) -> None:
    with pytest.raises(ValidationError, match="no published version"):
        get_version(session, "phone-standard")
    with pytest.raises(ValidationError, match="no version 7"):
        get_version(session, "phone-standard", 7)


def test_editing_a_draft_validates_like_the_format(session: Session, draft: Rubric) -> None:
    section = draft.sections[0]
    with pytest.raises(ValidationError) as caught:
        add_item(
            session,
            section,
            {
                "key": "hold",
                "prompt": "Hold",
                "kind": "timing",
                "unit": "seconds",
                "bands": [[60, 1], [30, 0]],
                "points": 2,
            },
        )
    assert caught.value.problems == [("bands", "bounds must ascend")]
    with pytest.raises(ValidationError, match="already used"):
        add_item(session, section, {"key": "rings", "prompt": "Again", "kind": "yes_no", "points": 1})
    with pytest.raises(ValidationError, match="already used"):
        add_section(session, draft, "service", "Service again")


def test_an_item_keeps_its_fact_through_versions_and_the_editor(session: Session) -> None:
    """The fact is stored, copied to the next version, and checked against the rubric's channel."""
    text = EXAMPLE_YAML.replace("unit: rings", "unit: rings\n        fact: rings")
    rubric = create_draft(session, rubric_from_yaml(text))
    assert rubric.items[1].fact == "rings"
    publish(session, rubric)
    following = new_version(session, rubric)
    assert following.items[1].fact == "rings"
    assert rubric_to_yaml(spec_from_rubric(following)) == rubric_to_yaml(rubric_from_yaml(text))
    section = following.sections[0]
    wait = {
        "key": "wait",
        "prompt": "Wait",
        "kind": "timing",
        "unit": "seconds",
        "bands": [[60, 1]],
        "points": 1,
    }
    with pytest.raises(ValidationError) as caught:
        add_item(session, section, wait | {"fact": "wait_seconds"})
    assert caught.value.problems == [
        ("fact", "wait_seconds is recorded on visit contacts, not on phone contacts")
    ]
    update_item(following.items[1], {**wait, "key": "rings", "unit": "rings", "fact": None})
    assert following.items[1].fact is None


def test_what_publishing_retiring_or_discarding_would_change_is_said_first(
    session: Session, draft: Rubric
) -> None:
    """The facts the confirmation pages state: problems, the version replaced, a key left with none."""
    empty = create_draft(session, RubricSpec(key="visit-new", name="Visit", channel=Channel.VISIT))
    assert ("sections", "list at least one section") in version_impact(session, empty).problems
    first = version_impact(session, draft)
    assert first.problems == [] and first.current is None and first.replaces is None
    assert first.items == sum(len(section.items) for section in draft.sections) > 0
    assert (first.scenarios, first.waiting, first.contacts) == ([], 0, 0)  # no scenario uses the key here
    publish(session, draft)
    second = new_version(session, draft)
    assert version_impact(session, second).replaces == draft  # publishing it retires version 1
    assert version_impact(session, draft).leaves_none  # retiring the one in use leaves none
    publish(session, second)
    assert not version_impact(session, draft).leaves_none  # retired already: nothing more to leave
    assert draft.status is RubricStatus.RETIRED
