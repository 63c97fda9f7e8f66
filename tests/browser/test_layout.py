"""Pages fit their screen: the contact form on a 375 px phone, wide tables inside their own scroll box.

An auditor fills the contact form on a phone at the school's door, so at 375 × 812 it
must not scroll sideways and every control must be on screen and usable: the test fills
and submits the whole form there, with a tap for each answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import PAGES
from tests.browser.ui import assert_accessible, fill_rubric

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
SHOTS = ARTIFACTS / "layout"


def page_width(page: Page) -> int:
    """How wide the page's content is (wider than the window: it scrolls sideways)."""
    return int(page.evaluate("() => document.scrollingElement.scrollWidth"))


def off_screen_controls(page: Page, width: int) -> list[str]:
    """The form controls of the main content that are hidden, empty or cut by the window's edges."""
    return list(
        page.evaluate(
            """(width) => {
                const found = [];
                const controls = document.querySelectorAll(
                    'main input:not([type=hidden]), main select, main textarea, main button');
                for (const control of controls) {
                    if (control.closest('[hidden], details:not([open])')) continue;  // shown on demand
                    const box = control.getBoundingClientRect();
                    const name = control.id || control.name || control.textContent.trim();
                    if (box.width < 1 || box.height < 1) found.push(`${name}: not shown`);
                    else if (box.left < 0 || box.right > width) {
                        found.push(`${name}: ${Math.round(box.left)}..${Math.round(box.right)} px`);
                    }
                }
                return found;
            }""",
            width,
        )
    )


@pytest.mark.parametrize("channel", ["Phone call", "Email", "Front-office visit"])
def test_contact_form_fits_a_phone(
    channel: str, signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    """At 375 px the contact form has no sideways scroll, every control is on screen, and it submits."""
    kind = {"Phone call": "phone", "Email": "email", "Front-office visit": "visit"}[channel]
    auditor, assignment = demo_world.unstarted_assignment(kind)
    page = signed_in(auditor, "/assignments/", viewport=PHONE, is_mobile=True, has_touch=True)
    page.locator(f"#assignment-{assignment}").get_by_role("link", name="Start the contact form").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text(channel)
    expect(page.get_by_role("button", name="Submit for review")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert off_screen_controls(page, PHONE["width"]) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    slug = channel.lower().replace(" ", "-")
    page.screenshot(path=SHOTS / f"contact-form-{slug}-375.png", full_page=True)
    assert_accessible(page)

    started = datetime.now(ZoneInfo("America/New_York")) - timedelta(hours=2)
    fields = {
        "Phone call": {
            "Rings before a person answered": "2",
            "Longest hold in seconds": "0",
            "Number of transfers": "0",
            "Call length in seconds": "150",
        },
        "Email": {
            "The email you sent": "Hello, how do we apply for free meals?",
            "The reply": "The form is online.",
        },
        "Front-office visit": {"Seconds until someone greeted you": "20", "Total wait in seconds": "90"},
    }[channel]
    form = page.locator("#contact-form")
    form.locator("#started_at").fill(started.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("How the contact ended", exact=True).select_option(label="Reached a person")
    if channel == "Email":
        form.get_by_label("When the reply arrived", exact=True).fill(started.strftime("%Y-%m-%dT%H:%M"))
    for label, value in fields.items():
        form.get_by_label(label, exact=True).fill(value)
    if channel == "Phone call":
        form.get_by_role("group", name="Did the staff member give their name?").get_by_label("No").tap()
    fill_rubric(page)
    # With every comment box opened, nothing spills sideways either.
    for summary in form.locator("details.comment > summary").all()[:3]:
        summary.tap()
    assert page_width(page) <= PHONE["width"]
    assert off_screen_controls(page, PHONE["width"]) == []
    page.get_by_role("button", name="Submit for review").tap()
    expect(page.get_by_role("status").first).to_contain_text("Submitted your")
    assert page_width(page) <= PHONE["width"]


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[name for name, _, _ in PAGES])
def test_no_page_scrolls_sideways_on_a_phone(
    name: str, who: str | None, path: str, catalogue_page: Callable[..., Page]
) -> None:
    """At 375 px no page scrolls sideways: a table wider than the screen scrolls inside its own box."""
    page = catalogue_page(who, path, viewport=PHONE, is_mobile=True, has_touch=True)
    too_wide = page.evaluate(
        """(width) => [...document.querySelectorAll('main *')]
            .filter((element) => !element.closest('.table-scroll'))
            .filter((element) => element.getBoundingClientRect().right > width + 1)
            .slice(0, 5)
            .map((element) => `${element.tagName.toLowerCase()}.${element.className}`
                + ` ${Math.round(element.getBoundingClientRect().right)} px`)""",
        PHONE["width"],
    )
    assert page_width(page) <= PHONE["width"], too_wide
