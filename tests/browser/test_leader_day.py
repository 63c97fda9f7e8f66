"""The leader's day and the reviewer's in Chromium, on the demo district at 1280 px.

The leader's home gives each round under way with its counts, each a link to the progress board
filtered by it; the board keeps its filters in the address (a reload keeps them), shows one row per
school with a status per channel that reads in words and icons (also in greyscale), and opens a
contact from its status; the plan's shuffle number waits in an "Advanced" fold. The reviewer reads
the evidence before the buttons and goes on to the next contact after a decision. axe on each page;
screenshots under ``artifacts/browser/leader/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import LEADER, REVIEWER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "leader"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def shot() -> Callable[[Page, str], None]:
    """Save a full-page screenshot of a page as ``name``."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)

    def save(page: Page, name: str) -> None:
        page.screenshot(path=SHOTS / f"{name}.png", full_page=True)

    return save


def test_the_leader_follows_the_round_from_home_to_a_contact(
    signed_in: Callable[..., Page], demo_world: DemoWorld, shot: Callable[[Page, str], None]
) -> None:
    round_id = demo_world.scalar(
        "SELECT id FROM rounds WHERE status = 'in_field' AND follows_round_id IS NULL"
    )
    name = demo_world.scalar("SELECT name FROM rounds WHERE id = :id", id=round_id)
    page = signed_in(LEADER, "/", viewport=DESKTOP)
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=name))
    expect(card).to_contain_text(re.compile(r"\d+ of 36 contacts done"))
    expect(card.get_by_role("link", name=re.compile(r"Returned to auditor: 1"))).to_be_visible()
    expect(page.get_by_role("heading", name="Reviews waiting")).to_be_visible()
    expect(page.get_by_role("link", name="1 contact waits for review")).to_be_visible()
    expect(page.get_by_role("heading", name="Scorecards not yet opened")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"schools? without office hours"))).to_be_visible()
    assert_accessible(page)
    shot(page, "01-home")

    # From the home's count to the board filtered by it; the filter survives a reload.
    card.get_by_role("link", name=re.compile(r"Overdue: \d+")).click()
    expect(page).to_have_url(re.compile(rf"/rounds/{round_id}/progress\?status=overdue$"))
    page.reload()
    expect(page.get_by_label("Status", exact=True)).to_have_value("overdue")
    board = page.get_by_role("table")
    assert board.locator("tbody tr").count() >= 1
    expect(board.locator("tbody .chip").first).to_have_text(re.compile("Overdue"))
    assert board.locator("tbody .chip").filter(has_not_text="Overdue").count() == 0
    chosen = page.get_by_role("link", name=re.compile(r"^Overdue: \d+$"))
    expect(chosen).to_have_attribute("aria-current", "true")
    assert_accessible(page)
    shot(page, "02-board-overdue")

    # The whole board: one row per school, a column per channel, each status in words.
    page.get_by_role("link", name="Clear filters").click()
    expect(page.get_by_role("status")).to_have_text("36 assignments at 12 schools.")
    header = board.locator("thead th")
    expect(header).to_have_text(["School", "Phone call", "Email", "Front-office visit"])
    assert board.locator("tbody tr").count() == 12
    assert board.locator("tbody .chip").count() == 36
    shot(page, "03-board")
    page.add_style_tag(content="html { filter: grayscale(1); }")  # how it reads without colour
    shot(page, "04-board-greyscale")

    # Filters chosen in the form go to the address; a school's name narrows the rows.
    page.reload()
    page.get_by_label("Channel", exact=True).select_option("email")
    page.get_by_label("School", exact=True).fill("arlington")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"channel=email.*q=arlington"))
    expect(board.locator("thead th")).to_have_text(["School", "Email"])
    names = board.locator("tbody th").all_inner_texts()
    assert names and all("ARLINGTON" in name for name in names)
    shot(page, "05-board-email-arlington")

    # A status opens the contact: its evidence comes before the review buttons.
    page.goto(f"/rounds/{round_id}/progress?status=review")
    board.get_by_role("link", name=re.compile("^Waiting for review")).first.click()
    expect(page.get_by_role("heading", name="Evidence")).to_be_visible()
    headings = page.locator("h2").all_inner_texts()
    assert headings.index("Evidence") < headings.index("Review")

    # The plan's shuffle number is an advanced detail, folded away with its explanation.
    page.goto(f"/rounds/{round_id}")
    fold = page.locator("details.advanced")
    expect(fold.locator("summary")).to_have_text("Advanced: how the plan was drawn")
    expect(fold.get_by_text("shuffle number")).to_be_hidden()
    fold.locator("summary").click()
    expect(fold.get_by_text("shuffle number")).to_be_visible()
    assert_accessible(page)
    shot(page, "06-round-advanced")


def test_the_reviewer_reads_the_evidence_then_decides_and_goes_on(
    signed_in: Callable[..., Page], demo_world: DemoWorld, shot: Callable[[Page, str], None]
) -> None:
    page = signed_in(REVIEWER, "/review/", viewport=DESKTOP)
    queue = page.get_by_role("table")
    link = queue.locator("tbody th a").first
    expect(link).to_have_text(re.compile(r".+: (phone call|email|front-office visit)$", re.I))
    link.click()
    evidence = page.get_by_role("heading", name="Evidence").bounding_box()
    approve = page.get_by_role("button", name="Approve").bounding_box()
    assert evidence and approve and evidence["y"] < approve["y"]
    assert_accessible(page)
    shot(page, "07-review-contact")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing else is waiting for review.")).to_be_visible()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    shot(page, "08-review-after-approving")
