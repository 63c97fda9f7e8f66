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


def _paired_district(session: Session, make_district, make_school, make_user):  # type: ignore[no-untyped-def]
    from audits.models import AuditorProfile, Role
    from tests.audits.round_helpers import make_scenario

    district = make_district()
    schools = [make_school(district) for _ in range(3)]
    for languages in (["en", "es"], ["en"], ["en", "es"]):
        auditor = make_user(Role.AUDITOR, district)
        session.add(AuditorProfile(user_id=auditor.id, languages=languages, max_per_day=4))
    en = make_scenario(session, district, Channel.PHONE, "pair-en")
    es = make_scenario(session, district, Channel.PHONE, "pair-es", language="es")
    pair = ScenarioPair(
        district_id=district.id, key="p", title="Phone: English and Spanish", trait=PairTrait.LANGUAGE,
        a_scenario_id=en.id, a_value="en", b_scenario_id=es.id, b_value="es",
    )  # fmt: skip
    session.add(pair)
    session.commit()
    return district, schools, pair


def test_a_round_with_paired_testing_stores_both_members_in_their_seeded_order(
    session: Session, make_district, make_school, make_user
) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from audits.models import Assignment
    from audits.planning.rounds import RoundSpec, commit_plan, save_round

    district, schools, pair = _paired_district(session, make_district, make_school, make_user)
    spec = RoundSpec("Equal service", date(2027, 3, 1), date(2027, 3, 19), pair_ids=[pair.id], pair_spacing=3)
    round_ = save_round(session, district, spec)
    assert (round_.pair_ids, round_.pair_spacing) == ([pair.id], 3)
    commit_plan(session, round_)
    stored = session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).all()
    assert len(stored) == 2 * len(schools)
    for school in schools:
        first, second = sorted(
            (a for a in stored if a.school_id == school.id), key=lambda a: a.pair_position or 0
        )
        assert {first.scenario_id, second.scenario_id} == {pair.a_scenario_id, pair.b_scenario_id}
        assert first.pair_id == second.pair_id == pair.id
        assert first.auditor_id != second.auditor_id
        assert (second.due_day - first.due_day).days >= 3
    # Moving a member keeps the pair's order and spacing.
    from audits.planning.reassign import reassign

    first, second = sorted(
        (a for a in stored if a.school_id == schools[0].id), key=lambda a: a.pair_position or 0
    )
    with pytest.raises(ValidationError) as refused:
        reassign(session, second, second.auditor_id, first.due_day, second.slot)
    assert refused.value.problems[0][0] == "due_day"
    assert refused.value.problems[0][1].startswith(
        "this is a member of a scenario pair: it must come at least 3 school days after the other member"
    )


def test_a_round_refuses_another_districts_pair_and_a_spacing_out_of_range(
    session: Session, make_district, make_school, make_user
) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from audits.planning.rounds import RoundSpec, save_round

    district, _, pair = _paired_district(session, make_district, make_school, make_user)
    other = make_district()
    with pytest.raises(ValidationError) as refused:
        save_round(
            session,
            other,
            RoundSpec("X", date(2027, 3, 1), date(2027, 3, 19), pair_ids=[pair.id], pair_spacing=11),
        )
    assert ("pair_ids", "choose scenario pairs of this district") in refused.value.problems
    assert ("pair_spacing", "must be from 0 to 10 school days") in refused.value.problems
    with pytest.raises(ValidationError) as empty:
        save_round(session, district, RoundSpec("X", date(2027, 3, 1), date(2027, 3, 19)))
    assert empty.value.problems[0][1].endswith("or choose a scenario pair")
