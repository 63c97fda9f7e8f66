"""The auditor's day on a phone and the site's own error pages, in Chromium on the demo district.

Issue 19's items 3 and 9 as a person meets them: the auditor's list opens on the work a
reviewer returned (with the reviewer's words) before anything due, done work folded away,
later work a week at a time, and nothing wider than a 375 px phone; a page that does not exist,
one a principal may not open, and a calendar feed address with a wrong token answer a browser
with the site's own page (what happened, what to do next), never a server's stock text or JSON.
Screenshots go to ``artifacts/browser/daily/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld, Pages
from tests.browser.pages import PRINCIPAL
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "daily"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
STOCK_TEXTS = ("Werkzeug", "The requested URL was not found", "You don't have the permission", '"code"')


@pytest.fixture(scope="module", autouse=True)
def shots() -> None:
    """An empty folder for this module's screenshots."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)


def no_sideways_scroll(page: Page) -> None:
    """The page is no wider than its viewport."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def test_the_auditors_day_starts_with_returned_work_and_fits_a_phone(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    """Returned work first (with the reviewer's words), then what is due; done work folded; fits the width."""
    auditor = demo_world.scalar(
        "SELECT u.email FROM contacts c JOIN assignments a ON a.id = c.assignment_id "
        "JOIN users u ON u.id = a.auditor_id WHERE c.status = 'returned' ORDER BY c.id LIMIT 1"
    )
    comment = demo_world.scalar(
        "SELECT r.comment FROM review_events r JOIN contacts c ON c.id = r.contact_id "
        "WHERE c.status = 'returned' AND r.comment <> '' ORDER BY r.id DESC LIMIT 1"
    )
    for viewport in (PHONE, DESKTOP):
        page = signed_in(auditor, "/assignments/", viewport=viewport)
        headings = page.locator("main h2").all_inner_texts()
        assert headings[0].startswith("Returned to you"), headings
        expect(page.locator("main")).to_contain_text(comment.split("\n")[0][:60])
        done = page.locator("details.done-work")
        if done.count():
            expect(done).not_to_have_attribute("open", "")
        no_sideways_scroll(page)
        assert_accessible(page)
        page.screenshot(path=SHOTS / f"auditors-day-{viewport['width']}.png", full_page=True)
        page.close()


def test_error_pages_are_the_sites_own_whatever_the_browser_accepts(
    signed_in: Callable[..., Page], pages: Pages, demo_world: DemoWorld
) -> None:
    """404, 403 and a feed's wrong token answer HTML in the site's layout with what to do next; axe clean."""
    other_school = demo_world.scalar(
        "SELECT s.id FROM schools s WHERE s.id NOT IN (SELECT school_id FROM principal_schools) "
        "ORDER BY s.id LIMIT 1"
    )
    principal = signed_in(PRINCIPAL, viewport=PHONE)
    cases = [
        (principal, f"/schools/{other_school}", 403, "This page is not open to you"),
        (principal, "/no-such-page", 404, "Page not found"),
    ]
    visitor = pages.open("visitor", base_url=demo_world.url, viewport=DESKTOP)
    cases.append((visitor, "/assignments/feed/1/not-the-token.ics", 404, "Page not found"))
    for number, (page, path, status, title) in enumerate(cases, start=1):
        response = page.goto(path)
        assert response is not None and response.status == status, path
        assert response.headers["content-type"].startswith("text/html"), path
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.get_by_role("link", name="Back to the home page")).to_be_visible()
        body = page.content()
        assert not any(stock in body for stock in STOCK_TEXTS), path
        assert_accessible(page)
        page.screenshot(path=SHOTS / f"error-{number}-{status}.png", full_page=True)
        # What a calendar reader or a script asking for anything (Accept: */*) gets: the same page.
        answer = page.request.get(path, headers={"Accept": "*/*"})
        assert answer.status == status and answer.headers["content-type"].startswith("text/html"), path
