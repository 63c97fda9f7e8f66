"""Calibration through the pages and the API: a leader builds an exercise, two auditors take it blind,
everyone reads the agreement; an auditor sees nothing of the others before submitting all."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.calibration import load_exercise
from audits.models import CalibrationExercise, Channel, ExerciseStatus, Role, User
from audits.tokens import create_token
from tests.audits.calibration_helpers import KEY, build_calibration, finished_exercise
from tests.conftest import AuthActions


def _text(response: object) -> str:
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _form(answers: dict[str, object]) -> dict[str, str]:
    """Answers by item key as the rubric fields post them."""
    data = {}
    for key, value in answers.items():
        if value is None:
            data[f"na-{key}"] = "1"
        elif isinstance(value, bool):
            data[f"item-{key}"] = "yes" if value else "no"
        else:
            data[f"item-{key}"] = str(value)
    return data


def test_a_leader_builds_an_exercise_two_auditors_take_it_blind(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    cal = build_calibration(session)
    cal.leader.password_hash = cal.auditors[0].password_hash
    session.commit()
    auth.sign_in(cal.leader)
    refused = client.post("/calibration/new", data={"name": "", "rubric_id": str(cal.rubric.id)})
    assert refused.status_code == 400 and "There is a problem" in _text(refused)
    started = client.post("/calibration/new", data={"name": "March check", "rubric_id": str(cal.rubric.id)})
    assert started.status_code == 302
    exercise_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    for contact in cal.contacts[:2]:
        added = client.post(f"/calibration/{exercise_id}/references", data={"contact_id": str(contact.id)})
        assert added.status_code == 302
    empty = client.post(f"/calibration/{exercise_id}/material", data={"title": "", "narrative": ""})
    assert empty.status_code == 400
    assert "attach a recording" in _text(empty)
    narrative = client.post(
        f"/calibration/{exercise_id}/material",
        data={"title": "Front office visit", "narrative": "Nobody looked up for two minutes."},
    )
    assert narrative.status_code == 302
    ann, bo = cal.auditors[:2]
    chosen = client.post(
        f"/calibration/{exercise_id}/auditors", data={"auditor_ids": [str(ann.id), str(bo.id)]}
    )
    assert chosen.status_code == 302
    assert client.post(f"/calibration/{exercise_id}/open").status_code == 302
    page = _text(client.get(f"/calibration/{exercise_id}"))
    assert "Open" in page and "Front office visit" in page and "Ann: 0 of 3 references scored" in page

    exercise = session.get(CalibrationExercise, exercise_id)
    assert exercise is not None and exercise.status is ExerciseStatus.OPEN
    references = [reference.id for reference in exercise.references]

    auth.sign_in(ann)
    form_page = client.get(f"/calibration/{exercise_id}/references/{references[0]}/score")
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert 'name="item-courtesy"' in html and "School A" not in html  # the contact, not the school
    # The reference contact's own answers (its auditor's) are not shown.
    assert "Rubric answers" not in html
    wrong = client.post(
        f"/calibration/{exercise_id}/references/{references[0]}/score", data={"item-answered": "yes"}
    )
    assert wrong.status_code == 400
    assert "3 things to fix" in _text(wrong) and 'id="error-courtesy"' in wrong.get_data(as_text=True)
    # Blind: no figures before submitting all, through the page or the API.
    assert client.get(f"/calibration/{exercise_id}/agreement").status_code == 403
    early = client.post(f"/calibration/{exercise_id}/submit")
    assert early.status_code == 400 and "score every reference first" in _text(early)
    for auditor in (ann, bo):
        auth.sign_in(auditor)
        for index, reference_id in enumerate(references):
            answers = KEY[index] if auditor is ann else {**KEY[index], "courtesy": 4}
            saved = client.post(
                f"/calibration/{exercise_id}/references/{reference_id}/score", data=_form(answers)
            )
            assert saved.status_code == 302, _text(saved)
    assert client.get(f"/calibration/{exercise_id}/agreement").status_code == 403  # Bo has not submitted
    auth.sign_in(ann)
    assert client.post(f"/calibration/{exercise_id}/submit").status_code == 302
    auth.sign_in(bo)
    assert client.get(f"/calibration/{exercise_id}/agreement").status_code == 403  # Ann has; Bo has not
    submitted = client.post(f"/calibration/{exercise_id}/submit")
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/agreement")
    mine = _text(client.get(f"/calibration/{exercise_id}/agreement"))
    assert "Per item" in mine and "You" in mine
    assert not re.search(r"\bAnn\b", mine) and ann.pseudonym in mine  # the others by pseudonym only
    again = client.post(f"/calibration/{exercise_id}/references/{references[0]}/score", data=_form(KEY[0]))
    assert again.status_code == 409
    final = _text(client.get(f"/calibration/{exercise_id}/references/{references[0]}/score"))
    assert "These answers are final" in final and "Save my answers" not in final

    auth.sign_in(cal.leader)
    figures = _text(client.get(f"/calibration/{exercise_id}/agreement"))
    assert "Courtesy" in figures and "ordinal" in figures
    assert re.search(r"\bAnn\b", figures) and re.search(r"\bBo\b", figures)
    # Ann and Bo differ only on courtesy: "named" and "accuracy" read 1.00; nothing reads NaN.
    assert "nan" not in figures.lower().split()


def test_the_demo_like_exercise_shows_alpha_flags_and_retraining(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    cal = build_calibration(session)
    exercise = finished_exercise(cal)
    session.commit()
    auth.sign_in(cal.reviewer)
    page = _text(client.get(f"/calibration/{exercise.id}/agreement"))
    assert "Each auditor is compared with the key." in page
    assert "Di" in page and "lenient" in page
    assert "What to retrain" in page
    assert "Reference 2: answered 4 ; the key: 1" in page
    auth.sign_in(cal.world.auditor)  # an auditor of the district not taking part
    assert client.get(f"/calibration/{exercise.id}").status_code == 403
    assert client.get(f"/calibration/{exercise.id}/agreement").status_code == 403


def test_the_api_gives_ratings_and_agreement_to_leaders_only(client: FlaskClient, session: Session) -> None:
    cal = build_calibration(session)
    exercise = finished_exercise(cal)
    _, leader_token = create_token(session, cal.leader, "script")
    _, auditor_token = create_token(session, cal.auditors[0], "script")
    session.commit()
    listed = client.get("/api/v1/calibrations", headers={"Authorization": f"Bearer {leader_token}"})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.get_json()["items"]] == [exercise.id]
    one = client.get(
        f"/api/v1/calibrations/{exercise.id}", headers={"Authorization": f"Bearer {leader_token}"}
    )
    body = one.get_json()
    assert one.status_code == 200
    di = cal.auditors[3]
    rows = [r for r in body["ratings"] if r["pseudonym"] == di.pseudonym and r["item"] == "answered"]
    assert {r["value"] for r in rows} == {"yes"}
    na = [r for r in body["ratings"] if r["item"] == "named" and r["na"]]
    assert len(na) == 3 and all(r["value"] is None for r in na)
    items = {item["key"]: item for item in body["agreement"]["items"]}
    assert items["courtesy"]["level"] == "ordinal" and items["courtesy"]["n"] == 12
    assert "note" not in items
    auditors = {a["pseudonym"]: a for a in body["agreement"]["auditors"]}
    assert auditors[di.pseudonym]["mean_difference"] > 10 and auditors[di.pseudonym]["n"] == 3
    assert "name" not in auditors[di.pseudonym]
    for token in (auditor_token,):
        assert (
            client.get("/api/v1/calibrations", headers={"Authorization": f"Bearer {token}"}).status_code
            == 403
        )
        refused = client.get(
            f"/api/v1/calibrations/{exercise.id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 403
    assert load_exercise(session, exercise.id) is not None
    assert session.query(User).filter_by(role=Role.AUDITOR).count() == 5


def test_profiles_and_round_pages_use_the_calibration(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    cal = build_calibration(session)
    finished_exercise(cal)
    scenario = cal.world.scenarios[Channel.PHONE]
    scenario.rubric_key = cal.rubric.key
    for school in cal.world.schools:
        school.phone = "+19045550100"
    session.commit()
    auth.sign_in(cal.leader)
    profile = _text(client.get(f"/auditors/{cal.auditors[3].id}"))
    assert "Latest calibration" in profile and "Spring calibration" in profile
    assert "Flagged as lenient" in profile and "Courtesy" in profile
    assert "Not calibrated yet" in _text(client.get(f"/auditors/{cal.world.auditor.id}"))
    form = {
        "name": "Spring 2027",
        "first_day": "2027-03-15",
        "last_day": "2027-03-26",
        "school_selection": "all",
        "phone_per_school": "1",
        "phone_scenarios": [str(scenario.id)],
        "email_per_school": "0",
        "visit_per_school": "0",
        "seed": "7",
        "attempt_limit": "3",
        "calibrated_within_days": "30",
    }
    refused = client.post("/rounds/new", data={**form, "calibrated_within_days": "0"})
    assert refused.status_code == 400 and "must be from 1 to 730 days" in _text(refused)
    saved = client.post("/rounds/new", data=form)
    assert saved.status_code == 302
    page = _text(client.get(saved.headers["Location"]))
    assert "rubrics within 30 days before it starts" in page
    assert "Auditors left out (1)" in page and "no calibration exercise on" in page
