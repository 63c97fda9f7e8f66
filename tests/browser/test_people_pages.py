"""The people pages in Chromium: the staff import's upload and preview, the invitation and reset
pages reached through their emails, and a person's school picker shown only for a principal.

axe on each page; screenshots at 375 px and on a desktop under ``artifacts/browser/people/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from audits.demo import DEMO_PRINCIPAL_SCHOOL
from tests.browser.conftest import ARTIFACTS, DemoWorld, Pages
from tests.browser.pages import LEADER, REVIEWER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "people"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
STAFF = (
    "email,name,role,nces_id,languages\n"
    "nia.reviewer@example.org,Nia Reviewer,reviewer,,\n"
    "omar.auditor@example.org,Omar Auditor,auditor,,en;es\n"
    f"paula.principal@example.org,Paula Principal,principal,{DEMO_PRINCIPAL_SCHOOL},\n"
    "quinn.principal@example.org,Quinn Principal,principal,120048000999,\n"
)


@pytest.fixture(scope="module")
def shots() -> Callable[[Page, str], None]:
    """Save a full-page screenshot of a page as ``name`` at its viewport's width."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)

    def shoot(page: Page, name: str) -> None:
        width = page.viewport_size["width"] if page.viewport_size else 0
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)

    return shoot


def link_sent_to(demo_world: DemoWorld, email: str, path: str) -> str:
    """The path of the link to ``path`` in the last email written to ``email``."""
    text = demo_world.scalar(
        "SELECT text FROM outbox_emails WHERE recipient = :email ORDER BY id DESC LIMIT 1", email=email
    )
    found = re.search(rf"https?://[^\s]+?({re.escape(path)}[A-Za-z0-9_-]+)", text or "")
    assert found, text
    return found.group(1)


def test_a_leader_uploads_staff_sees_the_preview_and_imports_the_valid_rows(
    signed_in: Callable[..., Page], pages: Pages, demo_world: DemoWorld, shots: Callable[[Page, str], None]
) -> None:
    page = signed_in(LEADER, "/users/", viewport=DESKTOP)
    page.get_by_role("link", name="Import staff from a file").click()
    expect(page.get_by_role("heading", name="Import staff from a file")).to_be_visible()
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#file-error")).to_contain_text("choose a CSV or XLSX file")
    assert_accessible(page)
    shots(page, "staff-upload-error")
    page.get_by_label("Staff file (CSV or XLSX)").set_input_files(
        {"name": "staff.csv", "mimeType": "text/csv", "buffer": STAFF.encode()}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check the staff import")).to_be_visible()
    expect(page.get_by_role("heading", name="Refused: 1 row")).to_be_visible()
    expect(page.get_by_text("nces_id 120048000999 is not a school of")).to_be_visible()
    assert_accessible(page)
    shots(page, "staff-preview")
    page.set_viewport_size(PHONE)
    shots(page, "staff-preview")
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Send invitations to the new people").check()
    page.get_by_role("button", name="Import the 3 valid rows").click()
    expect(
        page.get_by_text("3 created, 0 changed, 0 left alone, 1 refused; 3 invitations sent")
    ).to_be_visible()

    # The invited principal follows their link: the accept page.
    visitor = pages.open("paula", base_url=demo_world.url, viewport=PHONE)
    visitor.goto(link_sent_to(demo_world, "paula.principal@example.org", "/invitations/"))
    expect(visitor.get_by_role("heading", name="Welcome to Touchpoint")).to_be_visible()
    assert_accessible(visitor)
    shots(visitor, "accept-invitation")


def test_the_reset_pages_through_the_email(
    pages: Pages, demo_world: DemoWorld, shots: Callable[[Page, str], None]
) -> None:
    page = pages.open("visitor", base_url=demo_world.url, viewport=PHONE)
    page.goto("/password/forgot")
    page.get_by_label("Email").fill(REVIEWER)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page)
    page.goto(link_sent_to(demo_world, REVIEWER, "/password/reset/"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_role("button", name="Set my password and sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    shots(page, "reset-password")


@pytest.mark.parametrize("javascript", [True, False], ids=["with script", "without script"])
def test_a_persons_school_picker_shows_only_for_a_principal(
    signed_in: Callable[..., Page],
    targets: dict[str, int],
    javascript: bool,
    shots: Callable[[Page, str], None],
) -> None:
    page = signed_in(LEADER, f"/users/{targets['auditor_user']}", java_script_enabled=javascript)
    schools = page.get_by_role("group", name="Schools")
    expect(page.get_by_label("Role", exact=True)).to_have_value("auditor")
    expect(schools).to_be_hidden()
    page.get_by_label("Role", exact=True).select_option("principal")
    expect(schools).to_be_visible()
    if javascript:
        assert_accessible(page)
        shots(page, "person-principal")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    expect(schools).to_be_hidden()
