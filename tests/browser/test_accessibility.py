"""axe-core on every kind of page, as each person sees it, on the demo district.

No page may have a violation of impact "serious" or "critical". The demo (``flask demo``)
gives a district with a round in the field, contacts in every review state and a closed
round whose scorecard is published to the demo principal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoWorld, Pages
from tests.browser.pages import LEADER, PAGES
from tests.browser.ui import assert_accessible, go_to, nu_html_errors, serious_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[name for name, _, _ in PAGES])
def test_page_has_no_serious_violation(
    name: str, who: str | None, path: str, catalogue_page: Callable[..., Page]
) -> None:
    """The page, as this person sees it, passes axe without serious or critical violations."""
    page = catalogue_page(who, path)
    assert_accessible(page)


def test_round_form_and_plan_are_accessible(signed_in: Callable[..., Page]) -> None:
    """The round form, with its errors shown, and a draft's plan preview pass axe."""
    page = signed_in(LEADER)
    go_to(page, "Rounds")
    page.get_by_role("link", name="New round").click()
    assert_accessible(page)
    page.get_by_label("Phone calls per school").fill("1")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Name").fill("Accessibility check round")
    first_day = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=30)
    page.get_by_label("First day").fill(first_day.isoformat())
    page.get_by_label("Last day").fill((first_day + timedelta(days=18)).isoformat())
    page.get_by_label("Schools I pick").check()
    page.get_by_label("Filter").fill("Abess")
    page.get_by_label("ABESS PARK ELEMENTARY SCHOOL").check()
    page.get_by_role("group", name="Phone call scenarios").get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Plan preview")).to_be_visible()
    assert_accessible(page)


def test_contact_form_with_errors_is_accessible(
    signed_in: Callable[..., Page], targets: dict[str, int]
) -> None:
    """A contact submitted empty comes back with every problem listed and linked, and passes axe."""
    page = signed_in("auditor2@example.org", "/assignments/")
    page.get_by_role("link", name="Start the contact form").first.click()
    page.get_by_role("button", name="Submit for review").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("to fix before this can be submitted")
    expect(page.get_by_label("How the contact ended", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_axe_runs_under_the_sites_security_policy(pages: Pages, demo_world: DemoWorld) -> None:
    """axe really runs on the app's pages (CSP allows no inline script): it catches a planted problem."""
    page = pages.open("visitor", base_url=demo_world.url)
    page.goto("/login")
    page.evaluate(
        """() => {
            const box = document.createElement("input");
            box.type = "text";
            box.id = "planted";
            document.querySelector("form").append(box);  // a box without a label
        }"""
    )
    found = serious_violations(page)
    assert any("label" in line and "#planted" in line for line in found), found


def test_every_page_is_valid_html_for_the_nu_checker(
    catalogue_page: Callable[..., Page], targets: dict[str, int], tmp_path: Path
) -> None:
    """The markup the server sends for every page of the catalogue passes the Nu HTML Checker (vnu).

    The W3C's own checker (npm ``vnu-jar``, run with the machine's Java) reads each page as served,
    before any script runs; no error is allowed (warnings are its advice, not errors).
    """
    folder = tmp_path / "pages"
    folder.mkdir()
    opened: dict[str | None, Page] = {}
    for number, (name, who, path) in enumerate(PAGES):
        if who not in opened:
            opened[who] = catalogue_page(who, "/login" if who is None else "/")
        page = opened[who]
        response = page.request.get(path.format(**targets), timeout=60_000)
        assert response.ok, f"{name}: {response.status}"
        (folder / f"{number:02d}.html").write_text(f"<!-- {name}: {path} -->\n{response.text()}")
    errors = nu_html_errors(folder)
    assert not errors, "\n".join(errors)
