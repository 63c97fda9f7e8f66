"""The principal's portal in Chromium, read as the demo principal reads it: at 1280 px and on a 375 px phone.

The first screen says how the school stands against the district's standard and what is open for the
principal; the biggest problem and the next steps follow. A day after today is refused beside the date
field, the right day is kept, and the leader reads it on the round's scorecards page. The page fits a
phone without sideways scroll, prints without the site's navigation or its forms, and axe finds nothing
serious. Screenshots go to ``artifacts/browser/portal/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import LEADER, PRINCIPAL, TARGETS
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
SHOTS = ARTIFACTS / "portal"


def shoot(page: Page, name: str) -> None:
    """The whole page, and what fits on the first screen (what a principal sees in ten seconds)."""
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    page.screenshot(path=SHOTS / f"{name}-first-screen.png")


def sideways_scroll(page: Page) -> int:
    """How many pixels the page is wider than the window."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_a_principal_reads_acknowledges_and_prints_their_scorecard(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    school_id = demo_world.scalar(TARGETS["principal_school"])
    round_id = demo_world.scalar(TARGETS["round_published"])

    # On a phone, first: the home page is the portal; the verdict and what is open come before the evidence.
    phone = signed_in(PRINCIPAL, viewport=PHONE)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("ABESS PARK")
    expect(phone.get_by_role("heading", name="Overall score")).to_be_visible()
    assert sideways_scroll(phone) <= 0
    open_items = phone.get_by_role("region", name="What is open for you")
    expect(open_items.get_by_role("link", name="Acknowledge this scorecard")).to_be_visible()
    order = [text.strip() for text in phone.locator("main h2").all_text_contents()]
    first = [
        "Overall score",
        "What is open for you",
        "Your biggest problem",
        "Each channel beside the district",
    ]
    places = [order.index(heading) for heading in first]
    assert places == sorted(places), order
    shoot(phone, "portal-375")
    assert_accessible(phone)

    # At 1280 px: the same page; it prints as the scorecard alone.
    page = signed_in(PRINCIPAL, viewport=LAPTOP)
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible()
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    shoot(page, "portal-1280")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Download the PDF")).to_be_hidden()
    expect(page.locator("#acknowledge-form")).to_be_hidden()
    expect(page.get_by_role("heading", name="Overall score")).to_be_visible()
    page.screenshot(path=SHOTS / "portal-1280-printed.png", full_page=True)
    page.emulate_media(media="screen")

    # Acknowledging: a day after today is refused beside the field; today is kept.
    page.get_by_role("link", name="Acknowledge this scorecard").click()
    day = page.get_by_label("Day you discussed it with your staff")
    today = date.fromisoformat(str(day.get_attribute("max")))
    day.fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record: read and discussed with staff").click()
    expect(page.locator("#discussed_on-error")).to_contain_text("the day cannot be in the future")
    expect(page.locator(".error-summary")).to_be_visible()
    day = page.get_by_label("Day you discussed it with your staff")
    expect(day).to_have_attribute("aria-invalid", "true")
    page.locator("#acknowledge-heading").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "acknowledge-refused-1280.png")
    assert_accessible(page)
    day.fill(today.isoformat())
    page.get_by_label("Note (optional)").fill("Went through it with the whole front office.")
    page.get_by_role("button", name="Record: read and discussed with staff").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: you read the scorecard")
    done = page.locator(".acknowledged")
    expect(done).to_contain_text("You read this scorecard and discussed it with staff")
    open_now = page.get_by_role("region", name="What is open for you")
    expect(open_now).not_to_contain_text("Acknowledge this scorecard")
    # The demo's upheld appeal shows; the window is still open (the scorecard was published as it loaded).
    expect(page.locator(".appeal-note")).to_contain_text("Changed on appeal: 1 answer corrected")
    query = open_now.get_by_role("link", name="Query an answer you think is wrong")
    expect(query).to_have_attribute("href", re.compile(r"^/appeals/scorecards/\d+$"))
    assert re.search(rf"/schools/{school_id}/portal\?round={round_id}$", page.url)
    shoot(page, "portal-acknowledged-1280")

    # The leader sees who acknowledged, on the round's scorecards page.
    leader = signed_in(LEADER, f"/scorecards/rounds/{round_id}", viewport=LAPTOP)
    expect(leader.get_by_role("status").first).to_contain_text("1 principal has acknowledged theirs")
    row = leader.get_by_role("row").filter(has_text="ABESS PARK")
    expect(row).to_contain_text("acknowledged: discussed with staff on")
    row.scroll_into_view_if_needed()
    leader.screenshot(path=SHOTS / "leader-sees-acknowledgement-1280.png")
    # The leader may read the portal as the principal sees it, without the form.
    leader.goto(f"/schools/{school_id}/portal")
    expect(leader.get_by_text("as ABESS PARK ELEMENTARY SCHOOL's principal sees it")).to_be_visible()
    expect(leader.locator("#acknowledge-form")).to_have_count(0)
