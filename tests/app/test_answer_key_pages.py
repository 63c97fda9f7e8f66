"""The district's answer-key page, and the round page's list of what its scripts still need."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import AuditorProfile, Channel, District, Level, Role, Round, School, ScriptValue, User
from audits.planning.rounds import ChannelPlan, RoundSpec, save_round
from audits.scenarios import ScenarioSpec, save_scenario
from tests.audits.round_helpers import publish_rubric
from tests.conftest import AuthActions


@pytest.fixture
def district(
    session: Session,
    make_district: Callable[..., District],
    make_school: Callable[..., School],
    make_user: Callable[..., User],
) -> District:
    district = make_district("Duval")
    make_school(district, name="Abess Park", level=Level.ELEMENTARY, grade_low="PK", grade_high="05")
    auditor = make_user(Role.AUDITOR, district=district, name="Avery Auditor")
    session.add(AuditorProfile(user_id=auditor.id, languages=["en"]))
    spec = ScenarioSpec(
        key="enrol",
        title="Enrolling a child",
        channel=Channel.PHONE,
        language="en",
        rubric=publish_rubric(session, Channel.PHONE),
        persona="A parent of a child entering {child_grade}.",
        script="Give {callback_number}.",
        answer_key="Doors open at {doors_open_time}; start at {bell_times}.",
    )
    save_scenario(session, district.id, spec)
    session.commit()
    return district


@pytest.fixture
def leader(district: District, make_user: Callable[..., User], auth: AuthActions) -> User:
    user = make_user(Role.LEADER, district=district)
    auth.sign_in(user)
    return user


def test_the_answer_key_lists_the_facts_the_scenarios_use_first(
    client: FlaskClient, leader: User, district: District
) -> None:
    html = client.get(f"/districts/{district.id}/answer-key").get_data(as_text=True)
    assert "2 of the 2 facts your active scenarios use have no answer." in html
    used, unused = html.split("Not used by an active scenario")
    assert 'name="doors_open_time"' in used and 'name="bell_times"' in used
    assert "Used by Enrolling a child." in used
    assert 'name="school_breaks"' in unused  # declared by the library, used by none of this district's


def test_saving_the_answer_key_keeps_what_was_typed_and_shows_refusals_by_field(
    client: FlaskClient, leader: User, district: District, session: Session
) -> None:
    response = client.post(
        f"/districts/{district.id}/answer-key",
        data={"doors_open_time": "7:45 a.m.", "bell_times": "{x}"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="value-bell_times-error"' in html and "without braces" in html
    assert ">7:45 a.m.</textarea>" in html  # kept, not saved
    assert session.scalars(select(ScriptValue)).all() == []
    response = client.post(
        f"/districts/{district.id}/answer-key",
        data={"doors_open_time": "7:45 a.m.", "bell_times": "8:30 a.m."},
    )
    assert response.status_code == 302
    assert {(v.name, v.value) for v in session.scalars(select(ScriptValue))} == {
        ("doors_open_time", "7:45 a.m."),
        ("bell_times", "8:30 a.m."),
    }
    assert "Every fact your active scenarios use has an answer." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_a_school_has_its_own_answers_and_uses_the_districts_for_the_rest(
    client: FlaskClient, leader: User, district: District, session: Session
) -> None:
    school = session.scalars(select(School).where(School.district_id == district.id)).one()
    client.post(f"/districts/{district.id}/answer-key", data={"doors_open_time": "7:45 a.m."})
    page = client.get(f"/schools/{school.id}/answer-key").get_data(as_text=True)
    assert "The district's answer, used while this is empty: “7:45 a.m.”" in page
    assert "1 of the 2 facts your active scenarios use has no answer for this school." in page
    assert "Answers for this school" in client.get(f"/schools/{school.id}").get_data(as_text=True)

    refused = client.post(f"/schools/{school.id}/answer-key", data={"bell_times": "[district: the time]"})
    assert refused.status_code == 400
    assert 'id="value-bell_times-error"' in refused.get_data(as_text=True)
    assert [v.school_id for v in session.scalars(select(ScriptValue))] == [None]  # nothing of the school's

    saved = client.post(
        f"/schools/{school.id}/answer-key", data={"bell_times": "9:05 a.m.", "doors_open_time": ""}
    )
    assert saved.status_code == 302
    session.expire_all()
    assert {(v.school_id, v.name, v.value) for v in session.scalars(select(ScriptValue))} == {
        (None, "doors_open_time", "7:45 a.m."),
        (school.id, "bell_times", "9:05 a.m."),
    }
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Every fact your active scenarios use has an answer for this school." in page
    assert "This school has 1 answer of its own." in page
    listed = client.get(f"/districts/{district.id}/answer-key").get_data(as_text=True)
    assert "Abess Park</a>: 1 answer of its own" in listed


def test_the_round_page_lists_what_is_missing_with_where_to_fill_it(
    client: FlaskClient, leader: User, district: District, session: Session
) -> None:
    from audits.models import Scenario

    scenario_id = session.scalar(select(Scenario.id).where(Scenario.district_id == district.id))
    spec = RoundSpec(
        name="Spring",
        first_day=date(2027, 2, 1),
        last_day=date(2027, 2, 26),
        channels={Channel.PHONE: ChannelPlan(1, [scenario_id])},
    )
    round_ = save_round(session, district, spec)
    session.commit()
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Before this round can start" in html
    assert "(20 school days, closures and weekends left out)" in html
    assert f'href="/districts/{district.id}/answer-key#doors_open_time"' in html
    auditor = session.scalars(select(User).where(User.role == Role.AUDITOR)).one()
    assert f'href="/auditors/{auditor.id}">Avery Auditor&#39;s persona</a>' in html
    assert "Commit plan</button>" in html and "disabled>Commit plan" in html
    response = client.post(f"/rounds/{round_.id}/commit", data={"revision": round_.revision})
    assert response.status_code == 400
    assert "cannot be scheduled yet" in response.get_data(as_text=True)
    session.refresh(round_)
    assert session.get(Round, round_.id) is not None and not round_.assignments


def test_a_round_that_already_ended_is_refused(client: FlaskClient, leader: User, district: District) -> None:
    from app.extensions import db
    from audits.models import Scenario

    scenario_id = db.session.scalar(select(Scenario.id).where(Scenario.district_id == district.id))
    response = client.post(
        f"/rounds/new?district={district.id}",
        data={
            "name": "Last year",
            "first_day": "2026-11-02",
            "last_day": "2026-11-20",  # the tests' today is 2027-01-04
            "school_selection": "all",
            "phone_per_school": "1",
            "phone_scenarios": [str(scenario_id)],
            "seed": "1",
            "attempt_limit": "3",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="last_day-error"' in html and "November 20, 2026 has passed" in html
