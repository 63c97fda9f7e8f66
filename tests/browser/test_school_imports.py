"""The import pages in Chromium, on a phone and a desktop: another district's file refused, then
previewed when confirmed; the district's directory previewed with its broken rows. Each passes axe;
screenshots go to ``artifacts/browser/imports/``. Nothing is saved (previews only).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.pages import LEADER
from tests.browser.ui import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "imports"
SCREENS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
DIRECTORY = (
    "nces_id,school_code,email,phone,principal_name,website,languages,hours\n"
    "120048003173,AP-101,office@abess.example.org,(904) 555-0101,Ana Lopez,"
    "abess.example.org,en;es,7:30–16:00\n"
    "120048099999,,a@b.example.org,,,,,\n"
    "120048000773,,not-an-email,12,,,en;xx9,\n"
)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("screen", SCREENS)
def test_import_refusal_preview_and_directory_preview(
    screen: str, signed_in: Callable[..., Page], shared_schools_dir: Path, tmp_path: Path
) -> None:
    """Austin's file into Duval: refused naming both; confirmed, a preview; the directory's preview."""
    page = signed_in(LEADER, "/schools/import", viewport=SCREENS[screen])
    page.get_by_label("NCES directory file (CSV)").set_input_files(
        shared_schools_dir / "austin_isd_ccd_2013.csv"
    )
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("alert")).to_contain_text("128 schools of AUSTIN ISD (TX, LEA 4808940)")
    assert_accessible(page)
    shot(page, f"{screen}-1-refused")
    page.get_by_label("These schools belong to my district: import them anyway").check()
    page.get_by_role("button", name="Preview with these schools").click()
    expect(page.get_by_role("status")).to_contain_text("128 to create")
    page.get_by_text("128 schools to create").click()  # open the list
    assert_accessible(page)
    shot(page, f"{screen}-2-preview")

    directory = tmp_path / "directory.csv"
    directory.write_text(DIRECTORY)
    page.goto("/schools/directory")
    assert_accessible(page)
    shot(page, f"{screen}-3-directory")
    page.get_by_label("Directory file (CSV or Excel .xlsx)").set_input_files(directory)
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 3: no school with NCES id 120048099999")
    assert_accessible(page)
    shot(page, f"{screen}-4-directory-preview")

    page.goto("/schools/import")
    page.get_by_role("link", name="Undo").first.click()
    assert_accessible(page)
    shot(page, f"{screen}-5-undo")

    # Where the missing contact data shows: home, the filtered list, the new-round form.
    for step, path in (
        ("6-home", "/"),
        ("7-missing-email", "/schools/?missing=email"),
        ("8-new-round", "/rounds/new"),
    ):
        page.goto(path)
        assert_accessible(page)
        shot(page, f"{screen}-{step}")
