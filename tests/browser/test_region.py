"""The state-wide view in Chromium, on the demo and a second district scored on the same library
rubrics: the administrator opens it from the districts page and sees both districts' figures,
distributions and section medians; a leader is refused. axe on the page; screenshots under
``artifacts/browser/region/``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from config import normalise_database_url
from tests.audits.region_helpers import library_district
from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import ADMIN, LEADER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "region"
SECOND = "Lakeside County Schools"


def _add_second_district(demo_world: DemoWorld) -> None:
    engine = create_engine(normalise_database_url(demo_world.database_url))
    try:
        with Session(engine) as session:
            library_district(session, SECOND, date(2026, 4, 20), seed=11)
            session.commit()
    finally:
        engine.dispose()


def test_the_administrator_compares_two_districts_and_a_leader_is_refused(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    _add_second_district(demo_world)
    demo = demo_world.scalar("SELECT name FROM districts WHERE name <> :second", second=SECOND)
    page = signed_in(ADMIN, "/districts/", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Compare the districts side by side").click()
    expect(page.get_by_role("heading", name="Districts side by side", level=1)).to_be_visible()
    figures = page.get_by_role("table", name="2 districts with a round to compare, of 2; scores 0 to 100")
    for name in (demo, SECOND):
        expect(figures.get_by_role("row", name=name)).to_be_visible()
        expect(page.get_by_role("img", name=f"Number of schools by overall score, {name}")).to_be_visible()
    expect(figures.get_by_role("row", name=SECOND)).to_contain_text("16")  # its schools, all scored
    phone = page.get_by_role("table", name="Phone call: each district's median section score")
    expect(phone.get_by_role("row")).to_have_count(3)
    assert_accessible(page)
    page.screenshot(path=SHOTS / "compare.png", full_page=True)

    page.get_by_label("Rounds starting on or after").fill("2027-01-02")
    page.get_by_label("Rounds starting on or before").fill("2027-01-01")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("alert")).to_contain_text("The end of the period must not be before its start.")
    page.screenshot(path=SHOTS / "compare-refused-period.png", full_page=True)

    leader = signed_in(LEADER, "/districts/")
    expect(leader.get_by_role("link", name="Compare the districts side by side")).to_have_count(0)
    refused = leader.goto(f"{demo_world.url}/districts/compare")
    assert refused is not None and refused.status == 403
    assert SECOND not in leader.content()
