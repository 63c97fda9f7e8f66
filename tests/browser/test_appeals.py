"""Appeals in Chromium on the demo district: the principal queries an answer, another reviewer upholds it.

The demo principal opens their published scorecard's contacts and answers, queries a courtesy
answer (refused empty: the error summary and the error next to the box, at 1280 and 375 px), the
reviewer who approved the call is told another decides, the leader upholds it with the corrected
points, and the principal reads the decision. Every page passes axe; no auditor is named to the
principal. Screenshots go to ``artifacts/browser/appeals/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import LEADER, PRINCIPAL, REVIEWER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "appeals"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
# The demo principal's phone call of the published round, and its courtesy answer (short of full marks).
CALL = (
    "SELECT c.id FROM contacts c JOIN assignments a ON a.id = c.assignment_id "
    "JOIN rounds r ON r.id = a.round_id JOIN schools s ON s.id = a.school_id "
    "WHERE r.status = 'published' AND s.nces_id = '120048003173' "
    "AND a.channel = 'phone' AND c.status = 'approved' ORDER BY c.id DESC LIMIT 1"
)
AUDITORS = "SELECT name FROM users WHERE role = 'auditor' ORDER BY id"


@pytest.fixture(scope="module", autouse=True)
def shots() -> None:
    """An empty folder for this module's screenshots."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def test_a_principal_queries_an_answer_and_another_reviewer_upholds_it(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    call = int(demo_world.scalar(CALL))
    card = int(
        demo_world.scalar(
            "SELECT sc.id FROM scorecards sc JOIN schools s ON s.id = sc.school_id "
            "WHERE s.nces_id = '120048003173' AND sc.published_at IS NOT NULL"
        )
    )
    query = f"/appeals/contacts/{call}/courtesy"
    for viewport, width in ((DESKTOP, 1280), (PHONE, 375)):
        principal = signed_in(PRINCIPAL, viewport=viewport)
        principal.get_by_role("link", name="Contacts and answers").first.click()
        expect(principal.get_by_role("heading", level=1)).to_have_text("Contacts and answers")
        expect(principal.locator(".appeal-window")).to_contain_text("You can query an answer until")
        expect(principal.get_by_role("link", name="Query this answer").first).to_be_visible()
        assert_accessible(principal)
        no_sideways_scroll(principal)
        shot(principal, f"contacts-and-answers-{width}")
        principal.goto(query)
        expect(principal.get_by_role("heading", level=1)).to_have_text("Query an answer")
        assert_accessible(principal)
        no_sideways_scroll(principal)
        shot(principal, f"appeal-form-{width}")
        principal.get_by_role("button", name="Send the query").click()
        summary = principal.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Say why this answer is wrong")
        expect(principal.locator("#reason-error")).to_have_text("say why this answer is wrong")
        assert_accessible(principal)
        no_sideways_scroll(principal)
        shot(principal, f"appeal-form-refused-{width}")
        principal.close()

    principal = signed_in(PRINCIPAL, query, viewport=DESKTOP)
    principal.get_by_label("Why is this answer wrong?").fill(
        "Our secretary stayed on until every question was answered."
    )
    principal.get_by_label("What shows it (optional)").fill(
        "Phone log: a 6-minute call with a parent about buses."
    )
    principal.get_by_role("button", name="Send the query").click()
    expect(principal.get_by_role("heading", level=1)).to_contain_text("Your query of an answer")
    appeal = principal.url
    appeal_path = "/" + appeal.split("/", 3)[3]
    shot(principal, "appeal-filed-1280")

    # The reviewer who approved the call may read it, not decide it.
    reviewer = signed_in(REVIEWER, "/review/", viewport=DESKTOP)
    reviewer.get_by_role("link", name="1 appeal from principals waits for a decision").click()
    reviewer.locator(f"a[href='{appeal_path}']").click()
    expect(reviewer.locator(".review-actions")).to_contain_text("You approved this contact")
    expect(reviewer.get_by_role("button", name="Decide")).to_have_count(0)
    shot(reviewer, "decision-page-approver-1280")

    # The leader upholds it with the corrected points.
    leader = signed_in(LEADER, appeal, viewport=DESKTOP)
    assert_accessible(leader)
    leader.get_by_label("Upheld: the answer was wrong, correct it").check()
    leader.get_by_label("5: warm, patient and unhurried; checked the question was answered").check()
    leader.get_by_label("Reason").fill("The recording agrees with the school: warm and patient throughout.")
    shot(leader, "decision-page-leader-1280")
    leader.get_by_role("button", name="Decide").click()
    expect(leader.locator(".flash-success")).to_contain_text("Appeal upheld")

    principal.goto(appeal)
    expect(principal.locator(".appeal-decision")).to_contain_text("Decision: upheld")
    expect(principal.locator(".appeal-decision")).to_contain_text("5 of 5")
    assert_accessible(principal)
    shot(principal, "decided-1280")
    text = principal.locator("main").inner_text()
    for name in demo_world_names(demo_world):
        assert name not in text
    principal.goto(f"/appeals/scorecards/{card}")
    expect(principal.locator("tr", has=principal.locator(f"a[href='{appeal_path}']"))).to_contain_text(
        "Upheld"
    )


def demo_world_names(demo_world: DemoWorld) -> list[str]:
    """The demo auditors' names, which a principal must never read."""
    return [str(demo_world.scalar(f"{AUDITORS} LIMIT 1 OFFSET {n}")) for n in range(3)]
