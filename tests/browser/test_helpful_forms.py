"""Forms that help, in Chromium: a refused upload lands on its error summary on a phone; keys follow titles;
scale points carry their words; the rubric preview keeps a running score.

Screenshots go to ``artifacts/browser/forms/``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from audits.formatting import percent
from audits.keys import KeySeparator, suggest_key
from audits.library import LIBRARY_DIR
from audits.rubrics.scoring import NA, item_fraction
from audits.rubrics.yamlio import rubric_from_yaml
from tests.browser.conftest import ARTIFACTS, DemoWorld
from tests.browser.pages import ADMIN, LEADER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = ARTIFACTS / "forms"
PDF = b"%PDF-1.7\n" + bytes(256)
TITLES = [
    "Front office visit 2027",
    "2. Courtesy & tone",
    "Café crèche: naïve?",
    "A very long title " * 4,
    "日本語",
]


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    """Keep what the person sees under ``artifacts/browser/forms/``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=full_page)


def test_a_refused_upload_lands_on_its_summary_on_a_phone(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    """At 375 px a PDF is refused: the page opens on the summary, focused, in plain words; its link
    takes the auditor to the file box. The visit's courtesy scale shows what each point means."""
    auditor, assignment = demo_world.unstarted_assignment("visit")
    page = signed_in(
        auditor, f"/assignments/{assignment}/contact", viewport=PHONE, is_mobile=True, has_touch=True
    )
    courtesy = page.locator("#rubric-item-courtesy")
    expect(courtesy.get_by_role("radio", name="0 = rude or hostile")).to_be_visible()
    courtesy.scroll_into_view_if_needed()
    shot(page, "scale-labels-375")

    upload = page.locator("#evidence")
    upload.get_by_label("File").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload.get_by_role("button", name="Upload").tap()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("The file was not attached.")
    expect(summary).to_contain_text(
        "This is a PDF. Attach a photo (JPEG or PNG), an email (.eml), a recording (MP3, WAV) "
        "or a text file (.txt)."
    )
    shot(page, "evidence-refused-375")
    assert_accessible(page)
    summary.get_by_role("link").tap()
    file_box = page.locator("#file")
    expect(file_box).to_be_focused()
    expect(file_box).to_be_in_viewport()
    expect(page.locator("#file-error")).to_contain_text("This is a PDF.")
    shot(page, "evidence-field-375")


def test_the_rubric_editor_suggests_keys_and_the_preview_keeps_score(
    signed_in: Callable[..., Page], demo_world: DemoWorld
) -> None:
    """At 1280 px: a refused new rubric shows its summary, focused; keys follow names and titles by the
    rule of ``audits.keys``; a scale item takes its point labels; the preview's running score follows
    the answers with the scoring rules of ``audits.rubrics.scoring``."""
    page = signed_in(ADMIN, "/rubrics/new", viewport=DESKTOP)
    in_page = page.evaluate(
        "(titles) => titles.map((t) => [touchpointSuggestKey(t, '_', []),"
        " touchpointSuggestKey(t, '-', ['front-office-visit-2027'])])",
        TITLES,
    )
    assert in_page == [
        [suggest_key(t, KeySeparator.PART), suggest_key(t, KeySeparator.RUBRIC, {"front-office-visit-2027"})]
        for t in TITLES
    ]

    page.get_by_role("button", name="Create draft").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Name is required")).to_be_visible()
    shot(page, "rubric-refused-1280")
    summary.get_by_role("link", name="Name is required").click()
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    page.get_by_label("Name", exact=True).fill("Front office visit 2027")
    key = page.get_by_label("Key", exact=True)
    expect(key).to_have_value("front-office-visit-2027")
    page.get_by_label("Name", exact=True).fill("Front office visit, spring")
    expect(key).to_have_value("front-office-visit-spring")  # still following the name
    page.get_by_label("Channel").select_option("visit")
    shot(page, "rubric-new-1280")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Front office visit, spring")

    page.get_by_label("Title").fill("Greeting and wait")
    expect(page.get_by_label("Section key")).to_have_value("greeting_and_wait")
    page.get_by_role("button", name="Add section").click()
    page.get_by_label("Add an item to “Greeting and wait”").select_option("scale")
    page.get_by_role("button", name="Add item").click()
    page.get_by_label("Question").fill("How warm was the welcome?")
    expect(page.get_by_label("Key", exact=True)).to_have_value("how_warm_was_the_welcome")
    page.get_by_label("Key", exact=True).fill("welcome")  # a key of one's own stays
    page.get_by_label("Question").fill("How warm was the welcome at the counter?")
    expect(page.get_by_label("Key", exact=True)).to_have_value("welcome")
    page.get_by_label("Points", exact=True).fill("4")
    page.get_by_label("Highest answer").fill("4")
    page.get_by_label("What the points mean").fill("0 = rude\n2 = polite but flat\n4 = warm and helpful")
    shot(page, "scale-item-1280", full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Add item").click()
    expect(page.locator(".point-labels")).to_contain_text("4 = warm and helpful")

    rubric_id = demo_world.scalar(
        "SELECT id FROM rubrics WHERE key = 'phone-standard' AND status = 'published' "
        "ORDER BY version DESC LIMIT 1"
    )
    page.goto(f"/rubrics/{rubric_id}/preview")
    total = page.locator("#running-score [data-score-total]")
    expect(total).to_have_text("Answer an item to see the score.")
    spec = rubric_from_yaml((LIBRARY_DIR / "rubrics" / "phone-standard.yaml").read_bytes())
    items = {item.key: item for section in spec.sections for item in section.items}
    answers = {"school_named": True, "question_answered": False, "courtesy": 3, "callback_time": 2.0}
    answers["answer_accuracy"] = items["answer_accuracy"].options[1].label

    def item(key: str) -> Locator:
        return page.locator(f"#rubric-item-{key}")

    item("school_named").get_by_role("radio", name="Yes", exact=True).check()
    item("question_answered").get_by_role("radio", name="No", exact=True).check()
    item("courtesy").get_by_role("radio", name="3 = polite but rushed or flat").check()
    item("answer_accuracy").get_by_role("radio", name=answers["answer_accuracy"], exact=True).check()
    item("callback_time").get_by_role("spinbutton").fill("2")
    item("language_help_offered").get_by_label("N/A: does not apply").check()
    answers["language_help_offered"] = NA
    earned = possible = 0.0
    answered = 0
    for key, answer in answers.items():
        fraction = item_fraction(items[key], answer)
        if fraction is not None:
            earned, possible = earned + fraction * items[key].points, possible + items[key].points
            answered += 1
    expect(total).to_have_text(f"{percent(earned / possible)}: {earned:g} of {possible:g} points")
    scored = sum(1 for i in items.values() if i.kind.value != "text" and not i.fact)
    note = page.locator("#running-score [data-score-note]")
    expect(note).to_have_text(
        f"{answered} of {scored} scored items answered. "
        "A critical item scored 0: the contact is flagged; its score stands."
    )
    expect(page.locator("#running-score li").filter(has_text="Courtesy")).to_contain_text("60% (3 of 5)")
    shot(page, "rubric-preview-1280")
    assert_accessible(page)


def test_a_new_round_offers_its_dates_and_refuses_a_past_end(signed_in: Callable[..., Page]) -> None:
    """At 1280 px the round form opens with the district's next school days, and a last day in the past
    is refused next to the field; the district's timezone list starts with the U.S. zones."""
    page = signed_in(LEADER, "/rounds/new", viewport=DESKTOP)
    today = datetime.now(ZoneInfo("America/New_York")).date()  # the demo district's
    first = date.fromisoformat(page.get_by_label("First day").input_value())
    last = date.fromisoformat(page.get_by_label("Last day").input_value())
    assert first >= today + timedelta(days=7) and first.weekday() < 5 and last.weekday() < 5 and last > first
    expect(page.locator("#first_day-hint")).to_contain_text(
        "Suggested from the district calendar: 15 school days"
    )
    shot(page, "round-new-1280")
    page.get_by_label("Name", exact=True).fill("Looking back")
    page.get_by_label("First day").fill((today - timedelta(days=14)).isoformat())
    page.get_by_label("Last day").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save draft").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Last day must be today or later")).to_be_visible()
    expect(page.locator("#last_day-error")).to_contain_text("must be today or later")
    summary.get_by_role("link", name="Last day must be today or later").click()
    expect(page.get_by_label("Last day")).to_be_focused()
    shot(page, "round-refused-1280")

    page.goto("/district")
    zones = (
        page.locator("select#timezone optgroup")
        .first.locator("option")
        .evaluate_all("(options) => options.slice(0, 7).map((option) => option.value)")
    )
    assert zones == [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
    ]
