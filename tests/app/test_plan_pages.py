"""The whole action plan lifecycle through the pages: opened on publication exactly for the schools that
qualify; written, refused when empty or late, submitted, sent back, rewritten, resubmitted, approved;
an action closed with evidence the district requires; every step in the history; nobody else's."""

from __future__ import annotations

import io
import re
from html import unescape

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import ActionPlan, OutboxEmail, PlanAction, PlanStatus, Role, User
from tests.audits.plan_helpers import PlanWorld, build_plan_world
from tests.conftest import PASSWORD_HASH, AuthActions

ACTION = {
    "target": "item:phone:named",
    "change": "Everyone answering the phone says their first name in the greeting.",
    "responsible": "office_manager",
    "due_on": "2027-02-15",
    "resource_item_id": "",
}


def _text(response: object) -> str:
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _plan(session: Session, school_id: int) -> ActionPlan:
    session.expire_all()
    return session.scalars(select(ActionPlan).where(ActionPlan.school_id == school_id)).one()


def _publish(client: FlaskClient, auth: AuthActions, world: PlanWorld) -> None:
    auth.sign_in(world.leader)
    answer = client.post(f"/scorecards/rounds/{world.round.id}/publish", data={"confirm": "yes"})
    assert answer.status_code == 302


def test_the_whole_plan_lifecycle_through_the_pages(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    world = build_plan_world(session)
    _publish(client, auth, world)
    opened = {plan.school_id: plan.status for plan in session.scalars(select(ActionPlan))}
    assert opened == {world.low.id: PlanStatus.DRAFT, world.critical.id: PlanStatus.DRAFT}
    plan = _plan(session, world.low.id)
    url = f"/plans/{plan.id}"

    # The principal finds it from the school page and reads what to work on.
    auth.sign_in(world.principals["B"])
    school_page = client.get(f"/schools/{world.low.id}")
    assert f'href="{url}"' in school_page.get_data(as_text=True)
    assert "Write and submit the plan for Fall 2026 round" in _text(school_page)
    page = _text(client.get(url))
    assert "Action plan: School B" in page and "Draft" in page
    assert "Did the staff member give their name? (Phone call)" in page
    assert "Say your first name in the greeting." in page  # a coaching tip offered

    # Empty: refused next to the actions, nothing saved.
    empty = client.post(f"{url}/submit")
    assert empty.status_code == 400
    assert 'id="actions-error"' in empty.get_data(as_text=True)
    assert "Write at least one action before submitting the plan" in _text(empty)
    assert _plan(session, world.low.id).status is PlanStatus.DRAFT

    # Due before today (Jan 4, 2027) and no role: refused next to each field, nothing saved.
    late = client.post(f"{url}/actions", data={**ACTION, "due_on": "2027-01-03", "responsible": ""})
    assert late.status_code == 400
    body = late.get_data(as_text=True)
    assert (
        'class="error-summary"' in body and 'id="due_on-error"' in body and 'id="responsible-error"' in body
    )
    assert "the due date is before today (Mon, Jan 4, 2027); choose today or a later day" in _text(late)
    assert 'value="Everyone answering the phone says' not in body  # a textarea keeps the text as content
    assert "Everyone answering the phone says their first name" in body  # what was typed comes back
    assert session.scalar(select(func.count(PlanAction.id))) == 0
    garbled = client.post(f"{url}/actions", data={**ACTION, "due_on": "next week"})
    assert "enter the day as a date, for example 2027-02-01" in _text(garbled)

    assert client.post(f"{url}/actions", data=ACTION).status_code == 302
    assert client.post(f"{url}/submit").status_code == 302
    assert _plan(session, world.low.id).status is PlanStatus.SUBMITTED

    # The leader sends it back: a comment is required.
    auth.sign_in(world.leader)
    assert "Your decision" in _text(client.get(url))
    silent = client.post(f"{url}/send-back", data={"comment": " "})
    assert silent.status_code == 400 and 'id="comment-error"' in silent.get_data(as_text=True)
    assert _plan(session, world.low.id).status is PlanStatus.SUBMITTED
    comment = "Give the greeting training a date before the spring round."
    assert client.post(f"{url}/send-back", data={"comment": comment}).status_code == 302
    assert _plan(session, world.low.id).status is PlanStatus.SENT_BACK
    told = session.scalars(select(OutboxEmail).where(OutboxEmail.topic == "plan_decided")).all()
    assert [email.recipient for email in told] == ["principal.b@example.org"] and comment in told[0].text

    # The principal reads the comment, changes the action and submits again.
    auth.sign_in(world.principals["B"])
    page = _text(client.get(url))
    assert "Sent back: what to change" in page and comment in page
    action = session.scalars(select(PlanAction)).one()
    edit = f"{url}/actions/{action.id}/edit"
    assert 'value="2027-02-15"' in client.get(edit).get_data(as_text=True)
    assert client.post(edit, data={**ACTION, "due_on": "2027-01-29"}).status_code == 302
    assert client.post(f"{url}/submit").status_code == 302

    # The leader approves it and requires evidence before an action is closed.
    auth.sign_in(world.leader)
    assert client.post(f"{url}/approve").status_code == 302
    assert _plan(session, world.low.id).status is PlanStatus.APPROVED
    district = world.scoring.district.id
    setting = client.post(f"/districts/{district}/plan-settings", data={"plan_evidence_required": "y"})
    assert setting.status_code == 302
    settings_page = client.get(f"/districts/{district}/settings").get_data(as_text=True)
    assert 'checked id="plan_evidence_required"' in settings_page

    # The principal closes the action: without evidence refused, with a text and a photo done.
    auth.sign_in(world.principals["B"])
    close = f"{url}/actions/{action.id}/close"
    prefix = f"close-{action.id}-"
    bare = client.post(close, data={f"{prefix}evidence_text": ""})
    assert bare.status_code == 400
    assert f'id="{prefix}evidence_text-error"' in bare.get_data(as_text=True)
    assert "your district asks for evidence before an action is closed" in _text(bare)
    page_file = {
        f"{prefix}evidence_text": "Done.",
        f"{prefix}file": (io.BytesIO(b"<html><script>x</script>"), "a.html"),
    }
    refused = client.post(close, data=page_file, content_type="multipart/form-data")
    assert refused.status_code == 400 and f'id="{prefix}file-error"' in refused.get_data(as_text=True)
    assert "This is a web page (HTML)" in _text(refused)
    assert _plan(session, world.low.id).actions[0].closed_at is None
    photo = io.BytesIO()
    Image.new("RGB", (6, 6), "green").save(photo, format="PNG")
    photo.seek(0)
    done = client.post(
        close,
        data={
            f"{prefix}evidence_text": "Trained the office staff on Jan 12.",
            f"{prefix}file": (photo, "desk.png"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    closed = _plan(session, world.low.id)
    assert closed.status is PlanStatus.CLOSED and closed.actions[0].evidence_text.startswith("Trained")
    page = client.get(url)
    text = _text(page)
    assert "Every action is closed" in text
    for step in (
        "Plan opened",
        "Action added",
        "Plan submitted",
        "Plan sent back",
        "Action changed",
        "Plan approved",
        "Action closed",
        "Plan closed",
    ):
        assert step in text, step
    assert "Due: Mon, Feb 15, 2027 → Fri, Jan 29, 2027" in text
    file_url = re.search(r'href="(/plans/evidence/[^"]+)"', page.get_data(as_text=True))
    assert file_url is not None
    picture = client.get(file_url.group(1))
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    picture.get_data()
    picture.close()

    # Another school's principal sees neither the plan nor its file.
    auth.sign_in(world.principals["A"])
    assert client.get(url).status_code == 403
    assert client.get(file_url.group(1)).status_code == 403


def test_plans_are_opened_on_request_and_listed_with_overdue_actions(
    client: FlaskClient, auth: AuthActions, session: Session
) -> None:
    world = build_plan_world(session)
    _publish(client, auth, world)
    # The leader's list: both drafts.
    listing = _text(client.get("/plans/"))
    assert "School B" in listing and "School C" in listing and "No action is overdue." in listing
    # School A's principal asks for a plan of their own; asking twice is refused.
    auth.sign_in(world.principals["A"])
    assert "Open a plan for the latest scorecard" in _text(client.get(f"/schools/{world.good.id}"))
    opened = client.post(f"/schools/{world.good.id}/plans")
    assert opened.status_code == 302
    plan = _plan(session, world.good.id)
    assert opened.headers["Location"].endswith(f"/plans/{plan.id}")
    again = client.post(f"/schools/{world.good.id}/plans", follow_redirects=True)
    assert "School A already has a plan for Fall 2026 round" in _text(again)
    assert session.scalar(select(func.count(ActionPlan.id))) == 3
    mine = _text(client.get("/plans/"))
    assert "School A" in mine and "School B" not in mine  # a principal lists their own schools' plans
    # An approved plan whose action is past due: listed for the leader.
    client.post(f"/plans/{plan.id}/actions", data={**ACTION, "target": "", "due_on": "2027-01-04"})
    client.post(f"/plans/{plan.id}/submit")
    auth.sign_in(world.leader)
    client.post(f"/plans/{plan.id}/approve")
    assert _plan(session, world.good.id).status is PlanStatus.APPROVED
    client.application.config["TODAY"] = client.application.config["TODAY"].replace(day=6)
    listing = _text(client.get("/plans/"))
    assert "Overdue actions (1)" in listing and "Front-office manager" in listing
    assert "overdue" in _text(client.get(f"/plans/{plan.id}"))
    # Reviewers have no part in plans.
    reviewer = User(
        email="rev@example.org",
        role=Role.REVIEWER,
        name="Rita",
        password_hash=PASSWORD_HASH,
        district=world.scoring.district,
    )
    session.add(reviewer)
    session.commit()
    auth.sign_in(reviewer)
    assert client.get("/plans/").status_code == 403
    assert client.get(f"/plans/{plan.id}").status_code == 403
