"""Calibration in Chromium on the demo district: the finished exercise flags its lenient auditor; a leader
builds a new one, an auditor takes it blind and reads how they compare.

The leader reads the demo exercise's agreement page (per item alpha, Sam Auditor flagged lenient with
what to retrain), then starts an exercise on an approved call with two auditors and opens it. The
first auditor finds no figures before submitting, is refused an empty form (the error summary and the
error next to each item), answers every item, submits and sees the figures with the others by
pseudonym. Every page passes axe. Screenshots go to ``artifacts/browser/calibration/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import AUDITOR, LEADER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "calibration"
EXERCISE = "SELECT id FROM calibration_exercises WHERE status = 'closed' ORDER BY id LIMIT 1"


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def answer_every_item(page: Page) -> None:
    """The first choice of every item with choices, 1 in every number box, N/A where nothing else fits."""
    for group in page.locator("fieldset.rubric-item").all():
        group.locator("input[type=radio]").first.check()
    for box in page.locator(".answer-number input[type=number]").all():
        box.fill("1")


def test_the_demo_exercise_and_a_new_one_taken_blind(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    exercise = int(demo_world.scalar(EXERCISE))
    leader = signed_in(LEADER, f"/calibration/{exercise}/agreement")
    expect(leader.get_by_role("heading", name="Per item")).to_be_visible()
    lenient = leader.locator("#retrain-heading ~ .retrain").first
    expect(lenient.get_by_role("heading", level=3)).to_have_text("Sam Auditor: lenient")
    assert_accessible(leader)
    shot(leader, "01-demo-agreement")

    leader.goto("/calibration/new")
    leader.get_by_label("Name").fill("Browser calibration")
    leader.get_by_role("button", name="Start the exercise").click()
    expect(leader.get_by_role("heading", name="Browser calibration")).to_be_visible()
    leader.get_by_role("button", name="Add the contact").click()
    leader.get_by_label("Avery Auditor").check()
    leader.get_by_label("Jo Auditor").check()
    leader.get_by_role("button", name="Save the auditors").click()
    leader.get_by_role("button", name="Open the exercise").click()
    expect(leader.get_by_text("The exercise is open")).to_be_visible()
    assert_accessible(leader)
    new = int(leader.url.rstrip("/").split("/")[-1].split("#")[0])

    auditor = signed_in(AUDITOR, f"/calibration/{new}")
    response = auditor.request.get(f"{demo_world.url}/calibration/{new}/agreement")
    assert response.status == 403  # blind until every answer is in
    auditor.get_by_role("link", name="Score it").click()
    auditor.get_by_role("button", name="Save my answers").click()
    expect(auditor.locator(".error-summary")).to_be_visible()
    assert auditor.locator(".rubric-item .error").count() >= 3
    assert_accessible(auditor)
    shot(auditor, "02-refused")
    answer_every_item(auditor)
    auditor.get_by_role("button", name="Save my answers").click()
    expect(auditor.get_by_text("1 of 1 reference scored")).to_be_visible()
    auditor.get_by_role("button", name="Submit all my answers").click()
    expect(auditor.get_by_role("heading", name="Per auditor")).to_be_visible()
    expect(auditor.locator(".agreement-auditors tbody th").first).to_have_text("You")
    assert_accessible(auditor)
    shot(auditor, "03-compared")
