"""Scenario pair pages: a leader pairs two district scenarios; unmatched ones are refused."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import Channel, District, Role, ScenarioPair
from tests.audits.round_helpers import make_scenario
from tests.conftest import PASSWORD, AuthActions


def _district_scenarios(session: Session, district: District) -> None:
    make_scenario(session, district, Channel.PHONE, "enrol-en")
    make_scenario(session, district, Channel.PHONE, "enrol-es", language="es")
    make_scenario(session, district, Channel.EMAIL, "enrol-email")
    session.commit()


PAIR = {
    "title": "Enrolling by phone: English and Spanish",
    "key": "enrol-phone-language",
    "trait": "language",
    "a": "enrol-en",
    "a_value": "en",
    "b": "enrol-es",
    "b_value": "es",
}


def test_a_leader_writes_a_pair_and_sees_it_listed(
    client: FlaskClient, auth: AuthActions, session: Session, make_district, make_user
) -> None:
    district = make_district()
    _district_scenarios(session, district)
    leader = make_user(Role.LEADER, district)
    auth.login(leader.email, PASSWORD)
    form = client.get("/scenarios/pairs/new").get_data(as_text=True)
    assert 'value="enrol-es"' in form and 'value="iep"' in form
    created = client.post("/scenarios/pairs/new", data=PAIR)
    assert created.status_code == 302 and created.headers["Location"].endswith("/scenarios/pairs/")
    pair = session.scalar(select(ScenarioPair).where(ScenarioPair.district_id == district.id))
    assert pair is not None and (pair.a_scenario.key, pair.b_scenario.key) == ("enrol-en", "enrol-es")
    listed = client.get("/scenarios/pairs/").get_data(as_text=True)
    assert "Enrolling by phone: English and Spanish" in listed and "In Spanish" in listed
    again = client.post("/scenarios/pairs/new", data=PAIR)
    assert again.status_code == 400 and "exists already" in again.get_data(as_text=True)


def test_unmatched_members_are_refused_by_their_fields_and_nothing_is_saved(
    client: FlaskClient, auth: AuthActions, session: Session, make_district, make_user
) -> None:
    district = make_district()
    _district_scenarios(session, district)
    auth.login(make_user(Role.LEADER, district).email, PASSWORD)
    refused = client.post("/scenarios/pairs/new", data={**PAIR, "b": "enrol-email", "b_value": "en"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "There is a problem" in html
    assert "the two members must differ in language" in html
    empty = client.post("/scenarios/pairs/new", data={})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 400 and "choose the member&#39;s scenario and its value" in text
    different = client.post("/scenarios/pairs/new", data={**PAIR, "b": "enrol-email"})
    assert different.status_code == 400
    assert "both members must be on the same channel" in different.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ScenarioPair)) == 0
