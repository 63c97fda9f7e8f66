"""Appeals through the pages and the API: a principal queries an answer of their published scorecard,
a reviewer other than the approver decides, and an upheld correction shows everywhere the school's
score does (results page, API, export, the rebuilt PDF, the district summary), with who and why in
the edit log. Principals never see the auditor's name on any of it."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import Appeal, ContactEdit, OutboxEmail, Scorecard
from audits.scorecards import publish
from audits.scoring.engine import round_scores
from audits.tokens import create_token
from reports.batch import build_scorecards
from tests.audits.appeal_helpers import LAST_DAY, PUBLISHED_AT, AppealWorld, build_appeal_world
from tests.conftest import AuthActions

FILED_ON = date(2027, 3, 8)
AUDITOR_SECRETS = ("Avery", "auditor@example.org")


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def world(app: Flask, session: Session) -> AppealWorld:
    """The library-rubric call approved by ``reviewer``, its scorecard built and published on March 5."""
    built = build_appeal_world(session, scorecard=False, library=True)
    built.fieldwork.auditor.name = "Avery Undercover"
    build_scorecards(session, built.fieldwork.round, Path(app.config["STORAGE_DIR"]))
    publish(session, built.fieldwork.round, built.leader, now=PUBLISHED_AT)
    session.commit()
    app.config["TODAY"] = FILED_ON
    return built


def _card(session: Session, world: AppealWorld) -> Scorecard:
    return session.scalars(select(Scorecard).where(Scorecard.school_id == world.fieldwork.school.id)).one()


def _overall(session: Session, world: AppealWorld) -> float:
    school = round_scores(session, world.fieldwork.round).school(world.fieldwork.school.id)
    assert school is not None and school.overall is not None
    return school.overall


def _no_auditor(text: str, where: str) -> None:
    for secret in AUDITOR_SECRETS:
        assert secret.casefold() not in text.casefold(), f"{secret!r} on {where}"


def test_an_upheld_appeal_changes_the_score_everywhere_and_the_edit_log_says_who_and_why(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, world: AppealWorld
) -> None:
    card = _card(session, world)
    before = _overall(session, world)
    old_path, published_at = card.path, card.published_at
    old_pdf = (Path(app.config["STORAGE_DIR"]) / old_path).read_bytes()
    # The principal finds the contact's answers from their home page and queries the rings.
    auth.sign_in(world.principal)
    home = client.get("/").get_data(as_text=True)
    listing_url = f"/appeals/scorecards/{card.id}"
    assert listing_url in home
    listing = client.get(listing_url).get_data(as_text=True)
    assert "#1 · Phone call" in listing and "4 rings" in listing and "Friday, March 19, 2027" in listing
    query_url = f"/appeals/contacts/{world.call.id}/rings"
    assert f'href="{query_url}"' in listing
    form = client.get(query_url).get_data(as_text=True)
    assert "How many rings before a person answered?" in form and "worked out from the rings" in form
    empty = client.post(query_url, data={"reason": "  "})
    assert empty.status_code == 400
    page = empty.get_data(as_text=True)
    assert (
        "There is a problem" in page
        and 'id="reason-error"' in page
        and "say why this answer is wrong" in page
    )
    filed = client.post(
        query_url, data={"reason": "Our phone log shows two rings.", "evidence": "Log line 14"}
    )
    assert filed.status_code == 302
    appeal = session.scalars(select(Appeal)).one()
    shown = client.get(filed.headers["Location"]).get_data(as_text=True)
    assert "Waiting for a decision" in shown and "Our phone log shows two rings." in shown
    for text, where in ((home, "home"), (listing, "listing"), (form, "form"), (shown, "appeal")):
        _no_auditor(text, where)

    # The reviewer who approved the call is told another reviewer decides, and cannot.
    auth.sign_in(world.reviewer)
    queue = client.get("/review/").get_data(as_text=True)
    assert "1 appeal from principals waits for a decision" in queue
    page = client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert "You approved this contact, so another reviewer decides its appeal." in page
    assert 'name="outcome"' not in page
    refused = client.post(f"/appeals/{appeal.id}", data={"outcome": "not_upheld", "reason": "Four rings."})
    assert refused.status_code == 403 and "another reviewer decides" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(Appeal, appeal.id).pending  # type: ignore[union-attr]

    # A second reviewer upholds it with the corrected rings.
    auth.sign_in(world.second_reviewer)
    page = client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert "Corrected number of rings before a person answered" in page
    missing = client.post(f"/appeals/{appeal.id}", data={"outcome": "upheld", "reason": "The log is right."})
    assert missing.status_code == 400 and 'id="value-error"' in missing.get_data(as_text=True)
    decided = client.post(
        f"/appeals/{appeal.id}", data={"outcome": "upheld", "reason": "The log is right.", "value": "2"}
    )
    assert decided.status_code == 302
    session.expire_all()
    after = _overall(session, world)
    assert after > before
    figure = f"{after:.1f}"

    # The edit log: who and why, on the contact page too.
    edits = session.scalars(select(ContactEdit).where(ContactEdit.contact_id == world.call.id)).all()
    assert {e.field for e in edits} == {"timings.rings", "responses.rings"}
    assert all(e.user_id == world.second_reviewer.id and "The log is right." in e.reason for e in edits)
    contact_page = client.get(f"/contacts/{world.call.id}").get_data(as_text=True)
    assert "Appeal upheld on “How many rings before a person answered?”: The log is right." in contact_page

    # The call's auditor sees the outcome on their contact's page.
    auth.sign_in(world.fieldwork.auditor)
    own_page = client.get(f"/contacts/{world.call.id}").get_data(as_text=True)
    assert 'id="appeals-heading"' in own_page and ": upheld" in own_page and "4 rings → 2 rings" in own_page

    # Everywhere the school's score shows: the results page, the API, the export, the rebuilt PDF.
    auth.sign_in(world.leader)
    results = client.get(f"/schools/{world.fieldwork.school.id}/results").get_data(as_text=True)
    assert figure in results and f"{before:.1f}" not in results
    _, token = create_token(session, world.leader, "appeals test")
    session.commit()
    scores = client.get(
        f"/api/v1/rounds/{world.fieldwork.round.id}/scores", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert scores["schools"][0]["overall"] == pytest.approx(after)
    export = client.get(f"/rounds/{world.fieldwork.round.id}/export.csv?level=schools").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(export)))
    assert figure in row.values()
    session.expire_all()
    rebuilt = _card(session, world)
    assert rebuilt.path != old_path and rebuilt.published_at == published_at
    pdf = client.get(f"/scorecards/{rebuilt.token}.pdf").get_data()
    text = _pdf_text(pdf)
    assert "Changed on appeal" in re.sub(r"\s+", " ", text) and figure in text
    assert "Changed on appeal" not in _pdf_text(old_pdf)
    summary = _pdf_text(client.get(f"/scorecards/rounds/{world.fieldwork.round.id}/summary.pdf").get_data())
    assert "schools queried 1 answer; 1 upheld" in re.sub(r"\s+", " ", summary)

    # The principal is told, by email and on the page; never the auditor's name.
    email = session.scalars(select(OutboxEmail).where(OutboxEmail.topic == "appeal_decided")).one()
    assert email.recipient == world.principal.email and "upheld" in email.subject
    assert "Corrected answer: 2 rings" in email.text and "#1, Phone call on February 2, 2027" in email.text
    auth.sign_in(world.principal)
    shown = client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert "Decision: upheld" in shown and "2 rings" in shown and "The log is right." in shown
    listing = client.get(listing_url).get_data(as_text=True)
    assert "changed on appeal" in listing
    principal_pdf = _pdf_text(client.get(f"/scorecards/{rebuilt.token}.pdf").get_data())
    seen = {"email": email.text, "email html": email.html or "", "appeal": shown, "listing": listing}
    for where, text in {**seen, "pdf": principal_pdf}.items():
        _no_auditor(text, where)
        assert "Sid Second" not in text  # nor the reviewer who decided


def test_the_api_files_lists_and_decides_under_the_same_rules(
    app: Flask, client: FlaskClient, session: Session, world: AppealWorld
) -> None:
    people = {
        "principal": world.principal,
        "other_principal": world.other_principal,
        "reviewer": world.reviewer,
        "second": world.second_reviewer,
        "auditor": world.fieldwork.auditor,
    }
    tokens = {name: create_token(session, person, name)[1] for name, person in people.items()}
    session.commit()

    def call(method: str, who: str, path: str, body: object = None) -> tuple[int, dict]:
        response = client.open(
            path, method=method, json=body, headers={"Authorization": f"Bearer {tokens[who]}"}
        )
        return response.status_code, response.get_json()

    url = f"/api/v1/contacts/{world.call.id}/appeals"
    body = {"item": "courtesy", "reason": "She was warm and patient throughout."}
    assert call("POST", "other_principal", url, body)[0] == 403
    status, filed = call("POST", "principal", url, body)
    assert status == 201, filed
    assert (filed["item"], filed["outcome"], filed["answer_queried"]) == ("courtesy", "pending", "4 of 5")
    status, again = call("POST", "principal", url, body)
    assert status == 409 and "already queried" in again["errors"][0]["message"]
    app.config["TODAY"] = date(2027, 3, 22)
    status, late = call("POST", "principal", url, {"item": "rings", "reason": "Two rings."})
    assert status == 409 and "ended on Friday, March 19, 2027" in late["errors"][0]["message"]
    app.config["TODAY"] = LAST_DAY
    assert session.scalars(select(Appeal)).all().__len__() == 1
    for who in ("principal", "auditor", "reviewer"):
        status, listed = call("GET", who, url)
        assert status == 200 and [a["outcome"] for a in listed["items"]] == ["pending"], who
        _no_auditor(str(listed), who)
    assert call("GET", "other_principal", url)[0] == 403

    decide = f"/api/v1/appeals/{filed['id']}"
    verdict = {"outcome": "not_upheld", "reason": "The recording shows a curt answer."}
    status, refused = call("POST", "reviewer", decide, verdict)
    assert status == 403 and "you approved this contact" in refused["errors"][0]["message"]
    assert call("POST", "principal", decide, verdict)[0] == 403
    status, bad = call("POST", "second", decide, {"outcome": "upheld", "reason": "Agreed.", "value": 9})
    assert status == 400 and bad["errors"][0]["field"] == "value"
    status, decided = call("POST", "second", decide, verdict)
    assert status == 200 and decided["outcome"] == "not_upheld" and decided["corrected_answer"] is None
    status, listed = call("GET", "principal", url)
    assert listed["items"][0]["decision_reason"] == "The recording shows a curt answer."
    assert call("POST", "second", decide, verdict)[0] == 409


def test_the_district_sets_its_appeal_window_in_school_days(
    client: FlaskClient, auth: AuthActions, session: Session, world: AppealWorld
) -> None:
    auth.sign_in(world.leader)
    district = world.fieldwork.district
    url = f"/districts/{district.id}/settings"
    page = client.get(url).get_data(as_text=True)
    assert 'name="appeal_window_days"' in page and 'value="10"' in page
    data = {"name": district.name, "timezone": district.timezone, "school_day_start": "07:30",
            "school_day_end": "16:00"}  # fmt: skip
    refused = client.post(url, data={**data, "appeal_window_days": "ninety"})
    assert refused.status_code == 400
    assert 'id="appeal_window_days-error"' in refused.get_data(as_text=True)
    session.refresh(district)
    assert district.appeal_window_days == 10
    assert client.post(url, data={**data, "appeal_window_days": "3"}).status_code == 302
    session.refresh(district)
    assert district.appeal_window_days == 3
    # Three school days from Friday, March 5: the window now ends on Wednesday, March 10.
    auth.sign_in(world.principal)
    listing = client.get(f"/appeals/scorecards/{_card(session, world).id}").get_data(as_text=True)
    assert "Wednesday, March 10, 2027" in listing
