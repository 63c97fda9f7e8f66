"""Scenario pairs: the library's three matched pairs, and what makes two scenarios a pair."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.library import LIBRARY_DIR, adopt_library, load_library
from audits.models import Channel, District, PairTrait, Scenario, ScenarioPair
from audits.pairs import check_pair, member_label, pairs_of, parse_pair
from audits.rubrics.yamlio import load_yaml

PAIR_FILES = sorted((LIBRARY_DIR / "pairs").glob("*.yaml"))


def test_the_library_ships_three_matched_pairs(session: Session) -> None:
    load_library(session)
    pairs = {pair.key: pair for pair in session.scalars(select(ScenarioPair))}
    assert set(pairs) == {"enrol-phone-language", "enrol-phone-iep", "enrol-email-iep"}
    language = pairs["enrol-phone-language"]
    assert (language.trait, language.a_value, language.b_value) == (PairTrait.LANGUAGE, "en", "es")
    assert (language.a_scenario.language, language.b_scenario.language) == ("en", "es")
    assert language.a_scenario.channel is Channel.PHONE
    assert pairs["enrol-email-iep"].a_scenario.channel is Channel.EMAIL
    for pair in pairs.values():
        a, b = pair.a_scenario, pair.b_scenario
        assert a.rubric_key == b.rubric_key and a.answer_key == b.answer_key
        assert len(a.questions) == len(b.questions)
    assert pairs["enrol-phone-iep"].trait is PairTrait.DISABILITY
    assert pairs["enrol-phone-iep"].a_scenario.questions == pairs["enrol-phone-iep"].b_scenario.questions


def test_loading_twice_changes_nothing_and_a_district_adopts_the_pairs(
    session: Session, make_district: Callable[..., District]
) -> None:
    first = load_library(session)
    assert (first.pairs_changed, first.pairs_unchanged) == (3, 0)
    again = load_library(session)
    assert (again.pairs_changed, again.pairs_unchanged) == (0, 3)
    district = make_district()
    adopt_library(session, district)
    adopted = pairs_of(session, district.id)
    assert len(adopted) == 3
    assert all(pair.a_scenario.district_id == district.id for pair in adopted)
    adopt_library(session, district)
    assert len(pairs_of(session, district.id)) == 3


@pytest.mark.parametrize("path", PAIR_FILES, ids=lambda p: p.stem)
def test_library_pair_file_is_named_by_its_key(path) -> None:  # type: ignore[no-untyped-def]
    assert parse_pair(load_yaml(path.read_bytes())).key == path.stem


def test_two_scenarios_that_differ_in_more_than_the_trait_are_refused(session: Session) -> None:
    load_library(session)
    scenarios = {s.key: s for s in session.scalars(select(Scenario).where(Scenario.district_id.is_(None)))}
    en, es = scenarios["pair-enrol-phone-en"], scenarios["pair-enrol-phone-es"]
    check_pair(PairTrait.LANGUAGE, en, "en", es, "es")
    with pytest.raises(ValidationError) as refused:
        check_pair(PairTrait.LANGUAGE, en, "en", scenarios["pair-enrol-email-iep"], "es")
    reasons = [reason for _, reason in refused.value.problems]
    assert "both members must be on the same channel" in reasons
    assert "both members must be scored on the same rubric" in reasons
    with pytest.raises(ValidationError, match="the same questions"):
        check_pair(PairTrait.DISABILITY, en, "none", es, "iep")
    with pytest.raises(ValidationError) as same:
        parse_pair({"key": "x-y", "title": "T", "trait": "language", "a": {"scenario": "a", "value": "en"},
                    "b": {"scenario": "b", "value": "en"}})  # fmt: skip
    assert same.value.problems == [("b", "the two members must differ in language")]


def test_members_are_named_for_readers() -> None:
    assert member_label(PairTrait.LANGUAGE, "es") == "In Spanish"
    assert member_label(PairTrait.DISABILITY, "iep") == "With an IEP"
    assert member_label(PairTrait.DISABILITY, "none") == "No disability named"
