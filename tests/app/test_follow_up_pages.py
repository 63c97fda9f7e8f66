"""Follow-up checks through the pages and the API: a leader plans a follow-up of a published round
for the schools whose approved plans it checks again; its results appear beside each weak item on the
plan (provisional for the district, for the principal once published), in the portal, in the API and
on the follow-up's scorecard."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from html import unescape

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import ActionPlan, FollowUpTarget, Role, Round, RoundStatus, User
from audits.plans.actions import ActionEntry, add_action, approve_plan, submit_plan
from audits.plans.follow_up import FollowUpSpec, plan_follow_up
from audits.plans.weak import weaknesses
from audits.scorecards import publish
from audits.tokens import create_token
from reports.figures import gather_round
from reports.render import shared_renderer
from tests.audits.plan_helpers import EMAIL, PHONE, PlanWorld, build_plan_world, fake_scorecard
from tests.conftest import PASSWORD_HASH, TEST_TODAY, AuthActions
from tests.reports.scorecard_helpers import GOOD, POOR, at

NOW = datetime(2027, 1, 4, 15, tzinfo=UTC)
DUE = date(2027, 1, 15)
WINDOW = {"name": "Follow-up: Fall 2026 round", "first_day": "2027-01-11", "last_day": "2027-02-12"}


def _text(response: object) -> str:
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _world(session: Session) -> tuple[PlanWorld, ActionPlan]:
    """The plan world published, School B's plan approved with one action due Jan 15, 2027."""
    world = build_plan_world(session)
    for index, school in enumerate(world.scoring.schools):
        school.phone, school.email = f"904555{index:04d}", f"office{index}@example.org"
    district = world.scoring.district
    session.add(User(email="aud2@example.org", role=Role.AUDITOR, district_id=district.id, password_hash="x"))
    publish(session, world.round, world.leader, now=NOW)
    plan = session.scalars(select(ActionPlan).where(ActionPlan.school_id == world.low.id)).one()
    weak = weaknesses(session, plan.round, plan.school)
    principal = world.principals["B"]
    entry = ActionEntry("Say your first name when you answer.", "office_manager", DUE, "item:phone:named")
    add_action(session, plan, entry, principal, weak, TEST_TODAY, now=NOW)
    submit_plan(session, plan, principal, TEST_TODAY, now=NOW)
    approve_plan(session, plan, world.leader, now=NOW)
    session.commit()
    return world, plan


def test_a_leader_plans_a_follow_up_from_the_published_round(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    world, plan = _world(session)
    auth.sign_in(world.leader)
    round_page = _text(client.get(f"/rounds/{world.round.id}"))
    assert "Follow-up checks" in round_page and "Plan a follow-up round…" in round_page
    url = f"/rounds/{world.round.id}/follow-up"
    page = client.get(url)
    assert page.status_code == 200
    text = _text(page)
    assert "School B" in text and "Phone call:" in text and "Sat, Jan 16, 2027" in text  # the day after DUE
    assert (
        "School C : its plan is still being written: a plan is checked once approved." in text
    )  # left out, with why
    assert 'value="Follow-up: Fall 2026 round"' in page.get_data(as_text=True)

    # A window that ends before the plan's due date: refused next to the field, nothing saved.
    early = client.post(url, data={**WINDOW, "last_day": "2027-01-14", "school_ids": [str(world.low.id)]})
    assert early.status_code == 400
    body = early.get_data(as_text=True)
    assert 'class="error-summary"' in body and 'id="last_day-error"' in body
    assert "School B (due until Jan 15, 2027)" in _text(early)
    none = client.post(url, data=WINDOW)
    assert none.status_code == 400 and 'id="school_ids-error"' in none.get_data(as_text=True)
    assert session.scalar(select(func.count(Round.id)).where(Round.follows_round_id.is_not(None))) == 0

    saved = client.post(url, data={**WINDOW, "school_ids": [str(world.low.id)]})
    assert saved.status_code == 302
    follow_up = session.scalars(select(Round).where(Round.follows_round_id == world.round.id)).one()
    assert saved.headers["Location"].endswith(f"/rounds/{follow_up.id}")
    draft = _text(client.get(f"/rounds/{follow_up.id}"))
    assert "What this follow-up checks again" in draft
    assert "2 of 2 contacts placed" in draft  # School B's call and email, nothing else
    assert {t.channel for t in session.scalars(select(FollowUpTarget))} == {PHONE, EMAIL}
    # The published round lists it.
    assert "Follow-up: Fall 2026 round" in _text(client.get(f"/rounds/{world.round.id}"))

    # Nobody but the district's leaders plans one.
    auth.sign_in(world.principals["B"])
    assert client.get(url).status_code == 403
    assert plan.id  # the plan is what the follow-up checks


def _follow_up_with_results(session: Session, world: PlanWorld, plan: ActionPlan) -> Round:
    """A follow-up round of School B in the field, its call now perfect and its email still poor."""
    spec = FollowUpSpec(
        "Follow-up: Fall 2026 round", date(2027, 1, 11), date(2027, 2, 12), [world.low.id], seed=3
    )
    follow_up = plan_follow_up(session, world.round, spec, TEST_TODAY)
    follow_up.status = RoundStatus.IN_FIELD
    world.scoring.contact(follow_up, world.low, PHONE, GOOD, started_at=at(date(2027, 1, 19)))
    world.scoring.contact(follow_up, world.low, EMAIL, POOR, started_at=at(date(2027, 1, 20)))
    session.commit()
    return follow_up


def test_follow_up_results_beside_each_weak_item_for_the_district_then_the_principal(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    world, plan = _world(session)
    follow_up = _follow_up_with_results(session, world, plan)
    principal = world.principals["B"]

    auth.sign_in(world.leader)
    leader_view = _text(client.get(f"/plans/{plan.id}"))
    assert "Follow-up check:" in leader_view and "Provisional:" in leader_view
    assert (
        "Did the staff member give their name? (Phone call) Earned 0% of its points over 1 contact"
        in leader_view
    )
    assert "Earned 100% of its points over 1 contact Fixed" in leader_view
    assert "follow-up: Fixed" in leader_view  # beside the action that answers the item
    assert "Still failing" in leader_view

    # The principal sees nothing until the follow-up is published: pages and API.
    auth.sign_in(principal)
    assert "Follow-up check" not in _text(client.get(f"/plans/{plan.id}"))
    token = {"Authorization": f"Bearer {create_token(session, principal, 'principal')[1]}"}
    session.commit()
    assert client.get(f"/api/v1/plans/{plan.id}", headers=token).get_json()["follow_up"] is None

    follow_up.status = RoundStatus.CLOSED
    for school in (world.low,):
        fake_scorecard(session, follow_up, school)
    publish(session, follow_up, world.leader, now=NOW)
    session.commit()

    principal_view = _text(client.get(f"/plans/{plan.id}"))
    assert "Follow-up check:" in principal_view and "Provisional" not in principal_view
    answer = client.get(f"/api/v1/plans/{plan.id}", headers=token).get_json()["follow_up"]
    assert answer["final"] is True and answer["round_id"] == follow_up.id
    verdicts = {item["target"]: item["verdict"] for item in answer["items"]}
    assert verdicts["item:phone:named"] == "fixed" and verdicts["channel:email"] == "still_failing"

    # The portal shows the follow-up's scorecard, with the plan's items checked again.
    portal = _text(client.get(f"/schools/{world.low.id}/portal"))
    assert "Your action plan, checked again:" in portal and "In Fall 2026 round" in portal
    for page in (principal_view, portal):
        assert world.scoring.auditor.email not in page and "aud2@example.org" not in page


def test_the_follow_up_scorecard_prints_the_plan_checked_again(session: Session, app: object) -> None:
    world, plan = _world(session)
    follow_up = _follow_up_with_results(session, world, plan)
    figures = gather_round(session, follow_up, {world.low.id})
    data = figures.scorecards[world.low.id]
    assert data.follow_up is not None and data.follow_up.original_round == "Fall 2026 round"
    verdicts = {line.label: line.verdict for line in data.follow_up.lines}
    assert verdicts["Did the staff member give their name? (Phone call)"] == "fixed"
    assert verdicts["Did the staff member give their name? (Email)"] == "still_failing"
    pdf = shared_renderer().scorecard(data, b"0" * 16).pdf
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Your action plan, checked again" in " ".join(text.split())
    # Any other round's scorecard has no such section.
    assert gather_round(session, world.round, {world.low.id}).scorecards[world.low.id].follow_up is None
    assert PASSWORD_HASH  # the world's accounts sign in with the test password
