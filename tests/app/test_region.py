"""The state-wide view and its API: an administrator's, with each district's own dashboard figures;
a district leader reaches neither, nor any other district's figures through them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.models import Role, User
from audits.results.overview import round_overview
from audits.tokens import create_token
from tests.audits.region_helpers import RegionDistrict, region_district
from tests.conftest import AuthActions


@pytest.fixture
def two_districts(session: Session) -> tuple[RegionDistrict, RegionDistrict]:
    """North (5 schools) and South (7 schools), each with a latest published round."""
    north = region_district(session, schools=5, shift=0)
    south = region_district(session, schools=7, shift=2)
    north.world.district.name, south.world.district.name = "North Valley", "South Ridge"
    session.commit()
    return north, south


def _bearer(session: Session, user: User) -> dict[str, str]:
    _, secret = create_token(session, user, "region")
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_an_administrator_sees_every_district_with_its_dashboard_figures(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    make_user: Callable[..., User],
    two_districts: tuple[RegionDistrict, RegionDistrict],
) -> None:
    auth.sign_in(make_user(Role.ADMIN))
    page = client.get("/districts/compare")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for place in two_districts:
        overview = round_overview(session, place.latest)
        figures = overview.scores.district.overall
        assert place.world.district.name in text
        assert f"/rounds/{place.latest.id}/dashboard" in text
        assert f"{figures.mean:.1f}" in text and f"{figures.median:.1f}" in text
        assert f"Number of schools by overall score, {place.world.district.name}" in text
    assert "Summer" not in text  # the newer rounds are closed, not published
    assert text.count('class="heatmap"') >= 1
    listing = client.get("/districts/")
    assert "/districts/compare" in listing.get_data(as_text=True)


def test_the_api_answers_each_districts_own_scores(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    two_districts: tuple[RegionDistrict, RegionDistrict],
) -> None:
    headers = _bearer(session, make_user(Role.ADMIN))
    answer = client.get("/api/v1/districts/compare", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    by_id = {district["district_id"]: district for district in body["districts"]}
    for place in two_districts:
        compared = by_id[place.world.district.id]
        scores = client.get(f"/api/v1/rounds/{place.latest.id}/scores", headers=headers).get_json()
        assert compared["round_id"] == place.latest.id
        assert compared["mean"] == pytest.approx(scores["district"]["mean"])
        assert compared["median"] == pytest.approx(scores["district"]["median"])
        assert compared["schools"] == scores["district"]["schools"] == len(place.world.schools)
        for key, spread in scores["district"]["sections"].items():
            assert compared["sections"][key] == pytest.approx(spread["median"])
        assert sum(b["count"] for b in compared["histogram"]) == len(place.world.schools)
        assert 0 < compared["reach_rate"] < 1
    assert {column["key"] for column in body["sections"]} == {"greeting", "service"}
    earlier = client.get("/api/v1/districts/compare?since=2026-09-01&until=2026-12-31", headers=headers)
    assert {d["round_id"] for d in earlier.get_json()["districts"]} == {p.older.id for p in two_districts}
    backwards = client.get("/api/v1/districts/compare?since=2027-01-02&until=2027-01-01", headers=headers)
    assert backwards.status_code == 400
    assert backwards.get_json()["errors"][0]["field"] == "until"
    assert client.get("/api/v1/districts/compare?since=soon", headers=headers).status_code == 400


@pytest.mark.parametrize("role", [Role.LEADER, Role.REVIEWER, Role.AUDITOR, Role.PRINCIPAL])
def test_no_one_of_a_district_reaches_the_comparison(
    client: FlaskClient,
    auth: AuthActions,
    session: Session,
    make_user: Callable[..., User],
    two_districts: tuple[RegionDistrict, RegionDistrict],
    role: Role,
) -> None:
    north, south = two_districts
    schools = north.world.schools[:1] if role is Role.PRINCIPAL else None
    person = make_user(role, district=north.world.district, schools=schools)
    auth.sign_in(person)
    page = client.get("/districts/compare")
    assert page.status_code == 403
    answer = client.get("/api/v1/districts/compare", headers=_bearer(session, person))
    assert answer.status_code == 403
    for response in (page, answer):
        assert south.world.district.name not in response.get_data(as_text=True)
    # Nor through the pages the comparison links to: the other district's round dashboard and heat map.
    if role in (Role.LEADER, Role.REVIEWER):
        assert client.get(f"/rounds/{south.latest.id}/dashboard").status_code == 403
        assert client.get(f"/rounds/{south.latest.id}/heatmap").status_code == 403
        listing = client.get("/districts/")
        assert "/districts/compare" not in listing.get_data(as_text=True)


def test_a_period_ending_before_it_starts_is_shown_beside_its_field(
    client: FlaskClient,
    auth: AuthActions,
    make_user: Callable[..., User],
    two_districts: tuple[RegionDistrict, RegionDistrict],
) -> None:
    auth.sign_in(make_user(Role.ADMIN))
    refused = client.get("/districts/compare?since=2027-01-02&until=2027-01-01")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "There is a problem" in text and 'href="#until"' in text
    assert "must not be before its start" in text
    garbled = client.get("/districts/compare?since=someday")
    assert garbled.status_code == 400 and 'href="#since"' in garbled.get_data(as_text=True)
    chosen = client.get(f"/districts/compare?since={date(2026, 9, 1).isoformat()}&until=2026-12-31")
    assert chosen.status_code == 200
    assert "Autumn" in chosen.get_data(as_text=True) and "Spring" not in chosen.get_data(as_text=True)
