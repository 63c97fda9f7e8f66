"""The "Equal service" page and GET /api/v1/rounds/<id>/equity: leaders and admins see the figures of a
round with paired testing; the contacts endpoint names each contact's scenario and pair."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.models import Role, User
from audits.tokens import create_token
from tests.audits.equity_helpers import LANGUAGE_GAP, EquityWorld, build_equity_world
from tests.conftest import AuthActions


@pytest.fixture
def world(session: Session) -> EquityWorld:
    world = build_equity_world(session)
    world.pairs(LANGUAGE_GAP)
    session.commit()
    return world


def _person(make_user: Callable[..., User], world: EquityWorld, role: Role) -> User:
    return make_user(role, world.district, schools=[world.schools[0]] if role is Role.PRINCIPAL else None)


def test_the_leader_sees_the_language_gap_with_its_interval(
    client: FlaskClient, auth: AuthActions, world: EquityWorld, make_user: Callable[..., User]
) -> None:
    auth.sign_in(_person(make_user, world, Role.LEADER))
    page = client.get(f"/rounds/{world.round.id}/equity")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Enrolling by phone: English and Spanish" in text
    assert "Gap shown." in text
    assert (
        "Reach rate was lower for Spanish-language requests than for English-language requests: "
        "\u221244 percentage points (95% confidence interval \u221244 to \u22128 percentage points), "
        "over 16 pairs."
    ) in text
    assert "No difference shown with 9 pairs." in text  # answer accuracy, where both reached someone
    assert "56%" in text and "100%" in text  # reach of each member


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.AUDITOR, Role.PRINCIPAL])
def test_nobody_but_leaders_and_admins_opens_it(
    client: FlaskClient, auth: AuthActions, world: EquityWorld, make_user: Callable[..., User], role: Role
) -> None:
    auth.sign_in(_person(make_user, world, role))
    assert client.get(f"/rounds/{world.round.id}/equity").status_code == 403


def test_the_api_answers_each_pair_and_measure_exactly(
    client: FlaskClient, session: Session, world: EquityWorld, make_user: Callable[..., User]
) -> None:
    leader = _person(make_user, world, Role.LEADER)
    reviewer = _person(make_user, world, Role.REVIEWER)
    tokens = {user.role: create_token(session, user, "t")[1] for user in (leader, reviewer)}
    session.commit()
    answer = client.get(
        f"/api/v1/rounds/{world.round.id}/equity", headers={"Authorization": f"Bearer {tokens[Role.LEADER]}"}
    )
    assert answer.status_code == 200
    figures = answer.get_json()
    assert [figure["measure"] for figure in figures] == ["reach", "within_standard", "accuracy", "score"]
    reach = figures[0]
    assert set(reach) == {
        "pair",
        "trait",
        "measure",
        "a",
        "b",
        "difference",
        "ci_low",
        "ci_high",
        "p_value",
        "pairs",
    }
    assert (reach["pair"], reach["trait"], reach["pairs"]) == (world.pair.id, "language", 16)
    assert reach["a"] == {"value": 1.0, "n": 16}
    assert reach["b"] == {"value": pytest.approx(9 / 16), "n": 16}
    assert reach["difference"] == pytest.approx(-7 / 16)
    assert reach["p_value"] == pytest.approx(2 * 0.5**7)
    assert reach["ci_low"] == pytest.approx(-7 / 16) and reach["ci_high"] == pytest.approx(-0.0791, abs=1e-4)
    refused = client.get(
        f"/api/v1/rounds/{world.round.id}/equity",
        headers={"Authorization": f"Bearer {tokens[Role.REVIEWER]}"},
    )
    assert refused.status_code == 403 and refused.is_json
    contacts = client.get(
        f"/api/v1/rounds/{world.round.id}/contacts?per_page=500",
        headers={"Authorization": f"Bearer {tokens[Role.LEADER]}"},
    ).get_json()["items"]
    assert len(contacts) == 32
    assert {(c["scenario_id"], c["pair_id"]) for c in contacts} == {
        (world.pair.a_scenario_id, world.pair.id),
        (world.pair.b_scenario_id, world.pair.id),
    }


def test_a_leader_plans_paired_testing_and_sees_every_school_it_could_not_pair(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    make_district: Callable[..., object],
    make_school: Callable[..., object],
    make_user: Callable[..., User],
) -> None:
    from sqlalchemy import select

    from audits.models import Round
    from tests.audits.test_pairs import _paired_district

    district, schools, pair = _paired_district(session, make_district, make_school, make_user)
    schools[0].phone = None  # cannot be called: neither member goes there
    session.commit()
    auth.sign_in(make_user(Role.LEADER, district))
    answer = client.post(
        "/rounds/new",
        data={
            "name": "Equal service check",
            "first_day": "2027-03-01",
            "last_day": "2027-03-19",
            "school_selection": "all",
            "phone_per_school": "0",
            "email_per_school": "0",
            "visit_per_school": "0",
            "pair_ids": [str(pair.id)],
            "pair_spacing": "2",
            "seed": "5",
            "attempt_limit": "3",
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    round_ = session.scalars(select(Round).where(Round.district_id == district.id)).one()
    assert (round_.pair_ids, round_.pair_spacing) == ([pair.id], 2)
    text = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "4 of 6 contacts placed" in text
    assert "Schools not paired (1)" in text
    assert f"{schools[0].name}</th><td>{pair.title}</td><td>the school has no phone number on file" in text
    assert "Phone: English and Spanish: both members at each school, 2 school days apart" in text
    bad = client.post(f"/rounds/{round_.id}/edit", data={"name": "X", "first_day": "2027-03-01",
        "last_day": "2027-03-19", "school_selection": "all", "pair_ids": [str(pair.id)], "pair_spacing": "40",
        "revision": str(round_.revision)})  # fmt: skip
    assert bad.status_code == 400
    assert "must be from 0 to 10 school days" in bad.get_data(as_text=True)


def test_a_principal_sees_only_their_schools_own_pair_facts(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    world: EquityWorld,
    make_user: Callable[..., User],
) -> None:
    from datetime import UTC, datetime

    from audits.models import RoundStatus
    from tests.audits.test_acknowledgements import stored_card

    unanswered, answered = world.schools[15], world.schools[0]
    world.round.status = RoundStatus.PUBLISHED
    published = datetime(2026, 11, 2, 15, tzinfo=UTC)
    for school in (unanswered, answered):
        stored_card(session, world.round, school, published)
    principal = make_user(Role.PRINCIPAL, world.district, schools=[unanswered])
    session.commit()
    auth.sign_in(principal)
    page = client.get(f"/schools/{unanswered.id}/portal?round={world.round.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Equal service: your school's paired contacts" in text
    assert "The Spanish-language phone call, Oct 7, 2026, two days later, was not answered." in text
    # Facts only, of this school only: no figure over the schools, and never another school's page.
    for claim in ("confidence interval", "percentage points", "No difference shown", "16 pairs"):
        assert claim not in text
    assert client.get(f"/schools/{answered.id}/portal?round={world.round.id}").status_code == 403
    assert client.get(f"/rounds/{world.round.id}/equity").status_code == 403
