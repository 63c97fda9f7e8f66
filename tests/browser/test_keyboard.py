"""Every form works with the keyboard alone, and the focus can always be seen.

The tests only press keys (Tab, Space, Enter, the arrows, typed text); they read the
page to decide which key to press next, as a person reads the screen, and check that
each element that takes the focus shows the focus ring.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, DemoWorld, Pages
from tests.browser.ui import IMPRESSION, NOT_APPLICABLE

pytestmark = pytest.mark.browser

MAX_TABS = 400


@dataclass
class Focus:
    """The element that has the keyboard focus, as the tests need to know it."""

    tag: str
    type: str
    name: str
    id: str
    text: str
    checked: bool
    outline: str

    @property
    def visible_ring(self) -> bool:
        """Whether the focus shows: an outline (the site's focus ring) that is not ``none``."""
        return self.outline != "none"


def focus(page: Page) -> Focus:
    """Describe the focused element."""
    found = page.evaluate(
        r"""() => {
            const e = document.activeElement;
            const s = getComputedStyle(e);
            const ring = s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0 ? 'none'
                : `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`;
            return {tag: e.tagName.toLowerCase(), type: (e.type || '').toLowerCase(), name: e.name || '',
                    id: e.id || '', text: (e.innerText || e.value || '').replace(/\s+/g, ' ').trim(),
                    checked: !!e.checked, outline: ring};
        }"""
    )
    return Focus(**found)


class Keyboard:
    """Presses keys on a page and notes every focused element that shows no focus ring."""

    def __init__(self, page: Page) -> None:
        """Drive ``page``."""
        self.page = page
        self.unringed: list[str] = []

    def press(self, key: str) -> Focus:
        """Press a key and return what has the focus then."""
        self.page.keyboard.press(key)
        now = focus(self.page)
        if now.tag not in {"body", "main"} and not now.visible_ring:
            self.unringed.append(f"{self.page.url}: <{now.tag} id={now.id!r} name={now.name!r}> {now.text!r}")
        return now

    def follow(self, key: str = "Enter") -> None:
        """Press a key that loads another page (a link, a form's submit button) and wait for it."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        """Type text into the focused element."""
        self.page.keyboard.type(text)

    def tab_to(self, wanted: Callable[[Focus], bool], what: str) -> Focus:
        """Press Tab until the focused element is the one wanted."""
        for _ in range(MAX_TABS):
            now = self.press("Tab")
            if wanted(now):
                return now
        raise AssertionError(f"{what} never got the focus after {MAX_TABS} presses of Tab")

    def check_rings(self) -> None:
        """Fail if any focused element showed no focus ring."""
        assert not self.unringed, "focused without a visible focus ring:\n" + "\n".join(self.unringed)


def type_moment(keys: Keyboard, moment: datetime) -> None:
    """Type a date and time into a focused ``datetime-local`` input (US layout: month, day, year; time)."""
    keys.type(moment.strftime("%m%d%Y"))
    keys.press("Tab")  # from the year to the hours
    keys.type(moment.strftime("%I%M") + moment.strftime("%p")[0])


def answer(keys: Keyboard, now: Focus, counts: dict[str, str], started: datetime) -> None:
    """Answer the focused field of the contact form with keys only."""
    key = now.name.removeprefix("item-").removeprefix("na-")
    if now.name == "started_at":
        type_moment(keys, started)
    elif now.name == "outcome":
        keys.press("ArrowDown")  # the first outcome: "Reached a person"
    elif now.name in counts:
        keys.type(counts[now.name])
    elif now.name == "staff_gave_name":
        keys.press("Space")  # "Yes", the first choice
    elif now.type == "radio" and now.name.startswith("item-") and not NOT_APPLICABLE.search(key):
        keys.press("Space")  # the first choice: "Yes", or the best answer of a list
        if keys.page.locator(f"#rubric-item-{key} .choices-scale").count():
            keys.press("ArrowLeft")  # a scale starts at 0: wrap round to its top
    elif now.type == "checkbox" and now.name.startswith("na-") and NOT_APPLICABLE.search(key):
        keys.press("Space")
    elif now.type == "number" and now.name.startswith("item-"):
        keys.type("2")
    elif now.tag == "textarea" and now.name.startswith("item-"):
        keys.type(IMPRESSION)


def test_sign_in_with_the_keyboard(pages: Pages, demo_world: DemoWorld) -> None:
    """From the top of the sign-in page: skip link, email, password, Enter."""
    page = pages.open("visitor", base_url=demo_world.url)
    page.goto("/login")
    keys = Keyboard(page)
    first = keys.press("Tab")
    assert first.text == "Skip to content"
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    keys.tab_to(lambda f: f.id == "email", "the email box")
    keys.type("reviewer@example.org")
    assert keys.press("Tab").id == "password"
    keys.type(DEMO_PASSWORD)
    keys.follow("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # The skip link moves the focus to the page's content.
    keys.press("Tab")
    keys.press("Enter")
    assert focus(page).id == "main"
    keys.check_rings()


def test_fill_and_submit_a_contact_with_the_keyboard(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    """An auditor records a whole phone call without the mouse: times, outcome, counts and rubric."""
    auditor, assignment = demo_world.unstarted_assignment("phone")
    page = signed_in(auditor, "/assignments/", locale="en-US")
    school = page.locator(f"#assignment-{assignment}").get_by_role("strong").inner_text()
    keys = Keyboard(page)
    keys.tab_to(lambda f: f.tag == "a" and f.text == f"Start the contact form for {school}", "the form link")
    keys.follow("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(school)

    started = datetime.now(ZoneInfo("America/New_York")).replace(second=0, microsecond=0) - timedelta(hours=3)
    counts = {"rings": "2", "hold_seconds": "0", "transfers": "0", "call_seconds": "180"}
    now = keys.tab_to(lambda f: f.id == "started_at", "when the call started")
    done: set[str] = set()  # fields answered (a date and time takes several Tab stops)
    for _ in range(MAX_TABS):
        if now.tag == "button" and now.text == "Submit for review":
            keys.follow("Enter")
            break
        if now.name and now.name not in done:
            done.add(now.name)
            answer(keys, now, counts, started)
        now = keys.press("Tab")
    else:
        raise AssertionError("never reached the submit button")
    expect(page.get_by_role("status").first).to_contain_text(f"Submitted your phone contact with {school}")
    keys.check_rings()


def test_review_a_contact_with_the_keyboard(signed_in: Callable[..., Page]) -> None:
    """A reviewer opens the oldest contact of the queue and approves it, keyboard only."""
    page = signed_in("reviewer@example.org", "/review/")
    waiting = int(re.search(r"\d+", page.get_by_role("status").inner_text()).group(0))
    assert waiting >= 1
    keys = Keyboard(page)
    keys.tab_to(
        lambda f: (
            f.tag == "a"
            and page.url.endswith("/review/")
            and bool(re.search(r": (phone call|email|front-office visit)$", f.text))  # "SCHOOL: phone call"
        ),
        "the first contact of the queue",
    )
    keys.follow("Enter")
    expect(page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    keys.tab_to(lambda f: f.tag == "button" and f.text == "Approve", "Approve")
    keys.follow("Enter")
    expect(page.get_by_role("status").first).to_contain_text("It now counts.")
    page.goto("/review/")
    expect(page.get_by_role("status")).to_contain_text(f"{waiting - 1} contact")
    keys.check_rings()


def test_plan_a_round_with_the_keyboard(signed_in: Callable[..., Page]) -> None:
    """A leader fills the round form, picks a school through the filter box and saves, keyboard only."""
    page = signed_in("leader@example.org", "/rounds/new", locale="en-US")
    keys = Keyboard(page)
    keys.tab_to(lambda f: f.id == "name", "the name box")
    keys.type("Keyboard round")
    assert keys.press("Tab").id == "first_day"
    first_day = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=30)
    keys.type(first_day.strftime("%m%d%Y"))
    keys.tab_to(lambda f: f.id == "last_day", "the last day")
    keys.type((first_day + timedelta(days=18)).strftime("%m%d%Y"))
    now = keys.tab_to(lambda f: f.name == "school_selection", "which schools")
    assert now.checked  # the focus lands on the radio group's chosen option
    keys.press("ArrowDown")
    now = keys.press("ArrowDown")
    assert now.id == "school_selection-2" and now.checked  # "Schools I pick"
    keys.tab_to(lambda f: f.id == "school_ids-filter", "the school filter")
    keys.type("Abess Park")
    now = keys.press("Tab")
    assert now.type == "checkbox" and now.name == "school_ids"
    keys.press("Space")
    keys.tab_to(lambda f: f.id == "phone_per_school", "phone calls per school")
    keys.press("ArrowUp")  # 0 → 1
    now = keys.press("Tab")
    assert now.name == "phone_scenarios"
    keys.press("Space")
    keys.tab_to(lambda f: f.tag == "button" and f.text == "Save draft", "Save draft")
    keys.follow("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Saved Keyboard round.")
    expect(page.get_by_role("heading", name="Plan preview")).to_be_visible()
    expect(page.get_by_text("1 chosen school")).to_be_visible()
    keys.check_rings()
