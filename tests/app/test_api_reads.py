"""API reads: every list's shape and pagination, typed answers, rubrics, and the scores engine's numbers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.api.schemas import ScoresSchema
from app.extensions import db
from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.drafts import save_draft
from audits.fieldwork.entry import AnswerEntry
from audits.models import Channel, ContactStatus, Level, Outcome, Role, School, User
from audits.rubrics.spec import rubric_to_dict
from audits.rubrics.versions import get_version, spec_from_rubric
from audits.scoring.engine import round_scores
from audits.tokens import create_token
from tests.app.api_helpers import ApiWorld, build_api_world, get, text_of
from tests.audits.fieldwork_helpers import REACHED_CALL, attempt, changed, use_library_rubric
from tests.audits.scoring_helpers import NA, build_world
from tests.conftest import TEST_NOW


@pytest.fixture
def world(session: Session) -> ApiWorld:
    return build_api_world(session)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_districts_list_is_paginated_and_scoped(client: FlaskClient, world: ApiWorld) -> None:
    body = get(client, world, "leader", "/api/v1/districts").get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 100
    (district,) = body["items"]
    assert district == {
        "id": world.fieldwork.district.id,
        "name": "Fieldwork ISD",
        "timezone": "America/New_York",
        "school_day_start": "07:30:00",
        "school_day_end": "16:00:00",
    }
    everything = get(client, world, "admin", "/api/v1/districts?per_page=1&page=2").get_json()
    assert everything["total"] == 2
    assert [d["name"] for d in everything["items"]] == ["Fieldwork ISD"]  # by name: Elsewhere, Fieldwork


def test_schools_pages_cover_every_school_once(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    district = world.fieldwork.district
    for number in range(4):
        session.add(
            School(district=district, nces_id=f"99000000010{number}", name=f"Z {number}", level=Level.HIGH)
        )
    session.commit()
    path = f"/api/v1/districts/{district.id}/schools?per_page=2"
    pages = [get(client, world, "leader", f"{path}&page={n}").get_json() for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5, 5]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    names = [s["name"] for p in pages for s in p["items"]]
    assert names == ["Abess Park Elementary", "Z 0", "Z 1", "Z 2", "Z 3"]
    first = pages[0]["items"][0]
    assert first["nces_id"] == "990000000001" and first["level"] == "elementary" and first["active"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("per_page=501", "per_page"), ("per_page=0", "per_page"), ("page=abc", "page")],
)
def test_bad_pagination_is_400_with_the_field(
    client: FlaskClient, world: ApiWorld, query: str, field: str
) -> None:
    response = get(client, world, "leader", f"/api/v1/districts?{query}")
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_per_page_up_to_500_is_accepted(client: FlaskClient, world: ApiWorld) -> None:
    assert get(client, world, "leader", "/api/v1/districts?per_page=500").get_json()["per_page"] == 500


def test_rounds_list_and_detail(client: FlaskClient, world: ApiWorld) -> None:
    body = get(client, world, "leader", "/api/v1/rounds").get_json()
    assert body["total"] == 1
    (round_,) = body["items"]
    assert round_["id"] == world.fieldwork.round.id
    assert (round_["name"], round_["status"], round_["first_day"], round_["assignments"]) == (
        "Spring",
        "in_field",
        "2027-02-01",
        3,
    )
    assert get(client, world, "leader", f"/api/v1/rounds/{round_['id']}").get_json() == round_
    admin = get(client, world, "admin", f"/api/v1/rounds?district={world.other_district.id}").get_json()
    assert [r["name"] for r in admin["items"]] == ["Elsewhere spring"]
    assert get(client, world, "admin", "/api/v1/rounds").get_json()["total"] == 2
    assert get(client, world, "admin", "/api/v1/rounds?district=999999").status_code == 404


def test_assignments_show_pseudonyms_and_status(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    fieldwork = world.fieldwork
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    submit(session, contact, REACHED_CALL, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    session.commit()
    path = f"/api/v1/rounds/{fieldwork.round.id}/assignments"
    body = get(client, world, "leader", path).get_json()
    assert body["total"] == 3
    by_channel = {a["channel"]: a for a in body["items"]}
    phone = by_channel["phone"]
    assert phone["auditor"] == fieldwork.auditor.pseudonym and phone["auditor"].startswith("Auditor ")
    assert (phone["school_id"], phone["school_name"], phone["due_day"], phone["slot"]) == (
        fieldwork.school.id,
        "Abess Park Elementary",
        "2027-02-02",
        "morning",
    )
    assert (phone["status"], phone["attempts"], phone["done"]) == ("submitted", 1, True)
    assert phone["scenario_key"] == "phone-scenario"
    assert (by_channel["email"]["status"], by_channel["email"]["done"]) == ("not_started", False)
    # An auditor sees only their own assignments; the other auditor has none.
    assert get(client, world, "auditor", path).get_json()["total"] == 3
    assert get(client, world, "other_auditor", path).get_json() == {
        "total": 0,
        "page": 1,
        "per_page": 100,
        "items": [],
    }


def _submit_all(world: ApiWorld, session: Session) -> None:
    fieldwork = world.fieldwork
    phone = start_contact(session, fieldwork.phone, fieldwork.auditor)
    submit(session, phone, REACHED_CALL, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    approve(session, phone, fieldwork.reviewer)
    email = start_contact(session, fieldwork.email, fieldwork.auditor)
    no_reply = attempt("no_reply", "2027-02-02T12:00", sent_text="Hello, I have a question.")
    submit(session, email, no_reply, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    visit = start_contact(session, fieldwork.visit, fieldwork.auditor)
    save_draft(visit, {"outcome": "reached"}, fieldwork.auditor)
    session.commit()


def test_contacts_have_typed_answers_and_leave_drafts_out(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    _submit_all(world, session)
    fieldwork = world.fieldwork
    body = get(client, world, "reviewer", f"/api/v1/rounds/{fieldwork.round.id}/contacts").get_json()
    assert body["total"] == 2  # the visit is still a draft
    phone, email = body["items"]
    assert (phone["channel"], phone["status"], phone["outcome"], phone["unreached"]) == (
        "phone",
        "approved",
        "reached",
        False,
    )
    assert phone["assignment_id"] == fieldwork.phone.id and phone["school_id"] == fieldwork.school.id
    assert phone["rubric"] == {"key": "phone-test", "version": 1}
    assert phone["auditor"] == fieldwork.auditor.pseudonym
    assert phone["started_at"] == "2027-02-02T14:15:00+00:00"
    assert phone["timings"]["rings"] == 4 and phone["timings"]["staff_gave_name"] is True
    values = {r["item"]: r["value"] for r in phone["responses"]}
    assert values == {
        "answered_by_person": True,
        "rings": 4.0,
        "courtesy": 3,
        "accuracy": "Partly correct",
        "impression": "Friendly but rushed.",
    }
    assert isinstance(values["courtesy"], int) and isinstance(values["rings"], float)
    assert [r["item"] for r in phone["responses"]] == [
        "answered_by_person",
        "rings",
        "courtesy",
        "accuracy",
        "impression",
    ]
    accuracy = next(r for r in phone["responses"] if r["item"] == "accuracy")
    assert (accuracy["na"], accuracy["comment"]) == (False, "Did not mention immunisation records.")
    assert (email["outcome"], email["unreached"], email["status"], email["responses"][0]["value"]) == (
        "no_reply",
        True,
        "submitted",
        None,
    )
    approved = get(client, world, "leader", f"/api/v1/rounds/{fieldwork.round.id}/contacts?status=approved")
    assert [c["id"] for c in approved.get_json()["items"]] == [phone["id"]]
    assert (
        get(client, world, "leader", f"/api/v1/rounds/{fieldwork.round.id}/contacts?status=draft").status_code
        == 400
    )


def test_na_answers_have_no_value(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    fieldwork = world.fieldwork
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    entry = changed(REACHED_CALL, responses={"courtesy": AnswerEntry(na=True)})
    submit(session, contact, entry, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    session.commit()
    (item,) = get(client, world, "leader", f"/api/v1/rounds/{fieldwork.round.id}/contacts").get_json()[
        "items"
    ]
    courtesy = next(r for r in item["responses"] if r["item"] == "courtesy")
    assert (courtesy["value"], courtesy["na"]) == (None, True)


def test_the_contact_list_runs_a_fixed_number_of_queries(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    _submit_all(world, session)
    get(client, world, "leader", "/api/v1/districts")  # the token's first use is noted once
    path = f"/api/v1/rounds/{world.fieldwork.round.id}/contacts"
    with count_queries() as one:
        get(client, world, "leader", f"{path}?per_page=1")
    with count_queries() as two:
        get(client, world, "leader", f"{path}?per_page=2")
    assert len(one) == len(two)
    path = f"/api/v1/rounds/{world.fieldwork.round.id}/assignments"
    with count_queries() as one:
        get(client, world, "leader", f"{path}?per_page=1")
    with count_queries() as three:
        get(client, world, "leader", f"{path}?per_page=3")
    assert len(one) == len(three)


def test_a_rubric_version_reads_as_its_yaml(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    rubric = get_version(session, "phone-test", 1)
    body = get(client, world, "reviewer", "/api/v1/rubrics/phone-test/versions/1").get_json()
    expected = rubric_to_dict(spec_from_rubric(rubric))
    assert set(body) == {"key", "version", "status", "name", "channel", "critical_policy", "sections"}
    assert (body["version"], body["status"]) == (1, "published")
    assert {k: v for k, v in body.items() if k not in {"version", "status"}} == expected
    rings = body["sections"][0]["items"][1]
    assert rings["bands"] == [[3, 1], [5, 0.5]] and isinstance(rings["bands"][0][0], int)
    # An auditor reads the rubrics their assignments are scored on, and no others.
    assert get(client, world, "auditor", "/api/v1/rubrics/phone-test/versions/1").status_code == 200
    assert get(client, world, "other_auditor", "/api/v1/rubrics/phone-test/versions/1").status_code == 403
    assert get(client, world, "principal", "/api/v1/rubrics/phone-test/versions/1").status_code == 403


def test_scores_agree_with_the_engine(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    scoring = build_world(session, schools=3)
    scoring.auditor.district = scoring.district
    a, b, c = scoring.schools
    earlier = scoring.round("Autumn", date(2026, 10, 1))
    scoring.contact(earlier, a, Channel.PHONE, {"answered": 1, "named": 0, "courtesy": 0.5, "accuracy": 0.5})
    current = scoring.round("Spring", date(2027, 3, 1))
    scoring.contact(current, a, Channel.PHONE, {"answered": 1, "named": 1, "courtesy": 0.75, "accuracy": 1})
    scoring.contact(
        current, a, Channel.EMAIL, {"answered": 1, "named": NA, "courtesy": 0.25, "accuracy": 0.5}
    )
    scoring.contact(current, b, Channel.PHONE, {"answered": 0, "named": 1, "courtesy": 1, "accuracy": 1})
    scoring.contact(current, b, Channel.VISIT, {}, outcome=Outcome.NO_ANSWER, unreached=True)
    scoring.contact(current, c, Channel.PHONE, {"answered": 1}, status=ContactStatus.SUBMITTED)
    session.commit()
    leader = User(
        email="scores@example.org", role=Role.LEADER, district_id=scoring.district.id, password_hash="x"
    )
    session.add(leader)
    session.flush()
    _, token = create_token(session, leader, "scores")
    session.commit()
    response = client.get(f"/api/v1/rounds/{current.id}/scores", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    engine = round_scores(session, current)
    assert body["round_id"] == current.id
    assert body["district"]["mean"] == engine.district.overall.mean
    assert body["district"]["median"] == engine.district.overall.median
    assert body["district"]["critical_failures"] == engine.district.critical_failures == 1
    for channel in ("phone", "email", "visit"):
        spread = engine.district.channels[channel]
        assert body["district"]["channels"][channel] == {"mean": spread.mean, "median": spread.median}
    assert body["district"]["sections"] == {
        key: {"mean": s.mean, "median": s.median} for key, s in engine.district.sections.items()
    }
    assert [s["name"] for s in body["schools"]] == ["School A", "School B"]  # C has nothing approved
    for school, expected in zip(body["schools"], engine.schools, strict=True):
        assert school["school_id"] == expected.school_id and school["nces_id"] == expected.nces_id
        assert school["overall"] == expected.overall
        assert school["sections"] == expected.sections
        assert school["channels"] == {
            ch: expected.channels[ch].score if ch in expected.channels else None
            for ch in ("phone", "email", "visit")
        }
        assert (school["contacts"], school["critical_failures"], school["rank"]) == (
            expected.contacts,
            expected.critical_failures,
            expected.rank,
        )
        assert school["reach_rate"] == expected.reach_rate
        assert school["change"] == expected.change
        # How sure: what each figure rests on, the interval and the rank band, as the engine has them.
        assert school["reached"] == expected.reached
        assert school["channel_contacts"] == {
            ch: expected.channels[ch].contacts if ch in expected.channels else 0
            for ch in ("phone", "email", "visit")
        }
        assert school["section_contacts"] == expected.section_contacts
        assert school["early_reading"] is expected.early is True  # one contact per channel, under three
        standing = expected.standing
        assert standing is not None and school["rank_band"] == {
            "band": standing.band.value,
            "best": standing.best,
            "worst": standing.worst,
            "exact": standing.exact,
            "text": standing.text,
        }
    assert body["early_reading_contacts"] == engine.early_reading == 3
    # The view sends ``scores_dict`` as it is: the documented schema's dump changes nothing in it.
    assert ScoresSchema().dump(body) == body
    a_interval = engine.schools[0].interval  # A: a call and an email, so an interval
    assert a_interval is not None and body["schools"][0]["interval"] == {
        "low": a_interval.low,
        "high": a_interval.high,
        "confidence": 0.95,
        "contacts": 2,
    }
    assert body["schools"][1]["interval"] is not None  # B: a call and an unreached visit
    school_a = body["schools"][0]
    assert school_a["change"] is not None and school_a["rank"] == 1
    assert body["schools"][1]["reach_rate"] == 0.5
    # Full precision, not rounded for display.
    assert school_a["overall"] == pytest.approx(engine.schools[0].overall, abs=0) and school_a[
        "overall"
    ] != round(school_a["overall"], 1)


def test_auditor_identity_never_appears(client: FlaskClient, world: ApiWorld, session: Session) -> None:
    _submit_all(world, session)
    round_id = world.fieldwork.round.id
    responses = [
        get(client, world, who, path)
        for who in ("leader", "reviewer", "admin")
        for path in (
            "/api/v1/districts",
            f"/api/v1/districts/{world.fieldwork.district.id}/schools",
            "/api/v1/rounds",
            f"/api/v1/rounds/{round_id}",
            f"/api/v1/rounds/{round_id}/assignments",
            f"/api/v1/rounds/{round_id}/contacts",
            f"/api/v1/rounds/{round_id}/scores",
        )
    ]
    responses.append(get(client, world, "auditor", f"/api/v1/rounds/{round_id}/assignments"))
    assert all(response.status_code == 200 for response in responses)
    text = text_of(*responses)
    assert world.fieldwork.auditor.pseudonym in text
    for private in (
        "Avery",
        "auditor@example.org",
        "other@example.org",
        "reviewer@example.org",
        "@example.org",
    ):
        assert private not in text


def test_a_rubric_version_says_which_items_are_scored_from_a_fact(
    client: FlaskClient, world: ApiWorld, session: Session
) -> None:
    rubric = use_library_rubric(session, Channel.PHONE)
    body = get(client, world, "reviewer", f"/api/v1/rubrics/phone-test/versions/{rubric.version}").get_json()
    # As JSON writes it: a scale's point labels are keyed by the point as text ("0": "rude or hostile").
    assert {k: v for k, v in body.items() if k not in {"version", "status"}} == json.loads(
        json.dumps(rubric_to_dict(spec_from_rubric(rubric)))
    )
    items = {item["key"]: item for section in body["sections"] for item in section["items"]}
    assert items["courtesy"]["labels"]["0"] == "rude or hostile"
    facts = {key: item.get("fact") for key, item in items.items()}
    assert (
        facts["answered_by_person"] == "reached" and facts["rings"] == "rings" and facts["courtesy"] is None
    )
