"""An action plan in Chromium on the demo district: the principal writes and submits it, the leader sends
it back and then approves it, the principal closes its action with what was done.

The demo's leader asked for a plan for the demo principal's school: a draft for them to write. Refused
input (an empty plan, an action due before today, a send-back without a comment) shows next to its
field; every page passes axe; the principal's plan page is shot at 1280 and 375 px
(``artifacts/browser/plans/``), with nothing scrolling sideways on the phone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import LEADER, PLAN_PRINCIPAL, TARGETS
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "plans"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_plan_is_written_sent_back_approved_and_closed(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    """The whole loop through the pages, as the principal and the leader see it."""
    plan = int(demo_world.scalar(TARGETS["plan"]))
    today = datetime.now(ZoneInfo("America/New_York")).date()
    principal = signed_in(PLAN_PRINCIPAL, "/plans/", viewport=DESKTOP)
    principal.get_by_role("link", name="ABESS PARK ELEMENTARY SCHOOL").click()
    expect(principal.get_by_role("heading", level=1)).to_have_text(
        "Action plan: ABESS PARK ELEMENTARY SCHOOL"
    )
    expect(principal.get_by_role("heading", name="What to work on")).to_be_visible()

    principal.get_by_role("button", name="Submit the plan").click()  # empty: refused
    expect(principal.get_by_role("alert")).to_contain_text("Write at least one action before submitting")
    principal.get_by_label("What it answers").select_option(index=1)
    principal.get_by_label("What will change").fill(
        "The office manager answers the main line within three rings."
    )
    principal.get_by_label("Who is responsible").select_option("office_manager")
    principal.get_by_label("Due").fill((today - timedelta(days=1)).isoformat())
    principal.get_by_label("Training resource (optional)").select_option(index=1)
    principal.get_by_role("button", name="Add the action").click()
    due = principal.get_by_label("Due")
    expect(due).to_have_attribute("aria-invalid", "true")
    expect(principal.locator("#due_on-error")).to_contain_text("the due date is before today")
    assert_accessible(principal)
    due.fill((today + timedelta(days=30)).isoformat())
    principal.get_by_role("button", name="Add the action").click()
    expect(principal.get_by_role("heading", name="Actions (1)")).to_be_visible()
    shot(principal, "principal-plan-1280")
    phone = signed_in(PLAN_PRINCIPAL, f"/plans/{plan}", viewport=PHONE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "principal-plan-375")
    principal.get_by_role("button", name="Submit the plan").click()
    expect(principal.get_by_role("status").first).to_contain_text("Submitted the plan")

    leader = signed_in(LEADER, "/plans/?status=submitted", viewport=DESKTOP)
    leader.get_by_role("link", name="ABESS PARK ELEMENTARY SCHOOL").click()
    leader.get_by_role("button", name="Send the plan back").click()  # without a comment: refused
    expect(leader.get_by_label("What to change")).to_have_attribute("aria-invalid", "true")
    assert_accessible(leader)
    leader.get_by_label("What to change").fill("Add the visitor sign-in, with its own date.")
    leader.get_by_role("button", name="Send the plan back").click()
    expect(leader.get_by_role("status").first).to_contain_text("Sent the plan back")

    principal.reload()
    expect(principal.get_by_role("note")).to_contain_text("Add the visitor sign-in, with its own date.")
    principal.get_by_role("button", name="Submit the plan again").click()
    leader.reload()
    leader.get_by_role("button", name="Approve the plan").click()
    expect(leader.get_by_role("status").first).to_contain_text("Approved the plan")

    principal.reload()
    principal.get_by_text("Close this action").click()
    principal.get_by_label("What was done").fill("Trained the office staff; the phone rota is on the wall.")
    assert_accessible(principal)
    principal.get_by_role("button", name="Close the action").click()
    expect(principal.get_by_text("Every action is closed")).to_be_visible()
    expect(principal.get_by_role("heading", name="History")).to_be_visible()
    shot(principal, "principal-plan-closed-1280")
    assert demo_world.scalar("SELECT status FROM action_plans WHERE id = :p", p=plan) == "closed"
