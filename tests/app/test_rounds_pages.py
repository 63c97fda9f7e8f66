"""Round pages, reassigning, the progress board, auditors' own assignments and calendar feed, settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.rounds.feed import feed_token
from audits.models import (
    Assignment,
    AuditorProfile,
    Channel,
    District,
    Role,
    Round,
    RoundStatus,
    Scenario,
    School,
    Slot,
    User,
)
from audits.passwords import hash_password
from audits.planning.rounds import move_round
from tests.audits.round_samples import (
    SECRET_ANSWER,
    SECRET_PERSONA,
    SECRET_SCRIPT,
    make_round,
    make_scenario,
    publish_rubrics,
    set_profile,
)
from tests.conftest import PASSWORD, AuthActions


@dataclass
class World:
    """A district with three schools, three English-speaking auditors, three scenarios; another district."""

    home: District
    away: District
    schools: list[School]
    foreign_school: School
    auditors: list[User]
    users: dict[str, User]
    phone: Scenario
    phone_es: Scenario
    email: Scenario


@pytest.fixture
def world(
    session: Session,
    make_district: Callable[..., District],
    make_school: Callable[..., School],
    make_user: Callable[..., User],
) -> World:
    home = make_district(
        "Duval", timezone="America/New_York", school_day_start=time(7, 30), school_day_end=time(16, 0)
    )
    away = make_district("Away")
    schools = [
        make_school(
            home, name="ABESS PARK ELEMENTARY SCHOOL", email="abess@example.org", street="12731 Abess Blvd"
        ),
        make_school(home, name="BEAUCLERC ELEMENTARY SCHOOL", email="beauclerc@example.org"),
        make_school(home, name="CEDAR HILLS ELEMENTARY SCHOOL"),
    ]
    make_school(home, name="ZZ CLOSED ACADEMY", active=False)
    foreign_school = make_school(away, name="FOREIGN HIGH")
    auditors = [
        make_user(Role.AUDITOR, district=home, name=name) for name in ("Ana Diaz", "Ben Cole", "Cy Young")
    ]
    principal = make_user(Role.PRINCIPAL, district=home, schools=[schools[0]])
    users = {
        "admin": make_user(Role.ADMIN),
        "leader": make_user(Role.LEADER, district=home),
        "foreign_leader": make_user(Role.LEADER, district=away),
        "reviewer": make_user(Role.REVIEWER, district=home),
        "auditor": auditors[0],
        "other_auditor": auditors[1],
        "foreign_auditor": make_user(Role.AUDITOR, district=away, name="Far Away"),
        "principal": principal,
    }
    publish_rubrics(session)
    phone = make_scenario(session, home, "enrol-call", title="Enrolling a new student")
    phone_es = make_scenario(session, home, "enrol-call-es", language="es", title="Inscribir a un estudiante")
    email = make_scenario(session, home, "bus-question", Channel.EMAIL, title="Bus route question")
    return World(home, away, schools, foreign_school, auditors, users, phone, phone_es, email)


def _login(auth: AuthActions, user: User) -> None:
    auth.sign_in(user.email)


def _form(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Spring 2027",
        "first_day": "2027-02-01",
        "last_day": "2027-02-12",
        "school_selection": "all",
        "phone_per_school": "2",
        "phone_scenarios": [str(world.phone.id), str(world.phone_es.id)],
        "email_per_school": "1",
        "email_scenarios": [str(world.email.id)],
        "visit_per_school": "0",
        "seed": "7",
        "attempt_limit": "3",
    }
    data.update(changes)
    return data


def _count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _scheduled(session: Session, world: World, spanish: bool = True) -> Round:
    """A committed round: two phone calls (English and Spanish) and one email per school."""
    if spanish:
        set_profile(session, world.auditors[2], languages=["en", "es"])
    return make_round(
        session,
        world.home,
        {Channel.PHONE: (2, [world.phone, world.phone_es]), Channel.EMAIL: (1, [world.email])},
        commit=True,
    )


# --- creating, previewing and committing


def test_new_round_form_offers_the_districts_schools_and_scenarios(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    _login(auth, world.users["leader"])
    html = client.get("/rounds/new").get_data(as_text=True)
    assert "ABESS PARK ELEMENTARY SCHOOL" in html
    assert "ZZ CLOSED ACADEMY" not in html and "FOREIGN HIGH" not in html
    assert "Inscribir a un estudiante (Spanish)" in html
    assert 'name="phone_scenarios"' in html and 'name="email_scenarios"' in html
    seed = re.search(r'name="seed"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="seed"', html)
    assert seed is not None  # a seed is filled in and shown


def test_round_form_shows_each_error_next_to_its_field_and_saves_nothing(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    _login(auth, world.users["leader"])
    response = client.post(
        "/rounds/new",
        data=_form(
            world, name=" ", last_day="2027-01-20", phone_scenarios=[], school_selection="levels", seed="-1"
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for field in ("name", "last_day", "phone_scenarios", "levels", "seed"):
        assert f'id="{field}-error"' in html, field
    assert "must be on or after the first day" in html
    assert "choose at least one phone scenario" in html
    assert 'value="2027-02-01"' in html  # what was typed is kept
    assert _count(session, Round) == 0

    response = client.post("/rounds/new", data=_form(world, phone_per_school="0", email_per_school="0"))
    assert response.status_code == 400
    assert "give at least one channel a number of contacts per school" in response.get_data(as_text=True)

    response = client.post("/rounds/new", data=_form(world, first_day="not a date", phone_per_school="many"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="first_day-error"' in html and 'id="phone_per_school-error"' in html
    assert _count(session, Round) == 0


def test_a_saved_draft_previews_its_plan_with_loads_and_unplaced_reasons(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    _login(auth, world.users["leader"])
    response = client.post("/rounds/new", data=_form(world))
    assert response.status_code == 302
    round_ = session.scalars(select(Round)).one()
    assert response.headers["Location"].endswith(f"/rounds/{round_.id}")
    assert round_.status is RoundStatus.DRAFT and round_.seed == 7
    assert _count(session, Assignment) == 0  # a draft stores no assignment

    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Plan preview" in html
    assert "6 of 9 contacts placed" in html  # 3 schools × (2 calls + 1 email); nobody speaks Spanish
    for name in ("Ana Diaz", "Ben Cole", "Cy Young"):
        assert name in html
    loads = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td></tr>', html))
    assert [loads[name] for name in ("Ana Diaz", "Ben Cole", "Cy Young")] == ["2", "2", "2"]
    assert html.count("no auditor speaks Spanish") == 3
    assert "Inscribir a un estudiante (Spanish)" in html
    assert "Commit plan" in html
    assert SECRET_SCRIPT not in html


def test_editing_a_draft_changes_its_plan(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    _login(auth, world.users["leader"])
    client.post("/rounds/new", data=_form(world))
    round_ = session.scalars(select(Round)).one()
    page = client.get(f"/rounds/{round_.id}/edit").get_data(as_text=True)
    assert 'value="Spring 2027"' in page
    response = client.post(
        f"/rounds/{round_.id}/edit",
        data=_form(
            world,
            name="Spring, English only",
            phone_scenarios=[str(world.phone.id)],
            school_selection="list",
            school_ids=[str(world.schools[0].id)],
        ),
    )
    assert response.status_code == 302
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "3 of 3 contacts placed" in html
    assert "no auditor speaks" not in html


def test_commit_stores_the_assignments_and_schedules_the_round(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    set_profile(session, world.auditors[2], languages=["en", "es"])
    _login(auth, world.users["leader"])
    client.post("/rounds/new", data=_form(world))
    round_ = session.scalars(select(Round)).one()
    response = client.post(f"/rounds/{round_.id}/commit")
    assert response.status_code == 302
    session.expire_all()
    assert round_.status is RoundStatus.SCHEDULED
    assert _count(session, Assignment, Assignment.round_id == round_.id) == 9
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "9 assignments." in html
    assert html.count(">Reassign<") == 9
    assert "Start fieldwork" in html and "Back to draft" in html
    assert "Plan preview" not in html

    filtered = client.get(f"/rounds/{round_.id}?channel=email").get_data(as_text=True)
    assert "3 assignments." in filtered
    by_auditor = client.get(f"/rounds/{round_.id}?auditor={world.auditors[2].id}").get_data(as_text=True)
    assert "3 assignments." in by_auditor  # the only Spanish speaker takes the three Spanish calls


def test_a_round_that_is_not_a_draft_cannot_be_planned_or_edited_again(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = _scheduled(session, world)
    _login(auth, world.users["leader"])
    response = client.post(f"/rounds/{round_.id}/commit")
    assert response.status_code == 409  # the round's state does not allow it
    assert "the round is scheduled; this needs a draft round" in response.get_data(as_text=True)
    assert _count(session, Assignment, Assignment.round_id == round_.id) == 9
    assert client.get(f"/rounds/{round_.id}/edit").status_code == 302
    client.post(f"/rounds/{round_.id}/edit", data=_form(world, name="Sneaky"))
    session.expire_all()
    assert round_.name == "Spring round"


def test_back_to_draft_must_be_confirmed_and_deletes_the_assignments(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = _scheduled(session, world)
    _login(auth, world.users["leader"])
    response = client.post(f"/rounds/{round_.id}/status", data={"to": "draft"})  # an old page's form
    assert response.headers["Location"] == f"/rounds/{round_.id}/back-to-draft"
    assert _count(session, Assignment, Assignment.round_id == round_.id) == 9
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "All 9 assignments of this round will be deleted" in page
    assert "Yes, delete 9 assignments and go back to draft" in page
    assert client.post(f"/rounds/{round_.id}/back-to-draft").status_code == 302  # not confirmed
    assert _count(session, Assignment, Assignment.round_id == round_.id) == 9

    response = client.post(f"/rounds/{round_.id}/back-to-draft", data={"confirm": "yes"})
    assert response.status_code == 302
    session.expire_all()
    assert round_.status is RoundStatus.DRAFT
    assert _count(session, Assignment, Assignment.round_id == round_.id) == 0
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Plan preview" in html and "its 9 assignments deleted" in html


def test_status_moves_follow_the_workflow_each_from_its_confirmation_page(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = _scheduled(session, world)
    _login(auth, world.users["leader"])
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Start fieldwork…</a>" in html and "Back to draft…</a>" in html and "Close round…" not in html
    assert client.post(f"/rounds/{round_.id}/start", data={"confirm": "yes"}).status_code == 302
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Close round…</a>" in html and "Start fieldwork…" not in html
    assert client.post(f"/rounds/{round_.id}/close", data={"confirm": "yes"}).status_code == 302
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "An administrator can reopen it" in html and "Reopen the round…" not in html  # a leader's view
    assert "Fieldwork started by" in html and "Closed by" in html  # the round's history
    # A leader cannot reopen by any road.
    response = client.post(f"/rounds/{round_.id}/status", data={"to": "in_field"})
    assert response.headers["Location"] == f"/rounds/{round_.id}/reopen"
    assert client.get(f"/rounds/{round_.id}/reopen").status_code == 403
    # Publishing goes through the scorecards, so principals get them and an email.
    response = client.post(f"/rounds/{round_.id}/status", data={"to": "published"})
    assert response.headers["Location"] == f"/scorecards/rounds/{round_.id}"
    session.expire_all()
    assert round_.status is RoundStatus.CLOSED
    move_round(session, round_, RoundStatus.PUBLISHED)
    session.commit()
    response = client.post(f"/rounds/{round_.id}/status", data={"to": "draft"})
    assert response.status_code == 409
    assert "a published round cannot become draft" in response.get_data(as_text=True)
    assert client.post(f"/rounds/{round_.id}/status", data={"to": "bogus"}).status_code == 400
    stale = client.get(f"/rounds/{round_.id}/close")  # a link from an old page
    assert stale.headers["Location"] == f"/rounds/{round_.id}"


def test_a_draft_is_scheduled_only_by_committing_its_plan(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = make_round(session, world.home, {Channel.PHONE: (1, [world.phone])})
    _login(auth, world.users["leader"])
    assert client.post(f"/rounds/{round_.id}/status", data={"to": "scheduled"}).status_code == 302
    session.expire_all()
    assert round_.status is RoundStatus.SCHEDULED
    assert _count(session, Assignment, Assignment.round_id == round_.id) == 3


# --- reassigning


def test_a_reassignment_that_breaks_a_rule_is_explained_and_changes_nothing(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = _scheduled(session, world)
    spanish = session.scalars(
        select(Assignment).where(
            Assignment.round_id == round_.id, Assignment.scenario_id == world.phone_es.id
        )
    ).first()
    assert spanish is not None
    before = (spanish.auditor_id, spanish.due_day, spanish.slot)
    _login(auth, world.users["leader"])
    url = f"/rounds/{round_.id}/assignments/{spanish.id}/reassign"
    page = client.get(url).get_data(as_text=True)
    assert "Inscribir a un estudiante" in page and "Cy Young" in page
    response = client.post(
        url, data={"auditor_id": str(world.auditors[0].id), "due_day": "2027-02-06", "slot": "morning"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="auditor_id-error"' in html and "Ana Diaz does not speak Spanish" in html
    assert 'id="due_day-error"' in html and "that day is not a school day" in html  # a Saturday
    session.expire_all()
    assert (spanish.auditor_id, spanish.due_day, spanish.slot) == before

    response = client.post(url, data={"auditor_id": "", "due_day": "", "slot": "tea-time"})
    assert response.status_code == 400
    assert 'id="slot-error"' in response.get_data(as_text=True)


def test_a_valid_reassignment_is_saved(
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    session: Session,
    make_user: Callable[..., User],
) -> None:
    round_ = _scheduled(session, world)
    extra = make_user(Role.AUDITOR, district=world.home, name="Dee Extra")  # contacts no school yet
    email = session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.scenario_id == world.email.id)
    ).first()
    assert email is not None
    _login(auth, world.users["leader"])
    response = client.post(
        f"/rounds/{round_.id}/assignments/{email.id}/reassign",
        data={"auditor_id": str(extra.id), "due_day": "2027-02-10", "slot": "afternoon"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    assert (email.auditor_id, email.due_day, email.slot) == (extra.id, date(2027, 2, 10), Slot.AFTERNOON)
    html = client.get(f"/rounds/{round_.id}?auditor={extra.id}").get_data(as_text=True)
    assert "1 assignment." in html and "Dee Extra" in html


def test_an_assignment_of_another_round_is_not_found(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = _scheduled(session, world)
    other = make_round(session, world.home, {Channel.PHONE: (1, [world.phone])}, name="Other")
    assignment = session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).first()
    assert assignment is not None
    _login(auth, world.users["leader"])
    assert client.get(f"/rounds/{other.id}/assignments/{assignment.id}/reassign").status_code == 404


# --- progress


def test_the_progress_board_shows_one_row_per_school_with_its_channels(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = _scheduled(session, world)
    _login(auth, world.users["reviewer"])
    html = client.get(f"/rounds/{round_.id}/progress").get_data(as_text=True)
    # The round is planned in February 2027; the tests' today is January 4, 2027: nothing is due yet.
    assert "9 assignments at 3 schools." in html and "Due later: 9" in html and "Overdue: 0" in html
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r'<th scope="row"><a href="/schools/\d+">([^<]+)</a></th>(.*?)</tr>', body, re.S)
    assert sorted(name for name, _ in rows) == sorted(school.name for school in world.schools)
    for _, cells in rows:  # two phone calls, one email
        phone, email = re.findall(r"<td>(.*?)</td>", cells, re.S)
        assert phone.count("Due later") == 2 and email.count("Due later") == 1


# --- the auditor's own assignments and feed


def _ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'id="assignment-(\d+)"', html)}


def test_my_assignments_shows_only_the_auditors_own(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    round_ = _scheduled(session, world)
    mine = set(
        session.scalars(
            select(Assignment.id).where(
                Assignment.round_id == round_.id, Assignment.auditor_id == world.auditors[0].id
            )
        )
    )
    theirs = set(session.scalars(select(Assignment.id).where(Assignment.auditor_id == world.auditors[1].id)))
    assert mine and theirs
    _login(auth, world.users["auditor"])
    html = client.get("/assignments/").get_data(as_text=True)
    assert _ids(html) == mine
    assert "Overdue" in html or "Later" in html or "This week" in html or "Today" in html
    assert 'href="tel:' in html and 'href="mailto:' in html
    assert "Enrolling a new student" in html or "Bus route question" in html
    assert SECRET_SCRIPT not in html and SECRET_ANSWER not in html
    assert f"/assignments/feed/{world.auditors[0].id}/" in html
    assert "change your password" in html

    auth.logout()
    _login(auth, world.users["other_auditor"])
    other = client.get("/assignments/").get_data(as_text=True)
    assert _ids(other) == theirs
    assert not mine & _ids(other)


def test_the_auditor_home_page_lists_the_next_assignments(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    _scheduled(session, world)
    _login(auth, world.users["auditor"])
    html = client.get("/").get_data(as_text=True)
    assert 1 <= len(_ids(html)) <= 5
    assert "My assignments" in html  # the nav link


def test_the_feed_answers_the_right_token_only(
    client: FlaskClient, app: Any, world: World, session: Session
) -> None:
    _scheduled(session, world)
    auditor = world.auditors[0]
    with app.test_request_context():
        token = feed_token(auditor)
    response = client.get(f"/assignments/feed/{auditor.id}/{token}.ics")  # no sign-in
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    own = _count(session, Assignment, Assignment.auditor_id == auditor.id)
    assert len(events) == own > 0
    for secret in (SECRET_SCRIPT, SECRET_PERSONA, SECRET_ANSWER):
        assert secret.encode() not in response.data
    # The UID names this installation (its key's digest and its host), so no other Touchpoint shares it.
    uids = {str(event["UID"]) for event in events}
    assert all(re.fullmatch(r"assignment-\d+@[0-9a-f]{12}\.127\.0\.0\.1", uid) for uid in uids), uids

    assert client.get(f"/assignments/feed/{auditor.id}/{'0' * 32}.ics").status_code == 404
    assert client.get(f"/assignments/feed/{world.auditors[1].id}/{token}.ics").status_code == 404
    assert client.get(f"/assignments/feed/999999/{token}.ics").status_code == 404
    leader = world.users["leader"]
    with app.test_request_context():
        leader_token = feed_token(leader)
    assert client.get(f"/assignments/feed/{leader.id}/{leader_token}.ics").status_code == 404

    auditor.password_hash = hash_password("a-brand-new-password")  # changing the password resets the address
    session.commit()
    assert client.get(f"/assignments/feed/{auditor.id}/{token}.ics").status_code == 404


# --- auditor settings


def test_a_leader_lists_and_changes_their_auditors(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    _login(auth, world.users["leader"])
    html = client.get("/auditors/").get_data(as_text=True)
    assert "Ana Diaz" in html and "Cy Young" in html and "Far Away" not in html
    auditor = world.auditors[0]
    page = client.get(f"/auditors/{auditor.id}").get_data(as_text=True)
    assert "ABESS PARK ELEMENTARY SCHOOL" in page and "FOREIGN HIGH" not in page
    response = client.post(
        f"/auditors/{auditor.id}",
        data={
            "languages": ["en", "es"],
            "max_per_day": "6",
            "weekdays": ["0", "2"],
            "conflict_school_ids": [str(world.schools[1].id)],
        },
    )
    assert response.status_code == 302
    profile = session.get(AuditorProfile, auditor.id)
    assert profile is not None
    assert (profile.languages, profile.max_per_day, profile.weekdays) == (["en", "es"], 6, [0, 2])
    assert [school.id for school in profile.conflicts] == [world.schools[1].id]
    html = client.get("/auditors/").get_data(as_text=True)
    assert "Spanish" in html and "BEAUCLERC ELEMENTARY SCHOOL" in html


def test_auditor_settings_errors_show_next_to_their_fields(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    _login(auth, world.users["leader"])
    response = client.post(
        f"/auditors/{world.auditors[0].id}",
        data={"max_per_day": "50", "weekdays": [], "conflict_school_ids": [str(world.foreign_school.id)]},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for field in ("languages", "max_per_day", "weekdays", "conflict_school_ids"):
        assert f'id="{field}-error"' in html, field
    assert session.get(AuditorProfile, world.auditors[0].id) is None


def test_a_spanish_speaker_lets_the_plan_place_everything(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    _login(auth, world.users["leader"])
    client.post("/rounds/new", data=_form(world))
    round_ = session.scalars(select(Round)).one()
    client.post(
        f"/auditors/{world.auditors[1].id}",
        data={"languages": ["en", "es"], "max_per_day": "4", "weekdays": ["0", "1", "2", "3", "4"]},
    )
    html = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "9 of 9 contacts placed" in html and "no auditor speaks" not in html


# --- who may open what


@dataclass
class Targets:
    """The ids the permission matrix fills its paths with."""

    draft: int
    scheduled: int
    assignment: int
    auditor: int
    leader: int
    feed: str
    home: int


@pytest.fixture
def targets(app: Any, world: World, session: Session) -> Targets:
    scheduled = _scheduled(session, world)
    draft = make_round(session, world.home, {Channel.PHONE: (1, [world.phone])}, name="Draft")
    assignment = session.scalars(select(Assignment).where(Assignment.round_id == scheduled.id)).first()
    assert assignment is not None
    auditor = world.auditors[0]
    with app.test_request_context():
        token = feed_token(auditor)
    return Targets(
        draft.id, scheduled.id, assignment.id, auditor.id, world.users["leader"].id,
        f"{auditor.id}/{token}", world.home.id,
    )  # fmt: skip


ROLES = ("anonymous", "admin", "leader", "foreign_leader", "reviewer", "auditor", "principal")


def _row(method: str, path: str, *answers: int) -> list[tuple[str, str, str, int]]:
    """One route against every role in ``ROLES`` order."""
    return [(who, method, path, answer) for who, answer in zip(ROLES, answers, strict=True)]


MATRIX = [
    #                                                     anon admin lead  away  rev  aud  princ
    *_row("GET", "/rounds/", 302, 200, 200, 200, 200, 403, 403),
    *_row("GET", "/rounds/new", 302, 404, 200, 200, 403, 403, 403),
    *_row("GET", "/rounds/new?district={home}", 302, 200, 200, 200, 403, 403, 403),
    *_row("GET", "/rounds/{draft}", 302, 200, 200, 403, 200, 403, 403),
    *_row("GET", "/rounds/{scheduled}", 302, 200, 200, 403, 200, 403, 403),
    *_row("GET", "/rounds/{draft}/edit", 302, 200, 200, 403, 403, 403, 403),
    *_row("POST", "/rounds/{scheduled}/commit", 302, 409, 409, 403, 403, 403, 403),
    *_row("POST", "/rounds/{scheduled}/status", 302, 400, 400, 403, 403, 403, 403),
    *_row("GET", "/rounds/{scheduled}/assignments/{assignment}/reassign", 302, 200, 200, 403, 403, 403, 403),
    *_row("POST", "/rounds/{scheduled}/assignments/{assignment}/reassign", 302, 400, 400, 403, 403, 403, 403),
    *_row("GET", "/rounds/{scheduled}/progress", 302, 200, 200, 403, 200, 403, 403),
    *_row("GET", "/rounds/999999", 302, 404, 404, 404, 404, 404, 404),
    *_row("GET", "/assignments/", 302, 403, 403, 403, 403, 200, 403),
    *_row("GET", "/assignments/feed/{feed}.ics", 200, 200, 200, 200, 200, 200, 200),
    *_row("GET", "/assignments/feed/{auditor}/not-the-token.ics", 404, 404, 404, 404, 404, 404, 404),
    *_row("GET", "/auditors/", 302, 200, 200, 200, 403, 403, 403),
    *_row("GET", "/auditors/{auditor}", 302, 200, 200, 403, 403, 403, 403),
    *_row("POST", "/auditors/{auditor}", 302, 400, 400, 403, 403, 403, 403),
    *_row("GET", "/auditors/{leader}", 302, 404, 404, 404, 404, 404, 404),
]


@pytest.mark.parametrize("who", ROLES)
def test_routes_answer_each_role_as_expected(
    client: FlaskClient, auth: AuthActions, world: World, targets: Targets, who: str
) -> None:
    """Every new route for one role (one world per role keeps the matrix quick); every mismatch is listed."""
    if who != "anonymous":
        _login(auth, world.users[who])
    wrong = []
    for _, method, path, expected in (row for row in MATRIX if row[0] == who):
        response = client.open(path.format(**vars(targets)), method=method)
        redirected_to_login = expected != 302 or "/login" in response.headers.get("Location", "")
        if response.status_code != expected or not redirected_to_login:
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_nav_shows_each_role_its_links(client: FlaskClient, auth: AuthActions, world: World) -> None:
    expected = {
        "leader": {"Rounds": True, "My assignments": False, "Auditors": True},
        "reviewer": {"Rounds": True, "My assignments": False, "Auditors": False},
        "auditor": {"Rounds": False, "My assignments": True, "Auditors": False},
        "principal": {"Rounds": False, "My assignments": False, "Auditors": False},
    }
    for who, links in expected.items():
        _login(auth, world.users[who])
        nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
        for label, shown in links.items():
            assert (f">{label}</a>" in nav) is shown, (who, label)
        auth.logout()


def test_a_leader_without_a_district_sees_no_rounds_and_no_auditors(
    client: FlaskClient, auth: AuthActions, world: World, session: Session, make_user: Callable[..., User]
) -> None:
    _scheduled(session, world)
    _login(auth, make_user(Role.LEADER, district=None))
    assert "Spring round" not in client.get("/rounds/").get_data(as_text=True)
    assert "Ana Diaz" not in client.get("/auditors/").get_data(as_text=True)
    assert client.get("/rounds/new").status_code == 404


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.csrf
def test_the_round_forms_carry_csrf_tokens(client: FlaskClient, world: World, session: Session) -> None:
    login = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": world.users["leader"].email, "password": PASSWORD, "csrf_token": _token(login)},
    )
    page = client.get("/rounds/new").get_data(as_text=True)
    assert client.post("/rounds/new", data=_form(world)).status_code == 400  # no token
    assert client.post("/rounds/new", data=_form(world, csrf_token=_token(page))).status_code == 302
    round_ = session.scalars(select(Round)).one()
    show = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert client.post(f"/rounds/{round_.id}/commit").status_code == 400
    assert client.post(f"/rounds/{round_.id}/commit", data={"csrf_token": _token(show)}).status_code == 302
    start = client.get(f"/rounds/{round_.id}/start").get_data(as_text=True)
    assert client.post(f"/rounds/{round_.id}/start", data={"confirm": "yes"}).status_code == 400  # no token
    data = {"confirm": "yes", "csrf_token": _token(start)}
    assert client.post(f"/rounds/{round_.id}/start", data=data).status_code == 302
    auditor = world.auditors[0]
    page = client.get(f"/auditors/{auditor.id}").get_data(as_text=True)
    data = {"languages": ["en"], "max_per_day": "3", "weekdays": ["1"], "csrf_token": _token(page)}
    assert client.post(f"/auditors/{auditor.id}", data=data).status_code == 302
