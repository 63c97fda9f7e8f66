"""Results as a district leader reads them on a 1280 px laptop.

The heat map shows one channel at a time, every column of that channel on screen; a school's
results group its sections by channel; a school's page leads to its results and scorecards.
axe stays clean; screenshots go to ``artifacts/browser/results/``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import LEADER, PRINCIPAL, TARGETS
from tests.browser.ui import assert_accessible, focus_outline

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
SHOTS = ARTIFACTS / "results"
CHANNELS = ["Phone call", "Email", "Front-office visit", "Every channel"]


def columns_out_of_sight(page: Page) -> list[str]:
    """The heat map's column headers that are not wholly on screen: cut by the window or by the table's
    scroll box (a box that scrolls sideways hides some columns too)."""
    return list(
        page.evaluate(
            """() => {
                const box = document.querySelector('.table-scroll').getBoundingClientRect();
                const right = Math.min(box.right, window.innerWidth);
                const found = [...document.querySelectorAll('table.heatmap thead th')]
                    .map((th) => [th.textContent.trim().split(',')[0], th.getBoundingClientRect()])
                    .filter(([, r]) => r.left < box.left - 1 || r.right > right + 1)
                    .map(([name, r]) => `${name}: ${Math.round(r.left)}..${Math.round(r.right)} px`);
                const scroller = document.querySelector('.table-scroll');
                if (scroller.scrollWidth > scroller.clientWidth + 1) found.push('the table scrolls sideways');
                return found;
            }"""
        )
    )


def test_a_leader_reads_results_channel_by_channel(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    round_id = demo_world.scalar(TARGETS["round_published"])
    school_id = demo_world.scalar(TARGETS["principal_school"])
    page = signed_in(LEADER, f"/rounds/{round_id}/heatmap", viewport=LAPTOP)
    picker = page.get_by_role("navigation", name="Show the sections of")
    links = picker.get_by_role("link")
    assert [text.split(" (")[0] for text in links.all_inner_texts()] == CHANNELS

    # The first channel is shown; each other one is a link away, followed with the keyboard.
    for number, channel in enumerate(CHANNELS):
        link = picker.get_by_role("link", name=channel)
        if number:
            link.focus()
            assert focus_outline(link) != "none", f"{channel}: the focused link shows no focus ring"
            page.keyboard.press("Enter")
        expect(link).to_have_attribute("aria-current", "page")
        expect(page.locator("#heat-caption")).to_contain_text(f"{channel}: section scores by school")
        headers = page.locator("table.heatmap thead th")
        expect(headers.first).to_contain_text("School")
        assert headers.count() >= 3, channel  # school, overall and the channel's sections
        assert columns_out_of_sight(page) == [], channel
        page.screenshot(path=SHOTS / f"heatmap-{channel.lower().replace(' ', '-')}.png", full_page=True)
    assert_accessible(page)

    # Sorting by a section keeps its channel.
    section = page.locator("table.heatmap thead th").nth(2)
    title = section.inner_text().split(",")[0].strip()
    section.get_by_role("link").click()
    expect(picker.get_by_role("link", name="Every channel")).to_have_attribute("aria-current", "page")
    expect(page.locator("table.heatmap thead th[aria-sort]")).to_contain_text(title)

    # A school's results: its sections grouped under their channel, each group leading back to the map.
    page.goto(f"/schools/{school_id}/results?round={round_id}")
    sections = page.locator("table.sections")
    groups = sections.locator("th[scope=rowgroup]")
    assert [text.split("every school")[0].strip() for text in groups.all_text_contents()] == CHANNELS
    sections.get_by_role("link", name="every school on the heat map (Email)").click()
    expect(picker.get_by_role("link", name="Email")).to_have_attribute("aria-current", "page")
    page.goto(f"/schools/{school_id}/results?round={round_id}")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "school-results.png", full_page=True)

    # The school's page leads to its results and to each of its scorecards.
    page.goto(f"/schools/{school_id}")
    results = page.get_by_role("region", name="Results and scorecards")
    expect(results.get_by_role("link", name="This school's results")).to_be_visible()
    expect(results.get_by_role("link", name="scorecard")).not_to_have_count(0)
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page).to_have_url(f"{demo_world.url}/schools/{school_id}/results")
    expect(page.locator("table.sections")).to_be_visible()
    page.goto(f"/schools/{school_id}")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "school-page-leader.png", full_page=True)

    # Its principal finds the published scorecard there, and no results pages.
    principal = signed_in(PRINCIPAL, f"/schools/{school_id}", viewport=LAPTOP)
    scorecards = principal.get_by_role("region", name="Scorecards")
    expect(scorecards.get_by_role("link", name="scorecard")).to_have_count(1)
    expect(principal.get_by_role("link", name="This school's results")).to_have_count(0)
    assert_accessible(principal)
    principal.screenshot(path=SHOTS / "school-page-principal.png", full_page=True)
