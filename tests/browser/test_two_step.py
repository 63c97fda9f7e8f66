"""Two-step sign-in in Chromium, through the pages only: a reviewer turns it on from the account
page and signs in with a code; a leader whose district starts requiring it sets it up while
signing in; an administrator sees the reset on the person page. axe checks every page of it
(with an error shown, too), and each is photographed on a 375 px phone and on a desktop.

Codes come from pyotp, fed the key the page shows as text, as a person types it into an app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DEMO_PASSWORD, DemoWorld, Pages
from tests.browser.pages import ADMIN, LEADER, REVIEWER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "two_step"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page: Page, name: str) -> None:
    """Check the page with axe, then photograph it at 375 px and on a desktop."""
    assert_accessible(page)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= size["width"], (
            f"{name} scrolls"
        )
        page.screenshot(path=SHOTS / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def fresh_code(world: DemoWorld, email: str, secret: str) -> str:
    """A code the app shows that was not used yet (the next step after the last one used)."""
    last = world.scalar(
        "SELECT k.last_used_step FROM two_step_keys k JOIN users u ON u.id = k.user_id "
        "WHERE u.email = :email",
        email=email,
    )
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    return totp.generate_otp(max(step, last + 1) if last is not None else step)


def password_step(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def set_up(page: Page, world: DemoWorld, email: str, name: str) -> str:
    """On the set-up page: a wrong code first (its error checked), then the right one; return the key."""
    expect(page.get_by_role("img", name="QR code of your two-step sign-in key")).to_be_visible()
    secret = page.locator("#two-step-key").inner_text().replace(" ", "")
    shoot(page, f"{name}-set-up")
    code = fresh_code(world, email, secret)
    page.get_by_label("Code from your app").fill(f"{(int(code) + 500_000) % 1_000_000:06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_label("Code from your app")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#code-error")).to_contain_text("this code is not right")
    assert_accessible(page)
    page.get_by_label("Code from your app").fill(fresh_code(world, email, secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    shoot(page, f"{name}-recovery-codes")
    return secret


def test_a_reviewer_turns_it_on_and_signs_in_with_a_code(
    pages: Pages, signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in(REVIEWER, "/account")
    page.get_by_role("link", name="Turn on two-step sign-in").click()
    secret = set_up(page, demo_world, REVIEWER, "account")
    page.get_by_role("link", name="I have saved these: continue").click()
    expect(page.get_by_text("of your 10 recovery codes are unused")).to_be_visible()
    shoot(page, "account-on")
    page.get_by_role("button", name="Sign out", exact=True).click()

    visitor = pages.open("reviewer again", base_url=demo_world.url)
    password_step(visitor, REVIEWER)
    expect(visitor.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    shoot(visitor, "sign-in-code")
    visitor.get_by_label("Code").fill("12345")
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    assert_accessible(visitor)
    visitor.get_by_label("Code").fill(fresh_code(demo_world, REVIEWER, secret))
    visitor.get_by_role("button", name="Sign in").click()
    visitor.get_by_role("button", name="Sign out", exact=True).wait_for()


def test_a_leader_sets_it_up_while_signing_in_once_the_district_requires_it(
    pages: Pages, signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settings = signed_in(LEADER, "/district")
    settings.get_by_label("Administrators and district leaders must use two-step sign-in").check()
    settings.get_by_role("button", name="Save sign-in settings").click()
    expect(
        settings.get_by_label("Administrators and district leaders must use two-step sign-in")
    ).to_be_checked()

    page = pages.open("leader signing in", base_url=demo_world.url)
    password_step(page, LEADER)
    expect(page.get_by_text("requires two-step sign-in of its district leaders")).to_be_visible()
    set_up(page, demo_world, LEADER, "sign-in")
    page.get_by_role("button", name="I have saved these: continue").click()
    page.get_by_role("button", name="Sign out", exact=True).wait_for()
    page.goto("/account")
    expect(page.get_by_text("so you cannot turn it off")).to_be_visible()

    admin = signed_in(ADMIN, "/users/")
    leader_id = demo_world.scalar("SELECT id FROM users WHERE email = :email", email=LEADER)
    admin.goto(f"/users/{leader_id}")
    expect(admin.get_by_role("button", name="Reset two-step sign-in")).to_be_visible()
    shoot(admin, "person-page")
    admin.get_by_role("button", name="Reset two-step sign-in").click()
    expect(admin.get_by_text("They set up a new key when they next sign in.").first).to_be_visible()
    assert_accessible(admin)
