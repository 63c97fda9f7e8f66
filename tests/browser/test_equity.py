"""Equal service in Chromium, on the demo: the leader goes from the paired round's page to its
"Equal service" page, which shows the language gap in reach with its interval, and the round's
district summary PDF carries the same figures. axe on the page; screenshots under
``artifacts/browser/equity/``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pypdfium2
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import LEADER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "equity"
REACH_INTERVAL = re.compile(
    r"Reach rate was lower for Spanish-language requests than for English-language requests: "
    r"\u2212\d+ percentage points \(95% confidence interval \u2212\d+ to \u2212\d+ "
    r"percentage points\), over 14 pairs\."
)


def test_the_leader_sees_the_language_gap_and_the_summary_carries_it(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    round_id = demo_world.scalar("SELECT id FROM rounds WHERE name LIKE '%equal service check'")
    page = signed_in(LEADER, f"/rounds/{round_id}", viewport={"width": 1280, "height": 900})
    page.get_by_role("link", name="Equal service").click()
    expect(page.get_by_role("heading", name="Enrolling by phone: English and Spanish")).to_be_visible()
    reach = page.get_by_role("row", name=re.compile("^Reach rate"))
    expect(reach).to_contain_text("Gap shown.")
    finding = REACH_INTERVAL.search(reach.inner_text())
    assert finding is not None, reach.inner_text()
    assert_accessible(page)
    page.screenshot(path=SHOTS / "equal-service.png", full_page=True)

    summary = page.request.get(f"{demo_world.url}/scorecards/rounds/{round_id}/summary.pdf")
    assert summary.status == 200
    document = pypdfium2.PdfDocument(summary.body())
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Equal service: paired testing" in text
    assert " ".join(finding.group(0).split()) in " ".join(text.replace("\r", " ").split())
