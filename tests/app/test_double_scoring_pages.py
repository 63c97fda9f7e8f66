"""Blind double-scoring through the pages and the API: the second auditor never sees the first's answers;
their answers, stored apart, reach the reviewer's flag and the round page's agreement, never a school."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.models import Contact, District, DoubleScoring, Outcome, SecondAnswer, User
from audits.tokens import create_token
from tests.app.fieldwork_world import AUDITOR_NAME, World, build_world, login
from tests.audits.fieldwork_helpers import local
from tests.conftest import TEST_NOW, AuthActions

FIRST_COMMENT = "The secretary sighed twice before answering."
THREAD = ContactEntry(
    Outcome.REACHED,
    local("2027-02-05T15:30"),
    Timings(
        sent_text="Hello, how do we apply for free meals?",
        reply_at=local("2027-02-08T09:00"),
        reply_text="Dear parent, here is the form for free meals.",
    ),
    {
        "answered_by_person": AnswerEntry(True),
        "courtesy": AnswerEntry(1, comment=FIRST_COMMENT),
        "accuracy": AnswerEntry("Partly correct"),
        "rings": AnswerEntry(1.0),
    },
)
SECOND_FORM = {
    "item-answered_by_person": "no",
    "item-rings": "2",
    "item-courtesy": "4",
    "item-accuracy": "Partly correct",
}


@pytest.fixture
def world(session: Session, make_district: Callable[..., District], make_user: Callable[..., User]) -> World:
    return build_world(session, make_district, make_user)


@pytest.fixture
def scoring(session: Session, world: World) -> DoubleScoring:
    from audits.fieldwork.contacts import start_contact, submit

    world.fieldwork.round.double_score_percent = 100
    contact = start_contact(session, world.email, world.fieldwork.auditor)
    submit(session, contact, THREAD, world.fieldwork.auditor, world.fieldwork.calendar, now=TEST_NOW)
    session.commit()
    chosen = session.scalar(select(DoubleScoring).where(DoubleScoring.contact_id == contact.id))
    assert chosen is not None and chosen.second_auditor_id == world.users["other_auditor"].id
    return chosen


def test_the_second_auditor_judges_the_thread_blind(
    client: FlaskClient, auth: AuthActions, world: World, scoring: DoubleScoring
) -> None:
    login(auth, world.users["other_auditor"])
    listing = client.get("/double-scoring/")
    assert listing.status_code == 200
    assert f"/double-scoring/{scoring.id}" in listing.get_data(as_text=True)
    assert "1 contact to score again" in client.get("/assignments/").get_data(as_text=True)
    page = client.get(f"/double-scoring/{scoring.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Dear parent, here is the form for free meals." in text  # the thread, to judge
    assert 'name="item-courtesy"' in text and 'name="item-impression"' not in text  # no text items
    for hidden in (FIRST_COMMENT, AUDITOR_NAME, world.fieldwork.school.name, "checked"):
        assert hidden not in text  # never the first auditor's answers, name, nor the school
    contact_id = scoring.contact_id
    # The contact itself, its form and its API stay closed to them.
    assert client.get(f"/contacts/{contact_id}").status_code == 403
    assert client.get(f"/assignments/{world.email.id}/contact").status_code == 403


def test_the_api_shows_the_second_auditor_nothing_of_the_first_auditors_answers(
    client: FlaskClient, session: Session, world: World, scoring: DoubleScoring
) -> None:
    _, token = create_token(session, world.users["other_auditor"], "script")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    round_id = world.fieldwork.round.id
    for path in (f"/api/v1/rounds/{round_id}/contacts", f"/api/v1/assignments/{world.email.id}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert FIRST_COMMENT not in response.get_data(as_text=True)


def test_bad_answers_come_back_with_every_problem_and_nothing_saved(
    client: FlaskClient, auth: AuthActions, session: Session, world: World, scoring: DoubleScoring
) -> None:
    login(auth, world.users["other_auditor"])
    response = client.post(f"/double-scoring/{scoring.id}", data={"item-courtesy": "9", "item-rings": "lots"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in text
    assert 'href="#rubric-item-answered_by_person"' in text
    assert 'id="error-accuracy"' in text and 'id="error-courtesy"' in text
    assert session.scalar(select(SecondAnswer.id)) is None
    session.refresh(scoring)
    assert not scoring.done


def test_a_second_scoring_flags_the_reviewer_and_feeds_the_round_page_only(
    client: FlaskClient, auth: AuthActions, session: Session, world: World, scoring: DoubleScoring
) -> None:
    login(auth, world.users["other_auditor"])
    sent = client.post(f"/double-scoring/{scoring.id}", data=SECOND_FORM)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/double-scoring/")
    assert client.post(f"/double-scoring/{scoring.id}", data=SECOND_FORM).status_code == 409
    done = client.get(f"/double-scoring/{scoring.id}").get_data(as_text=True)
    assert "You sent your answers" in done and "Send my answers" not in done
    contact = session.get(Contact, scoring.contact_id)
    assert contact is not None
    assert {r.item.key: r.value for r in contact.responses}["courtesy"] == 1  # the first auditor's stands

    login(auth, world.users["reviewer"])
    review = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "answered 1 critical item differently" in review
    assert "its auditor answered <strong>Yes</strong>, the second auditor <strong>No</strong>" in review
    assert "Nothing to check" not in review  # the difference is something to check
    round_page = client.get(f"/rounds/{world.fieldwork.round.id}").get_data(as_text=True)
    assert "Agreement between auditors" in round_page
    assert "1 contact chosen for blind double-scoring, 1 scored again so far." in round_page
    line = "Auditors agreed on 50 % of answers over 1 double-scored contact (too few contacts for \u03b1)."
    assert line in round_page
    assert "too few contacts" in round_page and "nan" not in round_page.lower().split("<body")[1]

    login(auth, world.users["auditor"])
    own = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "second auditor" not in own  # the first auditor is not told
