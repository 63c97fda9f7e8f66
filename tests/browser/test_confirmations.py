"""Steps that email many people or end work, asked first, in Chromium at 1280 px on the demo district.

The leader unpublishes the earlier round's scorecards and publishes them again from the page that
names every principal emailed; closes the round in the field from the page that lists every
assignment nobody has started; the administrator reopens it, refused without a reason, then with
one, kept in the round's history. Each page passes axe; screenshots go to
``artifacts/browser/confirm/``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import ADMIN, LEADER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "confirm"
DESKTOP = {"width": 1280, "height": 900}
UNSTARTED = (
    "SELECT count(*) FROM assignments a JOIN rounds r ON r.id = a.round_id "
    "WHERE r.status = 'in_field' AND r.follows_round_id IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.assignment_id = a.id)"
)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_publish_then_close_and_reopen_each_from_its_confirmation_page(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    """Publishing names the principals emailed; closing lists what it ends; reopening needs a reason."""
    published = int(demo_world.scalar("SELECT id FROM rounds WHERE status = 'published'"))
    in_field = int(
        demo_world.scalar("SELECT id FROM rounds WHERE status = 'in_field' AND follows_round_id IS NULL")
    )
    principals = int(demo_world.scalar("SELECT count(*) FROM scorecards WHERE round_id = :r", r=published))
    unstarted = int(demo_world.scalar(UNSTARTED))
    leader = signed_in(LEADER, f"/scorecards/rounds/{published}", viewport=DESKTOP)

    # Unpublish (the demo's scorecards are out), then publish again: each asked first.
    leader.get_by_role("link", name="Unpublish…").click()
    expect(leader.get_by_role("heading", level=1)).to_contain_text("Unpublish the scorecards")
    leader.get_by_role("button", name=f"Yes, hide {principals} scorecards from principals").click()
    expect(leader.get_by_role("status").first).to_contain_text(f"Unpublished {principals} scorecards")
    leader.get_by_role("link", name="Publish scorecards…").click()
    what = leader.get_by_role("list", name="What will happen")
    expect(what).to_contain_text(f"{principals} principals will be emailed")
    emailed = leader.get_by_role("region", name="Principals emailed")
    expect(emailed.get_by_role("row")).to_have_count(principals + 1)  # a row per email, and the header
    expect(emailed).to_contain_text("principal@example.org")
    assert_accessible(leader)
    shot(leader, "1-publish")
    yes = f"Yes, publish {principals} scorecards and email {principals} principals"
    leader.get_by_role("button", name=yes).click()
    expect(leader.get_by_role("status").first).to_contain_text(
        f"Published {principals} scorecards; {principals} principals are emailed a link."
    )
    shot(leader, "2-published")

    # Close the round in the field: the danger zone, then the list of what closing ends.
    leader.goto(f"/rounds/{in_field}")
    zone = leader.get_by_role("region", name="Ending or undoing this round")
    expect(zone).to_be_visible()
    zone.screenshot(path=SHOTS / "3-danger-zone.png")
    zone.get_by_role("link", name="Close round…").click()
    expect(leader.get_by_role("list", name="What will happen")).to_contain_text(
        f"{unstarted} assignments nobody has started will be closed"
    )
    listed = leader.get_by_role("region", name="Assignments nobody has started, by day")
    expect(listed.locator("tbody tr")).to_have_count(unstarted)
    assert_accessible(leader)
    shot(leader, "4-close")
    yes = f"Yes, close the round and its {unstarted} unstarted assignments"
    leader.get_by_role("button", name=yes).click()
    expect(leader.get_by_role("status").first).to_contain_text(f"with the {unstarted} assignments")
    expect(leader.get_by_role("heading", level=1)).to_contain_text("Closed")
    expect(leader.get_by_text("An administrator can reopen it")).to_be_visible()
    expect(leader.get_by_role("link", name="Reopen the round…")).to_have_count(0)

    # The administrator reopens it: refused without a reason, then put back with one.
    admin = signed_in(ADMIN, f"/rounds/{in_field}", viewport=DESKTOP)
    admin.get_by_role("link", name="Reopen the round…").click()
    expect(admin.get_by_role("list", name="What will happen")).to_contain_text(
        f"{unstarted} assignments closed unstarted are open again"
    )
    assert_accessible(admin)
    shot(admin, "5-reopen")
    admin.get_by_role("button", name="Yes, reopen the round").click()
    reason = admin.get_by_label("Why reopen this round")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#reason-error")).to_have_text("say why the round is reopened")
    expect(admin.get_by_role("alert").get_by_role("link", name="Why reopen this round")).to_be_visible()
    assert_accessible(admin)
    shot(admin, "6-reopen-refused")
    reason.fill("Closed three weeks early by mistake; Lee asked to reopen it")
    admin.get_by_role("button", name="Yes, reopen the round").click()
    expect(admin.get_by_role("status").first).to_contain_text(
        f"it is in the field again, with the {unstarted} assignments it had closed unstarted"
    )
    history = admin.get_by_role("region", name="History")
    expect(history).to_contain_text("Reopened by Ada")
    expect(history).to_contain_text("Closed three weeks early by mistake")
    assert_accessible(admin)
    history.screenshot(path=SHOTS / "7-history.png")
    assert int(demo_world.scalar(UNSTARTED)) == unstarted  # every one of them open again
