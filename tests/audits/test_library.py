"""The default library: every rubric round-trips, scenarios load, loading twice changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.library import LIBRARY_DIR, adopt_library, load_library
from audits.models import Channel, District, ItemKind, Rubric, RubricStatus, Scenario
from audits.rubrics.versions import latest_published, spec_from_rubric
from audits.rubrics.yamlio import load_yaml, rubric_from_yaml, rubric_to_yaml
from audits.scenarios import parse_scenario

RUBRIC_FILES = sorted((LIBRARY_DIR / "rubrics").glob("*.yaml"))
SCENARIO_FILES = sorted((LIBRARY_DIR / "scenarios").glob("*.yaml"))


def test_the_library_has_three_rubrics_one_per_channel() -> None:
    channels = sorted(rubric_from_yaml(path.read_bytes()).channel.value for path in RUBRIC_FILES)
    assert channels == ["email", "phone", "visit"]


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_library_rubric_round_trips_through_yaml(path: Path) -> None:
    spec = rubric_from_yaml(path.read_bytes())
    assert spec.key == path.stem
    text = rubric_to_yaml(spec)
    assert rubric_from_yaml(text) == spec
    assert rubric_to_yaml(rubric_from_yaml(text)) == text
    kinds = {item.kind for section in spec.sections for item in section.items}
    assert ItemKind.TIMING in kinds
    assert ItemKind.TEXT in kinds
    assert any(item.allow_na for section in spec.sections for item in section.items)  # language access


@pytest.mark.parametrize("path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_library_rubric_round_trips_through_the_database(session: Session, path: Path) -> None:
    load_library(session)
    session.commit()
    session.expire_all()
    spec = rubric_from_yaml(path.read_bytes())
    stored = latest_published(session, spec.key)
    assert stored is not None
    assert spec_from_rubric(stored) == spec
    assert rubric_from_yaml(rubric_to_yaml(spec_from_rubric(stored), stored.version, "published")) == spec


def test_scenarios_cover_the_required_situations() -> None:
    specs = [parse_scenario(load_yaml(path.read_bytes())) for path in SCENARIO_FILES]
    assert len(specs) >= 12
    assert [spec.key for spec in specs] == [path.stem for path in SCENARIO_FILES]
    per_channel = Counter(spec.channel for spec in specs)
    assert per_channel[Channel.PHONE] >= 3
    assert per_channel[Channel.EMAIL] >= 3
    assert per_channel[Channel.VISIT] >= 2
    assert any(spec.language == "es" for spec in specs)
    text = " ".join(f"{spec.key} {spec.title}".lower() for spec in specs)
    for theme in ("enrol", "disab", "bus", "meal", "absen", "bully", "record", "voicemail", "visit"):
        assert theme in text, theme


def test_loading_twice_changes_nothing(session: Session) -> None:
    first = load_library(session)
    session.commit()
    assert len(first.rubrics_published) == len(RUBRIC_FILES)
    assert first.scenarios_created == len(SCENARIO_FILES)
    again = load_library(session)
    session.commit()
    assert again.rubrics_published == []
    assert len(again.rubrics_unchanged) == len(RUBRIC_FILES)
    assert (again.scenarios_created, again.scenarios_updated) == (0, 0)
    assert session.scalar(select(func.count()).select_from(Rubric)) == len(RUBRIC_FILES)
    published = session.scalars(select(Rubric.status)).all()
    assert set(published) == {RubricStatus.PUBLISHED}


def test_a_changed_library_rubric_becomes_the_next_version(session: Session, tmp_path: Path) -> None:
    load_library(session)
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "scenarios").mkdir()
    source = RUBRIC_FILES[0].read_text()
    (tmp_path / "rubrics" / RUBRIC_FILES[0].name).write_text(source.replace("name: ", "name: Revised ", 1))
    report = load_library(session, tmp_path)
    key = RUBRIC_FILES[0].stem
    assert report.rubrics_published == [f"{key} v2"]


def test_a_broken_library_file_names_the_file(session: Session, tmp_path: Path) -> None:
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "broken.yaml").write_text("key: broken\nname: B\nchannel: fax\nsections: []\n")
    with pytest.raises(ValidationError) as caught:
        load_library(session, tmp_path)
    assert ("broken.yaml: channel", "must be one of phone, email, visit, not 'fax'") in caught.value.problems


def test_a_district_adopts_the_library_once(session: Session, make_district: Callable[..., District]) -> None:
    load_library(session)
    district = make_district()
    adopted = adopt_library(session, district)
    assert len(adopted) == len(SCENARIO_FILES)
    assert all(scenario.district_id == district.id for scenario in adopted)
    assert adopt_library(session, district) == []
    total = session.scalar(select(func.count()).select_from(Scenario))
    assert total == 2 * len(SCENARIO_FILES)
